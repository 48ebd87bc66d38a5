/*
 * markup.c: HTML found inside feed fields, normalised the way feedparser
 * hands it out. It consumes tokenize.c's tokens and re-serializes the
 * markup with lower-case names, sorted and escaped attributes, "<br />"
 * for void elements and character references kept as written; relative
 * URLs in the usual attributes are resolved; elements and attributes
 * outside an allow-list are dropped (script, style and applet with
 * their content). It also decides whether plain text "looks like
 * HTML". This is not a renderer (html.c turns HTML into terminal text)
 * and it never decodes entities. It is safe on any thread: the name
 * tables are built once (pthread_once) and only read after, and a
 * cleaner's buffers are its caller's.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

/* Sorted (strcmp order). */
static const char *const ok_elements[] = {
	"a", "abbr", "acronym", "address", "area", "article", "aside",
	"audio", "b", "big", "blockquote", "br", "button", "canvas",
	"caption", "center", "cite", "code", "col", "colgroup", "command",
	"datagrid", "datalist", "dd", "del", "details", "dfn", "dialog",
	"dir", "div", "dl", "dt", "em", "event-source", "fieldset",
	"figcaption", "figure", "font", "footer", "form", "h1", "h2", "h3",
	"h4", "h5", "h6", "header", "hr", "i", "img", "input", "ins", "kbd",
	"keygen", "label", "legend", "li", "m", "map", "menu", "meter",
	"multicol", "nav", "nextid", "noscript", "ol", "optgroup", "option",
	"output", "p", "pre", "progress", "q", "s", "samp", "section",
	"select", "small", "sound", "source", "spacer", "span", "strike",
	"strong", "sub", "sup", "table", "tbody", "td", "textarea", "tfoot",
	"th", "thead", "time", "tr", "tt", "u", "ul", "var", "video",
};

static const char *const ok_attributes[] = {
	"abbr", "accept", "accept-charset", "accesskey", "action", "align",
	"alt", "autocomplete", "autofocus", "axis", "background", "balance",
	"bgcolor", "bgproperties", "border", "bordercolor",
	"bordercolordark", "bordercolorlight", "bottompadding",
	"cellpadding", "cellspacing", "ch", "challenge", "char", "charoff",
	"charset", "checked", "choff", "cite", "class", "clear", "color",
	"cols", "colspan", "compact", "contenteditable", "controls",
	"coords", "data", "datafld", "datapagesize", "datasrc", "datetime",
	"default", "delay", "dir", "disabled", "draggable", "dynsrc",
	"enctype", "end", "face", "for", "form", "frame", "galleryimg",
	"gutter", "headers", "height", "hidden", "hidefocus", "high", "href",
	"hreflang", "hspace", "icon", "id", "inputmode", "ismap", "keytype",
	"label", "lang", "leftspacing", "list", "longdesc", "loop",
	"loopcount", "loopend", "loopstart", "low", "lowsrc", "max",
	"maxlength", "media", "method", "min", "multiple", "name", "nohref",
	"noshade", "nowrap", "open", "optimum", "pattern", "ping",
	"point-size", "poster", "pqg", "preload", "prompt", "radiogroup",
	"readonly", "rel", "repeat-max", "repeat-min", "replace", "required",
	"rev", "rightspacing", "rows", "rowspan", "rules", "scope",
	"selected", "shape", "size", "span", "src", "start", "step",
	"summary", "suppress", "tabindex", "target", "template", "title",
	"toppadding", "type", "unselectable", "urn", "usemap", "valign",
	"value", "variable", "volume", "vrml", "vspace", "width", "wrap",
	"xml:lang",
};

/* SVG and MathML (lower-cased; the camelCase spellings are restored on
 * output from the original lists). */
static const char *const svg_elements[] = {
	"a", "animate", "animatecolor", "animatemotion", "animatetransform",
	"circle", "defs", "desc", "ellipse", "font-face", "font-face-name",
	"font-face-src", "foreignobject", "g", "glyph", "hkern", "line",
	"lineargradient", "marker", "metadata", "missing-glyph", "mpath", "path",
	"polygon", "polyline", "radialgradient", "rect", "set", "stop", "svg",
	"switch", "text", "title", "tspan", "use",
};

static const char *const svg_attributes[] = {
	"accent-height", "accumulate", "additive", "alphabetic", "arabic-form",
	"ascent", "attributename", "attributetype", "baseprofile", "bbox",
	"begin", "by", "calcmode", "cap-height", "class", "color",
	"color-rendering", "content", "cx", "cy", "d", "descent", "display",
	"dur", "dx", "dy", "end", "fill", "fill-opacity", "fill-rule",
	"font-family", "font-size", "font-stretch", "font-style", "font-variant",
	"font-weight", "from", "fx", "fy", "g1", "g2", "glyph-name",
	"gradientunits", "hanging", "height", "horiz-adv-x", "horiz-origin-x",
	"id", "ideographic", "k", "keypoints", "keysplines", "keytimes", "lang",
	"marker-end", "marker-mid", "marker-start", "markerheight", "markerunits",
	"markerwidth", "mathematical", "max", "min", "name", "offset", "opacity",
	"orient", "origin", "overline-position", "overline-thickness", "panose-1",
	"path", "pathlength", "points", "preserveaspectratio", "r", "refx",
	"refy", "repeatcount", "repeatdur", "requiredextensions",
	"requiredfeatures", "restart", "rotate", "rx", "ry", "slope", "stemh",
	"stemv", "stop-color", "stop-opacity", "strikethrough-position",
	"strikethrough-thickness", "stroke", "stroke-dasharray",
	"stroke-dashoffset", "stroke-linecap", "stroke-linejoin",
	"stroke-miterlimit", "stroke-opacity", "stroke-width", "systemlanguage",
	"target", "text-anchor", "to", "transform", "type", "u1", "u2",
	"underline-position", "underline-thickness", "unicode", "unicode-range",
	"units-per-em", "values", "version", "viewbox", "visibility", "width",
	"widths", "x", "x-height", "x1", "x2", "xlink:actuate", "xlink:arcrole",
	"xlink:href", "xlink:role", "xlink:show", "xlink:title", "xlink:type",
	"xml:base", "xml:lang", "xml:space", "xmlns", "xmlns:xlink", "y", "y1",
	"y2", "zoomandpan",
};

