/*
 * glean parse: one document through the feed parser, printed as the
 * parse dump of DESIGN.md §6. It reads a file as if it had been fetched
 * from --url with the given response headers, so tests and the
 * conformance tool can score the parser without a network. It needs no
 * config and no store.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "glean/cmd.h"
#include "glean/parse.h"
#include "glean/banned.h"

#define PARSE_MAX_FILE (256u << 20)

static const char usage[] =
	"usage: glean parse --json [--url DOC_URL] [--header 'Name: value']... "
	"FILE\n"
	"\n"
	"Parse FILE as a feed fetched from DOC_URL with those HTTP response\n"
	"headers (Content-Type and Content-Location are used) and print the\n"
	"parse dump as JSON. A document that is not a feed still prints a\n"
	"dump, with bozo set.\n";

static int
read_file(const char *path, struct sbuf *out)
{
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return cmd_error("cannot open '%s': %s", path,
				 strerror(errno));
	if (sbuf_read_fp(out, fp) < 0 && sbuf_over(out)) {
		fclose(fp);
		return cmd_error("cannot read '%s': larger than %u MiB", path,
				 PARSE_MAX_FILE >> 20);
	}
	if (ferror(fp)) {
		fclose(fp);
		return cmd_error("cannot read '%s': %s", path,
				 strerror(errno));
	}
	fclose(fp);
	return EXIT_OK;
}

/* "Name: value" → value when Name matches (case-insensitively). */
static const char *
header_value(const char *h, const char *name)
{
	size_t n = strlen(name);

	if (strncasecmp(h, name, n) != 0 || h[n] != ':')
		return NULL;
	h += n + 1;
	while (*h == ' ' || *h == '\t')
		h++;
	return h;
}

int
cmd_parse(int argc, char **argv, struct ctx *ctx)
{
	struct parse_opts o = { 0 };
	struct sbuf data, out;
	struct feed_doc doc;
	struct err e = { 0 };
	const char *file = NULL, *v;
	bool json = false;
	int i, rc;

	(void)ctx;
	if (cmd_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (strcmp(a, "--url") == 0 ||
			   strcmp(a, "--header") == 0) {
			if (i + 1 >= argc)
				return cmd_usage_error("parse",
						       "option '%s' needs a "
						       "value", a);
			v = argv[++i];
			if (a[2] == 'u') {
				o.url = v;
			} else if (!strchr(v, ':')) {
				return cmd_usage_error("parse",
						       "bad header '%s': "
						       "expected 'Name: value'",
						       v);
			} else if (header_value(v, "Content-Type")) {
				o.content_type = header_value(v,
							      "Content-Type");
			} else if (header_value(v, "Content-Location")) {
				o.content_location =
					header_value(v, "Content-Location");
			}
		} else if (strcmp(a, "--") == 0 && i + 1 < argc && !file) {
			file = argv[++i];
		} else if (a[0] == '-' && a[1] != '\0') {
			return cmd_usage_error("parse", "unknown option '%s'",
					       a);
		} else if (!file) {
			file = a;
		} else {
			return cmd_usage_error("parse", "more than one FILE");
		}
	}
	if (!file)
		return cmd_usage_error("parse", "no FILE given");
	if (!json)
		return cmd_usage_error("parse", "only --json output exists; "
					"pass --json");

	sbuf_init(&data, PARSE_MAX_FILE);
	rc = read_file(file, &data);
	if (rc != EXIT_OK) {
		sbuf_release(&data);
		return rc;
	}
	/* a document that is not a feed still gets a dump (bozo) */
	parse_feed(data.buf, data.len, &o, &doc, &e);
	sbuf_init(&out, 0);
	parse_dump_json(&doc, &out);
	sbuf_addch(&out, '\n');
	/* a failed write is reported by cli.c's finish_output() */
	fwrite(out.buf, 1, out.len, stdout);
	rc = EXIT_OK;
	sbuf_release(&out);
	feed_doc_release(&doc);
	sbuf_release(&data);
	return rc;
}
