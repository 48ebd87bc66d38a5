/*
 * Share bookkeeping: digest rows, the items each digest carried and the
 * outbox of parts with their delivery states. This file owns only the
 * SQL; deciding what to send, and sending it, is src/share/'s job. Every
 * write is its own FULL-synchronous transaction so that a part marked
 * "sending" is on disk before the request that it guards goes out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

/* An abandoned digest is remembered in the meta table (no schema change):
 * key "share.abandoned.<digest id>". */
#define ABANDONED                                                            \
	"EXISTS (SELECT 1 FROM meta m WHERE m.key = 'share.abandoned.' ||"   \
	" d.id)"

static const char *const state_names[] = {
	[OUTBOX_PENDING] = "pending", [OUTBOX_SENDING] = "sending",
	[OUTBOX_SENT] = "sent", [OUTBOX_FAILED] = "failed",
	[OUTBOX_UNKNOWN] = "unknown",
};

const char *
outbox_state_name(enum outbox_state s)
{
	if ((size_t)s >= ARRAY_SIZE(state_names))
		return "?";
	return state_names[s];
}

static enum outbox_state
state_from(const char *s)
{
	size_t i;

	for (i = 0; s && i < ARRAY_SIZE(state_names); i++)
		if (!strcmp(s, state_names[i]))
			return (enum outbox_state)i;
	return OUTBOX_PENDING;
}

void
outbox_list_release(struct outbox_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct outbox_part *p = &l->v[i];

		free(p->target); free(p->body); free(p->idem_key);
		free(p->remote_id); free(p->remote_url); free(p->error);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void
digest_row_release(struct digest_row *d)
{
	free(d->target); free(d->query); free(d->title); free(d->intro);
	free(d->state);
	memset(d, 0, sizeof(*d));
}

void
digest_rows_release(struct digest_rows *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		digest_row_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
step_done(struct store *st, sqlite3_stmt *s, struct err *e, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, rc, what);
	return 0;
}

int
store_digest_add(struct store *st, const struct digest_row *d,
		 const int64_t *item_ids, size_t nitems,
		 const char *const *bodies, const char *const *keys,
		 size_t nparts, int64_t *id, struct err *e)
{
	sqlite3_stmt *s;
	int64_t now = time_now();
	size_t i;

	if (store_begin(st, true, e) < 0)
		return -1;
	s = store_prepare(st, "INSERT INTO digest (target, created, since,"
			  " until, query, title, intro, state, mark_seq)"
			  " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)");
	store_bind_text(s, 1, d->target);
	sqlite3_bind_int64(s, 2, d->created ? d->created : now);
	sqlite3_bind_int64(s, 3, d->since);
	sqlite3_bind_int64(s, 4, d->until);
	store_bind_text(s, 5, d->query);
	store_bind_text(s, 6, d->title);
	store_bind_text(s, 7, d->intro);
	if (d->mark_seq > 0)
		sqlite3_bind_int64(s, 8, d->mark_seq);
	if (step_done(st, s, e, "cannot record digest") < 0)
		goto fail;
	*id = sqlite3_last_insert_rowid(st->db);
	for (i = 0; i < nitems; i++) {
		s = store_prepare(st, "INSERT OR IGNORE INTO digest_item"
				  " (digest_id, item_id) VALUES (?, ?)");
		sqlite3_bind_int64(s, 1, *id);
		sqlite3_bind_int64(s, 2, item_ids[i]);
		if (step_done(st, s, e, "cannot record digest item") < 0)
			goto fail;
	}
	for (i = 0; i < nparts; i++) {
		s = store_prepare(st, "INSERT INTO outbox (digest_id, target,"
				  " part, body, idem_key, state, updated)"
				  " VALUES (?, ?, ?, ?, ?, 'pending', ?)");
		sqlite3_bind_int64(s, 1, *id);
		store_bind_text(s, 2, d->target);
		sqlite3_bind_int(s, 3, (int)i + 1);
		store_bind_text(s, 4, bodies[i]);
		store_bind_text(s, 5, keys[i]);
		sqlite3_bind_int64(s, 6, now);
		if (step_done(st, s, e, "cannot record outbox part") < 0)
			goto fail;
	}
	return store_commit(st, e);
fail:
	store_rollback(st);
	return -1;
}

int
store_digest_open(struct store *st, const char *target, int64_t *id,
		  struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id FROM digest d WHERE"
		" target = ? AND state <> 'sent' AND NOT " ABANDONED
		" ORDER BY id DESC LIMIT 1");
	int rc;

	*id = 0;
	store_bind_text(s, 1, target);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot read digests");
	return 0;
}

/* The first column of every row into ids (finalizing s); with last, the
 * second column of the last row too. */
