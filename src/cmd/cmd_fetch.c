/*
 * glean fetch: pull due sources into the store, with a live progress
 * line on a terminal and a summary a person can act on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "glean/cmd.h"
#include "glean/config.h"
#include "glean/seek.h"
#include "glean/store.h"
#include "glean/banned.h"

static void
human_bytes(uint64_t b, char *buf, size_t n)
{
	if (b >= 10u << 20)
		snprintf(buf, n, "%.1f MB", (double)b / (1 << 20));
	else if (b >= 10u << 10)
		snprintf(buf, n, "%.0f KB", (double)b / (1 << 10));
	else
		snprintf(buf, n, "%llu B", (unsigned long long)b);
}

static void
progress(const struct seek_progress *p, void *arg)
{
	char bytes[32];

	(void)arg;
	human_bytes(p->bytes, bytes, sizeof(bytes));
	fprintf(stderr, "\r\033[Kfetching %zu/%zu", p->done, p->total);
	if (p->failed)
		fprintf(stderr, ", %zu failed", p->failed);
	fprintf(stderr, ", %s", bytes);
	fflush(stderr);
}

/* GLEAN_BENCH_TIMES=FILE (bench/run): append "WHAT EPOCH CPU" to FILE,
 * the wall clock in seconds since the epoch and the process's CPU time
 * (user+sys, every thread) so far, at the moments a benchmark cannot see
 * from outside: "stored" when every fetched row is committed (and listed
 * by 'glean items'), "indexed" when the search index has caught up. */
