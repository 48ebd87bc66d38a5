/*
 * store_sync.c: what the store keeps for sync with a server (issue 17,
 * schema v10): each sync account's position (the newest server item id
 * seen), which sources and items are the account's (by the server's
 * ids), the state an item had on the server when last seen (the base of
 * the three-way merge in src/sync) and the queue of changes made in
 * glean to synced items, which triggers fill in the change's own
 * transaction. The merge itself, and every request, live in src/sync;
 * this file only reads and writes rows.
 */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

/* store_cached() slots: once per item in a sync of many */
enum { C_SYNC_FIND = 11, C_SYNC_SET = 12 };

void
sync_base_release(struct sync_base *b)
{
	free(b->labels);
	free(b->note);
	memset(b, 0, sizeof(*b));
}

void
sync_change_list_release(struct sync_change_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].field);
		free(l->v[i].remote_id);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
store_sync_account(struct store *st, const char *name, const char *service,
		   const char *url, char **since, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*since = NULL;
	s = store_prepare(st, "SELECT service, url, since FROM sync_account"
			  " WHERE name = ?");
	store_bind_text(s, 1, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		bool same = !strcmp((const char *)sqlite3_column_text(s, 0),
				    service) &&
			    !strcmp((const char *)sqlite3_column_text(s, 1),
				    url);

		*since = same ? store_col_text(s, 2) : NULL;
		sqlite3_finalize(s);
		if (same)
			return 0;
		/* Another server under the old name: its ids mean nothing
		 * here. The sources and items stay (they are the user's);
		 * they are matched again by URL. */
		if (store_begin(st, true, e) < 0)
			return -1;
		s = store_prepare(st, "DELETE FROM sync_item WHERE account = ?1;");
		store_bind_text(s, 1, name);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		s = store_prepare(st, "DELETE FROM sync_source WHERE account = ?1;");
		store_bind_text(s, 1, name);
		if (rc == SQLITE_DONE)
			rc = sqlite3_step(s);
		sqlite3_finalize(s);
		s = store_prepare(st, "UPDATE sync_account SET service = ?2,"
				  " url = ?3, since = NULL WHERE name = ?1");
		store_bind_text(s, 1, name);
		store_bind_text(s, 2, service);
		store_bind_text(s, 3, url);
		if (rc == SQLITE_DONE)
			rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE) {
			store_rollback(st);
			return store_fail(st, e, rc, "cannot reset sync account");
		}
		return store_commit(st, e);
	}
	sqlite3_finalize(s);
	s = store_prepare(st, "INSERT INTO sync_account (name, service, url)"
			  " VALUES (?, ?, ?)");
	store_bind_text(s, 1, name);
	store_bind_text(s, 2, service);
	store_bind_text(s, 3, url);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot record sync account");
	return 0;
}

int
store_sync_account_save(struct store *st, const char *name,
			const char *since, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE sync_account SET"
		" since = coalesce(?2, since), last_sync = ?3 WHERE name = ?1");
	int rc;

	store_bind_text(s, 1, name);
	store_bind_text(s, 2, since);
	sqlite3_bind_int64(s, 3, time_now());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0
	       : store_fail(st, e, rc, "cannot save the sync position");
}

int
store_sync_mute(struct store *st, bool on, struct err *e)
{
	return store_exec(st, on ? "INSERT INTO sync_mute VALUES (1);"
			  : "DELETE FROM sync_mute;", e);
}

int
store_sync_source(struct store *st, const char *account,
		  const char *remote_id, const struct source *src,
		  int64_t *source_id, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	s = store_prepare(st, "SELECT source_id FROM sync_source"
			  " WHERE account = ? AND remote_id = ?");
	store_bind_text(s, 1, account);
	store_bind_text(s, 2, remote_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*source_id = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		s = store_prepare(st, "UPDATE source SET title = coalesce(?2,"
				  " title) WHERE id = ?1");
		sqlite3_bind_int64(s, 1, *source_id);
		store_bind_text(s, 2, src->title);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		return rc == SQLITE_DONE ? 0
		       : store_fail(st, e, rc, "cannot update a synced source");
	}
	sqlite3_finalize(s);
	/* A source glean already had is taken over, not doubled: from now
	 * on the server fetches it. */
	s = store_prepare(st, "SELECT id FROM source WHERE url = ?");
	store_bind_text(s, 1, src->url);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*source_id = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	} else {
		sqlite3_finalize(s);
		if (store_source_add(st, src, source_id, e) < 0)
			return -1;
	}
	s = store_prepare(st, "INSERT OR REPLACE INTO sync_source (account,"
			  " remote_id, source_id) VALUES (?, ?, ?)");
	store_bind_text(s, 1, account);
	store_bind_text(s, 2, remote_id);
	sqlite3_bind_int64(s, 3, *source_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0
	       : store_fail(st, e, rc, "cannot link a synced source");
}

int
store_sync_item_find(struct store *st, const char *account,
		     const char *remote_id, int64_t *item_id,
		     struct sync_base *base, struct err *e)
{
	sqlite3_stmt *s = store_cached(st, C_SYNC_FIND, "SELECT item_id,"
		" read, starred, marked, labels, note FROM sync_item"
		" WHERE account = ? AND remote_id = ?");
	int rc;

