/*
 * Sources and tags: subscribe, list with counts, fetch state, removal
 * that keeps what the user touched. Items are in store_item.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

#define SOURCE_COLS                                                          \
	"s.id, s.kind, s.url, s.title, s.site_url, s.account, s.hidden,"     \
	" s.retired, s.added, s.etag, s.last_modified, s.body_hash,"         \
	" s.cursor, s.next_due, s.last_success, s.last_attempt, s.ttl,"      \
	" s.failures, s.last_error"

void
source_release(struct source *s)
{
	size_t i;

	free(s->kind); free(s->url); free(s->title); free(s->site_url);
	free(s->account); free(s->etag); free(s->last_modified);
	free(s->body_hash); free(s->cursor); free(s->last_error);
	for (i = 0; i < s->ntags; i++)
		free(s->tags[i]);
	free(s->tags);
	memset(s, 0, sizeof(*s));
}

void
source_list_release(struct source_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		source_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void
read_source(sqlite3_stmt *s, struct source *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(s, 0);
	o->kind = store_col_text(s, 1);
	o->url = store_col_text(s, 2);
	o->title = store_col_text(s, 3);
	o->site_url = store_col_text(s, 4);
	o->account = store_col_text(s, 5);
	o->hidden = sqlite3_column_int(s, 6);
	o->retired = sqlite3_column_int(s, 7);
	o->added = sqlite3_column_int64(s, 8);
	o->etag = store_col_text(s, 9);
	o->last_modified = store_col_text(s, 10);
	o->body_hash = store_col_text(s, 11);
	o->cursor = store_col_text(s, 12);
	o->next_due = sqlite3_column_int64(s, 13);
	o->last_success = sqlite3_column_int64(s, 14);
	o->last_attempt = sqlite3_column_int64(s, 15);
	o->ttl = sqlite3_column_type(s, 16) == SQLITE_NULL
			 ? -1 : sqlite3_column_int64(s, 16);
	o->failures = sqlite3_column_int(s, 17);
	o->last_error = store_col_text(s, 18);
}

static int
load_source_tags(struct store *st, struct source *o, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT t.name FROM source_tag x JOIN tag t ON t.id = x.tag_id"
		" WHERE x.source_id = ? ORDER BY t.name");
	int rc;

	sqlite3_bind_int64(s, 1, o->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		o->tags = xrealloc(o->tags, (o->ntags + 1) * sizeof(char *));
		o->tags[o->ntags++] = store_col_text(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot read source tags");
	return 0;
}

int
store_source_add(struct store *st, const struct source *src, int64_t *id,
		 struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	s = store_prepare(st, "SELECT id FROM source WHERE url = ?");
	store_bind_text(s, 1, src->url);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		return err_set(e, ERR_USAGE, "already subscribed to '%s' "
			       "(source %lld)", src->url, (long long)*id);
	}
	sqlite3_finalize(s);
	s = store_prepare(st,
		"INSERT INTO source (kind, url, title, site_url, account,"
		" hidden, added, next_due) VALUES (?, ?, ?, ?, ?, ?, ?, 0)");
	store_bind_text(s, 1, src->kind ? src->kind : "feed");
	store_bind_text(s, 2, src->url);
	store_bind_text(s, 3, src->title);
	store_bind_text(s, 4, src->site_url);
	store_bind_text(s, 5, src->account);
	sqlite3_bind_int(s, 6, src->hidden);
	sqlite3_bind_int64(s, 7, time_now());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot add source");
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

static int
get_one(struct store *st, sqlite3_stmt *s, struct source *out,
	const char *what, struct err *e)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		read_source(s, out);
		sqlite3_finalize(s);
		return load_source_tags(st, out, e);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no source '%s'; see 'glean "
			       "sources'", what);
	return store_fail(st, e, rc, "cannot read source");
}

static int
store_source_get_id(struct store *st, int64_t id, struct source *out,
		    struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " SOURCE_COLS
					" FROM source s WHERE s.id = ?");
	char what[32];

	snprintf(what, sizeof(what), "%lld", (long long)id);
	sqlite3_bind_int64(s, 1, id);
	return get_one(st, s, out, what, e);
}

int
store_source_get(struct store *st, const char *id_or_url, struct source *out,
		 struct err *e)
{
	sqlite3_stmt *s;
	int64_t id;

	if (str_to_i64(id_or_url, &id) == 0)
		return store_source_get_id(st, id, out, e);
	s = store_prepare(st, "SELECT " SOURCE_COLS
			  " FROM source s WHERE s.url = ?1 OR s.title = ?1"
			  " ORDER BY s.url = ?1 DESC LIMIT 1");
	store_bind_text(s, 1, id_or_url);
	return get_one(st, s, out, id_or_url, e);
}

static int
list_sources(struct store *st, sqlite3_stmt *s, bool counts,
	     struct source_list *out, struct err *e)
{
	/* Every source's tags in one pass, merged with the sources (both
	 * in id order): a query per source was 70% of the reader's first
	 * screen at 17,000 sources. */
	sqlite3_stmt *t = counts ? store_prepare(st,
		"SELECT x.source_id, t.name FROM source_tag x JOIN tag t"
		" ON t.id = x.tag_id ORDER BY x.source_id, t.name") : NULL;
	int rc, trc = t ? sqlite3_step(t) : SQLITE_DONE;

	memset(out, 0, sizeof(*out));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct source *o;

		XGROW(out->v, out->cap, out->n + 1);
		o = &out->v[out->n++];
		read_source(s, o);
		if (counts) {
			o->nitems = sqlite3_column_int64(s, 19);
			o->nunread = sqlite3_column_int64(s, 20);
			/* only the full listing shows tags, a fetch does
			 * not need them; read while s steps, so both share
			 * one read transaction */
			while (trc == SQLITE_ROW &&
			       sqlite3_column_int64(t, 0) < o->id)
				trc = sqlite3_step(t);
			while (trc == SQLITE_ROW &&
			       sqlite3_column_int64(t, 0) == o->id) {
				o->tags = xrealloc(o->tags, (o->ntags + 1) *
						   sizeof(char *));
				o->tags[o->ntags++] = store_col_text(t, 1);
				trc = sqlite3_step(t);
			}
		}
	}
	sqlite3_finalize(t);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE || (trc != SQLITE_ROW && trc != SQLITE_DONE)) {
		source_list_release(out);
		return store_fail(st, e, rc != SQLITE_DONE ? rc : trc,
				  "cannot list sources");
	}
	return 0;
}

