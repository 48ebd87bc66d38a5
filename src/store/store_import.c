/*
 * Moving in from newsboat with the read state (issue 12): newsboat's
 * cache.db is read here, read-only, and the read and starred state of
 * its items is kept in import_state (schema v7) for the sources
 * subscribed under the same feed URL. The items themselves arrive only
 * when a source is fetched, so the state is applied then, by
 * store_items_upsert() through store_import_state_apply(), and at import
 * to items the store already has.
 */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

enum { C_PENDING = 8 }; /* store_item.c's slots end at 7 */

int
store_import_state_apply(struct store *st, int64_t source_id, int64_t *n)
{
	static const char *const sql[] = {
		"UPDATE item SET read = 1 WHERE source_id = ?1 AND read = 0"
		" AND EXISTS (SELECT 1 FROM import_state p WHERE"
		" p.source_id = ?1 AND p.read = 1 AND (p.guid = item.guid"
		" OR p.url = item.url))",
		"UPDATE item SET starred = 1 WHERE source_id = ?1"
		" AND starred = 0 AND EXISTS (SELECT 1 FROM import_state p"
		" WHERE p.source_id = ?1 AND p.starred = 1 AND (p.guid ="
		" item.guid OR p.url = item.url))",
		/* What did not match now never will: the source has been
		 * fetched, and newsboat keeps items its feed dropped long
		 * ago. */
		"DELETE FROM import_state WHERE source_id = ?1",
	};
	sqlite3_stmt *s;
	size_t i;
	int rc;

	if (n)
		*n = 0;
	/* the fetch's path: one indexed probe a source when nothing waits */
	s = store_cached(st, C_PENDING,
			 "SELECT 1 FROM import_state WHERE source_id = ?"
			 " LIMIT 1");
	sqlite3_bind_int64(s, 1, source_id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return rc;
	if (n) {
		/* the items about to change, each once */
		s = store_prepare(st, "SELECT count(*) FROM item WHERE"
				  " source_id = ?1 AND EXISTS (SELECT 1 FROM"
				  " import_state p WHERE p.source_id = ?1 AND"
				  " (p.guid = item.guid OR p.url = item.url) AND"
				  " ((p.read = 1 AND item.read = 0) OR"
				  " (p.starred = 1 AND item.starred = 0)))");
		sqlite3_bind_int64(s, 1, source_id);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			*n = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		if (rc != SQLITE_ROW)
			return rc;
	}
	for (i = 0; i < ARRAY_SIZE(sql); i++) {
		s = store_prepare(st, sql[i]);
		sqlite3_bind_int64(s, 1, source_id);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return rc;
	}
	return 0;
}

/* The source subscribed under url, 0 when none; -1 on error. */
static int64_t
source_by_url(struct store *st, const char *url)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT id FROM source WHERE url = ?");
	int64_t id = 0;
	int rc;

	store_bind_text(s, 1, url);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? id : -1;
}

static sqlite3 *
open_cache(const char *path, struct err *e)
{
	sqlite3 *db = NULL;
	int on = 1, rc;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		err_set(e, ERR_IO, "cannot open newsboat cache '%s': %s", path,
			db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return NULL;
	}
	/* a file from elsewhere: its schema runs nothing of ours */
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &on);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

int
store_import_newsboat_cache(struct store *st, const char *path,
			    struct import_state_report *r, struct err *e)
{
	sqlite3 *nb;
	sqlite3_stmt *q = NULL, *ins = NULL;
	char *feed = NULL;
	int64_t sid = 0, *sids = NULL;
	size_t nsids = 0, capsids = 0, i;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!(nb = open_cache(path, e)))
		return -1;
	/* newsboat: unread 0 is read; flags are letters the user gives
	 * items, and 's' is the one its documentation stars with */
	rc = sqlite3_prepare_v2(nb, "SELECT feedurl, guid, url, unread = 0,"
				" instr(coalesce(flags, ''), 's') > 0"
				" FROM rss_item WHERE unread = 0 OR"
				" instr(coalesce(flags, ''), 's') > 0"
				" ORDER BY feedurl", -1, &q, NULL);
	if (rc != SQLITE_OK) {
		err_set(e, ERR_USAGE, "'%s' is not a newsboat cache.db (%s); "
			"it is usually ~/.local/share/newsboat/cache.db or "
			"~/.newsboat/cache.db", path, sqlite3_errmsg(nb));
		sqlite3_close(nb);
		return -1;
	}
	if (store_begin(st, true, e) < 0)
		goto out;
	ins = store_prepare(st, "INSERT INTO import_state (source_id, guid,"
			    " url, read, starred) VALUES (?, ?, ?, ?, ?)");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *f = (const char *)sqlite3_column_text(q, 0);

		if (!f)
			continue;
		if (!feed || strcmp(feed, f)) {
			free(feed);
			feed = xstrdup(f);
			if ((sid = source_by_url(st, feed)) < 0) {
				store_fail(st, e, sqlite3_errcode(st->db),
					   "cannot look up source");
				goto fail;
			}
			if (sid) {
				XGROW(sids, capsids, nsids + 1);
				sids[nsids++] = sid;
			}
		}
		if (!sid) {
			r->unsubscribed++;
			continue;
		}
		sqlite3_bind_int64(ins, 1, sid);
		store_bind_text(ins, 2, (const char *)sqlite3_column_text(q, 1));
		store_bind_text(ins, 3, (const char *)sqlite3_column_text(q, 2));
		sqlite3_bind_int(ins, 4, sqlite3_column_int(q, 3));
		sqlite3_bind_int(ins, 5, sqlite3_column_int(q, 4));
		rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (rc != SQLITE_DONE) {
			store_fail(st, e, rc, "cannot keep newsboat state");
			goto fail;
		}
		r->kept++;
	}
	if (rc != SQLITE_DONE) {
		err_set(e, ERR_IO, "cannot read newsboat cache '%s': %s", path,
			sqlite3_errmsg(nb));
		goto fail;
	}
	/* sources fetched before: their items are here to match now */
	for (i = 0; i < nsids; i++) {
		sqlite3_stmt *s = store_prepare(st,
			"SELECT EXISTS (SELECT 1 FROM item WHERE source_id = ?)");
		int64_t n = 0;
		int has;

		sqlite3_bind_int64(s, 1, sids[i]);
		rc = sqlite3_step(s);
		has = rc == SQLITE_ROW && sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
		if (rc != SQLITE_ROW) {
			store_fail(st, e, rc, "cannot look up items");
			goto fail;
		}
		if (!has)
			continue;
		if ((rc = store_import_state_apply(st, sids[i], &n)) != 0) {
			store_fail(st, e, rc, "cannot apply newsboat state");
			goto fail;
		}
		r->applied += n;
		r->fetched_sources++;
	}
	sqlite3_finalize(ins);
	ins = NULL;
	if (store_commit(st, e) < 0)
		goto out;
	/* count what still waits for a fetch */
	{
		sqlite3_stmt *s = store_prepare(st,
			"SELECT count(*) FROM import_state");

		if (sqlite3_step(s) == SQLITE_ROW)
			r->pending = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	rc = 0;
	goto done;
fail:
	sqlite3_finalize(ins);
	ins = NULL;
	store_rollback(st);
out:
	rc = -1;
done:
	sqlite3_finalize(ins);
	sqlite3_finalize(q);
	sqlite3_close(nb);
	free(feed);
	free(sids);
	return rc;
}
