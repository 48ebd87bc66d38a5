/*
 * markup.c: HTML found inside feed fields, normalised the way feedparser
 * hands it out. A small tag-soup tokenizer re-serializes the markup with
 * lower-case names, sorted and escaped attributes, "<br />" for void
 * elements and character references kept as written; relative URLs in
 * the usual attributes are resolved; elements and attributes outside an
 * allow-list are dropped (script, style and applet with their content).
 * It also decides whether plain text "looks like HTML". This is not a
 * renderer (html.c turns HTML into terminal text) and it never decodes
 * entities. It is safe on any thread: the name tables are built once
 * (pthread_once) and only read after, and a cleaner's buffers are its
 * caller's.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
};

static struct nset el_set, at_set;
static pthread_once_t sets_once = PTHREAD_ONCE_INIT;

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
	nset_add_list(&at_set, ok_attributes, ARRAY_SIZE(ok_attributes),
		      AT_OK);
	nset_add_list(&at_set, svg_attributes, ARRAY_SIZE(svg_attributes),
		      AT_SVG);
	nset_add_list(&at_set, mathml_attributes,
		      ARRAY_SIZE(mathml_attributes), AT_MATHML);
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
	pthread_once(&sets_once, sets_build);
}

/* ASCII classes, the C locale's whatever the process's locale is. */
static inline bool
a_alpha(char c)
{
	return (unsigned)(((unsigned char)c | 0x20) - 'a') < 26u;
}

static inline bool
a_digit(char c)
{
	return (unsigned)((unsigned char)c - '0') < 10u;
}

static inline bool
a_alnum(char c)
{
	return a_alpha(c) || a_digit(c);
}

static inline bool
a_space(char c)
{
	return c == ' ' || (unsigned)((unsigned char)c - '\t') < 5u;
}

static inline char
a_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool
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

/* ---- the re-serializer ---- */

static bool
scheme_safe(const char *u)
{
	static const char *const bad[] = { "javascript", "vbscript", "data",
					   "livescript", "mocha" };
	const char *c = strchr(u, ':');
	size_t i, n;

	while (*u == ' ' || *u == '\t' || *u == '\n')
		u++;
	if (!c)
		return true;
	n = (size_t)(c - u);
	if (strcspn(u, "/?#") < n)
		return true;
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (strlen(bad[i]) == n && strncasecmp(u, bad[i], n) == 0)
			return false;
	return true;
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

static const char *
attr_find(struct cleaner *c, const struct hattr *at, size_t n,
	  const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(SC(c, at[i].name), name) == 0)
			return SC(c, at[i].value);
	return NULL;
}

/* Append s (n bytes) and a NUL to the scratch buffer; its offset. */
static size_t
scratch_add(struct cleaner *c, const char *s, size_t n)
{
	size_t off = c->scratch.len;

	sbuf_add(&c->scratch, s, n);
	sbuf_add(&c->scratch, "", 1);
	return off;
}

static void
attr_push(struct cleaner *c, struct hattr *at, size_t *nattr,
	  const char *name, const char *value)
{
	at[*nattr].nlen = strlen(name);
	at[*nattr].name = scratch_add(c, name, at[*nattr].nlen);
	at[*nattr].value = scratch_add(c, value, strlen(value));
	(*nattr)++;
}

#define SVG_NS "http://www.w3.org/2000/svg"
#define MATHML_NS "http://www.w3.org/1998/Math/MathML"
#define XLINK_NS "http://www.w3.org/1999/xlink"

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

static bool
tag_name_char(char c)
{
	return a_alnum(c) || c == '-' || c == '.' || c == ':' || c == '_';
}

/* Sort attributes by name (names are unique: duplicates were merged);
 * insertion sort, as tags have few. */
static void
attrs_sort(struct cleaner *c, struct hattr *at, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct hattr t = at[i];

		for (j = i; j > 0 && strcmp(SC(c, at[j - 1].name),
					    SC(c, t.name)) > 0; j--)
			at[j] = at[j - 1];
		at[j] = t;
	}
}

/*
 * Most tags: an allowed name and no attributes, outside svg. This does
 * what do_tag() does for them, without its frame; NULL when the tag is
 * anything else (do_tag() then takes it from the start).
 */
