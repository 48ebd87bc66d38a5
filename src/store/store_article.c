/*
 * The article found at an item's link (issue 19, schema v10): kept in
 * its own table beside the item, fetched once, or the reason there is
 * none. Its text is indexed with the item (ITEM_INDEX_TEXT): storing an
 * article queues the item's old index values first, as every change to
 * indexed text does. Also the source's "fetch articles" setting. Owns
 * only the SQL; fetching and extracting are seek's and parse's.
 */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

void
store_article_release(struct store_article *a)
{
	free(a->url);
	free(a->title);
	free(a->html);
	free(a->text);
	free(a->error);
	memset(a, 0, sizeof(*a));
}

int
store_article_get(struct store *st, int64_t item_id, struct store_article *a,
		  struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT url, title, html, text,"
					" error, fetched FROM article"
					" WHERE item_id = ?");
	int rc;

	memset(a, 0, sizeof(*a));
	sqlite3_bind_int64(s, 1, item_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		a->url = store_col_text(s, 0);
		a->title = store_col_text(s, 1);
		a->html = store_col_text(s, 2);
		a->text = store_col_text(s, 3);
		a->error = store_col_text(s, 4);
		a->fetched = sqlite3_column_int64(s, 5);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot read the item's article");
	return 0;
}

int
store_article_put(struct store *st, int64_t item_id,
		  const struct store_article *a, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_begin(st, true, e) < 0)
		return -1;
	/* the index drops the old text before it takes the new */
	if ((rc = store_fts_queue(st, item_id)) != 0) {
		store_rollback(st);
		return store_fail(st, e, rc, "cannot index the article");
	}
	s = store_prepare(st, "INSERT OR REPLACE INTO article (item_id, url,"
			  " title, html, text, error, fetched) SELECT id, ?2,"
			  " ?3, ?4, ?5, ?6, ?7 FROM item WHERE id = ?1");
	sqlite3_bind_int64(s, 1, item_id);
	store_bind_text(s, 2, a->url);
	store_bind_text(s, 3, a->title);
	store_bind_text(s, 4, a->html);
	store_bind_text(s, 5, a->text);
	store_bind_text(s, 6, a->error);
	sqlite3_bind_int64(s, 7, a->fetched ? a->fetched : time_now());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_rollback(st);
		return store_fail(st, e, rc, "cannot store the article");
	}
	if (sqlite3_changes(st->db) == 0) {
		store_rollback(st);
		return err_set(e, ERR_NOTFOUND, "no item %lld",
			       (long long)item_id);
	}
	return store_commit(st, e);
}

int
store_source_set_articles(struct store *st, int64_t source_id, bool on,
			  struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_begin(st, true, e) < 0)
		return -1;
	s = store_prepare(st, "UPDATE source SET fetch_articles = ?"
			  " WHERE id = ?");
	sqlite3_bind_int(s, 1, on);
	sqlite3_bind_int64(s, 2, source_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_rollback(st);
		return store_fail(st, e, rc, "cannot update the source");
	}
	if (sqlite3_changes(st->db) == 0) {
		store_rollback(st);
		return err_set(e, ERR_NOTFOUND, "no source %lld",
			       (long long)source_id);
	}
	return store_commit(st, e);
}

int
store_source_articles(struct store *st, int64_t source_id, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT fetch_articles FROM"
					" source WHERE id = ?");
	int rc, on = 0;

	sqlite3_bind_int64(s, 1, source_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		on = sqlite3_column_int(s, 0) != 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot read the source");
	return on;
}
