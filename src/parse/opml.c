/*
 * OPML in and out. Reading: folders (outlines without xmlUrl) become
 * tags of the feeds inside them; only http(s) feed URLs are accepted
 * (SECURITY.md: never exec/filter or file:// sources from imported data);
 * every outline that cannot be used is reported with its line. A file
 * that is not well-formed XML (as reader apps often export it: a bare '&'
 * or HTML entities in a title, raw <br> or quotes inside attribute
 * values, unquoted or repeated attributes, a cut-off end) is read again
 * by a lenient outline scanner, which takes every outline whose xmlUrl
 * can be recovered. Writing is escape-only text generation. No I/O here.
 */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "private.h"
#include "glean/banned.h"

#define OPML_MAX_DEPTH 64

void
opml_doc_release(struct opml_doc *d)
{
	size_t i, k;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].url);
		free(d->v[i].title);
		free(d->v[i].site);
		for (k = 0; k < d->v[i].ntags; k++)
			free(d->v[i].tags[k]);
		free(d->v[i].tags);
	}
	free(d->v);
	for (i = 0; i < d->nproblems; i++)
		free(d->problems[i]);
	free(d->problems);
	memset(d, 0, sizeof(*d));
}

static char *
attr(xmlNodePtr n, const char *name)
{
	xmlAttrPtr a;

	for (a = n->properties; a; a = a->next) {
		xmlNodePtr t;
		struct sbuf sb = SBUF_INIT;

		if (xmlStrcasecmp(a->name, (const xmlChar *)name) != 0)
			continue;
		sb.max = 64 * 1024;
		for (t = a->children; t; t = t->next)
			if (t->type == XML_TEXT_NODE && t->content)
				sbuf_adds(&sb, (const char *)t->content);
		if (sbuf_over(&sb)) { /* a cut URL is a wrong one: drop it */
			sbuf_release(&sb);
			return NULL;
		}
		{
			char *clean = text_sanitize(sb.buf, sb.len, true);

			sbuf_release(&sb);
			if (!*str_trim(clean)) {
				free(clean);
				return NULL;
			}
			{
				char *trimmed = xstrdup(str_trim(clean));

				free(clean);
				return trimmed;
			}
		}
	}
	return NULL;
}

static void
problem(struct opml_doc *d, int line, const char *what, const char *arg)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_addf(&sb, "line %d: ", line);
	if (arg)
		sbuf_addf(&sb, "'%s' %s", arg, what);
	else
		sbuf_adds(&sb, what);
	d->problems = xrealloc(d->problems,
			       (d->nproblems + 1) * sizeof(char *));
	d->problems[d->nproblems++] = sbuf_detach(&sb, NULL);
}

/* Keep one feed outline (taking url, title, site and cat), or report it
 * when its URL is not http(s). */
static void
add_outline(struct opml_doc *d, int line, char *url, char *title,
	    char *site, char *cat, char *const *folders, size_t depth)
{
	struct opml_outline *o;
	size_t i;

	if (!str_istarts(url, "http://") && !str_istarts(url, "https://")) {
		problem(d, line, "is not an http(s) URL; skipped", url);
		free(url);
		free(title);
		free(site);
		free(cat);
		return;
	}
	XGROW(d->v, d->cap, d->n + 1);
	o = &d->v[d->n++];
	memset(o, 0, sizeof(*o));
	o->url = url;
	o->title = title;
	o->site = site;
	o->line = line;
	for (i = 0; i < depth; i++) {
		if (!folders[i])
			continue;
		o->tags = xrealloc(o->tags, (o->ntags + 1) * sizeof(char *));
		o->tags[o->ntags++] = xstrdup(folders[i]);
	}
	if (cat) {
		/* category="a,b" or "/a/b" */
		char *p = cat, *tok;

		while ((tok = strsep(&p, ",/")) != NULL) {
			tok = str_trim(tok);
			if (!*tok)
				continue;
			o->tags = xrealloc(o->tags,
					   (o->ntags + 1) * sizeof(char *));
			o->tags[o->ntags++] = xstrdup(tok);
		}
		free(cat);
	}
}