int
store_sources_list(struct store *st, struct source_list *out, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st,
		/* the counts the triggers keep (schema.c, v_counts) */
		"SELECT " SOURCE_COLS ", coalesce(c.items, 0),"
		" coalesce(c.unread, 0) FROM source s LEFT JOIN source_count c"
		" ON c.source_id = s.id ORDER BY s.id");

	return list_sources(st, s, true, out, e);
}

int
store_sources_names(struct store *st, int64_t after_id, size_t limit,
		    struct source_list *out, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT s.id, s.url, s.title, s.hidden, s.retired, s.failures,"
		" coalesce(c.items, 0), coalesce(c.unread, 0) FROM source s"
		" LEFT JOIN source_count c ON c.source_id = s.id"
		" WHERE s.id > ?1 ORDER BY s.id LIMIT ?2");
	int rc;

	memset(out, 0, sizeof(*out));
	sqlite3_bind_int64(s, 1, after_id);
	sqlite3_bind_int64(s, 2, limit ? (int64_t)limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct source *o;

		XGROW(out->v, out->cap, out->n + 1);
		o = &out->v[out->n++];
		memset(o, 0, sizeof(*o));
		o->id = sqlite3_column_int64(s, 0);
		o->url = store_col_text(s, 1);
		o->title = store_col_text(s, 2);
		o->hidden = sqlite3_column_int(s, 3);
		o->retired = sqlite3_column_int(s, 4);
		o->failures = sqlite3_column_int(s, 5);
		o->nitems = sqlite3_column_int64(s, 6);
		o->nunread = sqlite3_column_int64(s, 7);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		source_list_release(out);
		return store_fail(st, e, rc, "cannot list sources");
	}
	return 0;
}