static inline const char *
tag_fast(struct cleaner *c, const char *s)
{
	const char *p = s + 1;
	char tag[32];
	size_t n = 0;
	bool end = false;
	unsigned el;

	if (c->svg)
		return NULL;
	if (*p == '/') {
		end = true;
		p++;
	}
	while (n < sizeof(tag) - 1 && tag_name_char(*p))
		tag[n++] = a_lower(*p++);
	if (n == 0 || *p != '>')
		return NULL;
	el = el_flags(tag, n);
	if (!(el & EL_OK))
		return NULL;
	if (c->drop)
		return p + 1;
	if (end) {
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
	return p + 1;
}

/*
 * The commonest markup comes out exactly as it went in: a lower-case
 * allowed tag without attributes that is not void ("<p>", "</em>"), a
 * known named reference with its ';', a decimal reference outside the
 * windows-1252 range. These return the end of such a construct (NULL for
 * anything else) so that clean_loop() keeps it in the current text run
 * and copies tags, references and text between them in one piece.
 */
static inline bool
lower_name_char(char c)
{
	return (unsigned)((unsigned char)c - 'a') < 26u || a_digit(c) ||
	       c == '-' || c == '.' || c == ':' || c == '_';
}

static inline const char *
tag_verbatim(const struct cleaner *c, const char *s)
{
	const char *p = s + 1, *nm;
	size_t n;

	if (c->svg)
		return NULL;
	if (*p == '/')
		p++;
	nm = p;
	while (lower_name_char(*p))
		p++;
	n = (size_t)(p - nm);
	if (n == 0 || n >= 32 || *p != '>' || !a_alpha(*nm))
		return NULL;
	if ((el_flags(nm, n) & (EL_OK | EL_VOID)) != EL_OK)
		return NULL;
	return p + 1;
}

static inline const char *
ref_verbatim(const char *s)
{
	const char *p = s + 1, *q;

	if (a_alpha(*p)) {
		for (q = p; a_alnum(*q) || *q == '-' || *q == '.'; q++)
			;
		if (*q == ';' &&
		    (entity_lookup(p, (size_t)(q - p)) ||
		     ((size_t)(q - p) == 4 && memcmp(p, "apos", 4) == 0)))
			return q + 1;
		return NULL;
	}
	if (*p == '#' && a_digit(p[1])) {
		unsigned long v = 0;

		for (q = p + 1; a_digit(*q) && q - p <= 16; q++)
			v = v * 10 + (unsigned long)(*q - '0');
		if (*q != ';' || (v >= 0x80 && v <= 0x9f))
			return NULL;
		return q + 1;
	}
	return NULL;
}

/* A start or end tag at s ('<' already seen); returns the end. */
static const char *
do_tag(struct cleaner *c, const char *s)
{
	const char *p = s + 1, *nm;
	char tag[32];
	size_t n = 0, i, nattr = 0, out_len;
	bool end = false, selfclose = false, camel = false, okel;
	struct hattr at[64];
	const char *out_tag;
	unsigned el, want = AT_OK;

	if (*p == '/') {
		end = true;
		p++;
	}
	nm = p;
	while (tag_name_char(*p))
		p++;
	n = (size_t)(p - nm);
	if (n == 0 || n >= sizeof(tag)) {
		emit_text(c, "<", 1);
		return s + 1;
	}
	for (i = 0; i < n; i++)
		tag[i] = a_lower(nm[i]);
	tag[n] = '\0';
	out_tag = tag;
	sbuf_reset(&c->scratch);
	/* attributes */
	for (;;) {
		const char *an, *vs;
		size_t alen, vlen, name, value;
		char *v;

		while (a_space(*p))
			p++;
		if (!*p)
			break;
		if (*p == '>') {
			p++;
			break;
		}
		if (*p == '/' && p[1] == '>') {
			selfclose = true;
			p += 2;
			break;
		}
		if (*p == '/' || *p == '"' || *p == '\'' || *p == '=') {
			p++;
			continue;
		}
		an = p;
		while (*p && !a_space(*p) && *p != '=' && *p != '>' &&
		       !(*p == '/' && p[1] == '>'))
			p++;
		alen = (size_t)(p - an);
		while (a_space(*p))
			p++;
		if (*p == '=') {
			p++;
			while (a_space(*p))
				p++;
			if (*p == '"' || *p == '\'') {
				char q = *p++;

				vs = p;
				while (*p && *p != q)
					p++;
				vlen = (size_t)(p - vs);
				if (*p)
					p++;
			} else {
				vs = p;
				while (*p && !a_space(*p) && *p != '>')
					p++;
				vlen = (size_t)(p - vs);
			}
		} else {
			/* a bare attribute's value is its name as written */
			vs = an;
			vlen = alen;
		}
		name = scratch_add(c, an, alen);
		for (v = SC(c, name); *v; v++)
			*v = a_lower(*v);
		value = scratch_add(c, vs, vlen);
		if ((alen == 3 && memcmp(SC(c, name), "rel", 3) == 0) ||
		    (alen == 4 && memcmp(SC(c, name), "type", 4) == 0))
			for (v = SC(c, value); *v; v++)
				*v = a_lower(*v);
		/* duplicates: the last value wins */
		for (i = 0; i < nattr; i++)
			if (at[i].nlen == alen &&
			    memcmp(SC(c, at[i].name), SC(c, name), alen) == 0)
				break;
		if (i < nattr) {
			at[i].value = value;
		} else if (nattr < ARRAY_SIZE(at)) {
			at[nattr].name = name;
			at[nattr].nlen = alen;
			at[nattr].value = value;
			nattr++;
		}
	}

	el = el_flags(tag, n);
	okel = (el & EL_OK) != 0;
	if (!okel || (c->svg && !end)) {
		if (el & EL_DROP) {
			if (end) {
				if (c->drop > 0)
					c->drop--;
			} else if (!selfclose) {
				c->drop++;
			}
		}
		if (end) {
			if (c->mathml && (el & EL_MATHML)) {
				if (strcmp(tag, "math") == 0)
					c->mathml--;
			} else if (c->svg && (el & EL_SVG)) {
				if (strcmp(tag, "svg") == 0)
					c->svg--;
				out_tag = svg_case(tag);
			} else if (!okel) {
				goto out;
			}
		} else {
			const char *x;

			if (c->html && !attr_find(c, at, nattr, "xmlns") &&
			    nattr < ARRAY_SIZE(at) &&
			    (strcmp(tag, "svg") == 0 ||
			     strcmp(tag, "math") == 0))
				attr_push(c, at, &nattr, "xmlns",
					  tag[0] == 's' ? SVG_NS : MATHML_NS);
			x = attr_find(c, at, nattr, "xmlns");
			if (strcmp(tag, "math") == 0 && x &&
			    strcmp(x, MATHML_NS) == 0)
				c->mathml++;
			if (strcmp(tag, "svg") == 0 && x &&
			    strcmp(x, SVG_NS) == 0)
				c->svg++;
			if (c->mathml && (el & EL_MATHML)) {
				want = AT_MATHML;
			} else if (c->svg && (el & EL_SVG)) {
				want = AT_SVG;
				out_tag = svg_case(tag);
				camel = true;
			} else if (!okel) {
				goto out;
			}
		}
	}
	if ((c->svg || c->mathml) && !end && nattr < ARRAY_SIZE(at)) {
		bool xl = false;

		for (i = 0; i < nattr; i++)
			if (str_starts(SC(c, at[i].name), "xlink:"))
				xl = true;
		if (xl && !attr_find(c, at, nattr, "xmlns:xlink"))
			attr_push(c, at, &nattr, "xmlns:xlink", XLINK_NS);
	}
	out_len = out_tag == tag ? n : strlen(out_tag);
	if (end) {
		if (!(el & EL_VOID) && !c->drop)
			add_end_tag(&c->out, out_tag, out_len);
		goto out;
	}
	if (c->drop)
		goto out;
	attrs_sort(c, at, nattr);
	put_ch(&c->out, '<');
	put(&c->out, out_tag, out_len);
	for (i = 0; i < nattr; i++) {
		const char *name = SC(c, at[i].name);
		char *v = SC(c, at[i].value), *abs = NULL;

		if (!(at_flags(name, at[i].nlen) & want))
			continue;
		if ((el & EL_URI) && is_uri_attr(tag, name)) {
			feed_trim(v);
			/* most links are absolute: resolving copies them */
			if (c->base && *c->base && !url_self_resolving(v))
				v = abs = url_resolve(c->base, v);
			if (!scheme_safe(v))
				v[0] = '\0';
		} else if (at[i].nlen == 4 && memcmp(name, "href", 4) == 0 &&
			   !scheme_safe(v)) {
			v[0] = '\0';
		}
		put_ch(&c->out, ' ');
		if (camel)
			put_s(&c->out, svg_case(name));
		else
			put(&c->out, name, at[i].nlen);
		put(&c->out, "=\"", 2);
		attr_out(&c->out, v);
		put_ch(&c->out, '"');
		free(abs);
	}
	if (el & EL_VOID) {
		put(&c->out, " />", 3);
	} else {
		put_ch(&c->out, '>');
		/* sgmllib expands only a bare "<tag/>" */
		if (selfclose && nattr == 0)
			add_end_tag(&c->out, out_tag, out_len);
	}
out:
	return p;
}

static const char *
do_ref(struct cleaner *c, const char *s)
{
	const char *p = s + 1;

	if (*p == '#') {
		const char *d = p + 1;
		bool hex = *d == 'x' || *d == 'X';
		unsigned long v;
		char *end;

		if (hex)
			d++;
		v = strtoul(d, &end, hex ? 16 : 10);
		if (end == d || (!hex && !a_digit(*d))) {
			emit_text(c, "&", 1);
			return s + 1;
		}
		if (!c->drop) {
			if (v >= 0x80 && v <= 0x9f && cp1252[v - 0x80]) {
				sbuf_addf(&c->out, "&#x%x;",
					  (unsigned)cp1252[v - 0x80]);
			} else {
				char ref[24];
				size_t k, m = (size_t)(end - d);

				if (m > 16)
					m = 16;
				for (k = 0; k < m; k++)
					ref[k] = a_lower(d[k]);
				put(&c->out, hex ? "&#x" : "&#", hex ? 3 : 2);
				put(&c->out, ref, m);
				put_ch(&c->out, ';');
			}
		}
		return *end == ';' ? end + 1 : end;
	}
	if (a_alpha(*p)) {
		const char *q = p;

		while (a_alnum(*q) || *q == '-' || *q == '.')
			q++;
		if (!*q) {
			emit_text(c, s, (size_t)(q - s));
			return q;
		}
		if (!c->drop) {
			if (entity_lookup(p, (size_t)(q - p)) ||
			    ((size_t)(q - p) == 4 && memcmp(p, "apos", 4) == 0)) {
				put_ch(&c->out, '&');
				put(&c->out, p, (size_t)(q - p));
				put_ch(&c->out, ';');
			} else {
				put(&c->out, "&amp;", 5);
				put(&c->out, p, (size_t)(q - p));
			}
		}
		return *q == ';' ? q + 1 : q;
	}
	emit_text(c, "&", 1);
	return s + 1;
}

/* The first '<' or '&' in [p, end), or end: the text runs between
 * markup are most of the bytes, scanned 16 at a time where SSE2 is. */
static const char *
scan_text(const char *p, const char *end)
{
#if defined(__SSE2__)
	const __m128i lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&');

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(v, lt),
				     _mm_cmpeq_epi8(v, amp)));

		if (m)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	while (p < end && *p != '<' && *p != '&')
		p++;
	return p;
}

