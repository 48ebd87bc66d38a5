/*
 * share: post a digest to a target from the config (DESIGN.md §5) through
 * the outbox, so that a share can be repeated safely. share.c is the
 * engine: it builds or resumes the digest for a target, splits it into
 * parts with the target's share_ops, records the parts, and moves each
 * pending → sending (committed before the request) → sent | failed |
 * unknown. A re-run skips sent parts, retries failed ones and resolves
 * unknown ones through the service's own idempotency, or stops and says
 * what the user must check. Nothing here prints; results come back in
 * struct share_report for cmd/ (or the reader) to show.
 */
#ifndef GLEAN_SHARE_H
#define GLEAN_SHARE_H

#include "glean/base.h"
#include "glean/config.h"
#include "glean/digest.h"
#include "glean/store.h"

/* One planned part: the exact bytes the service receives for it (a post's
 * text, a message, a file) and its length against the target's limit. */
struct share_part {
	char *body;
	char *label;      /* what it is: "post 2/5", "message to a@b", path */
	size_t length;    /* in the service's unit; 0 when unlimited */
	size_t limit;     /* 0 = no limit */
	const char *unit; /* "characters", "graphemes", "bytes" */
};

struct share_plan {
	struct share_part *v;
	size_t n, cap;
	char *note;       /* e.g. the X cost estimate, or NULL */
};

void share_plan_release(struct share_plan *p);

/* Selection for one share. Strings borrowed for the call. */
struct share_opts {
	const char *since;  /* duration; NULL = since the last successful
			     * share to this target, else the target's
			     * since, else 7d */
	const char *query;  /* NULL = the target's query, else marked items */
	const char *intro;
	bool dry_run;       /* plan only: nothing recorded, nothing sent
			     * (reads public service limits) */
};

/* What happened to each part of one run. */
struct share_outcome {
	int part;
	enum outbox_state state;
	bool skipped;       /* already sent by an earlier run */
	char *remote;       /* remote URL or id, or NULL */
	char *message;      /* why it failed / what to check, or NULL */
};

struct share_report {
	int64_t digest_id;  /* 0 for a dry run or when there was nothing */
	bool resumed;       /* an unfinished digest was picked up */
	size_t nitems;
	struct share_plan plan;        /* filled for dry runs */
	struct share_outcome *v;
	size_t n, cap;
	size_t sent, failed, unknown, skipped;
};

void share_report_release(struct share_report *r);

/*
 * Share to the target named name. Returns 0 when every part is sent (or
 * there was nothing to share: r->nitems == 0), -1 with e set when the
 * target is unusable or any part did not go out (r says which). A dry run
 * fills r->plan and touches neither the store nor the service's write
 * endpoints.
 */
int share_run(struct store *st, const struct config *cfg, const char *name,
	      const struct share_opts *o, struct share_report *r,
	      struct err *e);

/* Window start for a target: --since, else since its last successful
 * share, else the target's since, else 7 days back. */
int share_window(struct store *st, const struct config_target *t,
		 const char *since, int64_t *start, struct err *e);

/* Settle part `part` of digest digest_id that the user checked by hand:
 * state is OUTBOX_SENT, or OUTBOX_FAILED to let the next run post it
 * again. Only unknown (or interrupted "sending") parts can be settled. */
int share_resolve(struct store *st, int64_t digest_id, int part,
		  enum outbox_state state, struct err *e);

#endif
