/* service/text.c: each service's counter on the services' own data —
 * twitter-text's validate.yml (weighted lengths) and extract.yml (URLs),
 * converted to tests/data/twitter-text/{validate,extract}.tsv by
 * tests/data/twitter-text/totsv.py — and the cases issue 14 saw. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/base.h"
#include "glean/service.h"
#include "check.h"

#define MAXF 16

struct row {
	char *f[MAXF];
	size_t n;
};

/* Undo totsv.py's escapes (\\, \t, \n) in place. */
static void
unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Every line of a TSV file split into fields; *n rows. */
static struct row *
load(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "r");
	struct row *v = NULL;
	size_t cap = 0, len = 0;
	char *line = NULL;
	ssize_t got;

	*n = 0;
	if (!fp)
		return NULL;
	while ((got = getline(&line, &len, fp)) > 0) {
		struct row r = { 0 };
		char *p = line, *tab;

		if (line[got - 1] == '\n')
			line[got - 1] = '\0';
		while (r.n < MAXF) {
			tab = strchr(p, '\t');
			if (tab)
				*tab = '\0';
			r.f[r.n] = xstrdup(p);
			unescape(r.f[r.n++]);
			if (!tab)
				break;
			p = tab + 1;
		}
		XGROW(v, cap, *n + 1);
		v[(*n)++] = r;
	}
	free(line);
	fclose(fp);
	return v;
}

static void
unload(struct row *v, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < v[i].n; k++)
			free(v[i].f[k]);
	free(v);
}

/* Code points in s[0, b). */
static size_t
cp_index(const char *s, size_t b)
{
	size_t i = 0, n = 0, k;
	uint32_t cp;

	while (i < b) {
		k = utf8_decode(s + i, b - i, &cp);
		i += k ? k : 1;
		n++;
	}
	return n;
}

static void
test_x_weighted(void)
{
	size_t n, i, pass = 0;
	struct row *v = load("tests/data/twitter-text/validate.tsv", &n);

	TEST("validate.yml weighted cases");
	CHECK(v && n == 42);
	for (i = 0; i < n; i++) {
		bool emoji = !strcmp(v[i].f[0], "WeightedTweetsWith"
				     "DiscountedEmojiCounterTest");
		bool valid;
		size_t w = text_x_weighted(v[i].f[1], emoji, &valid);

		if (w == strtoul(v[i].f[2], NULL, 10) &&
		    valid == (v[i].f[3][0] == '1'))
			pass++;
		else
			printf("  %s: %.60s: got %zu %d, want %s %s\n",
			       v[i].f[0], v[i].f[1], w, valid, v[i].f[2],
			       v[i].f[3]);
	}
	printf("  validate.yml weighted: %zu/%zu\n", pass, n);
	CHECK(pass == n);
	unload(v, n);
}

/* One extract.yml case: the URLs text_urls finds as the expected fields
 * ("url", or "url start end" in code points). */
static bool
extract_case(const struct row *r)
{
	bool idx = !strcmp(r->f[0], "urls_with_indices");
	struct text_span *u;
	size_t n = text_urls(r->f[1], true, &u), i;
	bool ok = n == r->n - 2;

	for (i = 0; ok && i < n; i++) {
		char *got = xstrndup(r->f[1] + u[i].start,
				     u[i].end - u[i].start);
		char *want = xstrdup(r->f[2 + i]);

		if (idx) {
			char *sp = strrchr(want, ' ');
			size_t b = strtoul(sp + 1, NULL, 10), a;

			*sp = '\0';
			sp = strrchr(want, ' ');
			a = strtoul(sp + 1, NULL, 10);
			*sp = '\0';
			ok = a == cp_index(r->f[1], u[i].start) &&
			     b == cp_index(r->f[1], u[i].end);
		}
		ok = ok && !strcmp(got, want);
		free(got);
		free(want);
	}
	free(u);
	return ok;
}

static void
test_extract(void)
{
	size_t n, i, pass = 0;
	struct row *v = load("tests/data/twitter-text/extract.tsv", &n);

	TEST("extract.yml urls and urls_with_indices");
	CHECK(v && n == 101);
	for (i = 0; i < n; i++) {
		if (extract_case(&v[i]))
			pass++;
		else
			printf("  %s: left: %.70s\n", v[i].f[0], v[i].f[1]);
	}
	printf("  extract.yml urls: %zu/%zu\n", pass, n);
	CHECK(pass * 100 >= n * 95);
	unload(v, n);
}

