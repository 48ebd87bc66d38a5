/*
 * html: the one HTML → terminal text renderer (reader and `glean show`),
 * display widths, one-line titles and feed autodiscovery in HTML pages.
 *
 * It owns: libxml2's HTML parser used with NONET/RECOVER and no entity
 * loading; an iterative, depth-capped walk that never calls
 * xmlNodeGetContent; whitespace collapsing as a browser does; wrapping
 * by wcwidth() columns; numbered links resolved with url_resolve(); and running text_sanitize_to() on every decoded string, so
 * nothing it returns can carry ESC, C1, bidi controls or bad UTF-8.
 *
 * It does not: fetch anything, touch the store or curses, sanitize HTML
 * for re-publishing (that is the digest's allow-list), or decide which
 * string is HTML (callers pass text/plain to render_plain()).
 *
 * Why libxml2 here and tokenize.c in markup.c and strip.c: layout needs
 * a repaired tree (implied end tags for p and li, misnested inline
 * elements closed, a list's items counted before its numbers are
 * written) and web pages for autodiscovery need their <meta> charset;
 * libxml2's HTML parser gives both. The sanitiser and the stripper need
 * the markup as written and speed, which the shared tokenizer gives.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wcwidth() */
#endif
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "glean/base.h"
#include "glean/json.h"
#include "glean/parse.h"
#include "glean/render.h"
#include "private.h"
#include "glean/banned.h"

#define HTML_OPTS (HTML_PARSE_NONET | HTML_PARSE_NOERROR | \
		   HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER)
#define MAX_OPEN 512    /* element records; deeper elements are transparent */
#define MAX_FRAMES 48   /* visible indentation levels */
#define MAX_ATTR 8192   /* bytes kept of one attribute value */
#define MAX_URL 4096    /* longer hrefs are not numbered */
#define TAB_STOP 8

/* ---- display widths ---- */