static const char *const svg_camel[] = {
	"animateColor", "animateMotion", "animateTransform", "attributeName",
	"attributeType", "baseProfile", "calcMode", "foreignObject",
	"gradientUnits", "keyPoints", "keySplines", "keyTimes", "linearGradient",
	"markerHeight", "markerUnits", "markerWidth", "pathLength",
	"preserveAspectRatio", "radialGradient", "refX", "refY", "repeatCount",
	"repeatDur", "requiredExtensions", "requiredFeatures", "systemLanguage",
	"viewBox", "zoomAndPan",
};

static const char *const mathml_elements[] = {
	"annotation", "annotation-xml", "maction", "maligngroup", "malignmark",
	"math", "menclose", "merror", "mfenced", "mfrac", "mglyph", "mi",
	"mlabeledtr", "mlongdiv", "mmultiscripts", "mn", "mo", "mover", "mpadded",
	"mphantom", "mprescripts", "mroot", "mrow", "ms", "mscarries", "mscarry",
	"msgroup", "msline", "mspace", "msqrt", "msrow", "mstack", "mstyle",
	"msub", "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder",
	"munderover", "none", "semantics",
};

static const char *const mathml_attributes[] = {
	"accent", "accentunder", "actiontype", "align", "alignmentscope",
	"altimg", "altimg-height", "altimg-valign", "altimg-width", "alttext",
	"bevelled", "charalign", "close", "columnalign", "columnlines",
	"columnspacing", "columnspan", "columnwidth", "crossout", "decimalpoint",
	"denomalign", "depth", "dir", "display", "displaystyle", "edge",
	"encoding", "equalcolumns", "equalrows", "fence", "fontstyle",
	"fontweight", "form", "frame", "framespacing", "groupalign", "height",
	"href", "id", "indentalign", "indentalignfirst", "indentalignlast",
	"indentshift", "indentshiftfirst", "indentshiftlast", "indenttarget",
	"infixlinebreakstyle", "largeop", "length", "linebreak",
	"linebreakmultchar", "linebreakstyle", "lineleading", "linethickness",
	"location", "longdivstyle", "lquote", "lspace", "mathbackground",
	"mathcolor", "mathsize", "mathvariant", "maxsize", "minlabelspacing",
	"minsize", "movablelimits", "notation", "numalign", "open", "other",
	"overflow", "position", "rowalign", "rowlines", "rowspacing", "rowspan",
	"rquote", "rspace", "scriptlevel", "scriptminsize",
	"scriptsizemultiplier", "selection", "separator", "separators", "shift",
	"side", "src", "stackalign", "stretchy", "subscriptshift",
	"superscriptshift", "symmetric", "voffset", "width", "xlink:href",
	"xlink:show", "xlink:type", "xmlns", "xmlns:xlink",
};

static const char *const void_elements[] = {
	"area", "base", "basefont", "br", "col", "command", "embed", "frame",
	"hr", "img", "input", "isindex", "keygen", "link", "meta", "param",
	"source", "track", "wbr",
};

/* (element, attribute) pairs holding URLs, "element attribute". */
static const char *const uri_attrs[] = {
	"a href", "applet codebase", "area href", "audio src",
	"blockquote cite", "body background", "del cite", "form action",
	"frame longdesc", "frame src", "head profile", "iframe longdesc",
	"iframe src", "img longdesc", "img src", "img usemap", "input src",
	"input usemap", "ins cite", "link href", "object classid",
	"object codebase", "object data", "object usemap", "q cite",
	"script src", "source src", "video poster", "video src",
};

/* The elements named in uri_attrs. */
static const char *const uri_elements[] = {
	"a", "applet", "area", "audio", "blockquote", "body", "del", "form",
	"frame", "head", "iframe", "img", "input", "ins", "link", "object",
	"q", "script", "source", "video",
};

/* ---- name tables ---- */

/*
 * Every element and attribute name above, with what it is, in two hash
 * sets built once per process (pthread_once: the parser runs on a worker
 * thread while the reader cleans and renders on the main one). After the
 * build they are only read. They replace a bsearch per tag and per
 * attribute of every HTML field.
 */
enum {
	EL_OK = 1,      /* ok_elements */
	EL_VOID = 2,    /* void_elements */
	EL_SVG = 4,     /* svg_elements */
	EL_MATHML = 8,  /* mathml_elements */
	EL_URI = 16,    /* named in uri_attrs */
	EL_DROP = 32,   /* script, style, applet: dropped with content */
};

enum {
	AT_OK = 1,      /* ok_attributes */
	AT_SVG = 2,     /* svg_attributes */
	AT_MATHML = 4,  /* mathml_attributes */
	AT_URI = 8,     /* the attribute of a uri_attrs pair */
};