/* The cleaning loop: html (n bytes, NUL at html[n]) appended to c->out,
 * which has room for n + n / 8 + 64 bytes. */
static void
clean_loop(struct cleaner *c, const char *html, size_t n)
{
	const char *p = html, *run = html, *end = html + n;

	sets_ready();
	while (*p) {
		if (*p == '<') {
			const char *v = tag_verbatim(c, p);

			if (v) {
				p = v;
				continue;
			}
			emit_text(c, run, (size_t)(p - run));
			if (p[1] == '!' && p[2] == '-' && p[3] == '-') {
				const char *e = strstr(p + 4, "-->");

				p = e ? e + 3 : p + strlen(p);
			} else if (p[1] == '!' &&
				   strncasecmp(p + 2, "DOCTYPE", 7) != 0 &&
				   p[2] != '[') {
				/* not a declaration: sgmllib would choke */
				if (!c->drop)
					put_s(&c->out, "&lt;!");
				p += 2;
			} else if (p[1] == '!' || p[1] == '?') {
				const char *e = strchr(p, '>');

				if (!e) {
					/* unfinished: it is text */
					emit_text(c, p, strlen(p));
					p += strlen(p);
				} else {
					p = e + 1;
				}
			} else if (p[1] == '>') {
				p += 2; /* SGML empty tag */
			} else if (a_alpha(p[1]) ||
				   (p[1] == '/' && a_alpha(p[2]))) {
				const char *q = tag_fast(c, p);

				p = q ? q : do_tag(c, p);
			} else {
				emit_text(c, "<", 1);
				p++;
			}
			run = p;
		} else if (*p == '&') {
			const char *v = ref_verbatim(p);

			if (v) {
				p = v;
				continue;
			}
			emit_text(c, run, (size_t)(p - run));
			p = do_ref(c, p);
			run = p;
		} else {
			p = scan_text(p, end);
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