/* Wide ranges for when the locale's wcwidth() knows nothing (C locale). */
static bool
fallback_wide(uint32_t cp)
{
	return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
	       (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	       (cp >= 0xFFE0 && cp <= 0xFFE6) ||
	       (cp >= 0x1F300 && cp <= 0x1F64F) ||
	       (cp >= 0x1F900 && cp <= 0x1F9FF) ||
	       (cp >= 0x20000 && cp <= 0x3FFFD);
}

static bool
fallback_zero(uint32_t cp)
{
	return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
	       (cp >= 0xFE20 && cp <= 0xFE2F);
}

static size_t
cp_width(uint32_t cp)
{
	int w;

	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		return 0;
	if (cp < 0x7F)
		return 1;
	w = wcwidth((wchar_t)cp);
	if (w >= 0)
		return (size_t)w;
	if (fallback_zero(cp))
		return 0;
	return fallback_wide(cp) ? 2 : 1;
}

/* Decode one character at s; invalid bytes count as one U+FFFD. */
static size_t
next_char(const char *s, size_t len, uint32_t *cp)
{
	size_t n = utf8_decode(s, len, cp);

	return n ? n : 1;
}

size_t
text_width_n(const char *s, size_t len)
{
	size_t i = 0, w = 0;
	uint32_t cp;

	if (!s)
		return 0;
	while (i < len) {
		i += next_char(s + i, len - i, &cp);
		w += cp_width(cp);
	}
	return w;
}

size_t
text_width(const char *s)
{
	return s ? text_width_n(s, strlen(s)) : 0;
}

size_t
text_cut_len(const char *s, size_t cols)
{
	size_t i = 0, len, n, w = 0, cw;
	uint32_t cp;

	if (!s)
		return 0;
	len = strlen(s);
	while (i < len) {
		n = next_char(s + i, len - i, &cp);
		cw = cp_width(cp);
		if (w + cw > cols)
			break;
		w += cw;
		i += n;
	}
	return i;
}

char *
text_cut(const char *s, size_t cols, bool ellipsis)
{
	size_t n;

	if (!s)
		return xstrdup("");
	if (text_width(s) <= cols)
		return xstrdup(s);
	if (!ellipsis || cols == 0)
		return xstrndup(s, text_cut_len(s, cols));
	n = text_cut_len(s, cols - 1);
	return xasprintf("%.*s\xE2\x80\xA6", (int)n, s);
}

/* ---- URLs ---- */

/* Trim ASCII whitespace and controls at both ends, drop tab/CR/LF inside
 * (as browsers do with hrefs). */
static char *
url_clean(const char *s)
{
	struct sbuf sb = SBUF_INIT;
	size_t n = strlen(s);

	while (n && (unsigned char)s[n - 1] <= 0x20)
		n--;
	while (n && (unsigned char)*s <= 0x20) {
		s++;
		n--;
	}
	for (; n; s++, n--)
		if (*s != '\t' && *s != '\n' && *s != '\r')
			sbuf_addch(&sb, *s);
	return sbuf_detach(&sb, NULL);
}

/* Resolve ref against base (url_resolve, RFC 3986) after cleaning it as
 * a browser does; both may be NULL. A new string. */
static char *
resolve(const char *base, const char *ref)
{
	char *cref = url_clean(ref ? ref : ""), *abs;

	if (!base || !*base)
		return cref;
	abs = url_resolve(base, cref);
	free(cref);
	return abs;
}

static bool
scheme_is(const char *url, const char *scheme)
{
	size_t n = strlen(scheme);

	return strncasecmp(url, scheme, n) == 0 && url[n] == ':';
}

/* Links worth a number: web and mail, or relative ones when no base. */
static bool
has_scheme(const char *url)
{
	const char *p = url;

	/* RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if (!isalpha((unsigned char)*p))
		return false;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' ||
	       *p == '.')
		p++;
	return *p == ':';
}

static bool
link_ok(const char *url)
{
	if (!*url || *url == '#' || strlen(url) > MAX_URL)
		return false;
	if (!has_scheme(url))
		return true;
	return scheme_is(url, "http") || scheme_is(url, "https") ||
	       scheme_is(url, "mailto") || scheme_is(url, "ftp") ||
	       scheme_is(url, "gemini") || scheme_is(url, "gopher");
}

/* Sanitize s to one line and collapse runs of spaces, trimmed. */
static void
collapse_line(struct sbuf *dst, const char *s, size_t n)
{
	struct sbuf t = SBUF_INIT;
	size_t i;
	bool space = false;

	text_sanitize_to(&t, s, n, true);
	for (i = 0; i < t.len; i++) {
		if (t.buf[i] == ' ') {
			space = true;
			continue;
		}
		if (space && dst->len > 0)
			sbuf_addch(dst, ' ');
		space = false;
		sbuf_addch(dst, t.buf[i]);
	}
	sbuf_release(&t);
}

/* ---- libxml2 helpers ---- */

/* An attribute's value from its text children only (no entity expansion),
 * NULL when absent. Caller frees. */
static char *
attr_get(const xmlNode *n, const char *name)
{
	const xmlAttr *a;
	const xmlNode *t;
	struct sbuf sb;

	for (a = n->properties; a; a = a->next) {
		if (!a->name || strcasecmp((const char *)a->name, name) != 0)
			continue;
		sbuf_init(&sb, MAX_ATTR);
		for (t = a->children; t; t = t->next)
			if ((t->type == XML_TEXT_NODE ||
			     t->type == XML_CDATA_SECTION_NODE) && t->content)
				sbuf_adds(&sb, (const char *)t->content);
		if (sbuf_over(&sb)) { /* a cut URL is a wrong one: drop it */
			sbuf_release(&sb);
			return NULL;
		}
		return sbuf_detach(&sb, NULL);
	}
	return NULL;
}

/* Parse HTML after repairing its UTF-8 and dropping control bytes. */
static htmlDocPtr
html_parse(const char *html, size_t len, bool utf8)
{
	struct sbuf clean = SBUF_INIT;
	htmlDocPtr doc = NULL;
	int opts = HTML_OPTS;

	parse_xml_init();
	if (utf8) {
		text_sanitize_to(&clean, html, len, false);
		html = clean.buf;
		len = clean.len;
		opts |= HTML_PARSE_IGNORE_ENC;
	}
	if (len > 0 && len <= (size_t)0x7fffffff)
		doc = htmlReadMemory(html, (int)len, NULL, utf8 ? "UTF-8" : NULL,
				     opts);
	sbuf_release(&clean);
	return doc;
}

/* ---- the renderer ---- */

enum ekind {
	E_INLINE = 0, E_SKIP, E_BLOCK, E_PARA, E_HEAD, E_UL, E_OL, E_LI,
	E_DD, E_QUOTE, E_PRE, E_BR, E_HR, E_IMG, E_A, E_CELL, E_IFRAME,
};

/* Sorted by name for bsearch(); unknown elements are inline. */
static const struct elem {
	const char *name;
	unsigned char kind, arg;
} elems[] = {
	{ "a", E_A, 0 },           { "address", E_PARA, 0 },
	{ "article", E_BLOCK, 0 }, { "aside", E_BLOCK, 0 },
	{ "blockquote", E_QUOTE, 0 }, { "body", E_BLOCK, 0 },
	{ "br", E_BR, 0 },         { "button", E_INLINE, 0 },
	{ "canvas", E_SKIP, 0 },   { "caption", E_BLOCK, 0 },
	{ "center", E_BLOCK, 0 },  { "dd", E_DD, 0 },
	{ "details", E_BLOCK, 0 }, { "dialog", E_BLOCK, 0 },
	{ "dir", E_UL, 0 },        { "div", E_BLOCK, 0 },
	{ "dl", E_PARA, 0 },       { "dt", E_BLOCK, 0 },
	{ "embed", E_SKIP, 0 },    { "fieldset", E_BLOCK, 0 },
	{ "figcaption", E_BLOCK, 0 }, { "figure", E_PARA, 0 },
	{ "footer", E_BLOCK, 0 },  { "form", E_BLOCK, 0 },
	{ "frameset", E_SKIP, 0 }, { "h1", E_HEAD, 1 },
	{ "h2", E_HEAD, 2 },       { "h3", E_HEAD, 3 },
	{ "h4", E_HEAD, 4 },       { "h5", E_HEAD, 5 },
	{ "h6", E_HEAD, 6 },       { "head", E_SKIP, 0 },
	{ "header", E_BLOCK, 0 },  { "hgroup", E_BLOCK, 0 },
	{ "hr", E_HR, 0 },         { "iframe", E_IFRAME, 0 },
	{ "img", E_IMG, 0 },       { "legend", E_BLOCK, 0 },
	{ "li", E_LI, 0 },         { "listing", E_PRE, 0 },
	{ "main", E_BLOCK, 0 },    { "math", E_SKIP, 0 },
	{ "menu", E_UL, 0 },       { "nav", E_BLOCK, 0 },
	{ "noframes", E_SKIP, 0 }, { "object", E_INLINE, 0 },
	{ "ol", E_OL, 0 },         { "option", E_SKIP, 0 },
	{ "p", E_PARA, 0 },        { "plaintext", E_PRE, 0 },
	{ "pre", E_PRE, 0 },       { "script", E_SKIP, 0 },
	{ "section", E_BLOCK, 0 }, { "select", E_SKIP, 0 },
	{ "style", E_SKIP, 0 },    { "summary", E_BLOCK, 0 },
	{ "svg", E_SKIP, 0 },      { "table", E_PARA, 0 },
	{ "td", E_CELL, 0 },       { "template", E_SKIP, 0 },
	{ "textarea", E_SKIP, 0 }, { "th", E_CELL, 0 },
	{ "title", E_SKIP, 0 },    { "tr", E_BLOCK, 0 },
	{ "ul", E_UL, 0 },         { "xmp", E_PRE, 0 },
};

static int
elem_cmp(const void *key, const void *ent)
{
	return strcasecmp(key, ((const struct elem *)ent)->name);
}

static const struct elem *
elem_find(const xmlNode *n)
{
	static const struct elem inline_elem = { "", E_INLINE, 0 };
	const struct elem *el = NULL;

	if (n->name)
		el = bsearch(n->name, elems, ARRAY_SIZE(elems), sizeof(elems[0]),
			     elem_cmp);
	return el ? el : &inline_elem;
}

/* One indentation level: the list marker or "> " on its first line. */
struct frame {
	char first[24], rest[24];
	size_t w;
	bool used;
};

struct list {
	bool ordered;
	int digits; /* widest number, so markers line up */
	int64_t next;
};

/* What opening an element did, undone when it closes. */
struct open {
	unsigned char kind;
	bool frame, list;
	int heading;
	size_t mark;
	char *href;
};

struct rctx {
	struct render_out *ro;
	const char *base;
	int width;
	struct sbuf out;      /* rendered lines */
	struct sbuf para;     /* inline text of the current block */
	struct sbuf line, tmp;
	bool space;           /* a collapsed space is pending in para */
	size_t inl;           /* bytes of inline text ever added */
	int brk;              /* pending break: 1 new line, 2 blank line */
	bool any_line;
	bool full;            /* output cap reached: stop */
	size_t min_frames;    /* fewest frames since the last line */
	struct frame frames[MAX_FRAMES];
	size_t nframes;
	struct list lists[MAX_FRAMES];
	size_t nlists;
	struct open opens[MAX_OPEN];
	size_t nopens, overflow;
	int pre;
	int heading;
	bool line_mode;       /* html_to_line(): no layout, no links */
};

static void
push_frame(struct rctx *c, const char *first, bool *pushed)
{
	struct frame *f;
	size_t i;

	*pushed = false;
	if (c->nframes >= MAX_FRAMES)
		return;
	f = &c->frames[c->nframes++];
	snprintf(f->first, sizeof(f->first), "%s", first);
	f->w = text_width(f->first);
	for (i = 0; i < f->w && i + 1 < sizeof(f->rest); i++)
		f->rest[i] = ' ';
	f->rest[i] = '\0';
	if (first[0] == '>')
		snprintf(f->rest, sizeof(f->rest), "%s", first);
	f->used = false;
	*pushed = true;
}

static void
pop_frame(struct rctx *c)
{
	c->nframes--;
	if (c->min_frames > c->nframes)
		c->min_frames = c->nframes;
}

static void
rtrim_spaces(struct sbuf *sb, size_t floor)
{
	while (sb->len > floor && sb->buf[sb->len - 1] == ' ')
		sb->len--;
	sb->buf[sb->len] = '\0';
}

static void
out_add(struct rctx *c, const char *s, size_t n)
{
	if (c->full)
		return;
	if (c->out.len + n > RENDER_MAX_OUTPUT) {
		c->full = true;
		c->ro->truncated = true;
		return;
	}
	sbuf_add(&c->out, s, n);
}

/* Emit one output line: pending blank line, prefixes, s (NBSP → space). */
static void
put_line(struct rctx *c, const char *s, size_t n)
{
	size_t i, nf;

	if (c->full)
		return;
	if (c->brk >= 2 && c->any_line) {
		sbuf_reset(&c->line);
		nf = c->min_frames < c->nframes ? c->min_frames : c->nframes;
		for (i = 0; i < nf; i++)
			sbuf_adds(&c->line, c->frames[i].rest);
		rtrim_spaces(&c->line, 0);
		sbuf_addch(&c->line, '\n');
		out_add(c, c->line.buf, c->line.len);
	}
	sbuf_reset(&c->line);
	for (i = 0; i < c->nframes; i++) {
		struct frame *f = &c->frames[i];

		sbuf_adds(&c->line, f->used ? f->rest : f->first);
		f->used = true;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] == 0xC2 && i + 1 < n &&
		    (unsigned char)s[i + 1] == 0xA0) {
			sbuf_addch(&c->line, ' ');
			i++;
		} else {
			sbuf_addch(&c->line, s[i]);
		}
	}
	rtrim_spaces(&c->line, 0);
	sbuf_addch(&c->line, '\n');
	out_add(c, c->line.buf, c->line.len);
	c->any_line = true;
	c->brk = 0;
	c->min_frames = c->nframes;
}