static struct nset el_set, at_set;
static pthread_once_t sets_once = PTHREAD_ONCE_INIT;
static bool sets_built; /* release-stored at the build's end */

static void
nset_add_list(struct nset *set, const char *const *list, size_t n,
	      unsigned flags)
{
	size_t i;

	for (i = 0; i < n; i++)
		nset_add(set, list[i], flags, true);
}

static void
sets_build(void)
{
	static const char *const drop[] = { "applet", "script", "style" };
	size_t i;

	nset_add_list(&el_set, ok_elements, ARRAY_SIZE(ok_elements), EL_OK);
	nset_add_list(&el_set, void_elements, ARRAY_SIZE(void_elements),
		      EL_VOID);
	nset_add_list(&el_set, svg_elements, ARRAY_SIZE(svg_elements), EL_SVG);
	nset_add_list(&el_set, mathml_elements, ARRAY_SIZE(mathml_elements),
		      EL_MATHML);
	nset_add_list(&el_set, drop, ARRAY_SIZE(drop), EL_DROP);
	for (i = 0; i < ARRAY_SIZE(uri_elements); i++)
		nset_add(&el_set, uri_elements[i], EL_URI, true);
	for (i = 0; i < ARRAY_SIZE(uri_attrs); i++)
		nset_add(&at_set, strchr(uri_attrs[i], ' ') + 1, AT_URI, true);
	nset_add_list(&at_set, ok_attributes, ARRAY_SIZE(ok_attributes),
		      AT_OK);
	nset_add_list(&at_set, svg_attributes, ARRAY_SIZE(svg_attributes),
		      AT_SVG);
	nset_add_list(&at_set, mathml_attributes,
		      ARRAY_SIZE(mathml_attributes), AT_MATHML);
	__atomic_store_n(&sets_built, true, __ATOMIC_RELEASE);
}

/* Callers make sure the sets are built (sets_ready()) first. */
static unsigned
el_flags(const char *s, size_t n)
{
	return nset_get(&el_set, s, n);
}

static unsigned
at_flags(const char *s, size_t n)
{
	return nset_get(&at_set, s, n);
}

static void
sets_ready(void)
{
	if (!__atomic_load_n(&sets_built, __ATOMIC_ACQUIRE))
		pthread_once(&sets_once, sets_build);
}

/* Whether an element name is in the HTML allow-list. */
static bool
markup_acceptable_element(const char *name, size_t len)
{
	char buf[32];
	size_t i;

	if (len >= sizeof(buf))
		return false;
	for (i = 0; i < len; i++)
		buf[i] = a_lower(name[i]);
	sets_ready();
	return (el_flags(buf, len) & EL_OK) != 0;
}

/* Whether "tag attr" is in uri_attrs (compared in pieces). */
static bool
is_uri_attr(const char *tag, const char *attr)
{
	size_t i, n = strlen(tag);

	for (i = 0; i < ARRAY_SIZE(uri_attrs); i++) {
		const char *u = uri_attrs[i];

		if (u[0] == tag[0] && strncmp(u, tag, n) == 0 &&
		    u[n] == ' ' && strcmp(u + n + 1, attr) == 0)
			return true;
	}
	return false;
}

static bool
word_char(char c)
{
	return a_alnum(c) || c == '_';
}

bool
markup_looks_like_html(const char *s)
{
	const char *p;
	bool close = false, ref = false;

	/* both need a '<' or a '&': most titles have neither */
	if (!s[strcspn(s, "<&")])
		return false;
	for (p = s; *p; p++) {
		if (p[0] == '<' && p[1] == '/' && word_char(p[2])) {
			const char *q = p + 2;

			while (word_char(*q))
				q++;
			if (*q == '>')
				close = true;
		}
		if (*p == '&') {
			const char *q = p + 1;

			if (*q == '#')
				q++;
			if (word_char(*q)) {
				while (word_char(*q))
					q++;
				if (*q == ';')
					ref = true;
			}
		}
	}
	if (!close && !ref)
		return false;
	for (p = s; *p; p++) {
		if (*p == '<') {
			const char *q = p + 1, *st;

			if (*q == '/')
				q++;
			st = q;
			while (word_char(*q))
				q++;
			if (q > st &&
			    !markup_acceptable_element(st, (size_t)(q - st)))
				return false;
		}
		if (*p == '&' && word_char(p[1])) {
			const char *q = p + 1;

			while (word_char(*q))
				q++;
			if (*q == ';' &&
			    !entity_lookup(p + 1, (size_t)(q - p - 1)))
				return false;
		}
	}
	return true;
}

bool
html_looks_like(const char *s)
{
	return s && markup_looks_like_html(s);
}

/* ---- the re-serializer ---- */

/* Whether the URL u has no script scheme. Read as browsers read it:
 * leading C0 controls and spaces skipped, and ASCII tab, LF and CR
 * removed anywhere ("java\tscript:" is javascript:; found by
 * fuzz/fuzz_sanitize.c). */