static void
walk(xmlNodePtr n, struct opml_doc *d, char **folders, size_t depth)
{
	for (; n; n = n->next) {
		char *url, *title;

		if (n->type != XML_ELEMENT_NODE ||
		    xmlStrcasecmp(n->name, (const xmlChar *)"outline") != 0)
			continue;
		url = attr(n, "xmlUrl");
		title = attr(n, "title");
		if (!title)
			title = attr(n, "text");
		if (!url) {
			/* a folder */
			if (depth < OPML_MAX_DEPTH) {
				folders[depth] = title;
				walk(n->children, d, folders, depth + 1);
			} else {
				problem(d, (int)xmlGetLineNo(n),
					"folders nested too deeply", NULL);
			}
			free(title);
			continue;
		}
		add_outline(d, (int)xmlGetLineNo(n), url, title,
			    attr(n, "htmlUrl"), attr(n, "category"), folders,
			    depth);
		/* outlines inside a feed outline are unusual; walk them too */
		if (n->children)
			walk(n->children, d, folders, depth);
	}
}

/* ---- the recovery pass: a lenient outline scanner ---- */

#define OPML_MAX_VALUE (64 * 1024)

struct scan {
	const char *s, *end;
	const char *lp; /* newlines are counted up to here */
	int line;
};

static int
scan_line(struct scan *sc, const char *p)
{
	for (; sc->lp < p; sc->lp++)
		if (*sc->lp == '\n')
			sc->line++;
	return sc->line;
}

