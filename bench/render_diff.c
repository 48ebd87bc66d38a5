/*
 * bench/render_diff.c: the renderer's tree (src/parse/htree.c) against
 * the one libxml2's HTML parser builds from the same input, with the
 * options html.c used before the renderer moved off libxml2. For each
 * field of a fields file (records of an 8-byte little-endian length and
 * the bytes) it serializes both trees the same way (elements with their
 * attributes, text with adjacent runs joined, <script>/<style> content
 * left out since the renderer skips it) and compares them; then it
 * times tree building both ways and render_html() over all fields.
 *   render_diff FIELDS [REPS]
 * Prints "N trees, M identical", the indexes of those that differ, and
 * the CPU seconds. Exit status 1 when a tree differs.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/HTMLparser.h>

#include "glean/base.h"
#include "glean/render.h"
#include "private.h"

#define OPTS (HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | \
	      HTML_PARSE_RECOVER | HTML_PARSE_IGNORE_ENC)

static void
text_out(struct sbuf *o, bool *in_text, const char *s, size_t n)
{
	if (!*in_text)
		sbuf_adds(o, "|");
	sbuf_add(o, s, n);
	*in_text = true;
}

static void
end_text(struct sbuf *o, bool *in_text)
{
	if (*in_text)
		sbuf_adds(o, "|\n");
	*in_text = false;
}

static void
xml_dump(struct sbuf *o, xmlNode *n, int depth, bool *in_text)
{
	for (; n; n = n->next) {
		if (n->type == XML_ELEMENT_NODE) {
			end_text(o, in_text);
			sbuf_addf(o, "%*s<%s", depth, "", (const char *)n->name);
			for (xmlAttr *a = n->properties; a; a = a->next) {
				sbuf_addf(o, " %s=\"", (const char *)a->name);
				for (xmlNode *t = a->children; t; t = t->next)
					if (t->content)
						sbuf_adds(o, (const char *)t->content);
				sbuf_adds(o, "\"");
			}
			sbuf_adds(o, ">\n");
			if (strcmp((const char *)n->name, "script") &&
			    strcmp((const char *)n->name, "style"))
				xml_dump(o, n->children, depth + 1, in_text);
			end_text(o, in_text);
		} else if ((n->type == XML_TEXT_NODE ||
			    n->type == XML_CDATA_SECTION_NODE) && n->content) {
			text_out(o, in_text, (const char *)n->content,
				 strlen((const char *)n->content));
		}
	}
}

static void
htree_dump(struct sbuf *o, const struct htree *t, uint32_t n, int depth,
	   bool *in_text)
{
	for (; n; n = t->v[n].next) {
		const struct hnode *h = &t->v[n];
		const char *name = t->str.buf + h->name, *a;

		if (h->type == HN_TEXT) {
			text_out(o, in_text, name, h->len);
			continue;
		}
		end_text(o, in_text);
		sbuf_addf(o, "%*s<%s", depth, "", name);
		a = t->str.buf + h->attrs;
		for (uint32_t i = 0; i < h->len; i++) {
			sbuf_addf(o, " %s=\"", a);
			a += strlen(a) + 1;
			sbuf_addf(o, "%s\"", a);
			a += strlen(a) + 1;
		}
		sbuf_adds(o, ">\n");
		if (strcmp(name, "script") && strcmp(name, "style"))
			htree_dump(o, t, h->first, depth + 1, in_text);
		end_text(o, in_text);
	}
}

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	FILE *f;
	struct sbuf *clean = NULL;
	size_t n = 0, cap = 0, same = 0, i;
	uint64_t len;
	int reps = argc > 2 ? atoi(argv[2]) : 5, r;
	double t0;

	if (argc < 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: render_diff FIELDS [REPS]\n");
		return 2;
	}
	setlocale(LC_CTYPE, "C.UTF-8");
	while (fread(&len, 8, 1, f) == 1) {
		char *buf = xmalloc(len + 1);

		if (fread(buf, 1, len, f) != len)
			return 2;
		XGROW(clean, cap, n + 1);
		sbuf_init(&clean[n], 0);
		/* what render_html() parses: sanitized UTF-8 */
		text_sanitize_to(&clean[n], buf, len, false);
		n++;
		free(buf);
	}
	fclose(f);
	for (i = 0; i < n; i++) {
		struct sbuf a = SBUF_INIT, b = SBUF_INIT;
		struct htree t;
		htmlDocPtr doc = NULL;
		bool in_text = false;

		if (clean[i].len)
			doc = htmlReadMemory(clean[i].buf, (int)clean[i].len,
					     NULL, "UTF-8", OPTS);
		if (doc)
			xml_dump(&a, doc->children, 0, &in_text);
		end_text(&a, &in_text);
		htree_build(&t, clean[i].buf ? clean[i].buf : "");
		htree_dump(&b, &t, t.v[0].first, 0, &in_text);
		end_text(&b, &in_text);
		if (a.len == b.len && !memcmp(a.buf, b.buf, a.len))
			same++;
		else
			printf("differs: %zu\n", i);
		htree_release(&t);
		if (doc)
			xmlFreeDoc(doc);
		sbuf_release(&a);
		sbuf_release(&b);
	}
	printf("%zu trees, %zu identical\n", n, same);

	t0 = cpu_now();
	for (r = 0; r < reps; r++)
		for (i = 0; i < n; i++)
			if (clean[i].len)
				xmlFreeDoc(htmlReadMemory(clean[i].buf,
							  (int)clean[i].len,
							  NULL, "UTF-8", OPTS));
	printf("libxml2 tree x%d: %.3f s CPU\n", reps, cpu_now() - t0);
	t0 = cpu_now();
	for (r = 0; r < reps; r++)
		for (i = 0; i < n; i++) {
			struct htree t;

			htree_build(&t, clean[i].buf ? clean[i].buf : "");
			htree_release(&t);
		}
	printf("htree x%d: %.3f s CPU\n", reps, cpu_now() - t0);
	t0 = cpu_now();
	for (r = 0; r < reps; r++)
		for (i = 0; i < n; i++) {
			struct render_out ro;

			render_html(clean[i].buf, clean[i].len,
				    "http://example.org/a/", 80, &ro, NULL);
			render_out_release(&ro);
		}
	printf("render_html x%d: %.3f s CPU\n", reps, cpu_now() - t0);
	for (i = 0; i < n; i++)
		sbuf_release(&clean[i]);
	free(clean);
	return same == n ? 0 : 1;
}