static bool
scheme_safe(const char *u)
{
	char sch[16];
	size_t k = 0;

	if (strncmp(u, "https:", 6) == 0 || strncmp(u, "http:", 5) == 0)
		return true; /* nearly every link */
	while (*u && (unsigned char)*u <= ' ')
		u++;
	for (; *u != ':'; u++) {
		if (!*u || *u == '/' || *u == '?' || *u == '#')
			return true;
		if (*u == '\t' || *u == '\n' || *u == '\r')
			continue;
		if (k == sizeof(sch) - 1)
			return true; /* longer than any scheme below */
		sch[k++] = a_lower(*u); /* the names below are lower-case */
	}
	/* javascript, vbscript, data, livescript, mocha: every link of
	 * every field comes here, so by length, not five strcasecmp() */
	switch (k) {
	case 4: return memcmp(sch, "data", 4) != 0;
	case 5: return memcmp(sch, "mocha", 5) != 0;
	case 8: return memcmp(sch, "vbscript", 8) != 0;
	case 10: return memcmp(sch, "javascript", 10) != 0 &&
			memcmp(sch, "livescript", 10) != 0;
	default: return true;
	}
}

/*
 * Appends to the cleaner's output. It is sized up front and has no cap,
 * so nearly every append is a memcpy; sbuf_add() does the rest. These
 * run for every tag, attribute and text run of every HTML field, so
 * they leave the NUL to clean_loop()'s end (nothing reads the output as
 * a string before that).
 */
static inline void
put(struct sbuf *o, const char *s, size_t n)
{
	if (!o->max && o->len + n < o->cap) {
		memcpy(o->buf + o->len, s, n);
		o->len += n;
	} else {
		sbuf_add(o, s, n);
	}
}

static inline void
put_ch(struct sbuf *o, char ch)
{
	if (!o->max && o->len + 1 < o->cap)
		o->buf[o->len++] = ch;
	else
		sbuf_add(o, &ch, 1);
}

static inline void
put_s(struct sbuf *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Escape an attribute value: < > " and bare '&'. */
static void
attr_out(struct sbuf *o, const char *v)
{
	const char *p;

	for (p = v; *p; p++) {
		size_t run = strcspn(p, "<>\"&");

		if (run) {
			put(o, p, run);
			p += run;
			if (!*p)
				break;
		}
		if (*p == '<') {
			put_s(o, "&lt;");
		} else if (*p == '>') {
			put_s(o, "&gt;");
		} else if (*p == '"') {
			put_s(o, "&quot;");
		} else if (*p == '&') {
			const char *q = p + 1;
			bool ref = false;

			if (*q == '#') {
				q++;
				if (*q == 'x' || *q == 'X') {
					q++;
					if (isxdigit((unsigned char)*q)) {
						while (isxdigit((unsigned char)*q))
							q++;
						ref = *q == ';';
					}
				} else if (a_digit(*q)) {
					while (a_digit(*q))
						q++;
					ref = *q == ';';
				}
			} else if (word_char(*q)) {
				while (word_char(*q))
					q++;
				ref = *q == ';';
			}
			put_s(o, ref ? "&" : "&amp;");
		} else {
			put_ch(o, *p);
		}
	}
}

static const uint16_t cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

/* An attribute of the tag being cleaned: name and value are offsets
 * into the cleaner's scratch buffer (NUL-terminated there), so parsing
 * a tag allocates nothing once the buffer has grown. */
struct hattr {
	size_t name, nlen, value;
};

struct cleaner {
	struct sbuf out;
	struct sbuf scratch; /* this tag's attribute names and values */
	const char *base;
	bool html;  /* text/html (not XHTML): add implicit svg/math xmlns */
	int drop;   /* inside script/style/applet */
	int svg, mathml; /* inside <svg>/<math> with the right xmlns */
};

#define SC(c, off) ((c)->scratch.buf + (off))

/* The camelCase spelling of an SVG name, or the name itself. */
static const char *
svg_case(const char *lower)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(svg_camel); i++)
		if (strcasecmp(svg_camel[i], lower) == 0)
			return svg_camel[i];
	return lower;
}

/* Append s (n bytes) and a NUL to the scratch buffer; its offset. */
static size_t
scratch_add(struct cleaner *c, const char *s, size_t n)
{
	struct sbuf *b = &c->scratch;
	size_t off = b->len;

	/* the buffer is reused for every tag: nearly always a copy */
	if (!b->max && off + n + 1 < b->cap) {
		memcpy(b->buf + off, s, n);
		b->buf[off + n] = '\0';
		b->len = off + n + 1;
		b->buf[b->len] = '\0';
		return off;
	}
	sbuf_add(b, s, n);
	sbuf_add(b, "", 1);
	return off;
}

#define SVG_NS "http://www.w3.org/2000/svg"
#define MATHML_NS "http://www.w3.org/1998/Math/MathML"
#define XLINK_NS "http://www.w3.org/1999/xlink"
#define MAX_TAG 32  /* longer names are in no allow-list */
#define MAX_ATTRS 64 /* distinct attributes kept of one tag */
/* Slots attr_read() leaves free for the ones the cleaner adds (xmlns on
 * svg and math, xmlns:xlink): with every slot taken by what the tag had,
 * the first cleaning could not add them and a second, reading fewer
 * attributes (the dropped ones gone), would. */
#define ATTRS_ADDED 2

static void
emit_text(struct cleaner *c, const char *s, size_t n)
{
	if (!c->drop)
		put(&c->out, s, n);
}

static inline void
add_end_tag(struct sbuf *o, const char *tag, size_t n)
{
	put(o, "</", 2);
	put(o, tag, n);
	put_ch(o, '>');
}

/* ---- one tag: read, judged against the allow-lists, written ---- */

/* A tag being cleaned. The attributes' names and values are offsets
 * into the cleaner's scratch buffer (NUL-terminated there), so cleaning
 * a tag allocates nothing once the buffer has grown. */
