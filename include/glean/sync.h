/*
 * sync: glean as a client of a feed server (issue 17) — Tiny Tiny RSS's
 * JSON API (src/sync/ttrss.c) and the Google Reader API (greader.c).
 * The server fetches the feeds; glean takes its feeds (as sources, their
 * categories as source tags) and its items, and keeps read, starred,
 * marked-to-share (tt-rss "published"), tags (tt-rss labels) and notes
 * (the tt-rss article note; the Google Reader API has none: notes stay
 * in glean) the same on both sides.
 *
 * The merge is three-way, per item and field: the store keeps each
 * item's server state as last seen (the base), and changes made in
 * glean are queued by the store in the change's own transaction. A field
 * the server changed since the base and glean did not takes the server's
 * value; one glean changed is pushed. When both changed, the later
 * change wins; the servers do not say when a field changed, so a server
 * change counts as made when the sync before this one ended, and the
 * change made in glean since then is the later one. Notes never lose:
 * see sync.c for how they fold into the one server note.
 */
#ifndef GLEAN_SYNC_H
#define GLEAN_SYNC_H

#include "glean/base.h"

struct config;
struct config_sync;
struct store;

struct sync_report {
	int64_t feeds;       /* the server's feeds */
	int64_t new_items;   /* items glean did not have */
	int64_t pulled;      /* fields the server changed, applied here */
	int64_t pushed;      /* fields glean changed, sent to the server */
	int64_t notes_kept;  /* server notes added beside glean's */
	int64_t requests;    /* HTTP requests made */
	int64_t queued;      /* changes still waiting (after a failure) */
	char **notices;      /* things to tell the user once; owned */
	size_t nnotices;
};
void sync_report_release(struct sync_report *r);

/* Sync the store with account a: log in, take the server's feeds and
 * items, merge, push what glean changed. On failure nothing is lost:
 * queued changes stay queued and the next sync completes them. Errors
 * are one line naming the account and what to do. */
int sync_run(struct store *st, const struct config *cfg,
	     const struct config_sync *a, struct sync_report *r,
	     struct err *e);

/* sync_run, telling progress (when not NULL) before every request to
 * the server: what the sync is doing ("reading the server's items",
 * "sending 12 changes") and the requests made so far. For a screen that
 * waits on the sync (the reader's 'R'). */
typedef void (*sync_progress_fn)(const char *account, const char *doing,
				 int64_t requests, void *arg);
int sync_run_progress(struct store *st, const struct config *cfg,
		      const struct config_sync *a, sync_progress_fn progress,
		      void *arg, struct sync_report *r, struct err *e);

/* Subscribe to url on a's server ('glean add --sync NAME URL'), then
 * sync, so the feed is a source here too (its items come once the
 * server has fetched it). */
int sync_subscribe(struct store *st, const struct config *cfg,
		   const struct config_sync *a, const char *url,
		   struct sync_report *r, struct err *e);

#endif
