/*
 * glean extract: the article inside a web page (src/parse/extract.c),
 * read from a file or standard input, printed as text or as JSON. It
 * needs no config and no store, and never fetches: --url only says
 * where the page came from, for its relative links.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/cmd.h"
#include "glean/json.h"
#include "glean/parse.h"
#include "glean/banned.h"

static const char usage[] =
	"usage: glean extract [--json] [--url URL] FILE|-\n"
	"\n"
	"Find the article in the HTML page FILE ('-': standard input) and\n"
	"print its title and plain text; with --json, one object with\n"
	"title, byline, excerpt, site_name, lang, dir, published,\n"
	"content_html (sanitised, links resolved against URL) and text.\n"
	"A page with no article exits 1 with the reason.\n";

static int
read_page(const char *path, struct sbuf *out)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	int rc = EXIT_OK;

	if (!fp)
		return cmd_error("cannot open '%s': %s", path,
				 strerror(errno));
	if (sbuf_read_fp(out, fp) < 0 && sbuf_over(out))
		rc = cmd_error("no article found: '%s' is larger than %u MiB",
			       path, (unsigned)(ARTICLE_MAX_INPUT >> 20));
	else if (ferror(fp))
		rc = cmd_error("cannot read '%s': %s", path, strerror(errno));
	if (fp != stdin)
		fclose(fp);
	return rc;
}

static void
put_json(const struct article *a)
{
	struct json_out w;

	json_out_init(&w, 0);
	json_obj_begin(&w);
	json_key(&w, "title");
	json_str(&w, a->title);
	json_key(&w, "byline");
	json_str(&w, a->byline);
	json_key(&w, "excerpt");
	json_str(&w, a->excerpt);
	json_key(&w, "site_name");
	json_str(&w, a->site_name);
	json_key(&w, "lang");
	json_str(&w, a->lang);
	json_key(&w, "dir");
	json_str(&w, a->dir);
	json_key(&w, "published");
	json_str(&w, a->published);
	json_key(&w, "content_html");
	json_str(&w, a->content_html);
	json_key(&w, "text");
	json_str(&w, a->text);
	json_obj_end(&w);
	fwrite(w.sb.buf, 1, w.sb.len, stdout);
	fputc('\n', stdout);
	json_out_release(&w);
}

int
cmd_extract(int argc, char **argv, struct ctx *ctx)
{
	static const char *const takes[] = { "--url", NULL };
	struct sbuf page;
	struct article a;
	struct err e = { 0 };
	const char *file = NULL, *url = NULL;
	bool json = false;
	int i, rc;

	(void)ctx;
	if (cmd_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (strcmp(s, "--json") == 0)
			json = true;
		else if (strcmp(s, "--url") == 0 && i + 1 < argc)
			url = argv[++i];
		else if (strcmp(s, "--") == 0 && i + 1 < argc && !file)
			file = argv[++i];
		else if (s[0] == '-' && s[1] != '\0')
			return cmd_bad_option("extract", s, takes);
		else if (!file)
			file = s;
		else
			return cmd_usage_error("extract", "more than one FILE");
	}
	if (!file)
		return cmd_usage_error("extract", "no FILE given ('-' reads "
				       "standard input)");
	/* one byte over the cap tells a too-large page from a full one */
	sbuf_init(&page, ARTICLE_MAX_INPUT + 1);
	rc = read_page(file, &page);
	if (rc != EXIT_OK) {
		sbuf_release(&page);
		return rc;
	}
	if (article_extract(page.buf, page.len, url, &a, &e) < 0) {
		sbuf_release(&page);
		return cmd_err(&e);
	}
	if (json) {
		put_json(&a);
	} else {
		cmd_put(stdout, a.title, true);
		fputs("\n\n", stdout);
		cmd_put(stdout, a.text, false);
		fputc('\n', stdout);
	}
	article_release(&a);
	sbuf_release(&page);
	return EXIT_OK;
}