struct tag {
	char name[MAX_TAG]; /* lower-cased; "" when too long for any list */
	size_t n;
	bool end, selfclose;
	unsigned el;        /* EL_* of the name */
	unsigned want;      /* AT_* an attribute needs to be kept */
	const char *out;    /* the name written (SVG's camelCase) */
	size_t out_len;
	bool camel;         /* SVG attribute names in camelCase too */
	struct hattr at[MAX_ATTRS];
	size_t nattr;
};

static const char *
attr_find(const struct cleaner *c, const struct tag *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->nattr; i++)
		if (strcmp(SC(c, x->at[i].name), name) == 0)
			return SC(c, x->at[i].value);
	return NULL;
}

static void
attr_push(struct cleaner *c, struct tag *x, const char *name,
	  const char *value)
{
	struct hattr *a;

	if (x->nattr >= ARRAY_SIZE(x->at))
		return;
	a = &x->at[x->nattr++];
	a->nlen = strlen(name);
	a->name = scratch_add(c, name, a->nlen);
	a->value = scratch_add(c, value, strlen(value));
}

static void
lower_in_place(char *s)
{
	for (; *s; s++)
		*s = a_lower(*s);
}

/* One attribute as the tokenizer gave it: the name lower-cased, rel and
 * type values too; a repeated name keeps its last value. */
static void
attr_read(struct cleaner *c, struct tag *x, const struct htok_attr *ta)
{
	size_t name = scratch_add(c, ta->name, ta->nlen), value, i;

	lower_in_place(SC(c, name));
	value = scratch_add(c, ta->value, ta->vlen);
	if ((ta->nlen == 3 && memcmp(SC(c, name), "rel", 3) == 0) ||
	    (ta->nlen == 4 && memcmp(SC(c, name), "type", 4) == 0))
		lower_in_place(SC(c, value));
	for (i = 0; i < x->nattr; i++)
		if (x->at[i].nlen == ta->nlen &&
		    memcmp(SC(c, x->at[i].name), SC(c, name), ta->nlen) == 0)
			break;
	if (i < x->nattr) {
		x->at[i].value = value;
	} else if (x->nattr < ARRAY_SIZE(x->at) - ATTRS_ADDED) {
		x->at[x->nattr].name = name;
		x->at[x->nattr].nlen = ta->nlen;
		x->at[x->nattr].value = value;
		x->nattr++;
	}
}

static void
tag_read(struct cleaner *c, struct htok *t, struct tag *x)
{
	struct htok_attr ta;
	size_t i;

	x->end = t->kind == HTOK_END;
	x->n = t->nlen < MAX_TAG ? t->nlen : 0;
	for (i = 0; i < x->n; i++)
		x->name[i] = a_lower(t->name[i]);
	x->name[x->n] = '\0';
	x->out = x->name;
	x->want = AT_OK;
	x->camel = false;
	x->nattr = 0;
	sbuf_reset(&c->scratch);
	while (htok_attr(t, &ta))
		attr_read(c, x, &ta);
	x->selfclose = t->selfclose;
	x->el = x->n ? el_flags(x->name, x->n) : 0;
}

/* script, style and applet are dropped with their content. */
static void
track_drop(struct cleaner *c, const struct tag *x)
{
	if (!(x->el & EL_DROP))
		return;
	if (x->end) {
		if (c->drop > 0)
			c->drop--;
	} else if (!x->selfclose) {
		c->drop++;
	}
}

/* An end tag outside the HTML list (or inside svg): whether it closes an
 * svg or math element that is written. */
static bool
foreign_end(struct cleaner *c, struct tag *x)
{
	if (c->mathml && (x->el & EL_MATHML)) {
		if (strcmp(x->name, "math") == 0)
			c->mathml--;
		return true;
	}
	if (c->svg && (x->el & EL_SVG)) {
		if (strcmp(x->name, "svg") == 0)
			c->svg--;
		x->out = svg_case(x->name);
		return true;
	}
	return (x->el & EL_OK) != 0;
}

/* A start tag outside the HTML list (or inside svg): <svg> and <math>
 * get their namespace in text/html and open foreign content when it is
 * the right one; inside it their own lists apply. Whether it is kept. */
static bool
foreign_start(struct cleaner *c, struct tag *x)
{
	bool svg = strcmp(x->name, "svg") == 0;
	bool math = strcmp(x->name, "math") == 0;
	const char *ns;

	if (c->html && (svg || math) && !attr_find(c, x, "xmlns"))
		attr_push(c, x, "xmlns", svg ? SVG_NS : MATHML_NS);
	ns = attr_find(c, x, "xmlns");
	if (math && ns && strcmp(ns, MATHML_NS) == 0)
		c->mathml++;
	if (svg && ns && strcmp(ns, SVG_NS) == 0)
		c->svg++;
	if (c->mathml && (x->el & EL_MATHML)) {
		x->want = AT_MATHML;
		return true;
	}
	if (c->svg && (x->el & EL_SVG)) {
		x->want = AT_SVG;
		x->out = svg_case(x->name);
		x->camel = true;
		return true;
	}
	return (x->el & EL_OK) != 0;
}

/* xlink: attributes in foreign content need their namespace declared. */
static void
add_xlink_ns(struct cleaner *c, struct tag *x)
{
	size_t i;

	for (i = 0; i < x->nattr; i++)
		if (str_starts(SC(c, x->at[i].name), "xlink:"))
			break;
	if (i < x->nattr && !attr_find(c, x, "xmlns:xlink"))
		attr_push(c, x, "xmlns:xlink", XLINK_NS);
}