static void
bench_mark(const char *what)
{
	const char *path = getenv("GLEAN_BENCH_TIMES");
	struct timespec ts;
	struct rusage ru;
	FILE *f;

	if (!path || !*path)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		memset(&ru, 0, sizeof(ru));
	if (!(f = fopen(path, "a")))
		return;
	fprintf(f, "%s %lld.%09ld %.3f\n", what, (long long)ts.tv_sec,
		ts.tv_nsec, (double)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
		(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	fclose(f);
}

static bool
bench_no_index(void)
{
	const char *v = getenv("GLEAN_BENCH_NO_INDEX");

	return v && *v && strcmp(v, "0");
}

/* The exit status glean(1) documents: 1 when the store failed or no
 * source could be fetched, EXIT_PARTIAL when some failed, else 0. */
static int
fetch_status(const struct seek_result *r)
{
	if (r->store_error)
		return EXIT_FAIL;
	if (r->failed && r->failed >= r->sources)
		return EXIT_FAIL;
	if (r->failed)
		return EXIT_PARTIAL;
	return EXIT_OK;
}

int
cmd_fetch(int argc, char **argv, struct ctx *ctx)
{
	struct seek_fetch_opts o = { 0 };
	struct seek_result r;
	struct err e = { 0 };
	int64_t *ids = NULL;
	bool quiet = false, tty, sync_failed = false;
	char bytes[32];
	size_t i;
	int a, rc;

	if (cmd_wants_help(argc, argv)) {
		fputs("usage: glean fetch [--quiet] [--all] [SOURCE-ID...]\n\n"
		      "Fetch every source that is due (or the ones named) in "
		      "parallel, with\nconditional requests, and store new and "
		      "updated items. A failed source\nkeeps its items and "
		      "shows why in 'glean sources -l'.\n\n"
		      "  --quiet  print only failures, one line each on stderr (for "
		      "cron)\n"
		      "  --all    fetch every source, due or not\n\n"
		      "Exit status: 0 when every source was fetched or "
		      "unchanged, 3 when some\nfailed, 1 when none could be "
		      "fetched or the store could not be written.\n",
		      stdout);
		return EXIT_OK;
	}
	ids = xcalloc((size_t)argc, sizeof(*ids));
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--quiet") || !strcmp(argv[a], "-q")) {
			quiet = true;
		} else if (!strcmp(argv[a], "--all")) {
			o.all = true;
		} else if (str_to_i64(argv[a], &ids[o.n_ids]) == 0) {
			o.n_ids++;
		} else if (argv[a][0] == '-') {
			free(ids);
			return cmd_usage_error("fetch", "unknown option '%s'",
					       argv[a]);
		} else {
			free(ids);
			return cmd_usage_error("fetch", "'%s' is neither an "
					       "option nor a source id",
					       argv[a]);
		}
	}
	/* every source named must exist, before anything is fetched */
	for (i = 0; i < o.n_ids; i++) {
		struct source src;
		char num[32];

		snprintf(num, sizeof(num), "%lld", (long long)ids[i]);
		if (store_source_get(ctx->st, num, &src, &e) < 0) {
			free(ids);
			if (e.code == ERR_NOTFOUND)
				return cmd_error("there is no source %s; see "
						 "'glean sources'", num);
			return cmd_err(&e);
		}
		source_release(&src);
	}
	o.ids = ids;
	/* the servers' items first: their sources are not fetched here */
	if (!o.n_ids && ctx->cfg->nsyncs && cmd_sync_all(ctx, quiet))
		sync_failed = true;
	tty = !quiet && isatty(STDERR_FILENO);
	if (tty)
		o.progress = progress;
	/* The search index follows on a second thread as each batch
	 * commits; a failure there only delays indexing (the next search
	 * catches up), so it is not the fetch's failure.
	 * GLEAN_BENCH_NO_INDEX (bench/run's floor case) leaves the index
	 * to the next fetch or search, to time the fetch without it. */
	if (!bench_no_index() && store_indexer_start(ctx->st, &e) < 0)
		err_clear(&e);
	if (seek_fetch(ctx->st, ctx->cfg, &o, &r, &e) < 0) {
		free(ids);
		return cmd_err(&e);
	}
	free(ids);
	bench_mark("stored");
	{
		struct err ie = { 0 };

		/* a store from before the title sort's index, or one whose
		 * fetch was killed before it made it again (seek_finish()):
		 * made here, while the indexer's thread finishes, not in
		 * the reader's fetches, which it would freeze */
		if (store_title_index_make(ctx->st, &ie) < 0 && !quiet)
			fprintf(stderr, "glean: note: the index for the sort "
				"by title was not made: %s\n", ie.msg);
		err_clear(&ie);

		if (store_indexer_finish(ctx->st, &ie) < 0 && !quiet)
			fprintf(stderr, "glean: note: %s\n", ie.msg);
	}
	bench_mark("indexed");
	if (tty)
		fputs("\r\033[K", stderr);
	if (quiet) {
		/* cron mails what is on stderr: one line per failure */
		for (i = 0; i < r.nfailures; i++) {
			fprintf(stderr, "glean: source %lld ",
				(long long)r.failures[i].source_id);
			cmd_put(stderr, r.failures[i].title, true);
			fputs(" failed: ", stderr);
			cmd_put(stderr, r.failures[i].reason, true);
			fputc('\n', stderr);
		}
		goto status;
	}
	human_bytes(r.bytes, bytes, sizeof(bytes));
	if (r.sources == 0 && r.claimed)
		printf("nothing fetched: %zu due source%s %s being fetched by "
		       "another glean just now\n", r.claimed,
		       r.claimed == 1 ? "" : "s", r.claimed == 1 ? "is" : "are");
	else if (r.sources == 0)
		printf("nothing to fetch: no source is due (--all fetches "
		       "them anyway)\n");
	else
		printf("fetched %zu source%s (%s): %lld new item%s, %lld "
		       "updated, %zu unchanged, %zu failed\n", r.sources,
		       r.sources == 1 ? "" : "s", bytes,
		       (long long)r.items_added,
		       r.items_added == 1 ? "" : "s",
		       (long long)r.items_updated, r.unchanged, r.failed);
	if (r.sources && r.claimed)
		printf("  %zu source%s skipped: another glean is fetching "
		       "%s just now\n", r.claimed, r.claimed == 1 ? "" : "s",
		       r.claimed == 1 ? "it" : "them");
	if (r.items_hidden)
		printf("  %lld new item%s hidden by your rules\n",
		       (long long)r.items_hidden,
		       r.items_hidden == 1 ? "" : "s");
	if (r.narticles)
		printf("  articles: %zu fetched, %zu without one (the item "
		       "keeps its summary; 'glean show --article ID' says "
		       "why)\n", r.articles_fetched, r.articles_failed);
	for (i = 0; i < r.nnotices; i++) {
		printf("  note: ");
		cmd_put(stdout, r.notices[i], true);
		putchar('\n');
	}
	for (i = 0; i < r.nfailures; i++) {
		printf("  failed %lld ", (long long)r.failures[i].source_id);
		cmd_put(stdout, r.failures[i].title, true);
		printf(": ");
		cmd_put(stdout, r.failures[i].reason, true);
		putchar('\n');
	}
status:
	rc = fetch_status(&r);
	if (rc == EXIT_OK && sync_failed)
		rc = EXIT_PARTIAL;
	if (r.store_error)
		cmd_error("the fetch could not be stored: %s", r.store_error);
	seek_result_release(&r);
	return rc;
}
