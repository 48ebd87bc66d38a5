/*
 * Subscription commands: add, rm, sources, tag-source, import, export.
 * Option parsing and printing only; the work is in seek/ and store/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glean/cmd.h"
#include "glean/json.h"
#include "glean/notes.h"
#include "glean/seek.h"
#include "glean/store.h"
#include "glean/banned.h"

static void
print_choices(FILE *fp, const struct seek_add_result *r)
{
	size_t i;

	for (i = 0; i < r->nchoices; i++) {
		fprintf(fp, "  %zu. ", i + 1);
		cmd_put(fp, r->choice_titles[i], true);
		fputs(r->choice_titles[i] ? "  " : "", fp);
		cmd_put(fp, r->choices[i], true);
		fputc('\n', fp);
	}
}

static const char add_usage[] =
	"usage: glean add URL [--tag TAG]... [--title TITLE] [--pick N]\n"
	"       glean add --sync NAME URL\n"
	"\n"
	"Subscribe to URL: a feed (RSS, Atom, JSON Feed), a web page that\n"
	"links to feeds, a forum or a social list (see glean(1)). A file://\n"
	"URL is accepted here (never from imports).\n"
	"\n"
	"  --tag TAG      tag the source (repeatable)\n"
	"  --title TITLE  use TITLE instead of the feed's own\n"
	"  --pick N       on a page with several feeds, take the N-th\n"
	"  --sync NAME    subscribe on the server of [sync \"NAME\"] instead,\n"
	"                 then sync\n";

int
cmd_add(int argc, char **argv, struct ctx *ctx)
{
	struct seek_add_opts o = { 0 };
	const char **tags = NULL;
	const char *url = NULL, *sync = NULL;
	struct seek_add_result r;
	struct err e = { 0 };
	int i, rc;

	if (cmd_wants_help(argc, argv)) {
		fputs(add_usage, stdout);
		return EXIT_OK;
	}
	tags = xcalloc((size_t)argc, sizeof(char *));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--tag") && i + 1 < argc) {
			tags[o.ntags++] = argv[++i];
		} else if (!strcmp(argv[i], "--title") && i + 1 < argc) {
			o.title = argv[++i];
		} else if (!strcmp(argv[i], "--sync") && i + 1 < argc) {
			sync = argv[++i];
		} else if (!strcmp(argv[i], "--pick") && i + 1 < argc) {
			int64_t n;

			if (str_to_i64(argv[++i], &n) < 0 || n < 1) {
				free(tags);
				return cmd_usage_error("add", "--pick expects a "
						       "number from 1");
			}
			o.pick = (int)n;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			static const char *const with_value[] = {
				"--tag", "--title", "--pick", "--sync", NULL
			};

			free(tags);
			return cmd_bad_option("add", argv[i], with_value);
		} else if (!url) {
			url = argv[i];
		} else {
			free(tags);
			return cmd_usage_error("add", "one URL at a time");
		}
	}
	if (!url) {
		free(tags);
		return cmd_usage_error("add", "which URL? e.g. glean add "
				       "https://example.org/feed.xml");
	}
	if (sync) {
		free(tags);
		return cmd_sync_subscribe(ctx, sync, url);
	}
	o.tags = tags;
	o.allow_file = true;
	rc = seek_add(ctx->st, ctx->cfg, url, &o, &r, &e);
	if (rc == 1 && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		char line[32];
		int64_t n;

		printf("'%s' links to %zu feeds:\n", url, r.nchoices);
		print_choices(stdout, &r);
		printf("which one? [1-%zu] ", r.nchoices);
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) &&
		    str_to_i64(str_trim(line), &n) == 0 && n >= 1 &&
		    (size_t)n <= r.nchoices) {
			o.pick = (int)n;
			seek_add_result_release(&r);
			rc = seek_add(ctx->st, ctx->cfg, url, &o, &r, &e);
		} else {
			seek_add_result_release(&r);
			free(tags);
			return cmd_error("nothing added");
		}
	}
	free(tags);
	if (rc == 1) {
		fprintf(stderr, "glean: '%s' links to %zu feeds; choose one "
			"with --pick N:\n", url, r.nchoices);
		print_choices(stderr, &r);
		seek_add_result_release(&r);
		return EXIT_USAGE;
	}
	if (rc < 0)
		return cmd_err(&e);
	if (r.warning) {
		fputs("glean: warning: ", stderr);
		cmd_put(stderr, r.warning, true);
		fputc('\n', stderr);
	}
	printf("added source %lld: ", (long long)r.id);
	cmd_put(stdout, r.url, true);
	if (r.kind && strcmp(r.kind, "feed") != 0)
		printf(" (%s, read through its API)", r.kind);
	putchar('\n');
	seek_add_result_release(&r);
	return EXIT_OK;
}

int
cmd_rm(int argc, char **argv, struct ctx *ctx)
{
	struct source *v = NULL;
	struct sbuf msg = SBUF_INIT;
	struct err e = { 0 };
	int64_t kept;
	int i, n = 0, rc = EXIT_OK;

	if (cmd_wants_help(argc, argv) || argc < 2) {
		fputs("usage: glean rm SOURCE...\n\n"
		      "Unsubscribe. SOURCE is an id, URL or title from 'glean "
		      "sources'.\nItems you tagged, starred, marked or "
		      "annotated are kept.\n", argc < 2 ? stderr : stdout);
		return cmd_wants_help(argc, argv) ? EXIT_OK : EXIT_USAGE;
	}
	/* every source is found before any is removed, and the removals
	 * go in one transaction: a wrong one removes nothing */
	v = xcalloc((size_t)argc, sizeof(*v));
	for (i = 1; i < argc; i++) {
		if (store_source_get(ctx->st, argv[i], &v[n], &e) < 0) {
			rc = cmd_err(&e);
			goto out;
		}
		n++;
	}
	if (store_begin(ctx->st, true, &e) < 0) {
		rc = cmd_err(&e);
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct source *s = &v[i];
		char *name;

		if (store_source_rm(ctx->st, s->id, &kept, &e) < 0) {
			store_rollback(ctx->st);
			rc = cmd_err(&e);
			goto out;
		}
		name = text_sanitize(s->title ? s->title : s->url,
				     strlen(s->title ? s->title : s->url), true);
		sbuf_addf(&msg, "removed source %lld (%s)", (long long)s->id,
			  name);
		free(name);
		if (kept)
			sbuf_addf(&msg, "; kept %lld item%s you worked on",
				  (long long)kept, kept == 1 ? "" : "s");
		sbuf_addch(&msg, '\n');
	}
	if (store_commit(ctx->st, &e) < 0) {
		rc = cmd_err(&e);
		goto out;
	}
	fputs(msg.buf, stdout);
