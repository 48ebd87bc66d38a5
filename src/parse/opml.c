/*
 * OPML in and out. Reading: folders (outlines without xmlUrl) become
 * tags of the feeds inside them; only http(s) feed URLs are accepted
 * (SECURITY.md: never exec/filter or file:// sources from imported data);
 * every outline that cannot be used is reported with its line. Writing
 * is escape-only text generation. No I/O here.
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
		if (!str_istarts(url, "http://") && !str_istarts(url, "https://")) {
			problem(d, (int)xmlGetLineNo(n),
				"is not an http(s) URL; skipped", url);
			free(url);
			free(title);
			continue;
		}
		{
			struct opml_outline *o;
			char *cat = attr(n, "category");
			size_t i;

			XGROW(d->v, d->cap, d->n + 1);
			o = &d->v[d->n++];
			memset(o, 0, sizeof(*o));
			o->url = url;
			o->title = title;
			o->site = attr(n, "htmlUrl");
			o->line = (int)xmlGetLineNo(n);
			for (i = 0; i < depth; i++) {
				if (!folders[i])
					continue;
				o->tags = xrealloc(o->tags, (o->ntags + 1) *
							   sizeof(char *));
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
							   (o->ntags + 1) *
								   sizeof(char *));
					o->tags[o->ntags++] = xstrdup(tok);
				}
				free(cat);
			}
		}
		/* outlines inside a feed outline are unusual; walk them too */
		if (n->children)
			walk(n->children, d, folders, depth);
	}
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
		out->bozo = true;
		doc = xmlReadMemory(bytes, (int)len, NULL, NULL,
				    opts | XML_PARSE_RECOVER);
	}
	if (!doc)
		return err_set(e, ERR_PARSE, "not an OPML file (not XML)");
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
