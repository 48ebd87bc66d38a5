/*
 * seek: the first step of the loop. Subscribing (recognising what the
 * user pasted), importing subscriptions from OPML and newsboat, and
 * fetching due sources into the store (fetch → parse → one transaction
 * per source). Prints nothing: progress and results come back through
 * callbacks and structs, cmd/ and sense/ show them.
 */
/*
 * ---- Threads: every thread glean starts ----
 *
 * glean is single-threaded but for these two, both started for a fetch
 * (`glean fetch`, or the reader's fetch through seek_start/seek_step).
 * Parallelism lives here, at the fetch's pipeline: a parse never starts
 * a thread of its own, and no module keeps per-thread state.
 *
 * 1. seek's parse worker (src/seek/seek.c, pipe_worker). Started by the
 *    first body handed over in a run (pipe_push); one per seek_run.
 *    Owns: the parse_jobs in its queue while it parses them (body in,
 *    feed_doc and items out) and nothing else; libxml2's process setup
 *    is done once under pthread_once (parse_xml_init), and every JSON
 *    reader or writer it uses carries its own connection (json.h). The
 *    main thread keeps the sources, the store and the fetch engine; it
 *    stores what the worker hands back (and parses itself when the pipe
 *    is full). Talks through one mutex and two condition variables, and
 *    fetch_wakeup() to end the main thread's network wait.
 *    Ends: seek_finish() → pipe_end() once nothing is in flight: stop is
 *    set, the worker drains its queue, returns, and is joined.
 *
 * 2. The store's search indexer (src/store/store_search.c, indexer_main;
 *    see store.h). Started by store_indexer_start() (cmd_fetch, before
 *    the fetch). Owns: its own SQLite connection to the search file
 *    (never the store's writer connection); it reads committed rows and
 *    writes only the index. Signals are blocked in it (they stay with
 *    the main thread). Kicked after each commit.
 *    Ends: store_indexer_finish() waits for the index to catch up and
 *    joins it; store_close() sets abort and joins it without waiting.
 *
 * Not ours: libcurl may resolve names on short-lived threads of its own
 * (its threaded resolver); they never call into glean.
 */
#ifndef GLEAN_SEEK_H
#define GLEAN_SEEK_H

#include "glean/base.h"

struct store;
struct config;
struct feed_doc;
struct fetch_opts;
struct item;

struct seek_add_opts {
	const char *title;
	const char *const *tags;
	size_t ntags;
	bool allow_file; /* a hand-added file:// source */
	int pick;        /* discovery: choose feed N (1-based), 0 = ask */
};

/* What seek_add found when the URL alone did not decide. */
struct seek_add_result {
	int64_t id;          /* the new source */
	char *url;           /* the URL subscribed (after discovery) */
	char *kind;          /* feed, mastodon, bluesky, x, discourse */
	char *warning;       /* e.g. could not check the URL now */
	/* a page with several feeds and no pick: choose one */
	char **choices, **choice_titles;
	size_t nchoices;
};
void seek_add_result_release(struct seek_add_result *r);

/*
 * Subscribe to what the user pasted: a feed, a page that links to feeds
 * (autodiscovery), a forum/community page with a known feed shape, or a
 * social list. Returns 0 when subscribed, 1 when the page has several
 * feeds and o->pick is 0 (r->choices lists them; call again with pick),
 * -1 on error (e.g. no feed found, already subscribed).
 */
int seek_add(struct store *st, const struct config *cfg, const char *url,
	     const struct seek_add_opts *o, struct seek_add_result *r,
	     struct err *e);

/* Import report: one line per problem, counts of what was added. */
struct seek_import_report {
	size_t added, existing, skipped;
	char **problems; /* "FILE:LINE: reason" */
	size_t nproblems;
};
void seek_import_report_release(struct seek_import_report *r);
int seek_import_opml(struct store *st, const char *path,
		     struct seek_import_report *r, struct err *e);
int seek_import_newsboat(struct store *st, const char *path,
			 struct seek_import_report *r, struct err *e);
/* OPML 2.0 of every source, tags as folders (a source with several tags
 * appears under its first, with category="all,tags"). */
int seek_export_opml(struct store *st, struct sbuf *out, struct err *e);

/* Convert a parsed document into store items (owned by the caller, free
 * each with item_release and the array with free). An entry the end of
 * a cut-off document left open is left out unless its guid or link was
 * read whole (and a half-read guid or link is not kept). */
void seek_items_from_doc(const struct feed_doc *doc, struct item **items,
			 size_t *n);
/* A feed field (a title, an author) as one line of display text, at most
 * max bytes: HTML (html) rendered to text, plain text kept as written
 * (controls dropped, whitespace runs one space). NULL when empty. */