out:
	for (i = 0; i < n; i++)
		source_release(&v[i]);
	free(v);
	sbuf_release(&msg);
	return rc;
}

static void
fmt_time(int64_t t, char *buf, size_t n)
{
	if (t <= 0)
		snprintf(buf, n, "-");
	else
		time_fmt_iso(t, buf, n);
}

int
cmd_sources(int argc, char **argv, struct ctx *ctx)
{
	struct source_list l;
	struct err e = { 0 };
	bool json = false, verbose = false;
	size_t i, k;
	int a;

	if (cmd_wants_help(argc, argv)) {
		fputs("usage: glean sources [--json] [-l]\n\n"
		      "List subscriptions: id, unread/total, title, URL, tags;\n"
		      "with -l also the last success, last error and next "
		      "fetch.\n", stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--json"))
			json = true;
		else if (!strcmp(argv[a], "-l") || !strcmp(argv[a], "--long"))
			verbose = true;
		else
			return cmd_usage_error("sources", "unknown option "
					       "'%s'", argv[a]);
	}
	if (store_sources_list(ctx->st, &l, &e) < 0)
		return cmd_err(&e);
	if (json) {
		struct json_out w;
		char ts[32];

		json_out_init(&w, 0);
		json_arr_begin(&w);
		for (i = 0; i < l.n; i++) {
			const struct source *s = &l.v[i];

			json_obj_begin(&w);
			json_key(&w, "id");
			json_i64(&w, s->id);
			json_kv_str(&w, "kind", s->kind);
			json_kv_str(&w, "url", s->url);
			json_key(&w, "title");
			json_str(&w, s->title);
			json_key(&w, "site_url");
			json_str(&w, s->site_url);
			json_key(&w, "tags");
			json_arr_begin(&w);
			for (k = 0; k < s->ntags; k++)
				json_str(&w, s->tags[k]);
			json_arr_end(&w);
			json_key(&w, "hidden");
			json_bool(&w, s->hidden);
			json_key(&w, "retired");
			json_bool(&w, s->retired);
			json_key(&w, "items");
			json_i64(&w, s->nitems);
			json_key(&w, "unread");
			json_i64(&w, s->nunread);
			json_key(&w, "last_success");
			if (s->last_success)
				json_str(&w, time_fmt_iso(s->last_success, ts,
							  sizeof(ts)));
			else
				json_null(&w);
			json_key(&w, "last_error");
			json_str(&w, s->last_error);
			json_key(&w, "next_due");
			if (s->next_due)
				json_str(&w, time_fmt_iso(s->next_due, ts,
							  sizeof(ts)));
			else
				json_null(&w); /* due now */
			json_key(&w, "failures");
			json_i64(&w, s->failures);
			json_obj_end(&w);
		}
		json_arr_end(&w);
		puts(w.sb.buf);
		json_out_release(&w);
		source_list_release(&l);
		return EXIT_OK;
	}
	if (l.n == 0)
		printf("no sources yet; add one with 'glean add URL' or "
		       "'glean import FILE'\n");
	for (i = 0; i < l.n; i++) {
		const struct source *s = &l.v[i];

		printf("%4lld %5lld/%-5lld %s%s", (long long)s->id,
		       (long long)s->nunread, (long long)s->nitems,
		       s->last_error ? "! " : "", s->retired ? "(retired) " : "");
		cmd_put(stdout, s->title ? s->title : "(untitled)", true);
		printf("  ");
		cmd_put(stdout, s->url, true);
		for (k = 0; k < s->ntags; k++) {
			printf(k ? ", " : "  [");
			cmd_put(stdout, s->tags[k], true);
		}
		if (s->ntags)
			putchar(']');
		putchar('\n');
		if (verbose) {
			char a1[32], a2[32];

			fmt_time(s->last_success, a1, sizeof(a1));
			fmt_time(s->next_due, a2, sizeof(a2));
			printf("       last success %s, next fetch %s", a1,
			       s->next_due ? a2 : "now");
			if (s->last_error) {
				printf(", last error: ");
				cmd_put(stdout, s->last_error, true);
			}
			putchar('\n');
		}
	}
	source_list_release(&l);
	return EXIT_OK;
}

int
cmd_tag_source(int argc, char **argv, struct ctx *ctx)
{
	struct source s;
	struct err e = { 0 };
	int i;

	if (cmd_wants_help(argc, argv) || argc < 3) {
		fputs("usage: glean tag-source SOURCE +TAG|-TAG...\n\n"
		      "Add (+) or remove (-) tags on a source. Items inherit "
		      "source tags in queries (tag:NAME).\n",
		      argc < 3 ? stderr : stdout);
		return cmd_wants_help(argc, argv) ? EXIT_OK : EXIT_USAGE;
	}
	/* every tag is checked before any is written, in one transaction */
	for (i = 2; i < argc; i++) {
		const char *t = argv[i] + (argv[i][0] == '+' || argv[i][0] == '-');

		if (!t[strspn(t, " \t")])
			return cmd_usage_error("tag-source", "empty tag "
					       "(argument %d, '%s')", i - 1,
					       argv[i]);
	}
	if (store_source_get(ctx->st, argv[1], &s, &e) < 0)
		return cmd_err(&e);
	if (store_begin(ctx->st, true, &e) < 0) {
		source_release(&s);
		return cmd_err(&e);
	}
	for (i = 2; i < argc; i++) {
		bool add = argv[i][0] != '-';
		const char *t = argv[i] + (argv[i][0] == '+' || argv[i][0] == '-');

		if (store_source_tag(ctx->st, s.id, t, add, &e) < 0) {
			store_rollback(ctx->st);
			source_release(&s);
			return cmd_err(&e);
		}
	}
	if (store_commit(ctx->st, &e) < 0) {
		source_release(&s);
		return cmd_err(&e);
	}
	printf("tagged source %lld\n", (long long)s.id);
	source_release(&s);
	return EXIT_OK;
}

int
cmd_source_articles(int argc, char **argv, struct ctx *ctx)
{
	struct source s;
	struct err e = { 0 };
	bool on;

	if (cmd_wants_help(argc, argv) || argc != 3 ||
	    (strcmp(argv[2], "on") != 0 && strcmp(argv[2], "off") != 0)) {
		fputs("usage: glean source-articles SOURCE on|off\n\n"
		      "With on, 'glean fetch' fetches the article at the link "
		      "of each new item\nof SOURCE (a social post: its first "
		      "link) and keeps it with the item,\nsearchable; a "
		      "failure keeps the summary and records why.\n",
		      cmd_wants_help(argc, argv) ? stdout : stderr);
		return cmd_wants_help(argc, argv) ? EXIT_OK : EXIT_USAGE;
	}
	on = strcmp(argv[2], "on") == 0;
	if (store_source_get(ctx->st, argv[1], &s, &e) < 0)
		return cmd_err(&e);
	if (store_source_set_articles(ctx->st, s.id, on, &e) < 0) {
		source_release(&s);
		return cmd_err(&e);
	}
	printf("source %lld: articles %s\n", (long long)s.id, on ? "on" : "off");
	source_release(&s);
	return EXIT_OK;
}

/* Does the file start like a newsboat urls file (a URL first, not
 * markup)? Only the first lines of a regular file are read: a pipe's
 * bytes are left for the import. */
static bool
looks_like_urls(const char *path)
{
	struct stat sb;
	FILE *fp;
	char line[512];
	bool urls = false;
	int n = 0;

	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    !(fp = fopen(path, "rb")))
		return false;
	while (n++ < 50 && fgets(line, sizeof(line), fp)) {
		char *p = line;

		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			continue;
		urls = str_starts(p, "http://") || str_starts(p, "https://") ||
		       str_starts(p, "query:") || str_starts(p, "exec:") ||
		       str_starts(p, "filter:") || str_starts(p, "\"query:");
		break;
	}
	fclose(fp);
	return urls;
}

