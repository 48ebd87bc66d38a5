/*
 * A fast markup stripper for the search index and one-line fields. It
 * is a scanner, not a parser: it never builds a tree, so indexing a
 * large fetch costs little. Rendering for people is render_html()'s job
 * (html.c); this file does not wrap, number links or keep structure.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <pthread.h>

#include <libxml/HTMLparser.h>

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

/* Decode one entity at s (s[0] == '&'); returns bytes consumed, 0 if it is
 * not an entity (then '&' is literal). */
static size_t
decode_entity(const char *s, size_t len, struct sbuf *out)
{
	char name[40];
	size_t i = 1, n = 0;

	if (len > 2 && s[1] == '#') {
		uint32_t cp = 0;
		bool hex = len > 3 && (s[2] == 'x' || s[2] == 'X');

		i = hex ? 3 : 2;
		while (i < len && i < 12 &&
		       (hex ? isxdigit((unsigned char)s[i])
			    : isdigit((unsigned char)s[i]))) {
			int d = isdigit((unsigned char)s[i])
					? s[i] - '0'
					: (tolower((unsigned char)s[i]) - 'a' + 10);

			cp = cp * (hex ? 16 : 10) + (uint32_t)d;
			i++;
		}
		if (i == (hex ? 3u : 2u))
			return 0;
		if (i < len && s[i] == ';')
			i++;
		add_cp(out, cp > 0x10FFFF ? 0xFFFD : cp);
		return i;
	}
	while (i < len && n < sizeof(name) - 1 && isalnum((unsigned char)s[i]))
		name[n++] = s[i++];
	name[n] = '\0';
	if (n == 0)
		return 0;
	{
		/* entities.c knows the HTML 4 names with the values libxml2
		 * gives them, in a hash; libxml2's own lookup is a linear scan
		 * and is asked only for what ours lacks (&apos;, junk) */
		uint32_t cp = entity_lookup(name, n);
		const htmlEntityDesc *d;

		if (!cp) {
			d = htmlEntityLookup((const xmlChar *)name);
			if (!d)
				return 0;
			cp = d->value;
		}
		add_cp(out, cp);
	}
	if (i < len && s[i] == ';')
		i++;
	return i;
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

void
html_strip(const char *html, size_t len, size_t max, struct sbuf *out)
{
	struct sbuf raw = SBUF_INIT;
	size_t i = 0;
	bool space = true;

	raw.max = max ? max : (size_t)-1 / 2;
	while (i < len && raw.len < raw.max) {
		char c = html[i];

		if (c == '<') {
			const char *t = html + i + 1;
			size_t n = 0;
			bool close = *t == '/';
			const char *end;

			if (close)
				t++;
			while (t + n < html + len && isalnum((unsigned char)t[n]))
				n++;
			if (!close && n == 0 && !(t < html + len && t[0] == '!')) {
				/* a literal '<' */
				sbuf_addch(&raw, '<');
				space = false;
				i++;
				continue;
			}
			if (!close && ((n == 6 && !strncasecmp(t, "script", 6)) ||
				       (n == 5 && !strncasecmp(t, "style", 5)))) {
				char endtag[10];

				snprintf(endtag, sizeof(endtag), "</%.*s", (int)n,
					 t);
				end = strcasestr(t, endtag);
				i = end ? (size_t)(end - html) : len;
				continue;
			}
			if (t[0] == '!' && len - (size_t)(t - html) > 3 &&
			    !strncmp(t, "!--", 3)) {
				end = strstr(t + 3, "-->");
				i = end ? (size_t)(end - html) + 3 : len;
				continue;
			}
			end = memchr(t, '>', len - (size_t)(t - html));
			i = end ? (size_t)(end - html) + 1 : len;
			if (block_tag(t, n) && !space) {
				sbuf_addch(&raw, ' ');
				space = true;
			}
			continue;
		}
		if (c == '&') {
			size_t used = decode_entity(html + i, len - i, &raw);

			if (used) {
				i += used;
				space = false;
				continue;
			}
		}
		if (isspace((unsigned char)c)) {
			if (!space)
				sbuf_addch(&raw, ' ');
			space = true;
			i++;
			continue;
		}
		{
			/* a run of ordinary text in one append, single spaces
			 * between words included (they come out as they are) */
			size_t j = i + 1;

			while (j < len && html[j] != '<' && html[j] != '&') {
				if (isspace((unsigned char)html[j]) &&
				    (html[j] != ' ' ||
				     isspace((unsigned char)html[j - 1])))
					break;
				j++;
			}
			if (raw.len + (j - i) > raw.max)
				j = i + (raw.max - raw.len);
			sbuf_add(&raw, html + i, j - i);
			space = html[j - 1] == ' ';
			i = j;
		}
	}
	/* Entities may have produced control characters: sanitize last. */
	text_sanitize_to(out, raw.buf, raw.len, true);
	sbuf_release(&raw);
	sbuf_trim(out);
}
