/*
 * glean ui (and glean with no arguments): open the store (read-only when
 * its file or directory cannot be written, saying why), then hand over
 * to the reader in sense/. Nothing else lives here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glean/cmd.h"
#include "glean/config.h"
#include "glean/parse.h"
#include "glean/sense.h"
#include "glean/store.h"
#include "glean/banned.h"

static void
make_dirs(const char *path)
{
	char *d = xstrdup(path), *p;

	for (p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(d, 0700);
		*p = '/';
	}
	free(d);
}

CMD(ui)
{
	struct sense_opts o = { 0 };
	struct err e = { 0 };
	const char *bench = getenv("GLEAN_BENCH_EXIT_AFTER_FIRST_DRAW");
	int rc;

	if (cmd_wants_help(argc, argv)) {
		printf("usage: glean [ui] [--keys]\n\n"
		       "Open the reader. Keys are listed with '?' inside it "
		       "and in glean(1);\nrebind them under [bind] in the "
		       "config.\n\n"
		       "  --keys   print the key table as man(7) lines\n");
		return EXIT_OK;
	}
	if (argc > 1 && !strcmp(argv[1], "--keys")) {
		sense_keys_man();
		return EXIT_OK;
	}
	if (argc > 1 && strcmp(argv[0], "glean") != 0)
		return cmd_usage_error("ui", "unexpected argument '%s'",
				       argv[1]);
	if ((!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) &&
	    !(bench && *bench) && !getenv("GLEAN_BENCH_EXIT_WHEN_IDLE"))
		return cmd_error("the reader needs a terminal; in scripts use "
				 "'glean items', 'glean show' and friends");
	make_dirs(ctx->db_path);
	ctx->st = store_open(ctx->db_path, STORE_WRITE, &e);
	if (!ctx->st)
		return cmd_err(&e);
	store_set_regex(ctx->st, rx_store_ops());
	ctx->readonly = !store_writable(ctx->st);
	o.busy = store_readonly_reason(ctx->st);
	rc = sense_run(ctx->st, ctx->cfg, &o, &e);
	if (rc < 0)
		return cmd_err(&e);
	return EXIT_OK;
}