static size_t
avail_width(const struct rctx *c)
{
	size_t pw = 0, i, w;

	if (c->width <= 0)
		return SIZE_MAX;
	w = (size_t)c->width;
	for (i = 0; i < c->nframes; i++)
		pw += c->frames[i].w;
	if (w >= pw + 8)
		return w - pw;
	return w < 8 ? w : 8;
}

/* Wrap one line of collapsed text (single spaces) at avail columns,
 * hard-breaking words wider than that. Returns the widest line. */
static size_t
wrap_line(struct rctx *c, const char *s, size_t n, size_t avail)
{
	struct sbuf cur = SBUF_INIT;
	size_t i = 0, cw = 0, widest = 0;

	while (i < n && !c->full) {
		size_t ws, we, ww;

		while (i < n && s[i] == ' ')
			i++;
		if (i >= n)
			break;
		ws = i;
		while (i < n && s[i] != ' ')
			i++;
		we = i;
		ww = text_width_n(s + ws, we - ws);
		if (cw > 0 && cw + 1 + ww <= avail) {
			sbuf_addch(&cur, ' ');
			sbuf_add(&cur, s + ws, we - ws);
			cw += 1 + ww;
			continue;
		}
		if (cw > 0) {
			put_line(c, cur.buf, cur.len);
			widest = cw > widest ? cw : widest;
			sbuf_reset(&cur);
			cw = 0;
		}
		if (ww <= avail) {
			sbuf_add(&cur, s + ws, we - ws);
			cw = ww;
			continue;
		}
		/* A word wider than the line: break it between characters. */
		for (size_t k = ws; k < we;) {
			uint32_t cp;
			size_t l = next_char(s + k, we - k, &cp);
			size_t chw = cp_width(cp);

			if (cw > 0 && cw + chw > avail) {
				put_line(c, cur.buf, cur.len);
				widest = cw > widest ? cw : widest;
				sbuf_reset(&cur);
				cw = 0;
			}
			sbuf_add(&cur, s + k, l);
			cw += chw;
			k += l;
		}
	}
	if (cw > 0 || cur.len > 0 || n == 0) {
		put_line(c, cur.buf, cur.len);
		widest = cw > widest ? cw : widest;
	}
	sbuf_release(&cur);
	return widest;
}