/* Sort attributes by name (names are unique: duplicates were merged);
 * insertion sort, as tags have few. */
static void
attrs_sort(const struct cleaner *c, struct tag *x)
{
	struct hattr *at = x->at;
	size_t i, j;

	for (i = 1; i < x->nattr; i++) {
		struct hattr t = at[i];

		for (j = i; j > 0 && strcmp(SC(c, at[j - 1].name),
					    SC(c, t.name)) > 0; j--)
			at[j] = at[j - 1];
		at[j] = t;
	}
}

/* One kept attribute: URLs resolved against the base and emptied when
 * their scheme is unsafe, the value escaped. */
static void
attr_write(struct cleaner *c, const struct tag *x, const struct hattr *a)
{
	const char *name = SC(c, a->name);
	char *v = SC(c, a->value), *abs = NULL;
	unsigned af = at_flags(name, a->nlen);

	if (!(af & x->want))
		return;
	if ((x->el & EL_URI) && (af & AT_URI) && is_uri_attr(x->name, name)) {
		feed_trim(v);
		/* most links are absolute: resolving copies them */
		if (c->base && *c->base && !url_self_resolving(v))
			v = abs = url_resolve(c->base, v);
		if (!scheme_safe(v))
			v[0] = '\0';
	} else if ((af & AT_URI) && !scheme_safe(v)) {
		/* an attribute some element takes a URL in (the second word
		 * of a uri_attrs pair): a script URL is emptied in it on any
		 * element, though only the pairs are resolved (as feedparser
		 * does) */
		v[0] = '\0';
	}
	put_ch(&c->out, ' ');
	if (x->camel)
		put_s(&c->out, svg_case(name));
	else
		put(&c->out, name, a->nlen);
	put(&c->out, "=\"", 2);
	attr_out(&c->out, v);
	put_ch(&c->out, '"');
	free(abs);
}

static void
tag_write(struct cleaner *c, struct tag *x)
{
	size_t i;

	x->out_len = x->out == x->name ? x->n : strlen(x->out);
	if (x->end) {
		if (!(x->el & EL_VOID))
			add_end_tag(&c->out, x->out, x->out_len);
		return;
	}
	attrs_sort(c, x);
	put_ch(&c->out, '<');
	put(&c->out, x->out, x->out_len);
	for (i = 0; i < x->nattr; i++)
		attr_write(c, x, &x->at[i]);
	if (x->el & EL_VOID) {
		put(&c->out, " />", 3);
	} else {
		put_ch(&c->out, '>');
		/* sgmllib expands only a bare "<tag/>" */
		if (x->selfclose && x->nattr == 0)
			add_end_tag(&c->out, x->out, x->out_len);
	}
}

/* A start or end tag from the tokenizer; t->p ends up past it. */
static void
do_tag(struct cleaner *c, struct htok *t)
{
	struct tag tag, *x = &tag;
	bool keep = true;

	tag_read(c, t, x);
	if (!(x->el & EL_OK) || (c->svg && !x->end)) {
		track_drop(c, x);
		/* inside script, style or applet nothing is written and no
		 * tag opens or closes svg or math: "<style><svg></style><g>"
		 * must not keep the <g> as svg, which a second cleaning, with
		 * no <svg> left, would drop */
		if (c->drop)
			return;
		keep = x->end ? foreign_end(c, x) : foreign_start(c, x);
	}
	if (!keep)
		return;
	if ((c->svg || c->mathml) && !x->end)
		add_xlink_ns(c, x);
	if (!c->drop)
		tag_write(c, x);
}

/*
 * Most tags have no attributes: the tokenizer is past their '>' already
 * (t->done). Outside svg, a lower-case allowed tag that is not void
 * ("<p>", "</em>") comes out exactly as it went in: tag_verbatim() says
 * so and clean_loop() keeps it in the current text run. tag_short()
 * writes the other allowed ones ("<BR>" as "<br />"); it is false for
 * anything else, which do_tag() takes.
 */
static inline bool
tag_verbatim(const struct cleaner *c, const struct htok *t)
{
	size_t i;

	if (c->svg || !t->done || t->nlen >= MAX_TAG ||
	    (t->kind != HTOK_START && t->kind != HTOK_END))
		return false;
	for (i = 0; i < t->nlen; i++)
		if (t->name[i] >= 'A' && t->name[i] <= 'Z')
			return false;
	return (el_flags(t->name, t->nlen) & (EL_OK | EL_VOID)) == EL_OK;
}

static inline bool
tag_short(struct cleaner *c, const struct htok *t)
{
	char tag[MAX_TAG];
	size_t i, n = t->nlen;
	unsigned el;

	if (c->svg || !t->done || n >= MAX_TAG)
		return false;
	for (i = 0; i < n; i++)
		tag[i] = a_lower(t->name[i]);
	el = el_flags(tag, n);
	if (!(el & EL_OK))
		return false;
	if (c->drop)
		return true;
	if (t->kind == HTOK_END) {
		if (!(el & EL_VOID))
			add_end_tag(&c->out, tag, n);
	} else {
		put_ch(&c->out, '<');
		put(&c->out, tag, n);
		if (el & EL_VOID)
			put(&c->out, " />", 3);
		else
			put_ch(&c->out, '>');
	}
	return true;
}

/* ---- character references: kept as written where they are valid ---- */

