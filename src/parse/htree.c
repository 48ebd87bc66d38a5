/*
 * htree.c: the renderer's tree, built over the one tokenizer's text
 * scanner (htok_text) and character classes. render_html() and
 * html_to_line() (html.c) lay out this tree; nothing else uses it.
 *
 * It owns the repair rules that turn tag soup into a tree, written to
 * give the tree libxml2 2.9's HTML parser built for the renderer before
 * (so the reader's text did not change when it moved here): an
 * open-element stack; the implied <html>, <head>, <body> and <p>; the
 * start tags that close open elements (a <p> or block closes an open
 * <p>, <li> an open <li>, <dt>/<dd>, <tr>/<td>/<th> likewise); end tags
 * that close the elements opened after theirs unless one of those ranks
 * higher (a stray </b> does not close a <div>), and stray end tags
 * ignored; <script> and <style> content as raw text; empty elements;
 * entities (the HTML 4 names, numeric references) decoded in text and
 * attribute values; a nesting limit of 256 past which the rest of the
 * input is dropped.
 *
 * It does not: sanitize (the input is text_sanitize_to()'s output),
 * render, or fetch anything. Comments, processing instructions and
 * DOCTYPEs are read and dropped.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"
#include "glean/banned.h"

#define HT_MAX_DEPTH 256 /* libxml2's xmlParserMaxDepth */
#define HT_MAX_NAME 100  /* longer names are cut (HTML_PARSER_BUFFER_SIZE) */

/* ---- element tables (libxml2 2.9's, HTMLparser.c) ---- */

/* Start tags that close open elements: "old new", the open element
 * old is closed by a start tag new (libxml2's htmlStartClose, with the
 * ol/ul pairs 2.9 has and later versions dropped). */
static const char *const start_close[] = {
	"a a", "a fieldset", "a table", "a td", "a th", "address dd",
	"address dl", "address dt", "address form", "address li", "address ul",
	"b center", "b p", "b td", "b th", "big p", "caption col",
	"caption colgroup", "caption tbody", "caption tfoot", "caption thead",
	"caption tr", "col col", "col colgroup", "col tbody", "col tfoot",
	"col thead", "col tr", "colgroup colgroup", "colgroup tbody",
	"colgroup tfoot", "colgroup thead", "colgroup tr", "dd dt", "dir dd",
	"dir dl", "dir dt", "dir form", "dir ul", "dl form", "dl li", "dt dd",
	"dt dl", "font center", "font td", "font th", "form form",
	"h1 fieldset", "h1 form", "h1 li", "h1 p", "h1 table", "h2 fieldset",
	"h2 form", "h2 li", "h2 p", "h2 table", "h3 fieldset", "h3 form",
	"h3 li", "h3 p", "h3 table", "h4 fieldset", "h4 form", "h4 li", "h4 p",
	"h4 table", "h5 fieldset", "h5 form", "h5 li", "h5 p", "h5 table",
	"h6 fieldset", "h6 form", "h6 li", "h6 p", "h6 table", "head a",
	"head abbr", "head acronym", "head address", "head b", "head bdo",
	"head big", "head blockquote", "head body", "head br", "head center",
	"head cite", "head code", "head dd", "head dfn", "head dir",
	"head div", "head dl", "head dt", "head em", "head fieldset",
	"head font", "head form", "head frameset", "head h1", "head h2",
	"head h3", "head h4", "head h5", "head h6", "head hr", "head i",
	"head iframe", "head img", "head kbd", "head li", "head listing",
	"head map", "head menu", "head ol", "head p", "head pre", "head q",
	"head s", "head samp", "head small", "head span", "head strike",
	"head strong", "head sub", "head sup", "head table", "head tt",
	"head u", "head ul", "head var", "head xmp", "hr form", "i center",
	"i p", "i td", "i th", "legend fieldset", "li li", "link body",
	"link frameset", "listing dd", "listing dl", "listing dt",
	"listing fieldset", "listing form", "listing li", "listing table",
	"listing ul", "menu dd", "menu dl", "menu dt", "menu form", "menu ul",
	"ol form", "ol ul", "option optgroup", "option option", "p address",
	"p blockquote", "p body", "p caption", "p center", "p col",
	"p colgroup", "p dd", "p dir", "p div", "p dl", "p dt", "p fieldset",
	"p form", "p frameset", "p h1", "p h2", "p h3", "p h4", "p h5", "p h6",
	"p head", "p hr", "p li", "p listing", "p menu", "p ol", "p p",
	"p pre", "p table", "p tbody", "p td", "p tfoot", "p th", "p title",
	"p tr", "p ul", "p xmp", "pre dd", "pre dl", "pre dt", "pre fieldset",
	"pre form", "pre li", "pre table", "pre ul", "s p", "script noscript",
	"small p", "span td", "span th", "strike p", "style body",
	"style frameset", "tbody tbody", "tbody tfoot", "td tbody", "td td",
	"td tfoot", "td th", "td tr", "tfoot tbody", "th tbody", "th td",
	"th tfoot", "th th", "th tr", "thead tbody", "thead tfoot",
	"title body", "title frameset", "tr tbody", "tr tfoot", "tr tr",
	"tt p", "u p", "u td", "u th", "ul address", "ul ol", "ul form", "ul menu",
	"ul pre", "xmp dd", "xmp dl", "xmp dt", "xmp fieldset", "xmp form",
	"xmp li", "xmp table", "xmp ul",
};