static void
expand_tabs(struct sbuf *dst, const char *s, size_t n)
{
	size_t i = 0, col = 0, l;
	uint32_t cp;

	while (i < n) {
		if (s[i] == '\t') {
			do
				sbuf_addch(dst, ' ');
			while (++col % TAB_STOP);
			i++;
			continue;
		}
		l = next_char(s + i, n - i, &cp);
		sbuf_add(dst, s + i, l);
		col += cp_width(cp);
		i += l;
	}
}

/* Lay out the pending inline text as lines; verbatim inside <pre>. */
static void
flush_para(struct rctx *c)
{
	const char *s = c->para.buf, *nl;
	size_t n = c->para.len, widest = 0, w, avail;

	c->space = false;
	if (c->line_mode || n == 0)
		return;
	if (c->pre) {
		if (s[0] == '\n') {
			s++;
			n--;
		}
		while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' ||
			     s[n - 1] == '\t'))
			n--;
		while (n) {
			size_t k;

			nl = memchr(s, '\n', n);
			k = nl ? (size_t)(nl - s) : n;
			sbuf_reset(&c->tmp);
			expand_tabs(&c->tmp, s, k);
			put_line(c, c->tmp.buf, c->tmp.len);
			s += k;
			n -= k;
			if (n) {
				s++;
				n--;
			}
		}
		goto out;
	}
	if (n && s[n - 1] == '\n')
		n--;
	avail = avail_width(c);
	for (;;) {
		size_t k;

		nl = memchr(s, '\n', n);
		k = nl ? (size_t)(nl - s) : n;
		w = wrap_line(c, s, k, avail);
		widest = w > widest ? w : widest;
		if (!nl)
			break;
		s += k + 1;
		n -= k + 1;
	}
	if (c->heading == 1 || c->heading == 2) {
		sbuf_reset(&c->tmp);
		for (w = 0; w < widest; w++)
			sbuf_addch(&c->tmp, c->heading == 1 ? '=' : '-');
		put_line(c, c->tmp.buf, c->tmp.len);
	}
out:
	sbuf_reset(&c->para);
}

static void
req_break(struct rctx *c, int level)
{
	flush_para(c);
	if (c->brk < level)
		c->brk = level;
}

static void
para_add(struct rctx *c, const char *s, size_t n)
{
	if (sbuf_add(&c->para, s, n) < 0) {
		c->full = true;
		c->ro->truncated = true;
	}
}

/* Inline text: sanitized, then whitespace collapsed (or kept in <pre>). */
static void
add_text(struct rctx *c, const char *s, size_t n)
{
	size_t i;

	sbuf_reset(&c->tmp);
	text_sanitize_to(&c->tmp, s, n, c->pre == 0);
	s = c->tmp.buf;
	n = c->tmp.len;
	if (c->pre) {
		para_add(c, s, n);
		c->inl += n;
		return;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == ' ') {
			c->space = true;
			continue;
		}
		/* U+00AD soft hyphen: invisible unless we hyphenate. */
		if ((unsigned char)s[i] == 0xC2 && i + 1 < n &&
		    (unsigned char)s[i + 1] == 0xAD) {
			i++;
			continue;
		}
		if (c->space && c->para.len > 0 &&
		    c->para.buf[c->para.len - 1] != '\n')
			para_add(c, " ", 1);
		c->space = false;
		para_add(c, s + i, 1);
		c->inl++;
	}
}

