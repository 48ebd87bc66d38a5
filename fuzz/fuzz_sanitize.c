/*
 * fuzz/fuzz_sanitize.c: libFuzzer target for the sanitisers, checking
 * the invariants SECURITY.md relies on rather than only "no crash":
 *  - text_sanitize() (base): the output is valid UTF-8 made only of XML
 *    1.0 Chars with no C0 but tab and newline (none single-line), no DEL,
 *    C1, bidi control or noncharacter; sanitising it again changes
 *    nothing.
 *  - markup_clean() (parse, the feed-HTML cleaner), as HTML and as
 *    XHTML: no script, style, applet or other active element, no on*
 *    handler and no javascript:/vbscript: URL survive, as the tokenizer
 *    reads the output back; and (with no base URL to resolve against)
 *    cleaning the output again changes nothing.
 *  - html_strip(): its text passes text_sanitize() unchanged.
 * Inputs are cut at 64 KiB (the parser's field cap), which keeps the
 * runs fast. Built by fuzz/run.sh and fuzz/replay.sh; prints only on a
 * failure.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../src/parse/private.h"
#include "glean/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *in, const char *out)
{
	fprintf(stderr, "sanitize: %s\n  in:  '%s'\n  out: '%s'\n", what, in,
		out);
	abort();
}

static bool
bidi(uint32_t c)
{
	return c == 0x061C || c == 0x200E || c == 0x200F ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

static void
check_text(const char *in, size_t len, bool single_line)
{
	char *out = text_sanitize(in, len, single_line), *again;
	size_t n = strlen(out), i, k;
	uint32_t cp;

	if (!utf8_valid(out, n))
		fail("text_sanitize: invalid UTF-8", in, out);
	for (i = 0; i < n; i += k) {
		k = utf8_decode(out + i, n - i, &cp);
		if (!k)
			fail("text_sanitize: undecodable", in, out);
		if ((cp < 0x20 && !(cp == '\t' || cp == '\n')) ||
		    (single_line && (cp == '\t' || cp == '\n')) ||
		    cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || bidi(cp) ||
		    unicode_nonchar(cp) || !xml_char(cp))
			fail("text_sanitize: a control survived", in, out);
	}
	again = text_sanitize(out, n, single_line);
	if (strcmp(again, out))
		fail("text_sanitize: not idempotent", out, again);
	free(again);
	free(out);
}

static bool
name_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* The URL value v (n bytes) names a script scheme, ignoring the leading
 * whitespace and the tabs and newlines browsers skip. */
static bool
script_url(const char *v, size_t n)
{
	char buf[16];
	size_t i, k = 0;

	for (i = 0; i < n && k < sizeof(buf) - 1; i++) {
		if (v[i] == '\t' || v[i] == '\n' || v[i] == '\r' ||
		    (v[i] == ' ' && k == 0))
			continue;
		if (v[i] == ':')
			break;
		buf[k++] = a_lower(v[i]);
	}
	if (i >= n || v[i] != ':')
		return false;
	buf[k] = 0;
	return !strcmp(buf, "javascript") || !strcmp(buf, "vbscript");
}

/* An attribute a browser reads as a URL on some element (HTML's URL
 * attributes, and href in any namespace): a script URL must not survive
 * in one. Text attributes (class, title, alt) may say "javascript:" and
 * are kept as written, as feedparser keeps them: the list is this
 * harness's own, not the cleaner's, so an omission there is caught. */
static bool
url_attr(const char *s, size_t n)
{
	static const char *const names[] = {
		"href", "src", "action", "formaction", "cite", "data",
		"poster", "background", "longdesc", "lowsrc", "dynsrc",
		"codebase", "classid", "usemap", "icon", "manifest", "ping",
		"srcset", "profile", "archive", "xml:base",
	};
	const char *colon = memchr(s, ':', n);
	size_t i;

	if (colon && name_is(colon + 1, n - (size_t)(colon + 1 - s), "href"))
		return true;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (name_is(s, n, names[i]))
			return true;
	return false;
}

static void
check_markup(const char *in, bool is_html)
{
	static const char *const active[] = {
		"script", "style", "applet", "iframe", "object", "embed",
		"frame", "frameset", "base", "meta", "link",
	};
	char *out = markup_clean(in, "http://fuzz.example/a/", is_html);
	char *again;
	const char *p = out, *end = out + strlen(out);
	size_t i;

	while ((p = htok_text(p, end)) < end) {
		struct htok t;
		struct htok_attr a;

		if (*p != '<') {
			p++;
			continue;
		}
		htok_markup(p, &t);
		if (t.kind == HTOK_START || t.kind == HTOK_END) {
			for (i = 0; i < ARRAY_SIZE(active); i++)
				if (name_is(t.name, t.nlen, active[i]))
					fail("markup_clean: an active element "
					     "survived", in, out);
			while (htok_attr(&t, &a)) {
				if (a.nlen > 2 && !strncasecmp(a.name, "on", 2))
					fail("markup_clean: an event handler "
					     "survived", in, out);
				if (a.value != a.name &&
				    url_attr(a.name, a.nlen) &&
				    script_url(a.value, a.vlen))
					fail("markup_clean: a script URL "
					     "survived", in, out);
			}
		}
		p = t.p > p ? t.p : p + 1;
	}
	/* without a base: an unsafe URL is blanked to "", which a base
	 * would then resolve (as feedparser does), so only base-less
	 * cleaning is idempotent */
	free(out);
	out = markup_clean(in, NULL, is_html);
	again = markup_clean(out, NULL, is_html);
	if (strcmp(again, out)) {
		size_t d = 0;

		while (again[d] == out[d])
			d++;
		d = d > 40 ? d - 40 : 0;
		fail("markup_clean: not idempotent", out + d, again + d);
	}
	free(again);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf sb = SBUF_INIT;
	char *s, *again;
	size_t n;

	if (size > 64 * 1024)
		size = 64 * 1024;
	s = xstrndup((const char *)data, size); /* up to a NUL */
	n = strlen(s);

	check_text((const char *)data, size, false);
	check_text((const char *)data, size, true);
	check_markup(s, true);
	check_markup(s, false);
	html_strip(s, n, 64 * 1024, &sb);
	sbuf_addch(&sb, 0);
	again = text_sanitize(sb.buf, strlen(sb.buf), false);
	if (strcmp(again, sb.buf))
		fail("html_strip: output not sanitized", s, sb.buf);
	free(again);
	sbuf_release(&sb);
	free(s);
	return 0;
}