static unsigned long
ref_value(const struct htok_ref *r)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < r->n; i++) {
		unsigned d = a_digit(r->v[i]) ? (unsigned)(r->v[i] - '0')
					      : (unsigned)((r->v[i] | 0x20) -
							   'a' + 10);

		if (v > (~0UL - d) / (r->kind == HREF_HEX ? 16 : 10))
			return ~0UL;
		v = v * (r->kind == HREF_HEX ? 16 : 10) + d;
	}
	return v;
}

static bool
ref_known(const struct htok_ref *r)
{
	return entity_lookup(r->v, r->n) ||
	       (r->n == 4 && memcmp(r->v, "apos", 4) == 0);
}

/* The commonest references come out exactly as they went in: a known
 * name with its ';', a decimal reference outside the windows-1252
 * range. clean_loop() keeps them in the current text run. */
static inline bool
ref_verbatim(const struct htok_ref *r)
{
	unsigned long v;

	if (!r->semi)
		return false;
	if (r->kind == HREF_NAME)
		return ref_known(r);
	if (r->kind != HREF_DEC || r->n > 16)
		return false;
	v = ref_value(r);
	return v < 0x80 || v > 0x9f;
}

/* Any other reference at s: numeric ones normalised (windows-1252's C1
 * range mapped, at most 16 digits, ';' added), unknown names escaped. */
static const char *
do_ref(struct cleaner *c, const char *s, const struct htok_ref *r)
{
	if (r->kind == HREF_NONE) {
		emit_text(c, "&", 1);
		return s + 1;
	}
	if (r->kind == HREF_NAME) {
		const char *q = r->v + r->n;

		if (!*q) {
			emit_text(c, s, (size_t)(q - s));
			return q;
		}
		if (c->drop)
			return r->end;
		if (ref_known(r)) {
			put_ch(&c->out, '&');
			put(&c->out, r->v, r->n);
			put_ch(&c->out, ';');
		} else {
			put(&c->out, "&amp;", 5);
			put(&c->out, r->v, r->n);
		}
		return r->end;
	}
	if (!c->drop) {
		unsigned long v = ref_value(r);
		bool hex = r->kind == HREF_HEX;

		if (v >= 0x80 && v <= 0x9f && cp1252[v - 0x80]) {
			sbuf_addf(&c->out, "&#x%x;",
				  (unsigned)cp1252[v - 0x80]);
		} else {
			char ref[16];
			size_t k, m = r->n < sizeof(ref) ? r->n : sizeof(ref);

			for (k = 0; k < m; k++)
				ref[k] = a_lower(r->v[k]);
			put(&c->out, hex ? "&#x" : "&#", hex ? 3 : 2);
			put(&c->out, ref, m);
			put_ch(&c->out, ';');
		}
	}
	return r->end;
}

/* ---- the cleaning loop: the tokenizer's consumer ---- */

/* html (n bytes, NUL at html[n]) appended to c->out, which has room for
 * n + n / 8 + 64 bytes. Text, verbatim tags and verbatim references are
 * copied in runs; everything else is written token by token. */
/*
 * A token that wrote nothing (a dropped tag, comment or reference) must
 * not join a text '<' before it to the text after it: "<</x>img
 * onerror=...>" would come out as a live tag. When the output ends with
 * such a '<' (or "</") it becomes "&lt;", and a bare '&' "&amp;". All
 * found by fuzz/fuzz_sanitize.c.
 */
static void
lt_guard(struct cleaner *c, size_t mark)
{
	if (c->out.len != mark || !mark)
		return;
	if (c->out.buf[mark - 1] == '<') {
		c->out.len--;
		put_s(&c->out, "&lt;");
	} else if (mark >= 2 && c->out.buf[mark - 1] == '/' &&
		   c->out.buf[mark - 2] == '<') {
		/* "</<>x>": a text "</" would end a tag x */
		c->out.len -= 2;
		put_s(&c->out, "&lt;/");
	} else if (c->out.buf[mark - 1] == '&') {
		/* a bare '&' kept as text ("a & b") would start a reference
		 * with the text after the token: "&<x>amp;" must not come
		 * out as "&amp;", which a second cleaning reads as '&' */
		put_s(&c->out, "amp;");
	}
}

/*
 * The commonest tokens, recognised in one pass: a lower-case tag with no
 * attributes that tag_verbatim() keeps as written ("<p>", "</em>"), and
 * a reference that ref_verbatim() keeps ("&eacute;", "&#8217;"). The end
 * of the token, or NULL: htok_markup() or htok_ref() then reads it the
 * long way, and decides the same for every token these accept.
 */