int
store_sources_due(struct store *st, int64_t now, bool all,
		  struct source_list *out, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT " SOURCE_COLS " FROM source s WHERE s.retired = 0"
		" AND (?2 OR s.next_due <= ?1) AND NOT EXISTS (SELECT 1 FROM"
		" sync_source ss WHERE ss.source_id = s.id) ORDER BY s.id");

	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, all);
	return list_sources(st, s, false, out, e);
}

/* Items the user worked on: never deleted by removal or retention. */
#define TOUCHED                                                              \
	"(i.starred = 1 OR i.marked = 1"                                     \
	" OR EXISTS (SELECT 1 FROM item_tag t WHERE t.item_id = i.id)"       \
	" OR EXISTS (SELECT 1 FROM note n WHERE n.item_id = i.id)"           \
	" OR EXISTS (SELECT 1 FROM digest_item d WHERE d.item_id = i.id))"

int
store_source_rm(struct store *st, int64_t id, int64_t *kept, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*kept = 0;
	if (store_begin(st, true, e) < 0)
		return -1;
	s = store_prepare(st, "SELECT count(*) FROM source WHERE id = ?");
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW || sqlite3_column_int64(s, 0) == 0) {
		sqlite3_finalize(s);
		store_rollback(st);
		return err_set(e, ERR_NOTFOUND, "no source %lld; see 'glean "
			       "sources'", (long long)id);
	}
	sqlite3_finalize(s);
	if ((rc = store_fts_queue_deleted(st, id, "NOT " TOUCHED)) != 0)
		goto fail;
	s = store_prepare(st, "DELETE FROM item AS i WHERE i.source_id = ?"
			  " AND NOT " TOUCHED);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail;
	s = store_prepare(st, "SELECT count(*) FROM item AS i"
			  " WHERE i.source_id = ?");
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	*kept = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	if (*kept)
		s = store_prepare(st, "UPDATE source SET retired = 1,"
				  " hidden = 1 WHERE id = ?");
	else
		s = store_prepare(st, "DELETE FROM source WHERE id = ?");
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail;
	return store_commit(st, e);
fail:
	store_rollback(st);
	return store_fail(st, e, rc, "cannot remove source");
}

int
store_tag_id(struct store *st, const char *name, bool create, int64_t *id,
	     struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id FROM tag WHERE name = ?");
	int rc;

	store_bind_text(s, 1, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		return 0;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot read tags");
	if (!create) {
		*id = 0;
		return 0;
	}
	if (strlen(name) > TAG_MAX_BYTES)
		return err_set(e, ERR_USAGE, "a tag of %zu bytes is too long "
			       "(at most %d)", strlen(name), TAG_MAX_BYTES);
	s = store_prepare(st, "INSERT INTO tag (name) VALUES (?)");
	store_bind_text(s, 1, name);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot create tag");
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_source_tag(struct store *st, int64_t id, const char *tag, bool add,
		 struct err *e)
{
	sqlite3_stmt *s;
	int64_t tid;
	int rc;

	if (store_begin(st, true, e) < 0)
		return -1;
	if (store_tag_id(st, tag, add, &tid, e) < 0)
		goto fail;
	if (tid == 0)
		return store_commit(st, e);
	s = store_prepare(st, add ? "INSERT OR IGNORE INTO source_tag"
				    " (source_id, tag_id) VALUES (?, ?)"
				  : "DELETE FROM source_tag WHERE source_id = ?"
				    " AND tag_id = ?");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, tid);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, e, rc, "cannot tag source");
		goto fail;
	}
	return store_commit(st, e);
fail:
	store_rollback(st);
	return -1;
}

int
store_source_save_state(struct store *st, const struct source *src,
			struct err *e)
{
	sqlite3_stmt *s = store_prepare(st,
		"UPDATE source SET url = ?, title = coalesce(?, title),"
		" site_url = coalesce(?, site_url), etag = ?,"
		" last_modified = ?, body_hash = ?, cursor = ?, next_due = ?,"
		" last_success = ?, last_attempt = ?, ttl = ?, failures = ?,"
		" last_error = ? WHERE id = ?");
	int rc;

