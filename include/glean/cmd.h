/*
 * cmd: one function per subcommand. Each parses its options, calls the
 * modules below, prints, and returns the exit status (0 ok, 1 failure,
 * 2 usage). cmd/ is one of the two places that print (sense/ is the other).
 */
#ifndef GLEAN_CMD_H
#define GLEAN_CMD_H

#include <stdio.h>

#include "glean/base.h"

struct config;
struct store;

struct ctx {
	const char *prog;        /* "glean" */
	const char *home;        /* GLEAN_HOME or NULL */
	char *config_path;       /* resolved config file */
	char *db_path;           /* resolved store file */
	char *log_path;          /* resolved log file, NULL = off */
	struct config *cfg;      /* loaded when the command NEEDs it */
	struct store *st;        /* opened when the command NEEDs it */
	bool readonly;           /* store opened without the writer lock */
	int verbose;
};

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
/* fetch: some sources failed, the others were fetched (glean(1)) */
#define EXIT_PARTIAL 3

/* Print remote-derived text s (NULL prints nothing) through the one
 * sanitizer; single_line turns newlines and tabs into spaces. */
void cmd_put(FILE *fp, const char *s, bool single_line);
/* Print "glean: msg" on stderr (sanitized) and return EXIT_FAIL. */
int cmd_error(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Same, for a struct err. */
int cmd_err(const struct err *e);
/* Print "glean: msg" plus a usage hint and return EXIT_USAGE. */
int cmd_usage_error(const char *cmd, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* The usage error for an option the parser did not take: "option '--x'
 * needs a value" when opt is one of takes_value (NULL-terminated; the
 * parser saw it last on the line), else "unknown option '--x'". */
int cmd_bad_option(const char *cmd, const char *opt,
		   const char *const *takes_value);
/* True when argv[1..] contains -h or --help (before "--"). */
bool cmd_wants_help(int argc, char **argv);

#define CMD(name) int cmd_##name(int argc, char **argv, struct ctx *ctx)
CMD(add);
CMD(rm);
CMD(sources);
CMD(tag_source);
CMD(import);
CMD(export);
CMD(fetch);
CMD(items);
CMD(show);
CMD(tag);
CMD(tags);
CMD(note);
CMD(star);
CMD(unstar);
CMD(mark);
CMD(unmark);
CMD(read);
CMD(unread);
CMD(search);
CMD(parse);
CMD(version);
CMD(ui);
CMD(digest);
CMD(share);
CMD(shares);
CMD(check);
CMD(backup);
CMD(extract);
CMD(source_articles);
CMD(sync);
/* Sync every [sync] account (glean fetch runs it first); returns how
 * many failed, each reported on stderr. */
int cmd_sync_all(struct ctx *ctx, bool quiet);
/* 'glean add --sync NAME URL': subscribe on that server, then sync. */
int cmd_sync_subscribe(struct ctx *ctx, const char *name, const char *url);

#endif