/* After the urls: newsboat's read and starred state, from its cache. */
static int
import_cache(struct ctx *ctx, const char *cache)
{
	struct import_state_report r;
	struct err e = { 0 };

	if (store_import_newsboat_cache(ctx->st, cache, &r, &e) < 0)
		return cmd_err(&e);
	printf("newsboat cache: %lld read or starred item%s kept",
	       (long long)r.kept, r.kept == 1 ? "" : "s");
	if (r.unsubscribed)
		printf(" (%lld of feeds not subscribed skipped)",
		       (long long)r.unsubscribed);
	if (r.fetched_sources)
		printf("; %lld item%s already here updated",
		       (long long)r.applied, r.applied == 1 ? "" : "s");
	if (r.pending)
		printf("; the rest are marked when their sources are first "
		       "fetched (glean fetch)");
	printf("\n");
	return EXIT_OK;
}

/* glean import --annotations FILE: what was added, what was there, and
 * the links glean has no item for. */
static int
import_annotations(struct ctx *ctx, const char *file)
{
	struct notes_import_report r = { 0 };
	struct sbuf text = SBUF_INIT;
	struct err e = { 0 };
	FILE *fp = strcmp(file, "-") ? fopen(file, "rb") : stdin;
	size_t i;
	int rc;

	if (!fp)
		return cmd_error("cannot open '%s': %s", file,
				 strerror(errno));
	sbuf_init(&text, 256 << 20);
	rc = sbuf_read_fp(&text, fp);
	if (fp != stdin)
		fclose(fp);
	if (rc < 0) {
		rc = sbuf_over(&text)
			? cmd_error("'%s' is over 256 MB; split it", file)
			: cmd_error("cannot read '%s': %s", file,
				    strerror(errno));
		sbuf_release(&text);
		return rc;
	}
	rc = notes_anno_read(ctx->st, text.buf, text.len, &r, &e);
	sbuf_release(&text);
	if (rc < 0) {
		notes_import_report_release(&r);
		return cmd_err(&e);
	}
	for (i = 0; i < r.nproblems; i++) {
		fputs("glean: ", stderr);
		cmd_put(stderr, r.problems[i], true);
		fputc('\n', stderr);
	}
	for (i = 0; i < r.nunknown; i++) {
		fputs("glean: no item with the link ", stderr);
		cmd_put(stderr, r.unknown[i], true);
		fputs(" (subscribe to its feed and fetch, then import "
		      "again)\n", stderr);
	}
	printf("annotations: %zu read, %zu note%s added, %zu already here",
	       r.annotations, r.added, r.added == 1 ? "" : "s", r.existing);
	if (r.tags)
		printf(", %zu tag%s added", r.tags, r.tags == 1 ? "" : "s");
	if (r.nunknown_notes)
		printf(", %zu for items not in glean", r.nunknown_notes);
	if (r.nproblems)
		printf(", %zu skipped", r.nproblems);
	printf("\n");
	rc = r.annotations && !r.added && !r.existing ? EXIT_FAIL : EXIT_OK;
	notes_import_report_release(&r);
	return rc;
}

