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
#include "glean/service.h"
#include "glean/store.h"

/* Selection for one share. Strings borrowed for the call. */
struct share_opts {
	const char *since;  /* duration: marked in that window; NULL =
			     * marked since the last share to the target
			     * (share_select) */
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


/*
 * The one selection: what a share to target `name` takes now. glean
 * digest, glean share (and --dry-run) and the reader's D and S all call
 * this with the same arguments, so a preview is what a share sends.
 *  1. an unfinished digest to name (not abandoned): its items, resumed;
 *  2. o->query, else the target's query: the items it matches;
 *  3. o->since: the items marked in that window;
 *  4. else the items marked after what the target's last share took, by
 *     mark sequence (store_marked_after), so an item marked at any moment
 *     goes in the next share, once; before a first share, those marked
 *     in the target's since window (7d).
 * name NULL (no target): 2 (o->query), else marked in o->since or 7d.
 * d comes headed with the target's title and link and o->intro (the
 * resumed digest's own); release it with digest_release in every case.
 */
struct share_sel {
	int64_t resume_id;  /* the unfinished digest a share resumes, or 0 */
	int64_t upto;       /* highest mark sequence taken (0 for a query);
			     * share_run records it with the digest */
};
int share_select(struct store *st, const struct config *cfg,
		 const char *name, const struct share_opts *o,
		 struct digest *d, struct share_sel *sel, struct err *e);

/* Settle part `part` of digest digest_id that the user checked by hand:
 * state is OUTBOX_SENT, or OUTBOX_FAILED to let the next run post it
 * again. Only unknown (or interrupted "sending") parts can be settled.
 * remote (NULL = none) is where a sent part went, as the user found it
 * (an id or the post's URL, checked by the target's poster). When a later
 * part of a thread replies to this one and the service cannot look it
 * up, SENT without remote is refused (ERR_USAGE, saying what to give);
 * a part settled as sent earlier without one can be given it later. */
int share_resolve(struct store *st, const struct config *cfg,
		  int64_t digest_id, int part, enum outbox_state state,
		  const char *remote, struct err *e);

#endif