/* Text glued to what precedes it, e.g. a link number; the pending
 * space stays pending. */
static void
add_glued(struct rctx *c, const char *s)
{
	para_add(c, s, strlen(s));
}

static size_t
link_add(struct rctx *c, const char *url)
{
	struct render_out *ro = c->ro;
	size_t i;

	for (i = 0; i < ro->nlinks; i++)
		if (strcmp(ro->links[i].url, url) == 0)
			return i + 1;
	if (ro->nlinks >= RENDER_MAX_LINKS)
		return 0;
	XGROW(ro->links, ro->cap_links, ro->nlinks + 1);
	ro->links[ro->nlinks].url = xstrdup(url);
	return ++ro->nlinks;
}

/* A resolved, sanitized, numberable URL from attribute attr, or NULL. */
static char *
node_url(struct rctx *c, const xmlNode *n, const char *attr)
{
	char *raw = attr_get(n, attr), *abs, *url;

	if (!raw)
		return NULL;
	/* In-page anchors (footnotes) lead nowhere from a terminal. */
	if (*str_trim(raw) == '#') {
		free(raw);
		return NULL;
	}
	abs = resolve(c->base, raw);
	url = text_sanitize(abs, strlen(abs), true);
	free(raw);
	free(abs);
	if (!link_ok(url)) {
		free(url);
		return NULL;
	}
	return url;
}

static void
add_link_ref(struct rctx *c, const char *url)
{
	char num[32];
	size_t k = link_add(c, url);

	if (k) {
		snprintf(num, sizeof(num), "[%zu]", k);
		add_glued(c, num);
	}
}

static void
open_li(struct rctx *c, const xmlNode *n, struct open *o)
{
	static const char *const bullets[] = { "* ", "- ", "+ " };
	struct list *l = c->nlists ? &c->lists[c->nlists - 1] : NULL;
	char marker[24], *v;
	int64_t val;

	req_break(c, 1);
	if (l && l->ordered) {
		v = attr_get(n, "value");
		if (v && str_to_i64(str_trim(v), &val) == 0 &&
		    val > -1000000000 && val < 1000000000)
			l->next = val;
		free(v);
		snprintf(marker, sizeof(marker), "%*lld. ", l->digits,
			 (long long)l->next);
		if (l->next < 1000000000)
			l->next++;
	} else {
		snprintf(marker, sizeof(marker), "%s",
			 bullets[(c->nlists ? c->nlists - 1 : 0) % 3]);
	}
	push_frame(c, marker, &o->frame);
}

static void
open_list(struct rctx *c, const xmlNode *n, bool ordered, struct open *o)
{
	struct list *l;
	char *v;
	int64_t start = 1;

	req_break(c, c->nlists ? 1 : 2);
	if (c->nlists >= MAX_FRAMES)
		return;
	v = ordered ? attr_get(n, "start") : NULL;
	if (v && (str_to_i64(str_trim(v), &start) != 0 ||
		  start <= -1000000000 || start >= 1000000000))
		start = 1;
	free(v);
	l = &c->lists[c->nlists++];
	l->ordered = ordered;
	l->next = start;
	l->digits = 1;
	if (ordered) {
		const xmlNode *ch;
		int64_t last = start, k = 0;

		for (ch = n->children; ch && k < 100000; ch = ch->next)
			if (ch->type == XML_ELEMENT_NODE && ch->name &&
			    strcasecmp((const char *)ch->name, "li") == 0)
				k++;
		last = start + (k ? k - 1 : 0);
		for (k = last < 0 ? -last : last; k >= 10; k /= 10)
			l->digits++;
		if (last < 0)
			l->digits++;
	}
	o->list = true;
}

static void
open_img(struct rctx *c, const xmlNode *n)
{
	char *alt = attr_get(n, "alt"), *w, *h;
	bool pixel;

	if (alt) {
		const char *a = str_trim(alt);

		if (*a && c->line_mode) {
			add_text(c, a, strlen(a));
		} else if (*a) {
			add_text(c, "[image: ", 8);
			add_text(c, a, strlen(a));
			add_text(c, "]", 1);
		}
		free(alt);
		return;
	}
	if (c->line_mode)
		return;
	w = attr_get(n, "width");
	h = attr_get(n, "height");
	pixel = (w && (strcmp(w, "0") == 0 || strcmp(w, "1") == 0)) ||
		(h && (strcmp(h, "0") == 0 || strcmp(h, "1") == 0));
	if (!pixel)
		add_text(c, "[image]", 7);
	free(w);
	free(h);
}

