/*
 * The one HTML/XML escaper family: every place that writes text into
 * HTML or XML (digests, OPML export, social posts turned into HTML, the
 * feed parser's re-serialised XHTML) escapes through text_escape(). It
 * does not decode entities (parse/ does) or sanitize control characters
 * for the terminal (text.c does); the feed sanitiser's attribute writer
 * (parse/markup.c) keeps character references as written and is not an
 * escaper in this sense.
 */
#include <string.h>

#include "glean/base.h"
#include "glean/banned.h"

/* With ESC_NOCTRL, for a control or non-ASCII byte at s[i]: the length
 * of the character there (1 for a byte that is not UTF-8), and whether
 * it goes: *rep is NULL to keep it, "" to drop it, or U+FFFD for a byte
 * that is not UTF-8. */
static size_t
char_at(const char *s, size_t n, size_t i, const char **rep)
{
	unsigned char c = (unsigned char)s[i];
	uint32_t cp;
	size_t k;

	*rep = NULL;
	if (c < 0x80) {
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    c == 0x7F)
			*rep = "";
		return 1;
	}
	k = utf8_decode(s + i, n - i, &cp);
	if (k == 0) {
		*rep = "\xEF\xBF\xBD";
		return 1;
	}
	if ((cp >= 0x80 && cp <= 0x9F) || unicode_nonchar(cp) || !xml_char(cp))
		*rep = "";
	return k;
}

int
text_escape(struct sbuf *sb, const char *s, size_t n, unsigned flags)
{
	size_t i, st = 0, skip;
	int rc = 0;

	for (i = 0; i < n; i += skip) {
		unsigned char c = (unsigned char)s[i];
		const char *rep;

		skip = 1;
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"':
			if (!(flags & ESC_QUOT))
				continue;
			rep = "&quot;";
			break;
		case '\'':
			if (flags & ESC_APOS_HTML)
				rep = "&#39;";
			else if (flags & ESC_APOS_XML)
				rep = "&apos;";
			else
				continue;
			break;
		case '\n':
			if (!(flags & ESC_BR))
				continue;
			rep = "<br>";
			break;
		default:
			if (!(flags & ESC_NOCTRL) || (c >= 0x20 && c < 0x7F))
				continue;
			skip = char_at(s, n, i, &rep);
			if (!rep)
				continue;
			break;
		}
		if (i > st && sbuf_add(sb, s + st, i - st) < 0)
			rc = -1;
		if (*rep && sbuf_adds(sb, rep) < 0)
			rc = -1;
		st = i + skip;
	}
	if (n > st && sbuf_add(sb, s + st, n - st) < 0)
		rc = -1;
	return rc;
}

int
text_escape_text(struct sbuf *sb, const char *s, size_t n)
{
	return text_escape(sb, s, n, 0);
}

int
text_escape_html(struct sbuf *sb, const char *s, size_t n)
{
	return text_escape(sb, s, n, ESC_QUOT | ESC_APOS_HTML | ESC_NOCTRL);
}

int
text_escape_xml(struct sbuf *sb, const char *s, size_t n)
{
	return text_escape(sb, s, n, ESC_QUOT | ESC_APOS_XML | ESC_NOCTRL);
}