/* tag_name_char() but for 'A'-'Z' (a tag with them is not verbatim). */
static const bool lower_name_char[256] = {
	['-'] = 1, ['.'] = 1, [':'] = 1, ['_'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

static inline const char *
fast_tag(const char *p)
{
	const char *q = p + 1, *name;
	uint64_t k = 0;
	size_t n;

	if (*q == '/')
		q++;
	if (*q < 'a' || *q > 'z')
		return NULL;
	name = q;
	/* tag_name_char() without the upper case, which is not verbatim */
	while (lower_name_char[(unsigned char)*q]) {
		if (q - name < 8)
			k |= (uint64_t)(unsigned char)*q << (8 * (q - name));
		q++;
	}
	n = (size_t)(q - name);
	if (*q != '>' || n >= MAX_TAG ||
	    (nset_get_key(&el_set, k, name, n) & (EL_OK | EL_VOID)) != EL_OK)
		return NULL;
	return q + 1;
}

/*
 * A link, "<a href=\"URL\">", that do_tag() would write back byte for
 * byte: an http or https URL that resolves to itself (no dot segment in
 * its path) with nothing feed_trim() takes off and nothing attr_out()
 * escapes. The end of it, or NULL for do_tag(). Not inside svg (whose
 * own <a> takes other attributes) nor in dropped content (where do_tag()
 * writes nothing and lt_guard() may change what came before).
 */
static inline const char *
fast_link(const char *p)
{
	const char *v = p + 9, *e, *q, *path;

	if (strncmp(p, "<a href=\"", 9) != 0)
		return NULL;
	if (strncmp(v, "https://", 8) == 0)
		q = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		q = v + 7;
	else
		return NULL;
	e = v + strcspn(v, "\"<>&");
	if (*e != '"' || e[1] != '>' || e == q ||
	    strchr(" \t\n\r\f\v", e[-1]))
		return NULL;
	while (q < e && *q != '/' && *q != '?' && *q != '#')
		q++; /* the authority */
	path = q;
	for (; q < e && *q != '?' && *q != '#'; q++)
		if (q[0] == '/' && q + 1 < e && q[1] == '.')
			return NULL;
	if (path < e && *path == '.')
		return NULL;
	return e + 2;
}

static inline const char *
fast_ref(const char *p)
{
	const char *q = p + 1;
	unsigned long v = 0;

	if (a_alpha(*q)) {
		uint64_t k = 0;

		while (a_alnum(*q) || *q == '-' || *q == '.') {
			if (q - p <= 8)
				k |= (uint64_t)(unsigned char)*q
				     << (8 * (q - p - 1));
			q++;
		}
		if (*q != ';' ||
		    !entity_lookup_key(k, p + 1, (size_t)(q - p - 1)))
			return NULL; /* apos and the rest: the long way */
		return q + 1;
	}
	if (*q++ != '#')
		return NULL;
	/* decimal, at most 16 digits (no overflow), outside 0x80..0x9f */
	while (a_digit(*q) && q - p <= 18)
		v = v * 10 + (unsigned long)(*q++ - '0');
	if (*q != ';' || q == p + 2 || q - p > 18 || (v >= 0x80 && v <= 0x9f))
		return NULL;
	return q + 1;
}

static void
clean_loop(struct cleaner *c, const char *html, size_t n)
{
	const char *p = html, *run = html, *end = html + n;
	size_t mark;

	sets_ready();
	while (*p) {
		if (*p == '<') {
			struct htok t;
			const char *e = c->svg ? NULL : fast_tag(p);

			if (!e && p[1] == 'a' && !c->svg && !c->drop)
				e = fast_link(p);

			if (e) {
				p = e;
				continue;
			}
			htok_markup(p, &t);
			if (t.kind == HTOK_TEXT || tag_verbatim(c, &t)) {
				p = t.p;
				continue;
			}
			emit_text(c, run, (size_t)(p - run));
			mark = c->out.len;
			if (t.kind == HTOK_BOGUS) {
				/* not a declaration: sgmllib would choke */
				if (!c->drop)
					put_s(&c->out, "&lt;!");
			} else if (t.kind != HTOK_SKIP && !tag_short(c, &t)) {
				do_tag(c, &t);
			}
			lt_guard(c, mark);
			p = t.p;
			run = p;
		} else if (*p == '&') {
			struct htok_ref r;
			const char *e = fast_ref(p);

			if (e) {
				p = e;
				continue;
			}
			htok_ref(p, &r);
			if (ref_verbatim(&r)) {
				p = r.end;
				continue;
			}
			emit_text(c, run, (size_t)(p - run));
			mark = c->out.len;
			p = do_ref(c, p, &r);
			lt_guard(c, mark);
			run = p;
		} else {
			p = htok_text(p, end);
		}
	}
	emit_text(c, run, (size_t)(p - run));
	if (c->out.cap)
		c->out.buf[c->out.len] = '\0';
}

char *
markup_clean(const char *html, const char *base, bool is_html)
{
	struct cleaner c;
	size_t n = strlen(html);
	char *r;

	memset(&c, 0, sizeof(c));
	sbuf_init(&c.out, 0);
	sbuf_init(&c.scratch, 0);
	/* the output is about the input's size: allocate once, not by
	 * doubling, and give back the slack at the end */
	c.out.cap = n + n / 8 + 64;
	c.out.buf = xmalloc(c.out.cap);
	c.out.buf[0] = '\0';
	c.base = base;
	c.html = is_html;
	clean_loop(&c, html, n);
	sbuf_release(&c.scratch);
	n = c.out.len;
	r = sbuf_detach(&c.out, NULL);
	return xrealloc(r, n + 1);
}

void
markup_clean_into(const char *html, size_t n, const char *base,
		  bool is_html, struct sbuf *out, struct sbuf *scratch)
{
	struct cleaner c;
	size_t want = n + n / 8 + 64;

	if (out->max)
		BUG("markup_clean_into: capped output buffer");
	if (out->cap < want) {
		/* nothing to keep: a fresh buffer, not a copying realloc */
		if (out->cap)
			free(out->buf);
		out->buf = xmalloc(want);
		out->cap = want;
	}
	out->len = 0;
	out->buf[0] = '\0';
	memset(&c, 0, sizeof(c));
	c.out = *out;
	c.scratch = *scratch;
	c.base = base;
	c.html = is_html;
	clean_loop(&c, html, n);
	*out = c.out;
	*scratch = c.scratch;
}
