/*
 * Item commands: items, show, search, and the sensing actions tag, note,
 * star, mark, read (and their inverses). Each data change is committed
 * by the store before the command reports success.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "glean/cmd.h"
#include "glean/json.h"
#include "glean/render.h"
#include "glean/seek.h"
#include "glean/store.h"
#include "glean/banned.h"

static void
json_item(struct json_out *w, const struct item *it, bool content)
{
	char ts[32];
	size_t k;

	json_obj_begin(w);
	json_key(w, "id");
	json_i64(w, it->id);
	json_key(w, "source");
	json_str(w, it->source_title);
	json_key(w, "source_id");
	json_i64(w, it->source_id);
	json_key(w, "title");
	json_str(w, it->title);
	json_key(w, "title_html"); /* null: the title is plain text */
	json_str(w, it->title_html);
	json_key(w, "url");
	json_str(w, it->url);
	json_key(w, "author");
	json_str(w, it->author);
	json_key(w, "published");
	json_str(w, it->published ? time_fmt_iso(it->published, ts, sizeof(ts))
				  : NULL);
	json_key(w, "read");
	json_bool(w, it->read);
	json_key(w, "starred");
	json_bool(w, it->starred);
	json_key(w, "marked");
	json_bool(w, it->marked);
	json_key(w, "tags");
	json_arr_begin(w);
	for (k = 0; k < it->ntags; k++)
		json_str(w, it->tags[k]);
	json_arr_end(w);
	json_key(w, "source_tags"); /* those of tags the source gives */
	json_arr_begin(w);
	for (k = 0; k < it->ntags; k++)
		if (it->tag_from_source[k])
			json_str(w, it->tags[k]);
	json_arr_end(w);
	json_key(w, "notes");
	json_arr_begin(w);
	for (k = 0; k < it->nnotes; k++) {
		const struct note *n = &it->notes[k];

		json_obj_begin(w);
		json_key(w, "id");
		json_i64(w, n->id);
		json_kv_str(w, "body", n->body);
		json_kv_str(w, "quote", n->quote);
		json_kv_str(w, "prefix", n->prefix);
		json_kv_str(w, "suffix", n->suffix);
		json_key(w, "created");
		json_str(w, time_fmt_iso(n->created, ts, sizeof(ts)));
		json_obj_end(w);
	}
	json_arr_end(w);
	if (it->enclosures) {
		json_key(w, "enclosures");
		json_raw(w, it->enclosures);
	}
	if (content) {
		json_key(w, "content");
		json_str(w, it->content);
		json_key(w, "content_type");
		json_str(w, it->content_type);
		json_key(w, "text");
		json_str(w, it->text);
	}
	json_obj_end(w);
}

static void
print_item_line(const struct item *it)
{
	char ts[32] = "          ";

	if (it->published)
		time_fmt_iso(it->published, ts, sizeof(ts));
	printf("%6lld %c%c%c%c %.10s  ", (long long)it->id,
	       it->read ? ' ' : 'N', it->starred ? '*' : ' ',
	       it->marked ? 'm' : ' ', it->nnotes ? '+' : ' ', ts);
	cmd_put(stdout, it->title ? it->title : "(untitled)", true);
	printf("  — ");
	cmd_put(stdout, it->source_title ? it->source_title : "", true);
	if (it->ntags) {
		size_t k;

		printf("  [");
		for (k = 0; k < it->ntags; k++) {
			if (k)
				printf(", ");
			cmd_put(stdout, it->tags[k], true);
		}
		printf("]");
	}
	putchar('\n');
}

/* The state of one streamed listing. */
struct list_out {
	bool json, content;
	bool failed;        /* a write failed (a closed pipe): stop */
	size_t rows;        /* written so far */
	struct json_out w;  /* --json: emptied after each item */
};

static void
flush_json(struct list_out *o)
{
	if (o->w.sb.len &&
	    fwrite(o->w.sb.buf, 1, o->w.sb.len, stdout) != o->w.sb.len)
		o->failed = true;
	sbuf_reset(&o->w.sb);
}

