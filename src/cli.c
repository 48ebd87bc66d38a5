/*
 * The command table and what every command shares: global options,
 * where the files are (DESIGN.md §1), loading the config and opening the
 * store once, according to each row's flags (git's RUN_SETUP).
 *
 * Adding a command:
 *   1. write int cmd_NAME(int argc, char **argv, struct ctx *) in
 *      src/cmd/cmd_NAME.c, declared in include/glean/cmd.h, with --help;
 *   2. add its row below, in alphabetical order, with the flags it needs;
 *   3. document it in man/glean.1 (and README when users meet it first);
 *   4. add a test under tests/integration.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glean/cli.h"
#include "glean/cmd.h"
#include "glean/config.h"
#include "glean/json.h"
#include "glean/parse.h"
#include "glean/seek.h"
#include "glean/service.h"
#include "glean/store.h"
#include "glean/banned.h"

enum {
	NEED_CONFIG = 1 << 0, /* load the config file */
	NEED_STORE = 1 << 1,  /* open the store for reading */
	NEED_WRITE = 1 << 2,  /* open the store as the one writer */
};

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct ctx *ctx);
	unsigned flags;
	const char *summary;
};

#define RW (NEED_CONFIG | NEED_STORE | NEED_WRITE)
#define RO (NEED_CONFIG | NEED_STORE)

static const struct command commands[] = {
	{ "add", cmd_add, RW, "subscribe to a feed, page, forum or list" },
	{ "backup", cmd_backup, RO, "copy the store while glean runs" },
	{ "check", cmd_check, 0, "check the store for damage (--repair)" },
	{ "digest", cmd_digest, RO, "render the digest of marked items" },
	{ "export", cmd_export, RO, "write subscriptions (OPML, JSON), notes "
				    "or annotations" },
	{ "extract", cmd_extract, 0, "find the article in a web page" },
	{ "fetch", cmd_fetch, RW, "fetch due sources into the store" },
	{ "import", cmd_import, RW, "subscribe from OPML or a newsboat urls "
				    "file; read annotations" },
	{ "items", cmd_items, RO, "list items matching a query" },
	{ "mark", cmd_mark, RW, "mark items to share" },
	{ "note", cmd_note, RW, "annotate an item" },
	{ "parse", cmd_parse, 0, "parse a feed file and print the parse dump" },
	{ "read", cmd_read, RW, "mark items (or a query's items) read" },
	{ "rm", cmd_rm, RW, "unsubscribe" },
	{ "search", cmd_search, RO, "full-text search, notes included" },
	{ "share", cmd_share, RW, "post the digest to a target, through "
				  "the outbox" },
	{ "shares", cmd_shares, RO, "list past shares and their state" },
	{ "show", cmd_show, RO, "show one item with its notes" },
	{ "source-articles", cmd_source_articles, RW, "fetch the articles "
						      "of a source's new items" },
	{ "sources", cmd_sources, RO, "list subscriptions and their state" },
	{ "star", cmd_star, RW, "star items" },
	{ "sync", cmd_sync, RW, "sync with tt-rss or Google Reader API servers" },
	{ "tag", cmd_tag, RW, "add or remove tags on an item" },
	{ "tag-source", cmd_tag_source, RW, "add or remove tags on a source" },
	{ "tags", cmd_tags, RO, "list tags with item and unread counts" },
	{ "ui", cmd_ui, NEED_CONFIG, "open the reader (the default)" },
	{ "unmark", cmd_unmark, RW, "take items out of the next digest" },
	{ "unread", cmd_unread, RW, "mark items unread" },
	{ "unstar", cmd_unstar, RW, "remove stars" },
	{ "version", cmd_version, 0, "print glean's version" },
};

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp,
		"usage: glean [--config FILE] [--db FILE] [-v] COMMAND [ARGS]\n"
		"\n"
		"With no command, glean opens the reader.\n\n"
		"commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(fp, "  %-12s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(fp, "\nRun 'glean COMMAND --help' for a command's options; "
		    "'man glean' for more.\n");
}

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static char *
xdg_path(const char *env, const char *fallback, const char *leaf)
{
	const char *base = getenv(env), *home = getenv("HOME");

	if (base && *base == '/')
		return xasprintf("%s/glean/%s", base, leaf);
	if (!home || !*home)
		home = ".";
	return xasprintf("%s/%s/glean/%s", home, fallback, leaf);
}