int
cmd_import(int argc, char **argv, struct ctx *ctx)
{
	struct seek_import_report r;
	struct err e = { 0 };
	const char *file = NULL, *cache = NULL;
	bool newsboat = false;
	size_t i;
	int a, rc;

	if (cmd_wants_help(argc, argv)) {
		fputs("usage: glean import FILE.opml\n"
		      "       glean import --newsboat URLS-FILE [--cache "
		      "CACHE.db]\n\n"
		      "Subscribe to every feed in an OPML file (folders become "
		      "tags) or a\nnewsboat urls file (tags, ~title, ! for "
		      "hidden). Only http(s) feeds are\nimported; every line "
		      "that cannot be used is reported.\n"
		      "  --cache FILE  newsboat's cache.db "
		      "(~/.local/share/newsboat/cache.db):\n"
		      "                items read or flagged 's' there are "
		      "marked read or starred\n"
		      "                here, matched by guid or link, when "
		      "their source is first\n                fetched\n"
		      "       glean import --annotations FILE\n\n"
		      "Attach the notes and quotes of W3C Web Annotations "
		      "(as 'glean export\n--annotations' writes them) to the "
		      "items with their links; links\nglean has no item for "
		      "are reported. Importing a file again adds\nnothing "
		      "twice.\n",
		      stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--annotations") && a + 1 < argc &&
		    argc == 3)
			return import_annotations(ctx, argv[++a]);
		if (!strcmp(argv[a], "--annotations"))
			return cmd_usage_error("import", "--annotations FILE "
					       "goes alone: glean import "
					       "--annotations notes.jsonld");
		if (!strcmp(argv[a], "--newsboat"))
			newsboat = true;
		else if (!strcmp(argv[a], "--cache") && a + 1 < argc)
			cache = argv[++a];
		else if (argv[a][0] == '-' && argv[a][1])
			return cmd_bad_option("import", argv[a],
					      (const char *const[]){ "--cache",
								     NULL });
		else if (!file)
			file = argv[a];
		else
			return cmd_usage_error("import", "one file at a time");
	}
	if (!file)
		return cmd_usage_error("import", "which file?");
	if (cache && !newsboat)
		return cmd_usage_error("import", "--cache goes with --newsboat "
				       "URLS-FILE");
	if (!newsboat && looks_like_urls(file))
		return cmd_usage_error("import", "'%s' looks like a newsboat "
				       "urls file, not OPML; import it with: "
				       "glean import --newsboat %s [--cache "
				       "~/.local/share/newsboat/cache.db]",
				       file, file);
	rc = newsboat ? seek_import_newsboat(ctx->st, file, &r, &e)
		      : seek_import_opml(ctx->st, file, &r, &e);
	if (rc < 0)
		return cmd_err(&e);
	for (i = 0; i < r.nproblems; i++) {
		fputs("glean: ", stderr);
		cmd_put(stderr, r.problems[i], true);
		fputc('\n', stderr);
	}
	printf("imported %zu source%s", r.added, r.added == 1 ? "" : "s");
	if (r.existing)
		printf(", %zu already subscribed", r.existing);
	if (r.skipped)
		printf(", %zu skipped", r.skipped);
	printf("\n");
	rc = r.skipped && !r.added && !r.existing ? EXIT_FAIL : EXIT_OK;
	seek_import_report_release(&r);
	if (cache && rc == EXIT_OK)
		rc = import_cache(ctx, cache);
	return rc;
}