static int
put_item(void *arg, const struct item *it)
{
	struct list_out *o = arg;

	if (o->json) {
		/* one item a line, so '| head -n 1' has the first row */
		json_item(&o->w, it, o->content);
		sbuf_addch(&o->w.sb, '\n');
		flush_json(o);
	} else {
		print_item_line(it);
	}
	/* The first rows go out as they come, not when a pipe's buffer is
	 * full: 'glean search WORD | head' shows them at once, and a reader
	 * that has gone stops glean before it looks for the rest. */
	if (++o->rows <= 50 && fflush(stdout) != 0)
		o->failed = true;
	if (ferror(stdout))
		o->failed = true;
	return o->failed;
}

static int
list_items(int argc, char **argv, struct ctx *ctx, bool search)
{
	struct item_query q = { 0 };
	struct list_out out;
	struct sbuf terms = SBUF_INIT;
	struct err e = { 0 };
	bool json = false, content = false;
	int a, rc;

	q.with_extras = true;
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--json")) {
			json = true;
		} else if (!strcmp(argv[a], "--content")) {
			content = true;
		} else if (!strcmp(argv[a], "--oldest")) {
			q.order = ORDER_OLDEST;
		} else if (!strcmp(argv[a], "--all")) {
			q.with_hidden = true;
		} else if ((!strcmp(argv[a], "-n") ||
			    !strcmp(argv[a], "--limit")) && a + 1 < argc) {
			int64_t n;

			if (str_to_i64(argv[++a], &n) < 0 || n < 0) {
				sbuf_release(&terms);
				return cmd_usage_error(argv[0], "--limit "
						       "expects a number");
			}
			q.limit = (size_t)n;
		} else if (!strcmp(argv[a], "-n") ||
			   (argv[a][0] == '-' && argv[a][1] == '-')) {
			static const char *const with_value[] = {
				"-n", "--limit", NULL
			};

			sbuf_release(&terms);
			return cmd_bad_option(argv[0], argv[a], with_value);
		} else {
			if (terms.len)
				sbuf_addch(&terms, ' ');
			sbuf_adds(&terms, argv[a]);
		}
	}
	if (search) {
		if (!terms.len) {
			sbuf_release(&terms);
			return cmd_usage_error("search", "search for what?");
		}
		q.search = terms.buf;
	} else if (terms.len) {
		q.query = terms.buf;
	}
	q.with_content = content;
	memset(&out, 0, sizeof(out));
	out.json = json;
	out.content = content;
	if (json) {
		json_out_init(&out.w, 0);
		json_arr_begin(&out.w);
	}
	/* Rows are printed as the store steps to them (nothing collected):
	 * 'glean items | head' shows its first row at once and in constant
	 * memory, however many items match. */
	rc = store_items_each(ctx->st, &q, put_item, &out, &e);
	if (rc == 0 && json && !out.failed) {
		json_arr_end(&out.w);
		sbuf_addch(&out.w.sb, '\n');
		flush_json(&out);
	}
	if (json)
		json_out_release(&out.w);
	sbuf_release(&terms);
	if (rc < 0)
		return cmd_err(&e);
	if (store_search_warning(ctx->st)) {
		fputs("glean: warning: ", stderr);
		cmd_put(stderr, store_search_warning(ctx->st), true);
		fputc('\n', stderr);
	}
	if (fflush(stdout) != 0 || out.failed)
		return cmd_error("cannot write the list: %s", strerror(errno));
	return EXIT_OK;
}