	memset(base, 0, sizeof(*base));
	*item_id = 0;
	store_bind_text(s, 1, account);
	store_bind_text(s, 2, remote_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*item_id = sqlite3_column_int64(s, 0);
		base->read = sqlite3_column_int(s, 1);
		base->starred = sqlite3_column_int(s, 2);
		base->marked = sqlite3_column_int(s, 3);
		base->labels = store_col_text(s, 4);
		base->note = store_col_text(s, 5);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot read synced items");
	return rc == SQLITE_ROW;
}

int
store_sync_item_set(struct store *st, const char *account,
		    const char *remote_id, int64_t item_id,
		    const struct sync_base *base, struct err *e)
{
	sqlite3_stmt *s = store_cached(st, C_SYNC_SET, "INSERT INTO sync_item"
		" (account,"
		" remote_id, item_id, read, starred, marked, labels, note)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		" ON CONFLICT (account, remote_id) DO UPDATE SET"
		" read = ?4, starred = ?5, marked = ?6, labels = ?7, note = ?8"
		" ON CONFLICT DO NOTHING");
	int rc;

	store_bind_text(s, 1, account);
	store_bind_text(s, 2, remote_id);
	sqlite3_bind_int64(s, 3, item_id);
	sqlite3_bind_int(s, 4, base->read);
	sqlite3_bind_int(s, 5, base->starred);
	sqlite3_bind_int(s, 6, base->marked);
	store_bind_text(s, 7, base->labels ? base->labels : "");
	store_bind_text(s, 8, base->note ? base->note : "");
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0
	       : store_fail(st, e, rc, "cannot record a synced item");
}

int
store_sync_bases(struct store *st, const char *account,
		 struct sync_item_base **out, size_t *n, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT remote_id, read, starred,"
		" marked, labels, note FROM sync_item WHERE account = ? AND"
		" (read = 0 OR starred OR marked OR labels != '' OR"
		" note != '')");
	struct sync_item_base *v = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	store_bind_text(s, 1, account);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct sync_item_base *b;

		XGROW(v, cap, *n + 1);
		b = &v[(*n)++];
		b->remote_id = store_col_text(s, 0);
		b->base.read = sqlite3_column_int(s, 1);
		b->base.starred = sqlite3_column_int(s, 2);
		b->base.marked = sqlite3_column_int(s, 3);
		b->base.labels = store_col_text(s, 4);
		b->base.note = store_col_text(s, 5);
	}
	sqlite3_finalize(s);
	*out = v;
	if (rc != SQLITE_DONE) {
		sync_item_bases_free(v, *n);
		*out = NULL;
		*n = 0;
		return store_fail(st, e, rc, "cannot read synced items");
	}
	return 0;
}

void
sync_item_bases_free(struct sync_item_base *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].remote_id);
		sync_base_release(&v[i].base);
	}
	free(v);
}

int
store_sync_queue(struct store *st, const char *account,
		 struct sync_change_list *out, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT q.seq, q.item_id, q.at,"
		" q.field, si.remote_id FROM sync_queue q JOIN sync_item si"
		" ON si.item_id = q.item_id WHERE si.account = ?"
		" ORDER BY q.seq");
	int rc;

	memset(out, 0, sizeof(*out));
	store_bind_text(s, 1, account);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct sync_change *c;

		XGROW(out->v, out->cap, out->n + 1);
		c = &out->v[out->n++];
		c->seq = sqlite3_column_int64(s, 0);
		c->item_id = sqlite3_column_int64(s, 1);
		c->at = sqlite3_column_int64(s, 2);
		c->field = store_col_text(s, 3);
		c->remote_id = store_col_text(s, 4);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		sync_change_list_release(out);
		return store_fail(st, e, rc, "cannot read the sync queue");
	}
	return 0;
}

int
store_sync_queue_done(struct store *st, const struct sync_change *c,
		      struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "DELETE FROM sync_queue"
		" WHERE item_id = ? AND field = ? AND seq <= ?");
	int rc;

	sqlite3_bind_int64(s, 1, c->item_id);
	store_bind_text(s, 2, c->field);
	sqlite3_bind_int64(s, 3, c->seq);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0
	       : store_fail(st, e, rc, "cannot update the sync queue");
}

int
store_sync_unsubscribes(struct store *st, const char *account, char ***ids,
			size_t *n, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT remote_id FROM"
		" sync_unsubscribe WHERE account = ? ORDER BY remote_id");
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	store_bind_text(s, 1, account);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*ids, cap, *n + 1);
		(*ids)[(*n)++] = store_col_text(s, 0);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0
	       : store_fail(st, e, rc, "cannot read the sync queue");
}

int
store_sync_unsubscribed(struct store *st, const char *account,
			const char *remote_id, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "DELETE FROM sync_unsubscribe"
		" WHERE account = ? AND remote_id = ?");
	int rc;

	store_bind_text(s, 1, account);
	store_bind_text(s, 2, remote_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0
	       : store_fail(st, e, rc, "cannot update the sync queue");
}

int
store_sync_feeds_keep(struct store *st, const char *account,
		      char *const *ids, size_t n, int64_t *retired,
		      struct err *e)
{
	sqlite3_stmt *s, *u;
	int rc;

	*retired = 0;
	s = store_prepare(st, "SELECT remote_id, source_id FROM sync_source"
			  " WHERE account = ?");
	u = store_prepare(st, "UPDATE source SET retired = 1, last_error ="
		" 'unsubscribed on the server' WHERE id = ?1 AND retired = 0;");
	store_bind_text(s, 1, account);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(s, 0);
		size_t i;

		for (i = 0; i < n && strcmp(ids[i], id); i++)
			;
		if (i < n)
			continue;
		sqlite3_bind_int64(u, 1, sqlite3_column_int64(s, 1));
		if (sqlite3_step(u) != SQLITE_DONE)
			break;
		*retired += sqlite3_changes(st->db);
		sqlite3_reset(u);
	}
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	return rc == SQLITE_DONE ? 0
	       : store_fail(st, e, rc, "cannot read synced sources");
}