/* glean export --notes DIR: the summary line, then each file left alone
 * or kept, on stderr, so a person sees what needs their eye. */
static int
export_notes(struct ctx *ctx, const char *dir)
{
	struct notes_export_report r;
	struct err e = { 0 };
	size_t i;

	if (notes_export_md(ctx->st, dir, &r, &e) < 0) {
		notes_export_report_release(&r);
		return cmd_err(&e);
	}
	for (i = 0; i < r.nedited; i++) {
		fprintf(stderr, "glean: left alone (edited since the last "
			"export): %s/", dir);
		cmd_put(stderr, r.edited[i], true);
		fputc('\n', stderr);
	}
	for (i = 0; i < r.nremoved; i++) {
		fprintf(stderr, "glean: no notes in glean any more, file "
			"kept: %s/", dir);
		cmd_put(stderr, r.removed[i], true);
		fputc('\n', stderr);
	}
	printf("notes: written %zu, unchanged %zu, left alone %zu (edited), "
	       "removed-from-glean %zu", r.written, r.unchanged, r.nedited,
	       r.nremoved);
	if (r.removed_notes)
		printf("; %zu note%s removed from rewritten files",
		       r.removed_notes, r.removed_notes == 1 ? "" : "s");
	printf("\n");
	notes_export_report_release(&r);
	return EXIT_OK;
}

