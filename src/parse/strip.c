/*
 * A fast markup stripper for the search index and one-line fields. It
 * is a consumer of the one HTML tokenizer (tokenize.c), the sanitiser's:
 * it never builds a tree, so indexing a large fetch costs little, and it
 * sees the same tags the sanitiser does. Rendering for people is
 * render_html()'s job (html.c); this file does not wrap, number links
 * or keep structure.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <pthread.h>

#include <libxml/HTMLparser.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "private.h"
#include "glean/banned.h"

static void
add_cp(struct sbuf *sb, uint32_t cp)
{
	char enc[4];

	if (cp == 0 || cp > 0x10FFFF)
		cp = 0xFFFD;
	sbuf_add(sb, enc, (size_t)utf8_encode(cp, enc));
}

/* The reference r at s decoded into out (as libxml2 decodes it); the
 * bytes used, 0 when it is not one (the '&' is then literal). Numbers
 * take at most 12 bytes with their "&#" or "&#x"; names are the
 * letters and digits of r's name. */
static size_t
decode_ref(const char *s, const struct htok_ref *r, struct sbuf *out)
{
	char name[40];
	size_t n = 0, used;
	uint32_t cp = 0;

	if (r->kind == HREF_DEC || r->kind == HREF_HEX) {
		bool hex = r->kind == HREF_HEX;
		size_t pre = (size_t)(r->v - s), i;

		n = r->n < 12 - pre ? r->n : 12 - pre;
		for (i = 0; i < n; i++) {
			char c = r->v[i];
			int d = a_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;

			cp = cp * (hex ? 16 : 10) + (uint32_t)d;
		}
		used = pre + n;
		if (n == r->n && r->semi)
			used++;
		add_cp(out, cp > 0x10FFFF ? 0xFFFD : cp);
		return used;
	}
	if (r->kind != HREF_NAME)
		return 0;
	while (n < r->n && n < sizeof(name) - 1 && a_alnum(r->v[n])) {
		name[n] = r->v[n];
		n++;
	}
	name[n] = '\0';
	{
		/* entities.c knows the HTML 4 names with the values libxml2
		 * gives them, in a hash; libxml2's own lookup is a linear scan
		 * and is asked only for what ours lacks (&apos;, junk) */
		const htmlEntityDesc *d;

		cp = entity_lookup(name, n);
		if (!cp) {
			d = htmlEntityLookup((const xmlChar *)name);
			if (!d)
				return 0;
			cp = d->value;
		}
		add_cp(out, cp);
	}
	used = 1 + n;
	if (s[used] == ';')
		used++;
	return used;
}

static struct nset block_set;
static pthread_once_t block_once = PTHREAD_ONCE_INIT;

static void
block_build(void)
{
	static const char *const blocks[] = {
		"address", "article", "aside", "blockquote", "br", "dd", "div",
		"dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3",
		"h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre",
		"section", "table", "td", "th", "tr", "ul",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(blocks); i++)
		nset_add(&block_set, blocks[i], 1, false);
}

/* Whether the n bytes at t name a block element, in any case (a name
 * set built once: this runs for every tag of every indexed body). */
static bool
block_tag(const char *t, size_t n)
{
	char low[16];
	size_t i;

	if (n == 0 || n >= sizeof(low))
		return false;
	for (i = 0; i < n; i++)
		low[i] = (char)(t[i] >= 'A' && t[i] <= 'Z' ? t[i] - 'A' + 'a' :
							     t[i]);
	pthread_once(&block_once, block_build);
	return nset_get(&block_set, low, n) != 0;
}

/* The markup at s (s[0] == '<') as the tokenizer cuts it: tags go (a
 * block element leaves a space), script and style with their content,
 * comments and declarations; a '<' that starts nothing is text. Returns
 * where scanning goes on. */
static const char *
strip_markup(struct sbuf *raw, const char *s, const char *end,
	     bool *space)
{
	struct htok t;
	const char *e;

	htok_markup(s, &t);
	switch (t.kind) {
	case HTOK_TEXT:
		sbuf_add(raw, s, (size_t)(t.p - s));
		*space = false;
		return t.p;
	case HTOK_SKIP:
		return t.p;
	case HTOK_BOGUS:
		/* "<!junk>": a declaration for the index */
		e = memchr(s, '>', (size_t)(end - s));
		return e ? e + 1 : end;
	default:
		break;
	}
	htok_finish(&t);
	if (t.kind == HTOK_START &&
	    ((t.nlen == 6 && !strncasecmp(t.name, "script", 6)) ||
	     (t.nlen == 5 && !strncasecmp(t.name, "style", 5)))) {
		char endtag[10];

		/* raw text up to its end tag */
		snprintf(endtag, sizeof(endtag), "</%.*s", (int)t.nlen, t.name);
		e = strcasestr(t.name, endtag);
		return e ? e : end;
	}
	if (block_tag(t.name, t.nlen) && !*space) {
		sbuf_addch(raw, ' ');
		*space = true;
	}
	return t.p;
}