/* Opening an element; returns whether to walk its children. */
static bool
visit_open(struct rctx *c, const xmlNode *n)
{
	const struct elem *el = elem_find(n);
	struct open *o;

	if (c->nopens >= MAX_OPEN) {
		c->overflow++;
		return el->kind != E_SKIP;
	}
	o = &c->opens[c->nopens++];
	memset(o, 0, sizeof(*o));
	o->kind = el->kind;
	if (el->kind == E_SKIP)
		return false;
	if (c->line_mode) {
		if (el->kind == E_IMG)
			open_img(c, n);
		else if (el->kind != E_INLINE && el->kind != E_A)
			c->space = true;
		return true;
	}
	switch (el->kind) {
	case E_BLOCK:
		req_break(c, 1);
		break;
	case E_PARA:
		req_break(c, 2);
		break;
	case E_HEAD:
		req_break(c, 2);
		o->heading = c->heading;
		c->heading = el->arg;
		if (el->arg > 2) {
			char hashes[8];

			snprintf(hashes, sizeof(hashes), "%.*s ", el->arg,
				 "######");
			add_text(c, hashes, strlen(hashes));
		}
		break;
	case E_UL:
	case E_OL:
		open_list(c, n, el->kind == E_OL, o);
		break;
	case E_LI:
		open_li(c, n, o);
		break;
	case E_DD:
		req_break(c, 1);
		push_frame(c, "    ", &o->frame);
		break;
	case E_QUOTE:
		req_break(c, 2);
		push_frame(c, "> ", &o->frame);
		break;
	case E_PRE:
		req_break(c, 2);
		c->pre++;
		break;
	case E_BR:
		c->space = false;
		para_add(c, "\n", 1);
		break;
	case E_HR:
		req_break(c, 2);
		{
			size_t w = avail_width(c), i;

			w = w > 40 ? 40 : w;
			sbuf_reset(&c->tmp);
			for (i = 0; i < w; i++)
				sbuf_addch(&c->tmp, '-');
			put_line(c, c->tmp.buf, c->tmp.len);
		}
		c->brk = 2;
		break;
	case E_IMG:
		open_img(c, n);
		break;
	case E_A:
		o->href = node_url(c, n, "href");
		o->mark = c->inl;
		break;
	case E_CELL:
		c->space = true;
		break;
	case E_IFRAME: {
		char *src = node_url(c, n, "src");

		if (src) {
			add_text(c, " [embed]", 8);
			add_link_ref(c, src);
			c->space = true;
			free(src);
		}
		return false;
	}
	default:
		break;
	}
	return true;
}

static void
visit_close(struct rctx *c)
{
	struct open *o;

	if (c->overflow) {
		c->overflow--;
		return;
	}
	if (c->nopens == 0)
		BUG("html: element close without open");
	o = &c->opens[--c->nopens];
	if (c->line_mode) {
		if (o->kind != E_INLINE && o->kind != E_A)
			c->space = true;
		return;
	}
	switch (o->kind) {
	case E_BLOCK:
	case E_LI:
	case E_DD:
		req_break(c, 1);
		break;
	case E_PARA:
	case E_QUOTE:
		req_break(c, 2);
		break;
	case E_HEAD:
		req_break(c, 2);
		c->heading = o->heading;
		break;
	case E_UL:
	case E_OL:
		req_break(c, c->nlists > 1 ? 1 : 2);
		break;
	case E_PRE:
		req_break(c, 2);
		c->pre--;
		break;
	case E_A:
		if (o->href && c->inl > o->mark)
			add_link_ref(c, o->href);
		break;
	case E_CELL:
		c->space = true;
		break;
	default:
		break;
	}
	if (o->frame)
		pop_frame(c);
	if (o->list)
		c->nlists--;
	free(o->href);
	o->href = NULL;
}

/* Walk the tree without recursion: down to children, across to siblings,
 * up through parents, closing each element on the way up. */
static void
walk(struct rctx *c, htmlDocPtr doc)
{
	xmlNode *n = doc->children;

	while (n && !c->full) {
		bool down = false;

		if (n->type == XML_ELEMENT_NODE)
			down = visit_open(c, n);
		else if ((n->type == XML_TEXT_NODE ||
			  n->type == XML_CDATA_SECTION_NODE) && n->content)
			add_text(c, (const char *)n->content,
				 strlen((const char *)n->content));
		if (down && n->children) {
			n = n->children;
			continue;
		}
		for (;;) {
			if (n->type == XML_ELEMENT_NODE)
				visit_close(c);
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (!n || n->type != XML_ELEMENT_NODE) {
				n = NULL;
				break;
			}
		}
	}
	/* Stopped early at a cap: release what the open records hold. */
	while (c->nopens)
		free(c->opens[--c->nopens].href);
}

static void
rctx_init(struct rctx *c, struct render_out *ro, const char *base, int width)
{
	memset(c, 0, sizeof(*c));
	c->ro = ro;
	c->base = base;
	c->width = width;
	sbuf_init(&c->out, 0);
	sbuf_init(&c->para, RENDER_MAX_OUTPUT);
	sbuf_init(&c->line, 0);
	sbuf_init(&c->tmp, 0);
}

static void
rctx_release(struct rctx *c)
{
	sbuf_release(&c->out);
	sbuf_release(&c->para);
	sbuf_release(&c->line);
	sbuf_release(&c->tmp);
}

/* Move the rendered lines into ro->text (sanitized once more, so the
 * contract holds whatever the layout did) and append the link list. */
static void
finish(struct rctx *c)
{
	struct render_out *ro = c->ro;
	size_t i;

	flush_para(c);
	text_sanitize_to(&ro->text, c->out.buf, c->out.len, false);
	if (ro->truncated)
		sbuf_adds(&ro->text, ro->text.len ? "\n[truncated]\n"
						  : "[truncated]\n");
	ro->body_len = ro->text.len;
	if (ro->nlinks)
		sbuf_addch(&ro->text, '\n');
	for (i = 0; i < ro->nlinks; i++)
		sbuf_addf(&ro->text, "[%zu]: %s\n", i + 1, ro->links[i].url);
}

void
render_out_init(struct render_out *out)
{
	memset(out, 0, sizeof(*out));
	sbuf_init(&out->text, 0);
}

void
render_out_release(struct render_out *out)
{
	size_t i;

	sbuf_release(&out->text);
	for (i = 0; i < out->nlinks; i++)
		free(out->links[i].url);
	free(out->links);
	render_out_init(out);
}