/* glean export --annotations [FILE]: the collection to FILE (through a
 * temporary file renamed over it) or stdout. */
static int
export_annotations(struct ctx *ctx, const char *file, const char *creator)
{
	struct notes_anno_opts o = { 0 };
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };
	size_t n = 0, skipped = 0;
	int rc = EXIT_FAIL;

	/* no login name by default: the file may be published */
	o.creator = creator;
	o.version = GLEAN_VERSION;
	if (notes_anno_write(ctx->st, &o, &out, &n, &skipped, &e) < 0) {
		rc = cmd_err(&e);
		goto out;
	}
	if (!file || !strcmp(file, "-")) {
		fwrite(out.buf, 1, out.len, stdout);
		if (fflush(stdout) != 0) {
			rc = cmd_error("cannot write the annotations: %s",
				       strerror(errno));
			goto out;
		}
	} else if (notes_write_atomic(file, out.buf, out.len, &e) < 0) {
		rc = cmd_err(&e);
		goto out;
	}
	if (skipped)
		fprintf(stderr, "glean: %zu note%s of items without an "
			"http(s) link not exported (an annotation needs the "
			"page it is on)\n", skipped, skipped == 1 ? "" : "s");
	fprintf(stderr, "annotations: %zu written%s%s\n", n,
		file && strcmp(file, "-") ? " to " : "",
		file && strcmp(file, "-") ? file : "");
	rc = EXIT_OK;
out:
	sbuf_release(&out);
	return rc;
}

static const char export_usage[] =
	"usage: glean export [--json]\n"
	"       glean export --notes DIR\n"
	"       glean export --annotations [FILE]\n\n"
	"Write subscriptions as OPML 2.0 (tags as folders) to stdout,\n"
	"or as a JSON array with --json.\n"
	"  --notes DIR          one Markdown file per item with notes, for "
	"Obsidian,\n"
	"                       Logseq or any folder of Markdown; run it "
	"again to\n"
	"                       update: files you edited are left alone, "
	"nothing is\n"
	"                       deleted (the record: DIR/.glean-export.json)\n"
	"  --annotations [FILE] notes and quotes as W3C Web Annotations "
	"(JSON-LD,\n"
	"                       an AnnotationCollection) to FILE or "
	"stdout;\n"
	"                       read back with 'glean import --annotations'\n"
	"  --creator NAME       with --annotations: your name as the "
	"creator\n";

int
cmd_export(int argc, char **argv, struct ctx *ctx)
{
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };
	const char *notes = NULL, *anno_file = NULL, *creator = NULL;
	bool anno = false;
	int a;

	if (cmd_wants_help(argc, argv)) {
		fputs(export_usage, stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--json")) {
			char *av[] = { "sources", "--json", NULL };

			if (argc != 2)
				return cmd_usage_error("export", "--json "
					"goes alone (subscriptions as JSON)");
			return cmd_sources(2, av, ctx);
		} else if (!strcmp(argv[a], "--notes")) {
			if (a + 1 >= argc || !*argv[a + 1])
				return cmd_usage_error("export", "--notes "
					"wants the folder to write into: "
					"glean export --notes ~/notes/glean");
			notes = argv[++a];
		} else if (!strcmp(argv[a], "--annotations")) {
			anno = true;
			if (a + 1 < argc && (argv[a + 1][0] != '-' ||
					     !strcmp(argv[a + 1], "-")))
				anno_file = argv[++a];
		} else if (!strcmp(argv[a], "--creator") && a + 1 < argc) {
			creator = argv[++a];
		} else {
			return cmd_bad_option("export", argv[a],
				(const char *const[]){ "--notes", "--creator",
						       NULL });
		}
	}
	if (notes && anno)
		return cmd_usage_error("export", "--notes and --annotations "
				       "are two exports; run one at a time");
	if (creator && !anno)
		return cmd_usage_error("export", "--creator goes with "
				       "--annotations");
	if (notes)
		return export_notes(ctx, notes);
	if (anno)
		return export_annotations(ctx, anno_file, creator);
	if (seek_export_opml(ctx->st, &out, &e) < 0)
		return cmd_err(&e);
	fwrite(out.buf, 1, out.len, stdout);
	sbuf_release(&out);
	return EXIT_OK;
}