char *seek_display_line(const char *s, bool html, size_t max);

/* ---- fetching ---- */
struct seek_progress {
	size_t done, total, failed;
	uint64_t bytes;
	const char *current; /* title or URL of the source just finished */
};

struct seek_failure {
	int64_t source_id;
	char *title;  /* or URL */
	char *reason;
};

struct seek_result {
	size_t sources, fetched, unchanged, failed, retired;
	size_t claimed;       /* skipped: another fetch was fetching them */
	int64_t items_added, items_updated;
	int64_t items_hidden; /* by [rule] hide = true */
	uint64_t bytes;
	struct seek_failure *failures;
	size_t nfailures;
	char **notices; /* e.g. "source 3 moved to URL", "X: 40 posts ≈ $0.20" */
	size_t nnotices;
	/* The first store write that failed (the disk is full, the file is
	 * damaged...), NULL when none did: the fetch as a whole failed,
	 * whatever the sources did. */
	char *store_error;
	/* Articles (issue 19): the new items of sources that fetch
	 * articles, with the URL to fetch, queued by the run and fetched
	 * by seek_fetch() once the feeds are in; then how that went. */
	int64_t *article_items;
	char **article_urls;
	bool *article_public_only; /* seek_article_public_only() */
	size_t narticles;
	size_t articles_fetched, articles_failed;
};
void seek_result_release(struct seek_result *r);

struct seek_fetch_opts {
	bool all;               /* ignore next_due */
	const int64_t *ids;     /* only these sources (n_ids > 0) */
	size_t n_ids;
	void (*progress)(const struct seek_progress *p, void *arg);
	void *arg;
};

/* Check cfg's [rule]s when the config loads: each match compiles (its
 * regexes too) and each tag is at most TAG_MAX_BYTES. The first bad
 * one fails with ERR_CONFIG "file:line: rule 'NAME': why". */
int seek_rules_check(const struct config *cfg, struct store *st,
		     struct err *e);

/* Fetch due sources (or o->ids) and wait until all are done. */
int seek_fetch(struct store *st, const struct config *cfg,
	       const struct seek_fetch_opts *o, struct seek_result *r,
	       struct err *e);

/*
 * The same, in steps, for callers with their own loop (the reader keeps
 * drawing while a fetch runs): seek_start queues the work, seek_step runs
 * for at most timeout_ms and returns how many sources remain, seek_finish
 * fills r and frees the run. o, st and cfg must outlive the run.
 */
struct seek_run;
struct seek_run *seek_start(struct store *st, const struct config *cfg,
			    const struct seek_fetch_opts *o, struct err *e);
size_t seek_step(struct seek_run *run, int timeout_ms);
void seek_finish(struct seek_run *run, struct seek_result *r);

/*
 * The scheduling rule seek applies after each fetch of a feed, pure: how
 * many seconds until the source is due again. After a success, the
 * largest of the refresh interval, the feed's <ttl> and the response's
 * max-age, capped at a day. After a failure, a backoff doubling from 15
 * minutes per failure in a row, or the server's Retry-After when that is
 * longer, capped at a day.
 */
struct seek_due {
	int64_t refresh;	/* the configured refresh interval */
	int64_t ttl;		/* the feed's <ttl> in seconds (0: none) */
	int64_t max_age;	/* Cache-Control max-age (-1: none) */
	int failures;		/* failures in a row, this one too (0: none) */
	int64_t retry_after;	/* Retry-After in seconds (-1: none) */
};
int64_t seek_wait(const struct seek_due *d);

/* ---- articles (src/seek/article.c, issue 19) ---- */
struct store_article;
/*
 * The article behind item_id, fetched once: a stored one is returned
 * as it is (a stored failure is fetched again when retry). Otherwise the
 * item's link (a social post's first link that is not a mention, tag or
 * profile) is fetched with cfg's fetch options, the article extracted
 * and stored, a failure stored with its reason (out->error set, 0
 * returned). -1 only when the item or its link is missing or the store
 * fails. Release out with store_article_release().
 */
int seek_article(struct store *st, const struct config *cfg, int64_t item_id,
		 bool retry, struct store_article *out, struct err *e);
/* The URL whose article an item stands for (a copy, or NULL): the
 * item's link, or for a social post the first link in its content. */
char *seek_article_url(const char *kind, const char *item_url,
		       const char *content);
/* Whether the article at article_url, linked from the source at
 * source_url, must be on a public address (fetch_req.public_only):
 * unless it is on the source's own scheme, host and port. */
bool seek_article_public_only(const char *source_url,
			      const char *article_url);
/* Fetch and store r's queued articles (seek_fetch does it). */
void seek_articles_fetch(struct store *st, const struct config *cfg,
			 struct seek_result *r);

#endif