int
render_html(const char *html, size_t len, const char *base_url, int width,
	    struct render_out *out, struct err *e)
{
	struct rctx *c = xmalloc(sizeof(*c));
	htmlDocPtr doc = NULL;
	int rc = -1;

	render_out_init(out);
	rctx_init(c, out, base_url, width);
	if (!html)
		len = 0;
	if (len > RENDER_MAX_INPUT) {
		len = RENDER_MAX_INPUT;
		out->truncated = true;
	}
	if (len > 0) {
		doc = html_parse(html, len, true);
		if (!doc) {
			/* Only whitespace and controls yield no document. */
			struct sbuf probe = SBUF_INIT;

			text_sanitize_to(&probe, html, len, true);
			sbuf_trim(&probe);
			if (probe.len) {
				sbuf_release(&probe);
				err_set(e, ERR_PARSE, "cannot parse HTML");
				goto out;
			}
			sbuf_release(&probe);
		} else {
			walk(c, doc);
		}
	}
	/* Never stop in the middle of a multi-line flush without saying so. */
	finish(c);
	rc = 0;
out:
	if (doc)
		xmlFreeDoc(doc);
	rctx_release(c);
	free(c);
	return rc;
}

int
render_plain(const char *text, size_t len, int width,
	     struct render_out *out, struct err *e)
{
	struct rctx *c = xmalloc(sizeof(*c));
	struct sbuf clean = SBUF_INIT, exp = SBUF_INIT;
	const char *s, *nl;
	size_t n, k, blanks = 0;

	(void)e;
	render_out_init(out);
	rctx_init(c, out, NULL, width);
	if (!text)
		len = 0;
	if (len > RENDER_MAX_INPUT) {
		len = RENDER_MAX_INPUT;
		out->truncated = true;
	}
	text_sanitize_to(&clean, text ? text : "", len, false);
	s = clean.buf;
	n = clean.len;
	while (n && !c->full) {
		nl = memchr(s, '\n', n);
		k = nl ? (size_t)(nl - s) : n;
		sbuf_reset(&exp);
		expand_tabs(&exp, s, k);
		rtrim_spaces(&exp, 0);
		if (exp.len == 0) {
			blanks++;
		} else {
			for (; blanks; blanks--)
				if (c->any_line)
					put_line(c, "", 0);
			if (width <= 0 || text_width_n(exp.buf, exp.len) <=
			    (size_t)width)
				put_line(c, exp.buf, exp.len);
			else
				wrap_line(c, exp.buf, exp.len,
					  avail_width(c));
		}
		s += k;
		n -= k;
		if (n) {
			s++;
			n--;
		}
	}
	finish(c);
	sbuf_release(&clean);
	sbuf_release(&exp);
	rctx_release(c);
	free(c);
	return 0;
}

int
render_content(const char *content, size_t len, const char *content_type,
	       const char *base_url, int width, struct render_out *out,
	       struct err *e)
{
	if (content_type && str_istarts(content_type, "text/plain"))
		return render_plain(content, len, width, out, e);
	return render_html(content, len, base_url, width, out, e);
}

static void
size_text(char *buf, size_t n, int64_t bytes)
{
	static const char *const unit[] = { "KB", "MB", "GB", "TB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(buf, n, "%lld B", (long long)bytes);
		return;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < ARRAY_SIZE(unit)) {
		v /= 1024;
		u++;
	}
	snprintf(buf, n, "%.1f %s", v, unit[u]);
}

size_t
render_enclosures(const char *json, struct render_out *out)
{
	struct json j = { 0 };
	const struct json_node *n;
	struct sbuf line = SBUF_INIT;
	size_t added = 0;

	if (!json || !*json || json_parse(&j, json, strlen(json), NULL) < 0)
		goto out;
	for (n = json_first(&j, json_root(&j)); n; n = json_next(&j, n)) {
		const char *url = json_get_str(&j, n, "url");
		const char *type = json_get_str(&j, n, "type");
		int64_t len = -1;
		char size[32] = "";
		char *clean;

		if (!url || !*url || out->nlinks >= RENDER_MAX_LINKS)
			continue;
		if (json_get_i64(&j, n, "length", &len) == 0 && len > 0)
			size_text(size, sizeof(size), len);
		clean = text_sanitize(url, strlen(url), true);
		if (!out->nlinks && !added)
			sbuf_addch(&out->text, '\n');
		XGROW(out->links, out->cap_links, out->nlinks + 1);
		out->links[out->nlinks++].url = clean;
		sbuf_reset(&line);
		sbuf_addf(&line, "[%zu]: %s (enclosure", out->nlinks, clean);
		if (type && *type)
			sbuf_addf(&line, ", %s", type);
		if (*size)
			sbuf_addf(&line, ", %s", size);
		sbuf_adds(&line, ")");
		text_sanitize_to(&out->text, line.buf, line.len, true);
		sbuf_addch(&out->text, '\n');
		added++;
	}
out:
	sbuf_release(&line);
	json_release(&j);
	return added;
}

