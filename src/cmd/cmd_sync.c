/*
 * glean sync: the [sync "NAME"] accounts (issue 17), each synced with
 * its server through src/sync; also run by 'glean fetch' first. It owns
 * the options and what is printed, nothing of the merge.
 */
#include <stdio.h>
#include <string.h>

#include "glean/cmd.h"
#include "glean/config.h"
#include "glean/sync.h"
#include "glean/banned.h"

static const struct config_sync *
find_sync(const struct ctx *ctx, const char *name)
{
	size_t i;

	for (i = 0; i < ctx->cfg->nsyncs; i++)
		if (!strcmp(ctx->cfg->syncs[i].name, name))
			return &ctx->cfg->syncs[i];
	return NULL;
}

/* Sync a (after subscribing to url there, when url is set). */
static int
sync_one(struct ctx *ctx, const struct config_sync *a, bool quiet,
	 const char *url)
{
	struct sync_report r;
	struct err e = { 0 };
	size_t i;
	int rc = url ? sync_subscribe(ctx->st, ctx->cfg, a, url, &r, &e)
		     : sync_run(ctx->st, ctx->cfg, a, &r, &e);

	if (rc < 0) {
		cmd_err(&e);
		if (r.queued)
			fprintf(stderr, "glean: %lld change%s made in glean "
				"stay%s queued for the next sync\n",
				(long long)r.queued, r.queued == 1 ? "" : "s",
				r.queued == 1 ? "s" : "");
	} else if (!quiet) {
		printf("synced '");
		cmd_put(stdout, a->name, true);
		printf("' (%s): %lld feed%s, %lld new item%s, %lld change%s "
		       "taken, %lld sent, %lld request%s\n", a->service,
		       (long long)r.feeds, r.feeds == 1 ? "" : "s",
		       (long long)r.new_items, r.new_items == 1 ? "" : "s",
		       (long long)r.pulled, r.pulled == 1 ? "" : "s",
		       (long long)r.pushed, (long long)r.requests,
		       r.requests == 1 ? "" : "s");
		if (r.notes_kept)
			printf("  %lld note%s changed on the server kept "
			       "beside yours\n", (long long)r.notes_kept,
			       r.notes_kept == 1 ? "" : "s");
		for (i = 0; i < r.nnotices; i++) {
			printf("  note: ");
			cmd_put(stdout, r.notices[i], true);
			putchar('\n');
		}
	}
	sync_report_release(&r);
	return rc;
}

int
cmd_sync_all(struct ctx *ctx, bool quiet)
{
	size_t i;
	int failed = 0;

	for (i = 0; i < ctx->cfg->nsyncs; i++)
		if (sync_one(ctx, &ctx->cfg->syncs[i], quiet, NULL) < 0)
			failed++;
	return failed;
}

int
cmd_sync_subscribe(struct ctx *ctx, const char *name, const char *url)
{
	const struct config_sync *a = find_sync(ctx, name);

	if (!a)
		return cmd_error("there is no [sync \"%s\"] in '%s'", name,
				 ctx->config_path);
	if (sync_one(ctx, a, false, url) < 0)
		return EXIT_FAIL;
	printf("subscribed on the server of '");
	cmd_put(stdout, name, true);
	printf("': ");
	cmd_put(stdout, url, true);
	putchar('\n');
	return EXIT_OK;
}

int
cmd_sync(int argc, char **argv, struct ctx *ctx)
{
	bool quiet = false;
	int a, failed = 0, named = 0;

	if (cmd_wants_help(argc, argv)) {
		fputs("usage: glean sync [--quiet] [NAME...]\n\n"
		      "Sync with the servers of the [sync \"NAME\"] sections "
		      "(all of them, or the\nones named): take the server's "
		      "feeds and items, and keep read, starred,\nmarked to "
		      "share, tags and notes the same on both sides. Changes "
		      "made\nwhile a server cannot be reached stay queued and "
		      "go with the next sync.\n'glean fetch' syncs first.\n\n"
		      "  --quiet  print only failures\n\n"
		      "Exit status: 0 when every account synced, 1 "
		      "otherwise.\n", stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--quiet") || !strcmp(argv[a], "-q"))
			quiet = true;
		else if (argv[a][0] == '-')
			return cmd_usage_error("sync", "unknown option '%s'",
					       argv[a]);
		else
			named++;
	}
	if (!ctx->cfg->nsyncs)
		return cmd_error("no sync account: add a [sync \"NAME\"] "
				 "section with service, url, user and "
				 "password-cmd to '%s' (see glean-config(5))",
				 ctx->config_path);
	if (!named)
		return cmd_sync_all(ctx, quiet) ? EXIT_FAIL : EXIT_OK;
	for (a = 1; a < argc; a++) {
		const struct config_sync *y;

		if (argv[a][0] == '-')
			continue;
		if (!(y = find_sync(ctx, argv[a])))
			return cmd_error("there is no [sync \"%s\"] in '%s'",
					 argv[a], ctx->config_path);
		if (sync_one(ctx, y, quiet, NULL) < 0)
			failed++;
	}
	return failed ? EXIT_FAIL : EXIT_OK;
}