int
cmd_items(int argc, char **argv, struct ctx *ctx)
{
	if (cmd_wants_help(argc, argv)) {
		fputs("usage: glean items [QUERY] [--json] [--content] "
		      "[--limit N] [--oldest] [--all]\n\n"
		      "List items, newest first. QUERY is glean's query "
		      "language, e.g.\n"
		      "  glean items tag:civic is:unread since:7d\n"
		      "  glean items 'title:/ageing|aging/i \"digital "
		      "inclusion\"'\n"
		      "Flags in the list: N unread, * starred, m marked to "
		      "share, + has notes.\n"
		      "  --json     one JSON array (id, source, title, url, "
		      "author, published,\n"
		      "             read, starred, marked, tags, source_tags, "
		      "notes)\n"
		      "  --content  include content and text in --json\n"
		      "  --all      include hidden items\n", stdout);
		return EXIT_OK;
	}
	return list_items(argc, argv, ctx, false);
}

int
cmd_search(int argc, char **argv, struct ctx *ctx)
{
	if (cmd_wants_help(argc, argv)) {
		fputs("usage: glean search TEXT... [--json] [--limit N]\n\n"
		      "Full-text search over titles, authors, text and your "
		      "notes.\nEvery word must match.\n", stdout);
		return EXIT_OK;
	}
	return list_items(argc, argv, ctx, true);
}

static int
output_width(void)
{
	const char *c = getenv("COLUMNS");
	struct winsize ws;
	int64_t n;

	if (c && str_to_i64(c, &n) == 0 && n >= 20 && n <= 1000)
		return (int)n;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col >= 20)
		return ws.ws_col > 100 ? 100 : ws.ws_col;
	return 78;
}

/* The item's content through the shared renderer: wrapped text and
 * numbered link references, already sanitized. */
static void
item_show_body(const struct item *it)
{
	struct render_out out;
	struct err e = { 0 };

	render_out_init(&out);
	if (!it->content) {
		if (it->text) {
			cmd_put(stdout, it->text, false);
			putchar('\n');
		}
	} else if (render_content(it->content, strlen(it->content),
				  it->content_type, it->url, output_width(),
				  &out, &e) < 0) {
		fprintf(stderr, "glean: cannot render item %lld: %s\n",
			(long long)it->id, e.msg);
		if (it->text)
			cmd_put(stdout, it->text, false);
		render_out_release(&out);
		render_out_init(&out);
	}
	/* enclosures numbered after the links, as in the reader */
	render_enclosures(it->enclosures, &out);
	fwrite(out.text.buf, 1, out.text.len, stdout);
	render_out_release(&out);
}

static int
parse_id(const char *cmd, const char *s, int64_t *id)
{
	if (str_to_i64(s, id) < 0 || *id <= 0)
		return cmd_usage_error(cmd, "'%s' is not an item id (see "
				       "'glean items')", s);
	return 0;
}

/* glean show --article ID: the item's article, fetched and kept the
 * first time (on a writer connection of its own: show reads), printed
 * from the store after that. */
static int
show_article(struct ctx *ctx, int64_t id)
{
	struct store_article a;
	struct render_out out;
	struct err e = { 0 };
	struct store *w;
	int rc;

	rc = store_article_get(ctx->st, id, &a, &e);
	if (rc < 0)
		return cmd_err(&e);
	if (rc == 0 || a.error) {
		store_article_release(&a);
		w = store_open(ctx->db_path, STORE_WRITE, &e);
		if (!w)
			return cmd_err(&e);
		rc = seek_article(w, ctx->cfg, id, true, &a, &e);
		store_close(w);
		if (rc < 0)
			return cmd_err(&e);
	}
	if (a.error) {
		rc = cmd_error("item %lld: %s (the item keeps its summary)",
			       (long long)id, a.error);
		store_article_release(&a);
		return rc;
	}
	printf("Title:  ");
	cmd_put(stdout, a.title ? a.title : "(untitled)", true);
	printf("\nLink:   ");
	cmd_put(stdout, a.url, true);
	printf("\n\n");
	if (render_html(a.html ? a.html : "", a.html ? strlen(a.html) : 0,
			a.url, output_width(), &out, &e) == 0)
		fwrite(out.text.buf, 1, out.text.len, stdout);
	else
		cmd_put(stdout, a.text, false);
	render_out_release(&out);
	store_article_release(&a);
	return EXIT_OK;
}