/* Whether isspace() holds for a byte other than ' ' and '\t'..'\r' in
 * the locale in force (in C and UTF-8 locales it holds for none): then
 * text_skip() must leave every byte to the exact test. */
static bool
odd_space(void)
{
	int c;

	for (c = 1; c < 256; c++)
		if (isspace(c) && c != ' ' && !(c >= '\t' && c <= '\r'))
			return true;
	return false;
}

/*
 * In a run of text (q > the input's start), the first byte at or after
 * q that may end it: '<', '&', white space other than a single space
 * after a non-space. Bytes before it are ordinary for html_strip()'s
 * loop, which tests the byte returned as it always did. 16 at a time:
 * this loop was nine tenths of stripping a body.
 */
static const char *
text_skip(const char *q, const char *end, bool odd)
{
#if defined(__SSE2__)
	const __m128i lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&');
	const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
	const __m128i four = _mm_set1_epi8(4);

	if (odd)
		return q;
	while (end - q >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
		__m128i w = _mm_loadu_si128((const __m128i *)(const void *)
					    (q - 1));
		__m128i dv = _mm_sub_epi8(v, tab), dw = _mm_sub_epi8(w, tab);
		/* '\t'..'\r': x - '\t' <= 4, unsigned */
		__m128i cv = _mm_cmpeq_epi8(_mm_min_epu8(dv, four), dv);
		__m128i cw = _mm_cmpeq_epi8(_mm_min_epu8(dw, four), dw);
		__m128i m = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, lt),
				     _mm_cmpeq_epi8(v, amp)),
			_mm_or_si128(cv, _mm_and_si128(
				_mm_cmpeq_epi8(v, sp),
				_mm_or_si128(_mm_cmpeq_epi8(w, sp), cw))));
		unsigned bits = (unsigned)_mm_movemask_epi8(m);

		if (bits)
			return q + __builtin_ctz(bits);
		q += 16;
	}
#else
	(void)end;
	(void)odd;
#endif
	return q;
}

void
html_strip(const char *html, size_t len, size_t max, struct sbuf *out)
{
	struct sbuf raw = SBUF_INIT;
	const char *p = html, *end = html + len;
	bool space = true, odd = odd_space();

	raw.max = max ? max : (size_t)-1 / 2;
	while (p < end && raw.len < raw.max) {
		char c = *p;

		if (c == '<') {
			p = strip_markup(&raw, p, end, &space);
			continue;
		}
		if (c == '&') {
			struct htok_ref r;
			size_t used;

			htok_ref(p, &r);
			used = decode_ref(p, &r, &raw);
			if (used) {
				p += used;
				space = false;
				continue;
			}
		}
		if (isspace((unsigned char)c)) {
			if (!space)
				sbuf_addch(&raw, ' ');
			space = true;
			p++;
			continue;
		}
		{
			/* a run of ordinary text in one append, single spaces
			 * between words included (they come out as they are) */
			const char *q = p + 1;

			while (q < end) {
				q = text_skip(q, end, odd);
				if (q >= end || *q == '<' || *q == '&')
					break;
				if (isspace((unsigned char)*q) &&
				    (*q != ' ' || isspace((unsigned char)q[-1])))
					break;
				q++;
			}
			if (raw.len + (size_t)(q - p) > raw.max)
				q = p + (raw.max - raw.len);
			sbuf_add(&raw, p, (size_t)(q - p));
			space = q[-1] == ' ';
			p = q;
		}
	}
	/* Entities may have produced control characters: sanitize last. */
	text_sanitize_to(out, raw.buf, raw.len, true);
	sbuf_release(&raw);
	sbuf_trim(out);
}

void
content_text(const char *content, size_t len, const char *content_type,
	     struct sbuf *out)
{
	if (content_type && !strcmp(content_type, "text/plain"))
		text_sanitize_to(out, content, len, false);
	else
		html_strip(content, len, CONTENT_TEXT_MAX, out);
}
