/*
 * glean check [--repair] and glean backup FILE: finding damage in the
 * store, rebuilding what can be rebuilt, and copying the store while
 * other gleans run. The checks themselves are in store_check.c.
 */
#include <stdio.h>
#include <string.h>

#include "glean/cmd.h"
#include "glean/store.h"
#include "glean/banned.h"

struct tally {
	int damage, repaired;
};

static void
report(void *arg, bool damage, bool repaired, const char *msg)
{
	struct tally *t = arg;

	if (repaired)
		t->repaired++;
	else if (damage)
		t->damage++;
	fputs(repaired ? "repaired: " : damage ? "damage: " : "note: ",
	      stdout);
	cmd_put(stdout, msg, true);
	fputc('\n', stdout);
}

int
cmd_check(int argc, char **argv, struct ctx *ctx)
{
	struct err e = { 0 };
	struct tally t = { 0 };
	struct store *st;
	bool repair = false;
	int i, left;

	if (cmd_wants_help(argc, argv)) {
		puts("usage: glean check [--repair]\n\n"
		     "Check the store: SQLite's integrity check of the store "
		     "and of its\nsearch index, the full-text index's own "
		     "check, and glean's own rules\n(every item has a source, "
		     "the mark counter is ahead of every mark,\nthe kept "
		     "unread and item counts equal the items).\nThe store is "
		     "opened read-only and left exactly as it is.\n\n"
		     "  --repair  rebuild what can be rebuilt (the indexes, "
		     "the search\n            index) and say what could not "
		     "be; run it with no other\n            glean running\n\n"
		     "Exit status: 0 the store is sound (after --repair: "
		     "nothing is left\nto repair), 1 damage was found (or the "
		     "check could not run).");
		return EXIT_OK;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--repair"))
			repair = true;
		else
			return cmd_usage_error("check", "unknown argument "
					       "'%s'", argv[i]);
	}
	st = store_open_check(ctx->db_path, repair, &e);
	if (!st)
		return cmd_err(&e);
	left = store_check(st, repair, report, &t, &e);
	store_close(st);
	if (left < 0)
		return cmd_err(&e);
	if (left == 0) {
		printf("the store '%s' is sound%s\n", ctx->db_path,
		       t.repaired ? " after the repairs above" : "");
		return EXIT_OK;
	}
	if (repair)
		printf("%d problem(s) could not be repaired; the lines above "
		       "say what to do\n", left);
	else
		printf("%d problem(s) found; 'glean check --repair' rebuilds "
		       "what can be rebuilt (make a copy first: 'glean backup "
		       "FILE')\n", left);
	return EXIT_FAIL;
}

int
cmd_backup(int argc, char **argv, struct ctx *ctx)
{
	struct err e = { 0 };

	if (cmd_wants_help(argc, argv)) {
		puts("usage: glean backup FILE\n\n"
		     "Copy the store to FILE, consistently, while other "
		     "gleans keep reading\nand writing it (SQLite's online "
		     "backup). The copy is written to\nFILE.tmp and renamed "
		     "to FILE when complete, replacing FILE. The search\n"
		     "index is not copied: it is rebuilt from the copy when "
		     "first used.");
		return EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '\0')
		return cmd_usage_error("backup", "name one FILE to copy the "
				       "store to, e.g. glean backup "
				       "glean-copy.db");
	if (argv[1][0] == '-')
		return cmd_usage_error("backup", "unknown option '%s'",
				       argv[1]);
	if (store_backup(ctx->st, argv[1], &e) < 0)
		return cmd_err(&e);
	printf("copied the store to '%s'\n", argv[1]);
	return EXIT_OK;
}