static bool
sp(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A character that may be in an attribute name as exporters write them. */
static bool
name_ch(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '-' ||
	       c == '.';
}

static bool
ci_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

/* Whether a quote at p can close an attribute value: what follows is the
 * end of the tag or the next name="...". A quote followed by anything
 * else is a quote inside the value (title="The "Best" blog"). */
static bool
closes_value(const char *p, const char *end)
{
	const char *q = p + 1, *n;

	while (q < end && sp(*q))
		q++;
	if (q == end || *q == '>' || (*q == '/' && q + 1 < end && q[1] == '>'))
		return true;
	for (n = q; n < end && name_ch(*n); n++)
		;
	if (n == q)
		return false;
	while (n < end && sp(*n))
		n++;
	return n < end && *n == '=';
}

/* An attribute value decoded leniently: character and entity references
 * (XML's and HTML 4's) become characters, a '&' that starts none stays,
 * white space becomes a space (XML 1.0 §3.3.3); sanitised and trimmed
 * as attr() does. NULL when empty or longer than OPML_MAX_VALUE. */
static char *
value_decode(const char *v, size_t n)
{
	struct sbuf sb = SBUF_INIT;
	size_t i = 0;
	char *clean, *out;

	if (n > OPML_MAX_VALUE)
		return NULL;
	while (i < n) {
		const char *semi;
		uint32_t cp = 0;
		char u[4];

		if (v[i] != '&' ||
		    !(semi = memchr(v + i, ';', n - i < 34 ? n - i : 34))) {
			sbuf_addch(&sb, sp(v[i]) ? ' ' : v[i]);
			i++;
			continue;
		}
		if (v[i + 1] == '#') {
			const char *d = v + i + 2;
			int base = 10;

			if (d < semi && (*d == 'x' || *d == 'X')) {
				base = 16;
				d++;
			}
			if (d == semi)
				cp = 0;
			for (; d < semi; d++) {
				int x = *d >= '0' && *d <= '9' ? *d - '0' :
					base == 16 && *d >= 'a' && *d <= 'f' ?
						*d - 'a' + 10 :
					base == 16 && *d >= 'A' && *d <= 'F' ?
						*d - 'A' + 10 :
						-1;

				if (x < 0 || cp > 0x10FFFF) {
					cp = 0;
					break;
				}
				cp = cp * (uint32_t)base + (uint32_t)x;
			}
			if (cp > 0x10FFFF || !xml_char(cp))
				cp = 0;
		} else if (ci_eq(v + i + 1, (size_t)(semi - v - i - 1),
				 "apos")) {
			cp = '\'';
		} else {
			cp = entity_lookup(v + i + 1, (size_t)(semi - v - i - 1));
		}
		if (!cp) {
			sbuf_addch(&sb, '&');
			i++;
			continue;
		}
		sbuf_add(&sb, u, (size_t)utf8_encode(cp, u));
		i = (size_t)(semi - v) + 1;
	}
	clean = text_sanitize(sb.buf ? sb.buf : "", sb.len, true);
	sbuf_release(&sb);
	out = *str_trim(clean) ? xstrdup(str_trim(clean)) : NULL;
	free(clean);
	return out;
}

struct tag {
	char *url, *title, *text, *site, *cat;
	bool url_seen;    /* an xmlUrl attribute, readable or not */
	bool self_closed; /* <outline .../> */
	bool cut;         /* the file ends inside the tag */
};

static void
tag_set(char **slot, const char *v, size_t n)
{
	if (!*slot)
		*slot = value_decode(v, n);
}

/* The attributes of an outline from p (just after "<outline") to the end
 * of its tag; returns where scanning goes on. */
static const char *
scan_attrs(const char *p, const char *end, struct tag *t)
{
	for (;;) {
		const char *name, *v;
		size_t nn, vn;

		while (p < end && (sp(*p) || (*p == '/' && !(p + 1 < end &&
							     p[1] == '>'))))
			p++;
		if (p == end) {
			t->cut = true;
			return p;
		}
		if (*p == '>')
			return p + 1;
		if (*p == '/') {
			t->self_closed = true;
			return p + 2;
		}
		name = p;
		while (p < end && name_ch(*p))
			p++;
		nn = (size_t)(p - name);
		if (nn == 0) { /* a stray quote or other junk */
			p++;
			continue;
		}
		while (p < end && sp(*p))
			p++;
		if (p == end || *p != '=')
			continue; /* a name without a value */
		p++;
		while (p < end && sp(*p))
			p++;
		if (p < end && (*p == '"' || *p == '\'')) {
			char q = *p++;
			const char *c = p, *first = NULL;

			v = p;
			for (;;) {
				c = memchr(c, q, (size_t)(end - c));
				if (!c)
					break;
				if (!first)
					first = c;
				if (closes_value(c, end))
					break;
				c++;
			}
			if (!c)
				c = first; /* no quote ends it well: the first */
			if (!c) {
				t->cut = true;
				if (ci_eq(name, nn, "xmlUrl"))
					t->url_seen = true;
				return end;
			}
			vn = (size_t)(c - v);
			p = c + 1;
		} else {
			/* unquoted, as in HTML */
			v = p;
			while (p < end && !sp(*p) && *p != '>' &&
			       !(*p == '/' && p + 1 < end && p[1] == '>'))
				p++;
			vn = (size_t)(p - v);
		}
		if (ci_eq(name, nn, "xmlUrl")) {
			t->url_seen = true;
			tag_set(&t->url, v, vn);
		} else if (ci_eq(name, nn, "title")) {
			tag_set(&t->title, v, vn);
		} else if (ci_eq(name, nn, "text")) {
			tag_set(&t->text, v, vn);
		} else if (ci_eq(name, nn, "htmlUrl")) {
			tag_set(&t->site, v, vn);
		} else if (ci_eq(name, nn, "category")) {
			tag_set(&t->cat, v, vn);
		}
	}
}

/* An xmlUrl= the attribute scan could not see, inside the value of
 * another (title="unclosed xmlUrl="https://..."/>): the URL after it, up
 * to a quote, space or '>'. */
static char *
rescue_url(const char *s, const char *end, bool *seen)
{
	const char *p, *v;

	for (p = s; p + 7 <= end; p++) {
		if (strncasecmp(p, "xmlUrl", 6) != 0)
			continue;
		*seen = true;
		v = p + 6;
		while (v < end && sp(*v))
			v++;
		if (v == end || *v != '=')
			continue;
		v++;
		while (v < end && sp(*v))
			v++;
		if (v < end && (*v == '"' || *v == '\''))
			v++;
		for (p = v; p < end && !sp(*p) && *p != '"' && *p != '\'' &&
			    *p != '>';
		     p++)
			;
		return p > v ? value_decode(v, (size_t)(p - v)) : NULL;
	}
	return NULL;
}

/* The end of a comment, CDATA section, PI or declaration at p, or end. */
static const char *
skip_markup(const char *p, const char *end)
{
	const char *term = ">", *f;
	size_t n = (size_t)(end - p);

	if (n >= 4 && memcmp(p, "<!--", 4) == 0)
		term = "-->";
	else if (n >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
		term = "]]>";
	else if (n >= 2 && p[1] == '?')
		term = "?>";
	for (f = p + 2; f + strlen(term) <= end; f++)
		if (memcmp(f, term, strlen(term)) == 0)
			return f + strlen(term);
	return end;
}

/* Every <outline> of s, nested by </outline>, whatever else is wrong
 * with the file. false when there is no <opml> tag at all. */
static bool
scan_outlines(const char *s, size_t len, struct opml_doc *d)
{
	struct scan sc = { s, s + len, s, 1 };
	char *folders[OPML_MAX_DEPTH] = { 0 };
	size_t depth = 0, over = 0, i;
	const char *p = s, *end = s + len;
	bool opml = false;

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		const char *name, *n;
		struct tag t;
		int line;

		if (p + 1 < end && (p[1] == '!' || p[1] == '?')) {
			p = skip_markup(p, end);
			continue;
		}
		if (p + 1 < end && p[1] == '/') {
			for (n = p + 2; n < end && name_ch(*n); n++)
				;
			if (ci_eq(p + 2, (size_t)(n - p - 2), "outline")) {
				if (over)
					over--;
				else if (depth)
					free(folders[--depth]);
			}
			p = n;
			continue;
		}
		name = p + 1;
		for (n = name; n < end && name_ch(*n); n++)
			;
		if (ci_eq(name, (size_t)(n - name), "opml"))
			opml = true;
		if (!ci_eq(name, (size_t)(n - name), "outline") ||
		    (n < end && !sp(*n) && *n != '>' && *n != '/')) {
			p = n;
			continue;
		}
		line = scan_line(&sc, p);
		memset(&t, 0, sizeof(t));
		p = scan_attrs(n, end, &t);
		if (!t.url_seen)
			t.url = rescue_url(n, p, &t.url_seen);
		if (!t.title) {
			t.title = t.text;
			t.text = NULL;
		}
		free(t.text);
		if (t.url) {
			add_outline(d, line, t.url, t.title, t.site, t.cat,
				    folders, depth < OPML_MAX_DEPTH ?
					    depth : OPML_MAX_DEPTH);
			t.title = NULL; /* taken */
			if (!t.self_closed && !t.cut) {
				/* what it holds is not in a folder of it */
				if (depth < OPML_MAX_DEPTH)
					folders[depth++] = NULL;
				else
					over++;
			}
		} else if (t.url_seen || t.cut) {
			problem(d, line, t.cut ? "the file ends inside this "
				"outline; skipped" : "outline whose xmlUrl "
				"cannot be read; skipped", NULL);
			free(t.site);
			free(t.cat);
		} else {
			/* a folder */
			free(t.site);
			free(t.cat);
			if (!t.self_closed) {
				if (depth < OPML_MAX_DEPTH) {
					folders[depth++] = t.title;
					t.title = NULL;
				} else {
					if (!over)
						problem(d, line, "folders "
							"nested too deeply",
							NULL);
					over++;
				}
			}
		}
		free(t.title);
	}
	for (i = 0; i < depth; i++)
		free(folders[i]);
	return opml;
}

int
opml_parse(const char *bytes, size_t len, struct opml_doc *out, struct err *e)
{
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		   XML_PARSE_NOCDATA;
	char *folders[OPML_MAX_DEPTH] = { 0 };
	xmlDocPtr doc;
	xmlNodePtr root, body;

	memset(out, 0, sizeof(*out));
	if (len > 64u << 20)
		return err_set(e, ERR_LIMIT, "OPML file larger than 64 MiB");
	/* the entity loader that refuses everything, set once */
	parse_xml_init();
	doc = xmlReadMemory(bytes, (int)len, NULL, NULL, opts);
	if (!doc) {
		/* not well-formed: the lenient scanner, on the bytes as
		 * UTF-8 (declared, or detected as for feeds) */
		struct enc_result r;
		bool found;

		out->bozo = true;
		enc_to_utf8(bytes, len, NULL, false, &r);
		found = scan_outlines(r.utf8, r.len, out);
		enc_result_release(&r);
		if (!found) {
			opml_doc_release(out);
			return err_set(e, ERR_PARSE, "not an OPML file (no "
				       "<opml> element)");
		}
		return 0;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || xmlStrcasecmp(root->name, (const xmlChar *)"opml") != 0) {
		xmlFreeDoc(doc);
		return err_set(e, ERR_PARSE, "not an OPML file (the root "
			       "element is not <opml>)");
	}
	for (body = root->children; body; body = body->next)
		if (body->type == XML_ELEMENT_NODE &&
		    !xmlStrcasecmp(body->name, (const xmlChar *)"body"))
			break;
	if (body)
		walk(body->children, out, folders, 0);
	else
		problem(out, (int)xmlGetLineNo(root), "no <body> element",
			NULL);
	xmlFreeDoc(doc);
	return 0;
}