int
cmd_show(int argc, char **argv, struct ctx *ctx)
{
	struct item it;
	struct err e = { 0 };
	char ts[32];
	int64_t id;
	size_t k;
	bool json = false, article = false;
	const char *ids = NULL;
	int a;

	if (cmd_wants_help(argc, argv)) {
		fputs("usage: glean show ID [--json | --article]\n\n"
		      "Show an item: its details, its text rendered for the "
		      "terminal, its\nlinks numbered, and your notes. Tags "
		      "its source gives it are marked\n(source). --article "
		      "shows the article at the item's link instead,\n"
		      "fetched and kept with the item the first time "
		      "(searchable after).\n",
		      stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--json"))
			json = true;
		else if (!strcmp(argv[a], "--article"))
			article = true;
		else if (!ids)
			ids = argv[a];
		else
			return cmd_usage_error("show", "one item at a time");
	}
	if (!ids)
		return cmd_usage_error("show", "which item?");
	if (parse_id("show", ids, &id))
		return EXIT_USAGE;
	if (article && json)
		return cmd_usage_error("show", "--article or --json, not both");
	if (article)
		return show_article(ctx, id);
	if (store_item_get(ctx->st, id, true, &it, &e) < 0)
		return cmd_err(&e);
	if (json) {
		struct json_out w;

		json_out_init(&w, 0);
		json_item(&w, &it, true);
		puts(w.sb.buf);
		json_out_release(&w);
		item_release(&it);
		return EXIT_OK;
	}
	printf("Title:  ");
	cmd_put(stdout, it.title ? it.title : "(untitled)", true);
	printf("\nSource: ");
	cmd_put(stdout, it.source_title, true);
	if (it.author) {
		printf("\nAuthor: ");
		cmd_put(stdout, it.author, true);
	}
	if (it.published)
		printf("\nDate:   %s", time_fmt_iso(it.published, ts,
						      sizeof(ts)));
	if (it.url) {
		printf("\nLink:   ");
		cmd_put(stdout, it.url, true);
	}
	if (it.ntags) {
		printf("\nTags:   ");
		for (k = 0; k < it.ntags; k++) {
			if (k)
				printf(", ");
			cmd_put(stdout, it.tags[k], true);
			if (it.tag_from_source[k])
				printf(" (source)");
		}
	}
	printf("\nFlags:  %s%s%s\n\n", it.read ? "read" : "unread",
	       it.starred ? ", starred" : "", it.marked ? ", to share" : "");
	item_show_body(&it);
	for (k = 0; k < it.nnotes; k++) {
		const struct note *n = &it.notes[k];

		printf("\n--- note %lld (%s)\n", (long long)n->id,
		       time_fmt_iso(n->created, ts, sizeof(ts)));
		if (n->quote) {
			printf("> ");
			cmd_put(stdout, n->quote, true);
			putchar('\n');
		}
		if (n->body && *n->body) {
			cmd_put(stdout, n->body, false);
			putchar('\n');
		}
	}
	item_release(&it);
	return EXIT_OK;
}

int
cmd_tag(int argc, char **argv, struct ctx *ctx)
{
	struct err e = { 0 };
	struct sbuf out = SBUF_INIT;
	int64_t id;
	int i;

	if (cmd_wants_help(argc, argv) || argc < 3) {
		fputs("usage: glean tag ID +TAG|-TAG|TAG...\n\n"
		      "Add (+TAG or TAG) or remove (-TAG) tags on an item. Tags "
		      "may contain\nspaces when quoted: glean tag 12 +'digital "
		      "inclusion'\nTags of the item's source are on every item "
		      "of it; change them with\n'glean tag-source'. Says what "
		      "changed.\n", argc < 3 ? stderr : stdout);
		return cmd_wants_help(argc, argv) ? EXIT_OK : EXIT_USAGE;
	}
	if (parse_id("tag", argv[1], &id))
		return EXIT_USAGE;
	/* every tag is checked before anything is written, and the changes
	 * go in one transaction: a bad one changes nothing */
	for (i = 2; i < argc; i++) {
		const char *t = argv[i] + (argv[i][0] == '+' || argv[i][0] == '-');
		char *clean = text_sanitize(t, strlen(t), true);
		bool empty = !*str_trim(clean);

		free(clean);
		if (empty)
			return cmd_usage_error("tag", "empty tag (argument %d, "
					       "'%s')", i - 1, argv[i]);
	}
	if (store_begin(ctx->st, true, &e) < 0)
		return cmd_err(&e);
	for (i = 2; i < argc; i++) {
		bool add = argv[i][0] != '-', changed;
		const char *t = argv[i] + (argv[i][0] == '+' || argv[i][0] == '-');
		char *clean = text_sanitize(t, strlen(t), true);
		char *name = str_trim(clean);
		char *shown;

		if (store_item_tag_changed(ctx->st, id, name, add, &changed,
					   &e) < 0) {
			free(clean);
			store_rollback(ctx->st);
			sbuf_release(&out);
			return cmd_err(&e);
		}
		if (changed)
			sbuf_addf(&out, "%s item %lld: ",
				  add ? "tagged" : "untagged", (long long)id);
		else
			sbuf_addf(&out, "item %lld %s: ", (long long)id,
				  add ? "already has the tag"
				      : "has no such tag");
		shown = text_sanitize(name, strlen(name), true);
		sbuf_addf(&out, "%s\n", shown);
		free(shown);
		free(clean);
	}
	if (store_commit(ctx->st, &e) < 0) {
		store_rollback(ctx->st);
		sbuf_release(&out);
		return cmd_err(&e);
	}
	fputs(out.buf, stdout);
	sbuf_release(&out);
	return EXIT_OK;
}

int
cmd_tags(int argc, char **argv, struct ctx *ctx)
{
	struct tag_list l;
	struct err e = { 0 };
	bool json = false;
	size_t i;
	int a;

	if (cmd_wants_help(argc, argv)) {
		fputs("usage: glean tags [--json]\n\n"
		      "List every tag on a visible item: unread/items, name.\n"
		      "An item counts when it has the tag itself or through "
		      "its source\n(glean tag-source).\n", stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--json"))
			json = true;
		else
			return cmd_usage_error("tags", "unknown argument '%s'",
					       argv[a]);
	}
	if (store_tags_list(ctx->st, &l, &e) < 0)
		return cmd_err(&e);
	if (json) {
		struct json_out w;

		json_out_init(&w, 0);
		json_arr_begin(&w);
		for (i = 0; i < l.n; i++) {
			json_obj_begin(&w);
			json_kv_str(&w, "name", l.v[i].name);
			json_key(&w, "items");
			json_i64(&w, l.v[i].items);
			json_key(&w, "unread");
			json_i64(&w, l.v[i].unread);
			json_obj_end(&w);
		}
		json_arr_end(&w);
		puts(w.sb.buf);
		json_out_release(&w);
	} else {
		if (l.n == 0)
			printf("no tags yet; tag an item with 'glean tag ID "
			       "TAG' or a source with\n'glean tag-source "
			       "SOURCE +TAG'\n");
		/* as 'glean sources': unread/total, then the name */
		for (i = 0; i < l.n; i++) {
			printf("%5lld/%-5lld ", (long long)l.v[i].unread,
			       (long long)l.v[i].items);
			cmd_put(stdout, l.v[i].name, true);
			putchar('\n');
		}
	}
	tag_list_release(&l);
	return EXIT_OK;
}

/* True when s has something besides white space. */
static bool
has_text(const char *s)
{
	for (; s && *s; s++)
		if (!isspace((unsigned char)*s))
			return true;
	return false;
}

/* s with every run of white space made one space, trimmed. */
static char *
squeeze(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	bool space = false;

	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = o > out;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = false;
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* Is the quote a passage of the item (its text, title or content),
 * white space compared loosely? */
static bool
quote_in_item(const struct item *it, const char *quote)
{
	const char *const hay[] = { it->text, it->title, it->content };
	char *q = squeeze(quote);
	bool found = false;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hay) && !found; i++) {
		char *h;

		if (!hay[i])
			continue;
		h = squeeze(hay[i]);
		found = strstr(h, q) != NULL;
		free(h);
	}
	free(q);
	return found;
}

/* Or in its stored article (issue 19: quotes come from it too). */
static bool
quote_in_article(struct store *st, int64_t id, const char *quote)
{
	struct store_article a;
	char *q, *h;
	bool found = false;

	if (store_article_get(st, id, &a, NULL) == 1 && a.text) {
		q = squeeze(quote);
		h = squeeze(a.text);
		found = strstr(h, q) != NULL;
		free(q);
		free(h);
	}
	store_article_release(&a);
	return found;
}

/* Note n must be one of item id's; else say which ones it has. */
static int
own_note(int64_t id, int64_t n, const struct item *it)
{
	struct sbuf list = SBUF_INIT;
	size_t k;
	int rc;

	for (k = 0; k < it->nnotes; k++)
		if (it->notes[k].id == n)
			return 0;
	for (k = 0; k < it->nnotes; k++)
		sbuf_addf(&list, "%s%lld", k ? ", " : "",
			  (long long)it->notes[k].id);
	if (it->nnotes)
		rc = cmd_error("no note %lld on item %lld; item %lld has "
			       "note%s %s (see 'glean show %lld')",
			       (long long)n, (long long)id, (long long)id,
			       it->nnotes == 1 ? "" : "s", list.buf,
			       (long long)id);
	else
		rc = cmd_error("no note %lld on item %lld; item %lld has no "
			       "notes", (long long)n, (long long)id,
			       (long long)id);
	sbuf_release(&list);
	return rc;
}

static int
note_usage(FILE *fp)
{
	fputs("usage: glean note ID [--quote PASSAGE] TEXT...\n"
	      "       glean note ID --edit N [--quote PASSAGE] [TEXT...]\n"
	      "       glean note ID --rm N\n\n"
	      "Annotate an item with a note, optionally quoting a passage "
	      "of it.\nNotes are searchable and go into digests. --edit "
	      "replaces the text (and,\nwith --quote, the quote) of note N, "
	      "--rm removes it; N is the note's\nnumber in 'glean show ID'. "
	      "Use -- before a note that starts with --.\n", fp);
	return fp == stdout ? EXIT_OK : EXIT_USAGE;
}

int
cmd_note(int argc, char **argv, struct ctx *ctx)
{
	struct err e = { 0 };
	struct sbuf body = SBUF_INIT;
	struct item it = { 0 };
	const char *quote = NULL;
	int64_t id, nid, edit = 0, rm = 0;
	bool opts = true;
	int a, rc = EXIT_FAIL;

	if (cmd_wants_help(argc, argv))
		return note_usage(stdout);
	if (argc < 3)
		return note_usage(stderr);
	if (parse_id("note", argv[1], &id))
		return EXIT_USAGE;
	for (a = 2; a < argc; a++) {
		const char *s = argv[a];
		bool has = a + 1 < argc;

		if (opts && !strcmp(s, "--")) {
			opts = false;
			continue;
		}
		if (opts && (!strcmp(s, "--edit") || !strcmp(s, "--rm"))) {
			int64_t *n = s[2] == 'e' ? &edit : &rm;

			if (!has || str_to_i64(argv[a + 1], n) < 0 || *n <= 0)
				rc = cmd_usage_error("note", "%s wants the "
					"number of a note, as 'glean show "
					"%lld' lists it", s, (long long)id);
			else if (edit && rm)
				rc = cmd_usage_error("note", "--edit and --rm "
					"together; use one");
			else {
				a++;
				continue;
			}
			goto out;
		}
		if (opts && !strcmp(s, "--quote")) {
			if (!has) {
				rc = cmd_usage_error("note", "--quote wants "
					"the passage: --quote \"...\"");
				goto out;
			}
			quote = argv[++a];
			if (!has_text(quote)) {
				rc = cmd_usage_error("note", "the quote is "
					"empty; give the passage to quote");
				goto out;
			}
			continue;
		}
		if (opts && s[0] == '-' && s[1] == '-' && s[2]) {
			rc = cmd_usage_error("note", "unknown option '%s' (a "
				"note that starts with -- goes after --)", s);
			goto out;
		}
		if (body.len)
			sbuf_addch(&body, ' ');
		sbuf_adds(&body, s);
	}
	if (rm && (body.len || quote)) {
		rc = cmd_usage_error("note", "--rm takes no text");
		goto out;
	}
	if (!rm && !has_text(body.buf) && !quote) {
		rc = cmd_usage_error("note", edit ? "--edit %lld: give the "
			"new text (or --quote PASSAGE)" : "the note is empty; "
			"give its text (or --quote PASSAGE)", (long long)edit);
		goto out;
	}
	if (body.len && !has_text(body.buf)) {
		rc = cmd_usage_error("note", "the note is empty; give its "
				     "text");
		goto out;
	}
	if (store_item_get(ctx->st, id, true, &it, &e) < 0) {
		rc = cmd_err(&e);
		goto out;
	}
	if ((edit || rm) && own_note(id, edit ? edit : rm, &it)) {
		rc = EXIT_FAIL;
		goto out;
	}
	if (rm) {
		if (store_note_delete(ctx->st, rm, &e) < 0) {
			rc = cmd_err(&e);
			goto out;
		}
		printf("removed note %lld from item %lld\n", (long long)rm,
		       (long long)id);
	} else if (edit) {
		if (store_note_update(ctx->st, edit, body.len ? body.buf : NULL,
				      quote, &e) < 0) {
			rc = cmd_err(&e);
			goto out;
		}
		printf("changed note %lld on item %lld\n", (long long)edit,
		       (long long)id);
	} else {
		if (store_note_add(ctx->st, id, body.buf, quote, NULL, NULL,
				   &nid, &e) < 0) {
			rc = cmd_err(&e);
			goto out;
		}
		printf("saved note %lld on item %lld\n", (long long)nid,
		       (long long)id);
	}
	if (quote && !quote_in_item(&it, quote) &&
	    !quote_in_article(ctx->st, id, quote))
		fprintf(stderr, "glean: warning: the quote is not found in "
			"item %lld's text; saved as written\n", (long long)id);
	rc = EXIT_OK;
out:
	item_release(&it);
	sbuf_release(&body);
	return rc;
}

/* 'glean read QUERY' / 'glean unread QUERY': every item the query
 * matches, in one transaction. */
static int
set_read_query(struct ctx *ctx, const char *query, bool read)
{
	struct item_query q = { 0 };
	struct err e = { 0 };
	int64_t n;

	q.query = query;
	if (store_items_set_read_query(ctx->st, &q, read, &n, &e) < 0)
		return cmd_err(&e);
	printf("marked %lld item%s %s\n", (long long)n, n == 1 ? "" : "s",
	       read ? "read" : "unread");
	return EXIT_OK;
}

static int
set_flag(int argc, char **argv, struct ctx *ctx, enum item_flag f, bool on,
	 const char *done, const char *help)
{
	struct err e = { 0 };
	struct sbuf query = SBUF_INIT, out = SBUF_INIT;
	bool ids = true, first_id = false;
	int64_t id;
	int i, rc, nargs = 0;

	if (cmd_wants_help(argc, argv) || argc < 2) {
		if (f == ITEM_READ)
			printf("usage: glean %s ID...\n       glean %s QUERY..."
			       "\n\n%s\n", argv[0], argv[0], help);
		else
			printf("usage: glean %s ID...\n\n%s\n", argv[0], help);
		return cmd_wants_help(argc, argv) ? EXIT_OK : EXIT_USAGE;
	}
	/* read and unread take ids or else one query (its words joined,
	 * as 'glean items' does) */
	for (i = 1; f == ITEM_READ && i < argc; i++) {
		if (!strcmp(argv[i], "--all") && on) {
			continue;
		} else if (!strcmp(argv[i], "--unread") && on) {
			on = false;
			done = "unread";
			continue;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			sbuf_release(&query);
			return cmd_usage_error(argv[0], "unknown option '%s'",
					       argv[i]);
		}
		if (str_to_i64(argv[i], &id) < 0 || id <= 0) {
			/* ids then a word: a mistyped id, not a query */
			if (first_id) {
				sbuf_release(&query);
				return cmd_usage_error(argv[0], "'%s' is not an "
					"item id (a query cannot start with a "
					"number; quote it as one argument)",
					argv[i]);
			}
			ids = false;
		} else if (nargs == 0) {
			first_id = true;
		}
		nargs++;
		if (query.len)
			sbuf_addch(&query, ' ');
		sbuf_adds(&query, argv[i]);
	}
	if (!ids) {
		rc = set_read_query(ctx, query.buf, on);
		sbuf_release(&query);
		return rc;
	}
	sbuf_release(&query);
	/* Every id is checked before anything is written, and the changes
	 * go in one transaction: a wrong or missing id changes nothing. */
	for (i = 1; i < argc; i++) {
		if (f == ITEM_READ && (!strcmp(argv[i], "--unread") ||
				       (!strcmp(argv[i], "--all") && on)))
			continue;
		if (parse_id(argv[0], argv[i], &id))
			return EXIT_USAGE;
	}
	if (store_begin(ctx->st, true, &e) < 0)
		return cmd_err(&e);
	for (i = 1; i < argc; i++) {
		if (f == ITEM_READ && !strcmp(argv[i], "--unread"))
			continue;
		if (!strcmp(argv[i], "--all") && f == ITEM_READ && on) {
			int64_t n;

			if (store_items_mark_read(ctx->st, 0, &n, &e) < 0)
				goto fail;
			sbuf_addf(&out, "marked %lld item%s read\n",
				  (long long)n, n == 1 ? "" : "s");
			continue;
		}
		(void)str_to_i64(argv[i], &id); /* checked above */
		if (store_item_set_flag(ctx->st, id, f, on, &e) < 0)
			goto fail;
		sbuf_addf(&out, "%s item %lld\n", done, (long long)id);
	}
	if (store_commit(ctx->st, &e) < 0)
		goto fail;
	fputs(out.buf, stdout);
	sbuf_release(&out);
	return EXIT_OK;
fail:
	store_rollback(ctx->st);
	sbuf_release(&out);
	return cmd_err(&e);
}

int
cmd_star(int argc, char **argv, struct ctx *ctx)
{
	return set_flag(argc, argv, ctx, ITEM_STARRED, true, "starred",
			"Star items.");
}

int
cmd_unstar(int argc, char **argv, struct ctx *ctx)
{
	return set_flag(argc, argv, ctx, ITEM_STARRED, false, "unstarred",
			"Remove the star from items.");
}

int
cmd_mark(int argc, char **argv, struct ctx *ctx)
{
	return set_flag(argc, argv, ctx, ITEM_MARKED, true,
			"marked to share", "Mark items to share in the next "
			"digest (glean digest, glean share).");
}

int
cmd_unmark(int argc, char **argv, struct ctx *ctx)
{
	return set_flag(argc, argv, ctx, ITEM_MARKED, false, "unmarked",
			"Take items out of the next digest.");
}

int
cmd_read(int argc, char **argv, struct ctx *ctx)
{
	return set_flag(argc, argv, ctx, ITEM_READ, true, "read",
			"Mark items read: by id, or every item a query matches "
			"(in one step),\ne.g. glean read 'tag:civic before:7d'."
			"\n  --all     every item\n"
			"  --unread  mark unread instead (undo)");
}

int
cmd_unread(int argc, char **argv, struct ctx *ctx)
{
	return set_flag(argc, argv, ctx, ITEM_READ, false, "unread",
			"Mark items unread: by id, or every item a query "
			"matches,\ne.g. glean unread 'tag:civic since:1d'.");
}