static int
collect_ids(struct store *st, sqlite3_stmt *s, int64_t **ids, size_t *n,
	    int64_t *last, const char *what, struct err *e)
{
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if (last)
		*last = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*ids, cap, *n + 1);
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
		if (last)
			*last = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return store_fail(st, e, rc, what);
	}
	return 0;
}

int
store_digest_items(struct store *st, int64_t digest_id, int64_t **ids,
		   size_t *n, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT di.item_id FROM"
		" digest_item di JOIN item i ON i.id = di.item_id"
		" WHERE di.digest_id = ? ORDER BY i.marked_at, i.id");

	sqlite3_bind_int64(s, 1, digest_id);
	return collect_ids(st, s, ids, n, NULL, "cannot read digest items",
			   e);
}

int
store_digest_shared_items(struct store *st, const char *target,
			  size_t limit, int64_t **ids, size_t *n,
			  struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT di.item_id FROM"
		" digest_item di JOIN digest d ON d.id = di.digest_id"
		" WHERE d.target = ? AND d.state = 'sent'"
		" GROUP BY di.item_id ORDER BY max(d.id) DESC, di.item_id DESC"
		" LIMIT ?");

	store_bind_text(s, 1, target);
	sqlite3_bind_int64(s, 2, limit ? (int64_t)limit : -1);
	return collect_ids(st, s, ids, n, NULL, "cannot read digest items",
			   e);
}

int
store_marked_after(struct store *st, int64_t after, int64_t since,
		   int64_t **ids, size_t *n, int64_t *upto, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, mark_seq FROM item"
		" WHERE marked = 1 AND mark_seq > ? AND marked_at >= ?"
		" ORDER BY mark_seq");

	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int64(s, 2, since);
	return collect_ids(st, s, ids, n, upto, "cannot read marked items", e);
}

int
store_digest_mark_line(struct store *st, const char *target, int64_t *seq,
		       int64_t *when, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT max(mark_seq),"
		" max(created), count(*) FROM digest d WHERE target = ?"
		" AND mark_seq IS NOT NULL AND NOT " ABANDONED);
	int rc;

	*seq = -1;
	*when = 0;
	store_bind_text(s, 1, target);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_int64(s, 2) > 0) {
		*seq = sqlite3_column_int64(s, 0);
		*when = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, e, rc, "cannot read digests");
	return 0;
}

#define DIGEST_COLS                                                          \
	"d.id, d.target, d.query, d.title, d.intro, d.created,"             \
	" coalesce(d.since, 0), coalesce(d.until, 0), d.state,"              \
	" (SELECT count(*) FROM digest_item x WHERE x.digest_id = d.id),"    \
	" (SELECT count(*) FROM outbox o WHERE o.digest_id = d.id),"         \
	" (SELECT count(*) FROM outbox o WHERE o.digest_id = d.id"           \
	"  AND o.state = 'sent'), " ABANDONED ", coalesce(d.mark_seq, 0)"

static void
read_digest(sqlite3_stmt *s, struct digest_row *d)
{
	memset(d, 0, sizeof(*d));
	d->id = sqlite3_column_int64(s, 0);
	d->target = store_col_text(s, 1);
	d->query = store_col_text(s, 2);
	d->title = store_col_text(s, 3);
	d->intro = store_col_text(s, 4);
	d->created = sqlite3_column_int64(s, 5);
	d->since = sqlite3_column_int64(s, 6);
	d->until = sqlite3_column_int64(s, 7);
	d->state = store_col_text(s, 8);
	d->nitems = sqlite3_column_int64(s, 9);
	d->nparts = sqlite3_column_int64(s, 10);
	d->nsent = sqlite3_column_int64(s, 11);
	d->abandoned = sqlite3_column_int(s, 12);
	d->mark_seq = sqlite3_column_int64(s, 13);
}

int
store_digest_get(struct store *st, int64_t id, struct digest_row *out,
		 struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " DIGEST_COLS
					" FROM digest d WHERE d.id = ?");
	int rc;

	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_digest(s, out);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no digest %lld",
			       (long long)id);
	if (rc != SQLITE_ROW)
		return store_fail(st, e, rc, "cannot read digest");
	return 0;
}

int
store_digests_list(struct store *st, const char *target,
		   struct digest_rows *out, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " DIGEST_COLS
		" FROM digest d WHERE ?1 IS NULL OR d.target = ?1"
		" ORDER BY d.id DESC");
	int rc;

	memset(out, 0, sizeof(*out));
	store_bind_text(s, 1, target);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(out->v, out->cap, out->n + 1);
		read_digest(s, &out->v[out->n++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		digest_rows_release(out);
		return store_fail(st, e, rc, "cannot list digests");
	}
	return 0;
}