/* mkdir -p for the directory part of path, mode 0700. */
static int
make_parent_dirs(const char *path, struct err *e)
{
	char *d = xstrdup(path), *p;
	int rc = 0;

	for (p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0700) < 0 && errno != EEXIST) {
			rc = err_set(e, ERR_IO, "cannot create directory '%s': "
				     "%s", d, strerror(errno));
			break;
		}
		*p = '/';
	}
	free(d);
	return rc;
}

static void
resolve_paths(struct ctx *ctx, const char *opt_config, const char *opt_db)
{
	const char *home = getenv("GLEAN_HOME");
	const char *logenv = getenv("GLEAN_LOG");

	ctx->home = home && *home ? home : NULL;
	if (opt_config)
		ctx->config_path = xstrdup(opt_config);
	else if (ctx->home)
		ctx->config_path = xasprintf("%s/config", ctx->home);
	else
		ctx->config_path = xdg_path("XDG_CONFIG_HOME", ".config",
					    "config");
	if (opt_db)
		ctx->db_path = xstrdup(opt_db);
	else if (ctx->home)
		ctx->db_path = xasprintf("%s/glean.db", ctx->home);
	else
		ctx->db_path = xdg_path("XDG_DATA_HOME", ".local/share",
					"glean.db");
	if (logenv && *logenv)
		ctx->log_path = xstrdup(logenv);
	else if (ctx->verbose && ctx->home)
		ctx->log_path = xasprintf("%s/glean.log", ctx->home);
	else if (ctx->verbose)
		ctx->log_path = xdg_path("XDG_STATE_HOME", ".local/state",
					 "glean.log");
}

static int
setup(struct ctx *ctx, unsigned flags)
{
	struct err e = { 0 };

	if (flags & NEED_CONFIG) {
		ctx->cfg = xmalloc(sizeof(*ctx->cfg));
		config_init(ctx->cfg);
		ctx->cfg->services = service_names(); /* the registry's */
		if (config_load(ctx->cfg, ctx->config_path, &e) < 0)
			return cmd_err(&e);
	}
	if (flags & NEED_STORE) {
		unsigned sf = (flags & NEED_WRITE) ? STORE_WRITE : 0;

		if ((flags & NEED_WRITE) &&
		    make_parent_dirs(ctx->db_path, &e) < 0)
			return cmd_err(&e);
		ctx->st = store_open(ctx->db_path, sf, &e);
		if (!ctx->st)
			return cmd_err(&e);
		if (store_open_warning(ctx->st))
			fprintf(stderr, "glean: warning: %s\n",
				store_open_warning(ctx->st));
		store_set_regex(ctx->st, rx_store_ops());
		ctx->readonly = !(flags & NEED_WRITE);
		/* a bad [rule] fails every command at once, as file:line */
		if (ctx->cfg && seek_rules_check(ctx->cfg, ctx->st, &e) < 0)
			return cmd_err(&e);
	}
	return 0;
}

/* Once per command: each /regex/ whose matches hit a PCRE2 limit, on
 * how many items (they counted as no match). */
static void
report_rx_limits(struct store *st)
{
	struct store_rx_limit *v;
	size_t i, n = store_rx_limits_take(st, &v);

	for (i = 0; i < n; i++) {
		char *clean = text_sanitize(v[i].pattern,
					    strlen(v[i].pattern), true);

		fprintf(stderr, "glean: %s hit the regex match limit on "
			"%lld item%s; they count as no match\n", clean,
			(long long)v[i].hits, v[i].hits == 1 ? "" : "s");
		free(clean);
	}
	store_rx_limits_free(v, n);
}

