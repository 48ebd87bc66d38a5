/*
 * The one text sanitizer (SECURITY.md, "Terminal output"). Everything
 * derived from remote data passes through it after all decoding and
 * before any output: curses, stdout/stderr, logs. It owns UTF-8
 * validation; it does not wrap, measure widths or render HTML.
 */
#include <string.h>

#include "glean/base.h"
#include "glean/banned.h"

size_t
utf8_decode(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c;
	size_t n, i;

	*cp = 0xFFFD;
	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		c = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

int
utf8_encode(uint32_t cp, char out[4])
{
	if (cp >= 0xD800 && cp <= 0xDFFF)
		cp = 0xFFFD;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	} else if (cp <= 0x10FFFF) {
		out[0] = (char)(0xF0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[3] = (char)(0x80 | (cp & 0x3F));
		return 4;
	}
	return utf8_encode(0xFFFD, out);
}

bool
utf8_valid(const char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

bool
unicode_nonchar(uint32_t c)
{
	return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
}

bool
xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xA || c == 0xD ||
	       (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
	       (c >= 0x10000 && c <= 0x10FFFF);
}

static bool
is_bidi_control(uint32_t c)
{
	return c == 0x061C || c == 0x200E || c == 0x200F ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/* Whether text_sanitize_to() keeps the character cp (above ASCII's
 * controls: what is left must be an XML 1.0 Char and no Unicode
 * noncharacter, so that no digest or export can be ill-formed, issue
 * 14). */
static inline bool
sanitize_keeps(uint32_t cp)
{
	return !(cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
		 is_bidi_control(cp) || unicode_nonchar(cp) || !xml_char(cp));
}

int
text_sanitize_to(struct sbuf *sb, const char *s, size_t len, bool single_line)
{
	size_t i = 0, n, run = 0;
	uint32_t cp;
	char enc[4];

	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		/* Fast path: copy runs of printable ASCII at once. */
		if (c >= 0x20 && c < 0x7F) {
			run = i;
			while (i < len && (unsigned char)s[i] >= 0x20 &&
			       (unsigned char)s[i] < 0x7F)
				i++;
			/* and, into a buffer with no cap, the characters
			 * above ASCII that are kept too: a valid sequence
			 * is the encoding of what it decodes to, so the
			 * bytes are copied as they are, not re-encoded one
			 * call each (real text has one every few words) */
			while (!sb->max && i < len) {
				c = (unsigned char)s[i];
				if (c >= 0x20 && c < 0x7F) {
					i++;
					continue;
				}
				if (c < 0xC2)
					break;
				n = utf8_decode(s + i, len - i, &cp);
				if (n == 0 || !sanitize_keeps(cp))
					break;
				i += n;
			}
			if (sbuf_add(sb, s + run, i - run) < 0)
				return -1;
			continue;
		}
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			i++;
			if (sbuf_add(sb, "\xEF\xBF\xBD", 3) < 0)
				return -1;
			continue;
		}
		i += n;
		if (cp == '\t' || cp == '\n') {
			if (sbuf_addch(sb, single_line ? ' ' : (int)cp) < 0)
				return -1;
			continue;
		}
		if (cp == '\r') {
			if (single_line && sbuf_addch(sb, ' ') < 0)
				return -1;
			continue;
		}
		if (!sanitize_keeps(cp))
			continue;
		if (sbuf_add(sb, enc, (size_t)utf8_encode(cp, enc)) < 0)
			return -1;
	}
	return 0;
}

char *
text_sanitize(const char *s, size_t len, bool single_line)
{
	struct sbuf sb = SBUF_INIT;

	text_sanitize_to(&sb, s, len, single_line);
	return sbuf_detach(&sb, NULL);
}

char *
text_clean(const char *s, bool single_line)
{
	char *c;

	if (!s)
		return xstrdup("");
	c = text_sanitize(s, strlen(s), single_line);
	str_trim(c);
	return c;
}