/* The URL text_urls finds first in s (no scheme-less ones), or "". */
static char *
first_url(const char *s)
{
	struct text_span *u;
	size_t n = text_urls(s, false, &u);
	char *r = n ? xstrndup(s + u[0].start, u[0].end - u[0].start)
		    : xstrdup("");

	free(u);
	return r;
}

static void
test_seen(void)
{
	char *s;

	TEST("no trailing punctuation in a URL");
	s = first_url("see https://example.org/a, and more");
	CHECK_STR(s, "https://example.org/a");
	free(s);
	s = first_url("the end: https://example.org/b.");
	CHECK_STR(s, "https://example.org/b");
	free(s);
	TEST("a URL in parentheses");
	s = first_url("(https://example.org/c)");
	CHECK_STR(s, "https://example.org/c");
	free(s);
	s = first_url("(see https://en.wikipedia.org/wiki/C_(language))");
	CHECK_STR(s, "https://en.wikipedia.org/wiki/C_(language)");
	free(s);
	TEST("bare IPs and hosts with no TLD are text");
	s = first_url("http://192.168.0.1/x");
	CHECK_STR(s, "");
	free(s);
	s = first_url("http://localhost:8080/x");
	CHECK_STR(s, "");
	free(s);
	CHECK(text_mastodon_length("http://localhost:8080/xyz", 23) == 25);

	TEST("mastodon: graphemes, a URL as characters_reserved_per_url");
	CHECK(text_mastodon_length("Hi https://example.org/a, ok", 23) ==
	      3 + 23 + 4);
	CHECK(text_mastodon_length("Hi https://example.org/a", 30) == 33);
	/* e + combining acute is one grapheme; a flag is one */
	CHECK(text_mastodon_length("e\xcc\x81 \xf0\x9f\x87\xab\xf0\x9f\x87"
				   "\xb7", 23) == 3);
	/* a scheme-less domain is text to Mastodon, a URL to X */
	CHECK(text_mastodon_length("example.com", 23) == 11);
	CHECK(text_x_length("example.com") == 23);

	TEST("x: CJK weighs 2, URLs 23, NFC first");
	s = xmalloc(150 * 3 + 1);
	for (size_t i = 0; i < 150; i++)
		memcpy(s + 3 * i, "\xe4\xb8\xad", 3); /* 中 */
	s[450] = '\0';
	CHECK(text_x_length(s) == 300);
	free(s);
	CHECK(text_x_length("A\xcc\x81") == 1); /* A + U+0301 = Á */
	s = text_nfc("\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8"); /* 각 */
	CHECK_STR(s, "\xea\xb0\x81");
	free(s);
}

/* The links text_bluesky_links finds in s, joined by spaces. */
static char *
bsky_links(const char *s)
{
	struct sbuf sb = SBUF_INIT;
	struct text_span *u;
	size_t n = text_bluesky_links(s, &u), i;

	for (i = 0; i < n; i++)
		sbuf_addf(&sb, "%s%.*s", i ? " " : "",
			  (int)(u[i].end - u[i].start), s + u[i].start);
	free(u);
	return sbuf_detach(&sb, NULL);
}

static void
test_bluesky_links(void)
{
	char *s;

	TEST("bluesky links: its own rule, no trailing punctuation");
	s = bsky_links("see https://example.org/a, then (https://example.org/b)."
		       " Done");
	CHECK_STR(s, "https://example.org/a https://example.org/b");
	free(s);
	s = bsky_links("https://en.wikipedia.org/wiki/C_(language) ok");
	CHECK_STR(s, "https://en.wikipedia.org/wiki/C_(language)");
	free(s);
	TEST("bluesky links: any host, only after a space, ( or the start");
	s = bsky_links("http://192.168.0.1/x http://localhost:8080/y "
		       "https://notes.example/z");
	CHECK_STR(s, "http://192.168.0.1/x http://localhost:8080/y "
		     "https://notes.example/z");
	free(s);
	s = bsky_links("xhttps://a.org/ https:// \xe3\x80\x80https://b.org/c!");
	CHECK_STR(s, "https://b.org/c");
	free(s);
}

int
main(void)
{
	RUN(test_x_weighted);
	RUN(test_extract);
	RUN(test_seen);
	RUN(test_bluesky_links);
	return check_done("test_text");
}