/* Elements with no content: closed as soon as opened. */
static const char *const empty_elems[] = {
	"area", "base", "basefont", "br", "col", "frame", "hr", "img",
	"input", "isindex", "link", "meta", "param",
};

/* End-tag priorities: an end tag closes only elements ranked no higher
 * than itself (100 unless listed). */
static const struct {
	const char *name;
	int prio;
} end_prio[] = {
	{ "div", 150 },   { "td", 160 },    { "th", 160 },    { "tr", 170 },
	{ "thead", 180 }, { "tbody", 180 }, { "tfoot", 180 }, { "table", 190 },
	{ "head", 200 },  { "body", 200 },  { "html", 220 },
};

#define T_EMPTY 1u
#define T_CLOSES 2u /* "old new" keys */

static struct nset tag_set; /* name → T_EMPTY | prio << 8; pairs */
static pthread_once_t tag_once = PTHREAD_ONCE_INIT;

static void
tag_build(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(start_close); i++)
		nset_add(&tag_set, start_close[i], T_CLOSES, true);
	for (i = 0; i < ARRAY_SIZE(empty_elems); i++)
		nset_add(&tag_set, empty_elems[i], T_EMPTY, true);
	for (i = 0; i < ARRAY_SIZE(end_prio); i++)
		nset_add(&tag_set, end_prio[i].name,
			 (uint32_t)end_prio[i].prio << 8, true);
}

static uint32_t
tag_info(const char *name)
{
	return nset_get(&tag_set, name, strlen(name));
}

static int
tag_prio(const char *name)
{
	int p = (int)(tag_info(name) >> 8);

	return p ? p : 100;
}

/* Does the start tag newtag close an open oldtag? */
static bool
closes(const char *newtag, const char *oldtag)
{
	char key[2 * HT_MAX_NAME + 2];
	size_t o = strlen(oldtag), n = strlen(newtag);

	if (o + n + 1 >= sizeof(key))
		return false;
	memcpy(key, oldtag, o);
	key[o] = ' ';
	memcpy(key + o + 1, newtag, n);
	return nset_get(&tag_set, key, o + n + 1) & T_CLOSES;
}

/* ---- the tree ---- */

struct hb {
	struct htree *t;
	const char *end;     /* the input's terminating NUL */
	uint32_t *stack;     /* open elements */
	uint32_t *names;     /* their names as written (offsets in str) */
	size_t depth, cap, ncap;
	int seen;            /* 3: a <head> was opened, 10: a <body> */
	int discarded;       /* misplaced html/head/body tags dropped */
	bool halted;         /* too deep: the rest is dropped */
	int first;           /* the document's first node: 0 none, 1 an
			      * element, 2 a comment, PI or DOCTYPE */
	struct sbuf att;     /* attribute names and values of the tag */
	size_t natt;
};

/* The name of open element i, as written ("o:p", not "p"). */
static const char *
open_name(const struct hb *b, size_t i)
{
	return b->t->str.buf + b->names[i];
}