static void
teardown(struct ctx *ctx)
{
	if (ctx->st) {
		report_rx_limits(ctx->st);
		store_close(ctx->st);
	}
	if (ctx->cfg) {
		config_release(ctx->cfg);
		free(ctx->cfg);
	}
	free(ctx->config_path);
	free(ctx->db_path);
	free(ctx->log_path);
	log_close();
}

/*
 * Every command's output ends here: a write that failed (a full disk,
 * /dev/full, a closed pipe's reader gone) or a close that failed makes
 * the command fail, with a message, whatever it printed before. stdio
 * only reports a failed write through ferror() once its buffer was
 * flushed, so both the flush, the error flag and the close are checked.
 */
static int
finish_output(int rc, int write_errno)
{
	int bad = 0, err = 0;

	if (fflush(stdout) != 0) {
		bad = 1;
		err = errno;
	} else if (ferror(stdout)) {
		bad = 1;
		err = write_errno;
	}
	if (fclose(stdout) != 0 && !bad) {
		bad = 1;
		err = errno;
	}
	if (!bad)
		return rc;
	if (err)
		fprintf(stderr, "glean: cannot write output: %s\n",
			err_str(err));
	else
		fprintf(stderr, "glean: cannot write output: a write "
			"failed\n");
	return rc == EXIT_OK ? EXIT_FAIL : rc;
}

/* errno just after a command whose output already failed (ferror): most
 * likely the failed write's, for finish_output()'s message. */
static int
write_errno(void)
{
	int err = errno;

	if (!ferror(stdout))
		return 0;
	switch (err) {
	case ENOSPC: case EDQUOT: case EIO: case EPIPE: case EBADF:
	case EFBIG:
		return err;
	default:
		return 0;
	}
}

int
cli_main(int argc, char **argv)
{
	struct ctx ctx = { 0 };
	const char *opt_config = NULL, *opt_db = NULL;
	const struct command *cmd;
	int i, rc, werr;

	umask(077);
	/* Character widths (wcwidth) follow the user's locale. */
	setlocale(LC_CTYPE, "");
	/* the store derives item text with parse's stripper */
	store_set_text(content_text, CONTENT_TEXT_VERSION);
	ctx.prog = "glean";
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--config") || !strcmp(a, "--db")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "glean: %s needs a FILE\n", a);
				return EXIT_USAGE;
			}
			if (!strcmp(a, "--config"))
				opt_config = argv[++i];
			else
				opt_db = argv[++i];
		} else if (str_starts(a, "--config=")) {
			opt_config = a + 9;
		} else if (str_starts(a, "--db=")) {
			opt_db = a + 5;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			ctx.verbose++;
		} else if (!strcmp(a, "-vv")) {
			ctx.verbose += 2;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return finish_output(EXIT_OK, 0);
		} else if (!strcmp(a, "--version")) {
			rc = cmd_version(1, argv + i, &ctx);
			return finish_output(rc, write_errno());
		} else {
			fprintf(stderr, "glean: unknown option '%s'\n", a);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		cmd = find_command("ui");
		if (!cmd) {
			usage(stderr);
			return EXIT_USAGE;
		}
	} else {
		cmd = find_command(argv[i]);
		if (!cmd) {
			char *clean = text_sanitize(argv[i], strlen(argv[i]),
						    true);

			fprintf(stderr, "glean: '%s' is not a glean command; "
				"see 'glean --help'\n", clean);
			free(clean);
			return EXIT_USAGE;
		}
	}
	resolve_paths(&ctx, opt_config, opt_db);
	if (ctx.log_path)
		log_open(ctx.log_path,
			 ctx.verbose >= 2 ? LOG_DEBUG : LOG_INFO);
	if (i < argc && cmd_wants_help(argc - i, argv + i)) {
		rc = cmd->fn(argc - i, argv + i, &ctx);
	} else {
		rc = setup(&ctx, cmd->flags);
		if (rc == 0)
			rc = cmd->fn(i < argc ? argc - i : 1,
				     i < argc ? argv + i : argv, &ctx);
	}
	werr = write_errno();
	teardown(&ctx);
	return finish_output(rc, werr);
}