char *
html_to_line(const char *html, size_t max)
{
	struct render_out ro;
	struct rctx *c;
	struct sbuf sb = SBUF_INIT;
	htmlDocPtr doc = NULL;
	size_t len, cut;

	if (max == 0)
		max = 4096;
	if (!html)
		html = "";
	len = strnlen(html, RENDER_MAX_INPUT);
	render_out_init(&ro);
	c = xmalloc(sizeof(*c));
	rctx_init(c, &ro, NULL, 0);
	c->line_mode = true;
	if (!memchr(html, '<', len) && !memchr(html, '&', len)) {
		add_text(c, html, len);
	} else {
		doc = html_parse(html, len, true);
		if (doc)
			walk(c, doc);
	}
	text_sanitize_to(&sb, c->para.buf, c->para.len, true);
	sbuf_trim(&sb);
	if (sb.len > max) {
		cut = max;
		while (cut > 0 && ((unsigned char)sb.buf[cut] & 0xC0) == 0x80)
			cut--;
		sbuf_truncate(&sb, cut);
	}
	if (doc)
		xmlFreeDoc(doc);
	rctx_release(c);
	free(c);
	render_out_release(&ro);
	return sbuf_detach(&sb, NULL);
}

/* ---- feed autodiscovery ---- */

static const char *const feed_types[] = {
	"application/rss+xml", "application/atom+xml", "application/rdf+xml",
	"application/feed+json", "application/json",
};

/* Does the space-separated token list contain tok (ASCII case-blind)? */
static bool
has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok), k;

	while (*list) {
		while (*list && isspace((unsigned char)*list))
			list++;
		k = 0;
		while (list[k] && !isspace((unsigned char)list[k]))
			k++;
		if (k == n && strncasecmp(list, tok, n) == 0)
			return true;
		list += k;
	}
	return false;
}

/* The MIME type without parameters, lower-cased, if it names a feed. */
static char *
feed_type(const char *type)
{
	char *t = xstrdup(type), *semi = strchr(t, ';'), *p;
	size_t i;

	if (semi)
		*semi = '\0';
	str_trim(t);
	for (p = t; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (i = 0; i < ARRAY_SIZE(feed_types); i++)
		if (strcmp(t, feed_types[i]) == 0)
			return t;
	free(t);
	return NULL;
}

/* Next element in document order (iterative pre-order). */
static xmlNode *
next_node(xmlNode *n, bool down)
{
	if (down && n->children)
		return n->children;
	while (n) {
		if (n->next)
			return n->next;
		n = n->parent;
		if (n && n->type != XML_ELEMENT_NODE)
			return NULL;
	}
	return NULL;
}

static bool
name_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->name &&
	       strcasecmp((const char *)n->name, name) == 0;
}

static bool
discover_scheme_ok(const char *url, const char *page_url)
{
	if (strlen(url) > MAX_URL)
		return false;
	if (scheme_is(url, "http") || scheme_is(url, "https"))
		return true;
	return scheme_is(url, "file") && page_url &&
	       scheme_is(page_url, "file");
}

static void
discover_add(struct discover_list *l, char *url, const xmlNode *n,
	     char *type)
{
	struct discover_feed *f;
	char *title = attr_get(n, "title");
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].url, url) == 0)
			goto drop;
	if (l->n >= DISCOVER_MAX_FEEDS)
		goto drop;
	XGROW(l->v, l->cap, l->n + 1);
	f = &l->v[l->n++];
	f->url = url;
	f->type = type;
	f->title = NULL;
	if (title) {
		struct sbuf t = SBUF_INIT;

		collapse_line(&t, title, strlen(title));
		if (t.len)
			f->title = sbuf_detach(&t, NULL);
		sbuf_release(&t);
	}
	free(title);
	return;
drop:
	free(title);
	free(url);
	free(type);
}

void
discover_list_release(struct discover_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].url);
		free(l->v[i].title);
		free(l->v[i].type);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
discover_feeds(const char *html, size_t len, const char *page_url,
	       struct discover_list *out, struct err *e)
{
	htmlDocPtr doc = NULL;
	xmlNode *n;
	char *base = NULL, *rel, *type, *href, *abs, *url;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!html || len == 0)
		return err_set(e, ERR_PARSE, "empty page");
	if (len > RENDER_MAX_INPUT)
		len = RENDER_MAX_INPUT;
	/* Let libxml2 find the page's own charset (titles may use it). */
	doc = html_parse(html, len, false);
	if (!doc) {
		err_set(e, ERR_PARSE, "cannot parse HTML page");
		goto out;
	}
	/* The first <base href> applies to the whole document. */
	for (n = doc->children; n; n = next_node(n, true)) {
		if (name_is(n, "base") && (href = attr_get(n, "href"))) {
			base = resolve(page_url, href);
			free(href);
			break;
		}
	}
	for (n = doc->children; n; n = next_node(n, true)) {
		if (!name_is(n, "link"))
			continue;
		rel = attr_get(n, "rel");
		type = attr_get(n, "type");
		href = attr_get(n, "href");
		if (rel && has_token(rel, "alternate") && type && href) {
			char *ft = feed_type(type);

			abs = ft ? resolve(base ? base : page_url, href) : NULL;
			url = abs ? text_sanitize(abs, strlen(abs), true)
				  : NULL;
			/* WordPress marks its REST API "alternate" JSON. */
			if (url && discover_scheme_ok(url, page_url) &&
			    !(strcmp(ft, "application/json") == 0 &&
			      strstr(url, "/wp-json/"))) {
				discover_add(out, url, n, ft);
				url = ft = NULL;
			}
			free(url);
			free(ft);
			free(abs);
		}
		free(rel);
		free(type);
		free(href);
	}
	rc = 0;
out:
	free(base);
	if (doc)
		xmlFreeDoc(doc);
	return rc;
}