static const char *
top_name(const struct hb *b)
{
	return b->depth ? open_name(b, b->depth - 1) : NULL;
}

static uint32_t
new_node(struct htree *t, uint8_t type)
{
	struct hnode *n;

	XGROW(t->v, t->cap, t->n + 1);
	n = &t->v[t->n];
	memset(n, 0, sizeof(*n));
	n->type = type;
	return (uint32_t)t->n++;
}

static void
append(struct htree *t, uint32_t parent, uint32_t n)
{
	struct hnode *p = &t->v[parent];

	if (p->last)
		t->v[p->last].next = n;
	else
		p->first = n;
	p->last = n;
}

/* Open element name (NUL-terminated) with the tag's attributes. */
static void
push(struct hb *b, const char *name)
{
	struct htree *t = b->t;
	const char *colon;
	uint32_t n;

	if (b->halted)
		return;
	if (b->depth > HT_MAX_DEPTH) {
		b->halted = true;
		return;
	}
	if (!strcmp(name, "head") && b->seen < 3)
		b->seen = 3;
	if (!strcmp(name, "body") && b->seen < 10)
		b->seen = 10;
	n = new_node(t, HN_ELEM);
	XGROW(b->names, b->ncap, b->depth + 1);
	b->names[b->depth] = (uint32_t)t->str.len;
	sbuf_add(&t->str, name, strlen(name) + 1);
	/* the tree has the local name: "o:p" is a p (xmlSplitQName) */
	t->v[n].name = b->names[b->depth];
	colon = strchr(name, ':');
	if (colon && colon != name && colon[1])
		t->v[n].name += (uint32_t)(colon + 1 - name);
	t->v[n].attrs = (uint32_t)t->str.len;
	t->v[n].len = (uint32_t)b->natt;
	sbuf_add(&t->str, b->att.buf, b->att.len);
	/* A second root goes into the first if that is an element, as
	 * xmlSAX2StartElement puts it (the rendered text is the same). */
	if (b->depth)
		append(t, b->stack[b->depth - 1], n);
	else if (b->first == 1)
		append(t, t->v[0].first, n);
	else
		append(t, 0, n);
	if (!b->first)
		b->first = 1;
	XGROW(b->stack, b->cap, b->depth + 1);
	b->stack[b->depth++] = n;
}

static void
pop(struct hb *b)
{
	if (b->depth)
		b->depth--;
}

/* Text for the current element (dropped outside every element). */
static void
chars(struct hb *b, const char *s, size_t n)
{
	struct htree *t = b->t;
	uint32_t parent, last;

	if (!b->depth || n == 0 || b->halted)
		return;
	parent = b->stack[b->depth - 1];
	last = t->v[parent].last;
	if (last && t->v[last].type == HN_TEXT &&
	    t->v[last].name + t->v[last].len == t->str.len) {
		sbuf_add(&t->str, s, n);
		t->v[last].len += (uint32_t)n;
		return;
	}
	last = new_node(t, HN_TEXT);
	t->v[last].name = (uint32_t)t->str.len;
	t->v[last].len = (uint32_t)n;
	sbuf_add(&t->str, s, n);
	append(t, parent, last);
}

/* Open the html, head or body a start tag name needs and the input
 * left out (htmlCheckImplied); the tag's attributes are kept for it. */
static void
implied(struct hb *b, const char *name)
{
	size_t i, att = b->natt;

	if (!strcmp(name, "html"))
		return;
	b->natt = 0;
	sbuf_reset(&b->att);
	if (b->depth == 0)
		push(b, "html");
	if (!strcmp(name, "body") || !strcmp(name, "head"))
		goto out;
	if (b->depth <= 1 &&
	    (!strcmp(name, "script") || !strcmp(name, "style") ||
	     !strcmp(name, "meta") || !strcmp(name, "link") ||
	     !strcmp(name, "title") || !strcmp(name, "base"))) {
		if (b->seen < 3)
			push(b, "head");
	} else if (strcmp(name, "noframes") && strcmp(name, "frame") &&
		   strcmp(name, "frameset")) {
		if (b->seen >= 10)
			goto out;
		for (i = 0; i < b->depth; i++) {
			const char *n = open_name(b, i);

			if (!strcmp(n, "body") || !strcmp(n, "head"))
				goto out;
		}
		push(b, "body");
	}
out:
	b->natt = att;
}