int
store_digest_settle(struct store *st, int64_t id, struct err *e)
{
	sqlite3_stmt *s;

	if (store_begin(st, true, e) < 0)
		return -1;
	s = store_prepare(st, "UPDATE digest SET state = CASE"
		" WHEN NOT EXISTS (SELECT 1 FROM outbox WHERE digest_id = ?1"
		"  AND state <> 'sent') THEN 'sent'"
		" WHEN EXISTS (SELECT 1 FROM outbox WHERE digest_id = ?1"
		"  AND state IN ('sent', 'unknown')) THEN 'partial'"
		" WHEN EXISTS (SELECT 1 FROM outbox WHERE digest_id = ?1"
		"  AND state = 'failed') THEN 'failed'"
		" ELSE 'pending' END WHERE id = ?1");
	sqlite3_bind_int64(s, 1, id);
	if (step_done(st, s, e, "cannot update digest") < 0) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, e);
}

int
store_digest_abandon(struct store *st, int64_t id, struct err *e)
{
	struct digest_row d;
	sqlite3_stmt *s;
	char key[64];
	bool sent;

	if (store_digest_get(st, id, &d, e) < 0)
		return -1;
	sent = !strcmp(d.state, "sent");
	digest_row_release(&d);
	if (sent)
		return err_set(e, ERR_USAGE, "digest %lld was sent in full; "
			       "nothing to abandon", (long long)id);
	snprintf(key, sizeof(key), "share.abandoned.%lld", (long long)id);
	if (store_begin(st, true, e) < 0)
		return -1;
	s = store_prepare(st, "UPDATE outbox SET state = 'failed',"
			  " error = 'abandoned by the user', updated = ?2"
			  " WHERE digest_id = ?1 AND state <> 'sent'");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, time_now());
	if (step_done(st, s, e, "cannot update the outbox") < 0)
		goto fail;
	s = store_prepare(st, "INSERT OR REPLACE INTO meta (key, value)"
			  " VALUES (?, ?)");
	store_bind_text(s, 1, key);
	sqlite3_bind_int64(s, 2, time_now());
	if (step_done(st, s, e, "cannot record the digest") < 0)
		goto fail;
	if (store_commit(st, e) < 0)
		return -1;
	return store_digest_settle(st, id, e);
fail:
	store_rollback(st);
	return -1;
}

int
store_outbox_list(struct store *st, int64_t digest_id,
		  struct outbox_list *out, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, digest_id, part,"
		" target, body, idem_key, state, remote_id, remote_url, error,"
		" attempts, updated FROM outbox WHERE digest_id = ?"
		" ORDER BY part");
	int rc;

	memset(out, 0, sizeof(*out));
	sqlite3_bind_int64(s, 1, digest_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct outbox_part *p;
		char *state;

		XGROW(out->v, out->cap, out->n + 1);
		p = &out->v[out->n++];
		memset(p, 0, sizeof(*p));
		p->id = sqlite3_column_int64(s, 0);
		p->digest_id = sqlite3_column_int64(s, 1);
		p->part = sqlite3_column_int(s, 2);
		p->target = store_col_text(s, 3);
		p->body = store_col_text(s, 4);
		p->idem_key = store_col_text(s, 5);
		state = store_col_text(s, 6);
		p->state = state_from(state);
		free(state);
		p->remote_id = store_col_text(s, 7);
		p->remote_url = store_col_text(s, 8);
		p->error = store_col_text(s, 9);
		p->attempts = sqlite3_column_int(s, 10);
		p->updated = sqlite3_column_int64(s, 11);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		outbox_list_release(out);
		return store_fail(st, e, rc, "cannot read the outbox");
	}
	return 0;
}

int
store_outbox_set(struct store *st, int64_t part_id, enum outbox_state state,
		 const char *remote_id, const char *remote_url,
		 const char *error, struct err *e)
{
	sqlite3_stmt *s;

	if (store_begin(st, true, e) < 0)
		return -1;
	s = store_prepare(st, "UPDATE outbox SET state = ?2,"
		" remote_id = coalesce(?3, remote_id),"
		" remote_url = coalesce(?4, remote_url),"
		" error = ?5, attempts = attempts + ?6, updated = ?7"
		" WHERE id = ?1");
	sqlite3_bind_int64(s, 1, part_id);
	store_bind_text(s, 2, outbox_state_name(state));
	store_bind_text(s, 3, remote_id);
	store_bind_text(s, 4, remote_url);
	store_bind_text(s, 5, error);
	sqlite3_bind_int(s, 6, state == OUTBOX_SENDING);
	sqlite3_bind_int64(s, 7, time_now());
	if (step_done(st, s, e, "cannot update the outbox") < 0) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, e);
}