	store_bind_text(s, 1, src->url);
	store_bind_text(s, 2, src->title);
	store_bind_text(s, 3, src->site_url);
	store_bind_text(s, 4, src->etag);
	store_bind_text(s, 5, src->last_modified);
	store_bind_text(s, 6, src->body_hash);
	store_bind_text(s, 7, src->cursor);
	sqlite3_bind_int64(s, 8, src->next_due);
	if (src->last_success)
		sqlite3_bind_int64(s, 9, src->last_success);
	if (src->last_attempt)
		sqlite3_bind_int64(s, 10, src->last_attempt);
	if (src->ttl >= 0)
		sqlite3_bind_int64(s, 11, src->ttl);
	sqlite3_bind_int(s, 12, src->failures);
	store_bind_text(s, 13, src->last_error);
	sqlite3_bind_int64(s, 14, src->id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot save source state");
	/* retired apart, and only when it changes: a trigger follows it
	 * (sync_q_unsub_retire), and a statement with a trigger keeps a
	 * statement journal of every page it changes, written to a
	 * temporary file once past 64 KiB; with it, this UPDATE (once
	 * per feed fetched) wrote 200 MB of temporary files in the
	 * bench's cold fetch of 1,000 feeds. */
	s = store_prepare(st, "UPDATE source SET retired = ?1 WHERE id = ?2"
			  " AND retired IS NOT ?1");
	sqlite3_bind_int(s, 1, src->retired);
	sqlite3_bind_int64(s, 2, src->id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot save source state");
	return 0;
}

void
tag_list_release(struct tag_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
store_tags_list(struct store *st, struct tag_list *out, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st,
		/* An item counts once per tag: through its source, or
		 * through its own tag when the source does not carry it.
		 * CROSS JOIN keeps item_tag and source_tag outermost: the
		 * planner would otherwise scan every item (0.4 s at 500k
		 * items); a source's items come from item_source. */
		"SELECT t.name, sum(u.n), sum(u.unread) FROM ("
		" SELECT x.tag_id AS tag_id, count(*) AS n,"
		"  coalesce(sum(i.read = 0), 0) AS unread"
		"  FROM item_tag x CROSS JOIN item i ON i.id = x.item_id"
		"  AND i.hidden = 0 WHERE NOT EXISTS (SELECT 1 FROM source_tag"
		"  y WHERE y.source_id = i.source_id AND y.tag_id = x.tag_id)"
		"  GROUP BY x.tag_id"
		" UNION ALL"
		" SELECT y.tag_id, sum(c.items), sum(c.unread)"
		"  FROM source_tag y CROSS JOIN source_count c ON c.source_id ="
		"  y.source_id GROUP BY y.tag_id"
		") u CROSS JOIN tag t ON t.id = u.tag_id"
		" GROUP BY t.id ORDER BY t.name COLLATE NOCASE");
	int rc;

	memset(out, 0, sizeof(*out));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct tag_count *t;

		XGROW(out->v, out->cap, out->n + 1);
		t = &out->v[out->n++];
		t->name = store_col_text(s, 0);
		t->items = sqlite3_column_int64(s, 1);
		t->unread = sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		tag_list_release(out);
		return store_fail(st, e, rc, "cannot list tags");
	}
	return 0;
}

int
store_counts(struct store *st, struct store_counts *c, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st,
		/* the per-source counts the triggers keep (schema.c,
		 * v_counts): a row a source, not a pass over the items */
		"SELECT coalesce(sum(items), 0), coalesce(sum(unread), 0),"
		" coalesce(sum(starred), 0), coalesce(sum(marked), 0),"
		" (SELECT count(DISTINCT item_id) FROM note) FROM source_count c"
		" JOIN source s ON s.id = c.source_id");
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		c->all = sqlite3_column_int64(s, 0);
		c->unread = sqlite3_column_int64(s, 1);
		c->starred = sqlite3_column_int64(s, 2);
		c->marked = sqlite3_column_int64(s, 3);
		c->annotated = sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, e, rc, "cannot count items");
	return 0;
}