/* Close the open elements the start tag name ends (htmlAutoClose). */
static void
auto_close(struct hb *b, const char *name)
{
	while (b->depth && closes(name, top_name(b)))
		pop(b);
}

/* Text may not sit in html or head, nor outside every element: imply a
 * paragraph (htmlCheckParagraph). */
static void
check_para(struct hb *b)
{
	const char *top = top_name(b);

	if (top && strcmp(top, "html") && strcmp(top, "head"))
		return;
	b->natt = 0;
	sbuf_reset(&b->att);
	auto_close(b, "p");
	implied(b, "p");
	b->natt = 0;
	sbuf_reset(&b->att);
	push(b, "p");
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *
skip_blanks(const char *p)
{
	while (blank(*p))
		p++;
	return p;
}

/* An HTML name at p, lower-cased into buf (HT_MAX_NAME + 1 bytes);
 * returns the end, p itself when there is none. */
static const char *
html_name(const char *p, char *buf)
{
	size_t i = 0;

	if (!a_alpha(*p) && *p != '_' && *p != ':' && *p != '.') {
		buf[0] = '\0';
		return p;
	}
	while (i < HT_MAX_NAME && (a_alnum(*p) || *p == ':' || *p == '-' ||
				   *p == '_' || *p == '.'))
		buf[i++] = a_lower(*p++);
	buf[i] = '\0';
	return p;
}

static void
add_cp(struct sbuf *sb, uint32_t cp)
{
	char enc[4];

	sbuf_add(sb, enc, (size_t)utf8_encode(cp, enc));
}

static bool
is_char(uint32_t c)
{
	if (c < 0x100)
		return c == 0x9 || c == 0xA || c == 0xD || c >= 0x20;
	return (c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
	       (c >= 0x10000 && c <= 0x10FFFF);
}

/* A numeric reference at p ("&#"): its value, 0 when not a character;
 * *end past it (htmlParseCharRef). */
static uint32_t
char_ref(const char *p, const char **end)
{
	uint32_t v = 0;

	if (p[2] == 'x' || p[2] == 'X') {
		for (p += 3; *p != ';'; p++) {
			if (!a_xdigit(*p))
				break;
			if (v < 0x110000)
				v = v * 16 + (uint32_t)(a_digit(*p) ? *p - '0' :
						(*p | 0x20) - 'a' + 10);
		}
	} else {
		for (p += 2; *p != ';'; p++) {
			if (!a_digit(*p))
				break;
			if (v < 0x110000)
				v = v * 10 + (uint32_t)(*p - '0');
		}
	}
	if (*p == ';')
		p++;
	*end = p;
	return is_char(v) ? v : 0;
}

static bool
xml_name_start(char c)
{
	return a_alpha(c) || c == '_' || c == ':';
}

static bool
xml_name_char(char c)
{
	return a_alnum(c) || c == '_' || c == '-' || c == ':' || c == '.';
}

/* A named reference at p ('&'): the code point, or 0 when it is text
 * (then *end is past the name: "&name" stays as written). */
static uint32_t
named_ref(const char *p, const char **end)
{
	const char *q = p + 1;
	uint32_t cp;

	if (!xml_name_start(*q)) {
		*end = q;
		return 0;
	}
	while (xml_name_char(*q) || (unsigned char)*q >= 0x80)
		q++;
	*end = q;
	if (*q != ';')
		return 0;
	cp = entity_lookup(p + 1, (size_t)(q - p - 1));
	if (!cp && q - p - 1 == 4 && !memcmp(p + 1, "apos", 4))
		cp = '\'';
	if (cp)
		*end = q + 1;
	return cp;
}

/* An attribute value at p, decoded into b->att up to stop ('"', '\''
 * or 0: a blank or '>'); a reference to no character ends the value. */
static const char *
att_value(struct hb *b, const char *p, char stop)
{
	bool cut = false;

	while (*p && *p != stop) {
		const char *e;
		uint32_t cp;

		if (!stop && (*p == '>' || blank(*p)))
			break;
		if (*p != '&') {
			e = p + 1;
			while (*e && *e != stop && *e != '&' &&
			       (stop || (*e != '>' && !blank(*e))))
				e++;
			if (!cut)
				sbuf_add(&b->att, p, (size_t)(e - p));
			p = e;
			continue;
		}
		if (p[1] == '#') {
			cp = char_ref(p, &e);
			if (!cp)
				cut = true;
			else if (!cut)
				add_cp(&b->att, cp);
		} else {
			cp = named_ref(p, &e);
			if (cut)
				;
			else if (cp)
				add_cp(&b->att, cp);
			else
				sbuf_add(&b->att, p, (size_t)(e - p));
		}
		p = e;
	}
	return p;
}

/* An attribute whose bare form means name="name" (htmlIsBooleanAttr). */
static bool
bool_attr(const char *name)
{
	static const char *const names[] = {
		"checked", "compact", "declare", "defer", "disabled", "ismap",
		"multiple", "nohref", "noresize", "noshade", "nowrap",
		"readonly", "selected",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* The attributes of a start tag, from p to its '>' or "/>" (or the
 * end): into b->att as name\0value\0 pairs, the first of a name kept. */
static const char *
attributes(struct hb *b, const char *p)
{
	char name[HT_MAX_NAME + 1];

	b->natt = 0;
	sbuf_reset(&b->att);
	p = skip_blanks(p);
	while (*p && *p != '>' && !(p[0] == '/' && p[1] == '>')) {
		const char *e = html_name(p, name);

		if (e == p) {
			while (*p && !blank(*p) && *p != '>' &&
			       !(p[0] == '/' && p[1] == '>'))
				p++;
		} else {
			size_t mark = b->att.len, i;
			const char *a = b->att.buf;
			bool dup = false;

			for (i = 0; i < b->natt; i++) {
				if (!strcmp(a, name))
					dup = true;
				a += strlen(a) + 1;
				a += strlen(a) + 1;
			}
			sbuf_add(&b->att, name, strlen(name) + 1);
			p = skip_blanks(e);
			if (*p != '=' && bool_attr(name))
				sbuf_adds(&b->att, name); /* checked="checked" */
			if (*p == '=') {
				p = skip_blanks(p + 1);
				if (*p == '"' || *p == '\'') {
					char q = *p;

					p = att_value(b, p + 1, q);
					if (*p == q)
						p++;
				} else {
					p = att_value(b, p, 0);
				}
			}
			sbuf_addch(&b->att, '\0');
			if (dup)
				sbuf_truncate(&b->att, mark);
			else
				b->natt++;
		}
		p = skip_blanks(p);
	}
	return p;
}

static const char *
start_tag(struct hb *b, const char *p)
{
	char name[HT_MAX_NAME + 1];
	const char *top;
	bool discard = false;
	size_t i;

	p = html_name(p + 1, name);
	auto_close(b, name);
	implied(b, name);
	if (b->depth > 0 && !strcmp(name, "html"))
		discard = true;
	if (b->depth != 1 && !strcmp(name, "head"))
		discard = true;
	if (!strcmp(name, "body"))
		for (i = 0; i < b->depth; i++)
			if (!strcmp(open_name(b, i), "body")) {
				discard = true;
				b->discarded++;
			}
	if (discard && strcmp(name, "body"))
		b->discarded++;
	p = attributes(b, p);
	if (!discard)
		push(b, name);
	top = top_name(b);
	if (!top)
		return *p == '>' ? p + 1 : p;
	if (p[0] == '/' && p[1] == '>') {
		pop(b);
		return p + 2;
	}
	if (*p != '>') {
		pop(b); /* the input ended inside the tag */
		return p;
	}
	if (tag_info(top) & T_EMPTY)
		pop(b);
	return p + 1;
}

static const char *
end_tag(struct hb *b, const char *p)
{
	char name[HT_MAX_NAME + 1];
	const char *e = html_name(p + 2, name);
	size_t i;
	int prio;

	if (e == p + 2)
		return e; /* "</" and no name: both dropped */
	p = skip_blanks(e);
	while (*p && *p != '>')
		p++;
	if (*p)
		p++;
	if (b->discarded > 0 && (!strcmp(name, "html") ||
				 !strcmp(name, "body") || !strcmp(name, "head"))) {
		b->discarded--;
		return p;
	}
	prio = tag_prio(name);
	for (i = b->depth; i-- > 0;) {
		const char *n = open_name(b, i);

		if (!strcmp(n, name))
			break;
		if (tag_prio(n) > prio)
			return p;
	}
	if (i == (size_t)-1)
		return p;
	b->depth = i;
	return p;
}

/* A comment or PI node is made outside every element: the document's
 * first node may be one. */
static void
misc_node(struct hb *b)
{
	if (!b->first && !b->depth)
		b->first = 2;
}

/* "<!--": past the comment's "-->" or "--!>", or the end (and then it
 * makes no node). */
static const char *
comment(struct hb *b, const char *p)
{
	for (p += 4; *p; p++)
		if (p[0] == '-' && p[1] == '-') {
			if (p[2] == '>') {
				misc_node(b);
				return p + 3;
			}
			if (p[2] == '!' && p[3] == '>') {
				misc_node(b);
				return p + 4;
			}
		}
	return p;
}

/* "<?": past the processing instruction, or past "<?" alone when no
 * name follows. */
/* Does an XML name start at p (a letter, '_' or ':'; beyond ASCII, a
 * rough cut of XML 1.0's letters)? */
static bool
name_start_at(const char *p)
{
	uint32_t cp;

	if ((unsigned char)*p < 0x80)
		return xml_name_start(*p);
	if (!utf8_decode(p, strnlen(p, 4), &cp))
		return false;
	return (cp >= 0xC0 && cp <= 0x1FFF && cp != 0xD7 && cp != 0xF7) ||
	       (cp >= 0x3041 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7A3);
}

/* "<?": past the processing instruction's '>'; past "<?" alone when no
 * name follows or an ASCII name runs to the end; the end when no '>'
 * follows. */
static const char *
pi(struct hb *b, const char *p)
{
	const char *q;
	bool ascii = true;

	p += 2;
	if (!name_start_at(p))
		return p;
	for (q = p; xml_name_char(*q) || (unsigned char)*q >= 0x80; q++)
		if ((unsigned char)*q >= 0x80)
			ascii = false;
	if (!*q) /* libxml2 keeps an ASCII name as text, drops others */
		return ascii ? p : q;
	while (*q && *q != '>')
		q++;
	if (!*q)
		return q;
	misc_node(b);
	return q + 1;
}

static const char *
literal(const char *p)
{
	if (*p == '"' || *p == '\'') {
		char q = *p++;

		while (*p && *p != q)
			p++;
		if (*p)
			p++;
	}
	return p;
}

static bool
is_doctype(const char *p)
{
	return p[0] == '<' && p[1] == '!' && strncasecmp(p + 2, "DOCTYPE", 7) == 0;
}

/* "<!DOCTYPE": read as libxml2 reads it, up to and past its '>'. */
static const char *
doctype(const char *p)
{
	p = skip_blanks(p + 9);
	if (xml_name_start(*p) || (unsigned char)*p >= 0x80)
		while (xml_name_char(*p) || (unsigned char)*p >= 0x80)
			p++;
	p = skip_blanks(p);
	if (strncasecmp(p, "SYSTEM", 6) == 0) {
		p = literal(skip_blanks(p + 6));
	} else if (strncasecmp(p, "PUBLIC", 6) == 0) {
		p = literal(skip_blanks(p + 6));
		p = skip_blanks(p);
		if (*p == '"' || *p == '\'')
			p = literal(p);
	}
	p = skip_blanks(p);
	while (*p && *p != '>') /* bogus content */
		p++;
	return *p ? p + 1 : p;
}

/* Text up to the next '<', '&' or the end. */
static const char *
text(struct hb *b, const char *p)
{
	const char *e = htok_text(p, b->end), *q;
	bool all_blank = true;

	for (q = p; q < e; q++)
		if (!blank(*q)) {
			all_blank = false;
			break;
		}
	if (!all_blank || *e == '&')
		check_para(b);
	/* U+FFFE and U+FFFF are no characters: dropped */
	for (q = p; q + 2 < e; q++)
		if ((unsigned char)q[0] == 0xEF && (unsigned char)q[1] == 0xBF &&
		    ((unsigned char)q[2] & 0xFE) == 0xBE) {
			chars(b, p, (size_t)(q - p));
			p = q + 3;
			q += 2;
		}
	chars(b, p, (size_t)(e - p));
	return e;
}

static const char *
reference(struct hb *b, const char *p)
{
	const char *e;
	uint32_t cp;
	char enc[4];

	if (p[1] == '#') {
		cp = char_ref(p, &e);
		if (cp) {
			check_para(b);
			chars(b, enc, (size_t)utf8_encode(cp, enc));
		}
		return e;
	}
	cp = named_ref(p, &e);
	check_para(b);
	if (cp)
		chars(b, enc, (size_t)utf8_encode(cp, enc));
	else
		chars(b, p, (size_t)(e - p));
	return e;
}

/* <script> and <style> hold raw text up to "</" and their name. */
static const char *
raw_text(const char *p, const char *name)
{
	size_t n = strlen(name);

	for (; *p; p++)
		if (p[0] == '<' && p[1] == '/' && strncasecmp(p + 2, name, n) == 0)
			break;
	return p;
}

static const char *
prolog(struct hb *b, const char *p)
{
	p = skip_blanks(p);
	while ((p[0] == '<' && p[1] == '!' && p[2] == '-' && p[3] == '-') ||
	       (p[0] == '<' && p[1] == '?')) {
		if (p[0] == '<' && p[1] == '!')
			p = comment(b, p);
		if (p[0] == '<' && p[1] == '?')
			p = pi(b, p);
		p = skip_blanks(p);
	}
	return p;
}

/* One comment, PI, start tag, reference or text run at p. */
static const char *
content(struct hb *b, const char *p)
{
	if (p[0] == '<' && p[1] == '!' && p[2] == '-' && p[3] == '-')
		return comment(b, p);
	if (p[0] == '<' && p[1] == '?')
		return pi(b, p);
	if (p[0] == '<' && a_alpha(p[1]))
		return start_tag(b, p);
	if (*p == '<') {
		chars(b, "<", 1);
		return p + 1;
	}
	if (*p == '&')
		return reference(b, p);
	if (!*p)
		return p;
	return text(b, p);
}

void
htree_build(struct htree *t, const char *html)
{
	struct hb b;
	const char *p = html;

	pthread_once(&tag_once, tag_build);
	memset(t, 0, sizeof(*t));
	sbuf_init(&t->str, 0);
	new_node(t, HN_ELEM); /* 0: the document */
	sbuf_addch(&t->str, '\0');
	memset(&b, 0, sizeof(b));
	b.t = t;
	b.end = html + strlen(html);
	sbuf_init(&b.att, 0);
	p = prolog(&b, p);
	if (is_doctype(p)) {
		p = doctype(p);
		b.first = 2;
	}
	p = prolog(&b, p);
	while (*p && !b.halted) {
		const char *top = top_name(&b);

		if (p[0] == '<' && p[1] == '/') {
			p = end_tag(&b, p);
		} else if (top && (!strcmp(top, "script") ||
				   !strcmp(top, "style"))) {
			char name[HT_MAX_NAME + 1];

			/* a tag that closes them still does, first thing */
			if (p[0] == '<' && a_alpha(p[1]) &&
			    (html_name(p + 1, name), closes(name, top))) {
				auto_close(&b, name);
				continue;
			}
			p = raw_text(p, top);
		} else {
			/* after a DOCTYPE here, "</" is text */
			if (is_doctype(p)) {
				p = doctype(p);
				b.first = 2;
			}
			p = content(&b, p);
		}
	}
	sbuf_release(&b.att);
	free(b.stack);
	free(b.names);
}

void
htree_release(struct htree *t)
{
	free(t->v);
	sbuf_release(&t->str);
	memset(t, 0, sizeof(*t));
}

const char *
htree_attr(const struct htree *t, const struct hnode *n, const char *name)
{
	const char *a;
	uint32_t i;

	if (n->type != HN_ELEM)
		return NULL;
	a = t->str.buf + n->attrs;
	for (i = 0; i < n->len; i++) {
		size_t k = strlen(a);

		if (!strcmp(a, name))
			return a + k + 1;
		a += k + 1;
		a += strlen(a) + 1;
	}
	return NULL;
}
