/* sync internals shared by src/sync only: what a server backend
 * (ttrss.c, one file per API) fills in and the ops table it provides. */
#ifndef GLEAN_SYNC_PRIVATE_H
#define GLEAN_SYNC_PRIVATE_H

#include "glean/config.h"
#include "glean/fetch.h"
#include "glean/sync.h"

struct sync_feed {
	char *id, *url, *title, *site_url;
	char *category; /* its category's title, or NULL */
};

/* One item as the server has it. */
struct sync_ritem {
	char *id, *feed_id;
	char *guid, *url, *title, *author, *content; /* new items only */
	int64_t published;
	bool read, starred, marked;
	char *labels; /* sorted, one per line, "" when none */
	char *note;   /* "" when none */
};

struct sync_pull {
	struct sync_feed *feeds;
	size_t nfeeds, cap_feeds;
	struct sync_ritem *items;
	size_t nitems, cap_items;
	char **labels; /* the server's label names */
	size_t nlabels, cap_labels;
	char *since;   /* the newest item id seen, for the next pull */
	/* A pull that lists every item the server has (PULL_ALL, what a
	 * first sync and the Google Reader backend do), or, incremental,
	 * only the items whose state can differ from the default, the rest
	 * being unstarred, unpublished, without labels or note and read
	 * (PULL_REST_READ) or as read as their base (PULL_REST_KEEP_READ,
	 * if the server's unread count, server_unread, agrees: sync.c
	 * checks, and calls pull_unread when it does not). Items above cap
	 * are left for the next sync. */
	enum { PULL_ALL, PULL_REST_READ, PULL_REST_KEEP_READ } rest;
	int64_t server_unread;
	int64_t cap;
};

struct sync_conn {
	const struct config_sync *a;
	char *password;
	struct fetch_opts fo;
	char *base;      /* the API endpoint */
	char *session;   /* from login; never stored nor logged */
	int64_t requests;    /* counted by sync_request() */
	sync_progress_fn progress;
	void *progress_arg;
	const char *doing;   /* for progress */
	int64_t page;    /* items per request (GLEAN_SYNC_PAGE lowers it) */
	/* the server's labels: names and the backend's ids, from pull */
	char **lab_names, **lab_ids;
	size_t nlab, cap_lab;
};

struct sync_ops {
	const char *name;
	bool notes; /* the server keeps a note per item */
	int (*login)(struct sync_conn *c, struct err *e);
	/* feeds, labels, items newer than since (all of them when since
	 * is NULL) with content, and the state of every other item */
	int (*pull)(struct sync_conn *c, const char *since,
		    struct sync_pull *p, struct err *e);
	/* PULL_REST_KEEP_READ did not add up: add the unread list to p
	 * and make it PULL_REST_READ */
	int (*pull_unread)(struct sync_conn *c, struct sync_pull *p,
			   struct err *e);
	/* Add to p the state of the items ids[0..n) that the server still
	 * has (an incremental pull's check before glean drops a note or a
	 * tag: an item the server purged left every list too) */
	int (*pull_items)(struct sync_conn *c, const char *const *ids,
			  size_t n, struct sync_pull *p, struct err *e);
	/* field: "read", "starred" or "marked"; 1: some of ids may be
	 * gone from the server (sync.c asks pull_items which) */
	int (*push_flag)(struct sync_conn *c, const char *field, bool on,
			 const char *const *ids, size_t n, struct err *e);
	/* 1: the server has no such label (deleted since the pull) */
	int (*push_label)(struct sync_conn *c, const char *label, bool on,
			  const char *const *ids, size_t n, struct err *e);
	int (*push_note)(struct sync_conn *c, const char *id,
			 const char *note, struct err *e);
	/* subscribe to the feed at url (already subscribed: success) */
	int (*subscribe)(struct sync_conn *c, const char *url, struct err *e);
	/* unsubscribe from the feed remote_id (gone already: success) */
	int (*unsubscribe)(struct sync_conn *c, const char *feed_id,
			   struct err *e);
};

/* A backend calls it before each request: counts it, tells progress. */
void sync_request(struct sync_conn *c);

extern const struct sync_ops sync_ttrss;
extern const struct sync_ops sync_greader;

#endif
