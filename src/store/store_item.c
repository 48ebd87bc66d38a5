/*
 * Items, their tags and notes: listing through the query language,
 * flags the user sets, and ingest (dedupe by guid → link → content
 * hash, and a new guid with a recent item's link and title is that item;
 * updates that keep everything the user added). Every write the
 * user makes commits with synchronous=FULL before it returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

enum { C_FIND_GUID, C_FIND_URL, C_FIND_HASH, C_INSERT, C_UPDATE,
       C_TAGS, C_NOTES, C_ANY };
/* after store_import.c's C_PENDING (8) */
enum { C_FIND_CHURN = 9, C_SET_GUID = 10, C_COUNT_ADD = 16 };

/* An entry whose guid is new but whose link and title are those of one of
 * the source's recent items is that item under a new guid (a feed that
 * makes up its guids at every fetch): recent is among its last
 * CHURN_ITEMS items or fetched in the last CHURN_SECS. */
#define CHURN_ITEMS 500
#define CHURN_SECS (30 * 86400)

#define ITEM_COLS                                                            \
	"i.id, i.source_id, s.title, i.guid, i.url, i.title, i.author,"      \
	" i.published, i.updated, i.fetched, i.read, i.starred, i.marked,"   \
	" i.hidden, i.marked_at, i.enclosures, i.content_hash, i.mark_seq,"  \
	" i.title_html"
#define ITEM_CONTENT_COLS ", i.content, i.content_type, " ITEM_TEXT("i")

void
item_release(struct item *it)
{
	size_t i;

	free(it->source_title); free(it->guid); free(it->url);
	free(it->title); free(it->author); free(it->content);
	free(it->content_type); free(it->text); free(it->enclosures);
	free(it->content_hash); free(it->title_html);
	for (i = 0; i < it->ntags; i++)
		free(it->tags[i]);
	free(it->tags);
	free(it->tag_from_source);
	for (i = 0; i < it->nnotes; i++) {
		free(it->notes[i].body);
		free(it->notes[i].quote);
		free(it->notes[i].prefix);
		free(it->notes[i].suffix);
	}
	free(it->notes);
	memset(it, 0, sizeof(*it));
}

void
item_list_release(struct item_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		item_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void
read_item(struct store *st, sqlite3_stmt *s, struct item *it, bool content)
{
	memset(it, 0, sizeof(*it));
	it->id = sqlite3_column_int64(s, 0);
	it->source_id = sqlite3_column_int64(s, 1);
	it->source_title = store_col_text(s, 2);
	it->guid = store_col_text(s, 3);
	it->url = store_col_text(s, 4);
	it->title = store_col_text(s, 5);
	it->author = store_col_text(s, 6);
	it->published = sqlite3_column_int64(s, 7);
	it->updated = sqlite3_column_int64(s, 8);
	it->fetched = sqlite3_column_int64(s, 9);
	it->read = sqlite3_column_int(s, 10);
	it->starred = sqlite3_column_int(s, 11);
	it->marked = sqlite3_column_int(s, 12);
	it->hidden = sqlite3_column_int(s, 13);
	it->marked_at = sqlite3_column_int64(s, 14);
	it->enclosures = store_col_text(s, 15);
	it->content_hash = store_col_text(s, 16);
	it->mark_seq = sqlite3_column_int64(s, 17);
	it->title_html = store_col_text(s, 18);
	if (content) {
		it->content = store_col_body(st, s, 19, it->id);
		it->content_type = store_col_text(s, 20);
		it->text = store_col_text(s, 21);
	}
}

static int
load_extras(struct store *st, struct item *it, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	/* the item's own tags and its source's, each once (struct item) */
	s = store_cached(st, C_TAGS,
			 "SELECT t.name, max(x.src) FROM (SELECT tag_id,"
			 " 0 AS src FROM item_tag WHERE item_id = ?1"
			 " UNION ALL SELECT tag_id, 1 FROM source_tag"
			 " WHERE source_id = ?2) x JOIN tag t ON t.id = x.tag_id"
			 " GROUP BY t.id ORDER BY t.name COLLATE NOCASE");
	sqlite3_bind_int64(s, 1, it->id);
	sqlite3_bind_int64(s, 2, it->source_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		it->tags = xrealloc(it->tags, (it->ntags + 1) * sizeof(char *));
		it->tag_from_source = xrealloc(it->tag_from_source,
			(it->ntags + 1) * sizeof(bool));
		it->tag_from_source[it->ntags] = sqlite3_column_int(s, 1);
		it->tags[it->ntags++] = store_col_text(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot read tags");
	s = store_cached(st, C_NOTES,
			 "SELECT id, body, quote, prefix, suffix, created,"
			 " updated FROM note WHERE item_id = ? ORDER BY id");
	sqlite3_bind_int64(s, 1, it->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct note *n;

		it->notes = xrealloc(it->notes,
				     (it->nnotes + 1) * sizeof(*it->notes));
		n = &it->notes[it->nnotes++];
		n->id = sqlite3_column_int64(s, 0);
		n->item_id = it->id;
		n->body = store_col_text(s, 1);
		n->quote = store_col_text(s, 2);
		n->prefix = store_col_text(s, 3);
		n->suffix = store_col_text(s, 4);
		n->created = sqlite3_column_int64(s, 5);
		n->updated = sqlite3_column_int64(s, 6);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot read notes");
	return 0;
}

void
fts_phrase(struct sbuf *sb, const char *s)
{
	sbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"')
			sbuf_addch(sb, '"');
		sbuf_addch(sb, *s);
	}
	sbuf_addch(sb, '"');
}

/* "digital inclusion": every word, AND (each word a phrase). */
static void
fts_terms(struct store *st, struct sbuf *sql, struct qsql *qs,
	  const char *text)
{
	char *copy = xstrdup(text), *p = copy, *tok;

	while ((tok = strsep(&p, " \t\n")) != NULL) {
		if (!*tok)
			continue;
		sbuf_adds(sql, " AND ");
		fts_match_sql(st, sql, qs, NULL, tok);
	}
	free(copy);
}

static void
push_text(struct qsql *qs, char *owned)
{
	struct qbind *b;

	XGROW(qs->binds, qs->cap, qs->nbinds + 1);
	b = &qs->binds[qs->nbinds++];
	memset(b, 0, sizeof(*b));
	b->text = owned;
}

/* Fewer unread items than this: the unread list by title sorts them
 * (item_unread finds them) rather than walk item_title past the read. */
#define TITLE_WALK_MIN_UNREAD 4096

/* The index in the title sort's order, item_title: the reader's first
 * page by title at a million items reads a page of it, 2 ms, not every
 * item into a sorter (0.6-1.9 s). The key is the ORDER BY's (sort_sql):
 * the title as the list sorts it, then date and id newest first; read
 * and hidden ride along (0 and 1 take no bytes in a record) so the
 * unread list by title tests them in the index. Not partial: a partial
 * index on hidden = 0 made the planner take it over the small starred
 * and marked indexes.
 *
 * Every item a fetch inserts lands at a random place in it, and with a
 * fetch's 1 MB page cache that is a page read and a page written per
 * item: kept during a cold fetch of the bench's 1,000 feeds it cost
 * 1.5-2 CPU-s, built after it 0.12 s. So a fetch into a store of fewer
 * than TITLE_BULK_BELOW items drops it (store_title_index_bulk(), from
 * seek_start()) and makes it again at its end (seek_finish()); 'glean
 * fetch' also makes it when missing (store_title_index_make()), which
 * brings it to a store from before it, once: 7.5 s at a million items,
 * too long a freeze for the reader's own fetches. A larger store keeps it through the fetch: a fetch's
 * usual few hundred new items cost a few ms there, where rebuilding
 * costs about 2 us per item in the store (40 ms at 20,000), so only a
 * new store, whose first fetch brings nearly all its items, drops it. */
#define TITLE_INDEX_SQL "CREATE INDEX IF NOT EXISTS main.item_title ON" \
	" item(coalesce(title, '') COLLATE NOCASE, date DESC, id DESC, read," \
	" hidden)"
enum { TITLE_BULK_BELOW = 1000 };

static bool title_index(struct store *st);

int
store_title_index_bulk(struct store *st, struct err *e)
{
	sqlite3_stmt *s;
	int64_t top = TITLE_BULK_BELOW;

	if (st->readonly || !title_index(st))
		return 0;
	s = store_prepare(st, "SELECT coalesce(max(id), 0) FROM main.item");
	if (sqlite3_step(s) == SQLITE_ROW)
		top = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (top >= TITLE_BULK_BELOW)
		return 0;
	st->title_index = 0;
	if (store_exec(st, "DROP INDEX IF EXISTS main.item_title", e) < 0)
		return -1;
	return 1;
}

int
store_title_index_make(struct store *st, struct err *e)
{
	if (st->readonly || title_index(st))
		return 0;
	st->title_index = 0;
	if (store_begin(st, false, e) < 0)
		return -1;
	/* SQLite's sorter keeps up to the page cache in memory (at least
	 * SQLITE_CONFIG_PMASZ pages, store.c): with a big store's cache,
	 * 17 MB at 5,000 feeds, the fetch's peak RSS went 45 -> 73 MB */
	if (store_exec(st, "PRAGMA main.cache_size = -1024", e) < 0 ||
	    store_exec(st, TITLE_INDEX_SQL, e) < 0) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, e);
}

static bool
title_index(struct store *st)
{
	sqlite3_stmt *s;

	if (st->title_index == 0) {
		st->title_index = 1;
		s = store_prepare(st, "SELECT 1 FROM main.sqlite_master WHERE"
				  " type = 'index' AND name = 'item_title'");
		if (s && sqlite3_step(s) == SQLITE_ROW)
			st->title_index = 2;
		sqlite3_finalize(s);
	}
	return st->title_index == 2;
}

/* Sorted by title: walk item_title (title_index()) in order, which stops
 * after a page, unless the view has a smaller set of its own to sort
 * (starred, to share, annotated, a source, a rare word, few unread),
 * which the walk would pass over nearly whole. The planner, without
 * statistics, prefers the walk whenever it skips the sort, even for a
 * dozen starred items among a million; "+" in front of the title hides
 * the index from it. A test of the compiled text: a term inside OR or
 * NOT only costs the walk. */
static bool
title_walk(struct store *st, const struct item_query *q,
	   const struct qsql *qs)
{
	static const char *const small[] = {
		"i.starred = 1", "i.marked = 1", "n.item_id", "s.url =",
	};
	const char *w = qs->where.buf ? qs->where.buf : "";
	struct store_counts c = { 0 };
	struct err e = { 0 };
	size_t k;

	/* a rare word's few items come as a set (sort them); a frequent
	 * one's are probed item by item along the walk, as along the
	 * date (query.c, fts_match_sql) */
	if (qs->fts_set || q->source_id || !title_index(st))
		return false;
	for (k = 0; k < ARRAY_SIZE(small); k++)
		if (strstr(w, small[k]))
			return false;
	if (strstr(w, "i.read = 0") &&
	    (store_counts(st, &c, &e) < 0 || c.unread < TITLE_WALK_MIN_UNREAD))
		return false;
	return true;
}

/* Build "FROM ... WHERE ..." for q into sql, and its bound values, in
 * the order their placeholders appear, into qs. *walk (NULL when no
 * ORDER BY follows) says whether the title sort walks item_title. */
static int
build_where(struct store *st, const struct item_query *q, struct sbuf *sql,
	    struct qsql *qs, bool *walk, struct err *e)
{
	memset(qs, 0, sizeof(*qs));
	sbuf_init(&qs->where, 0);
	qs->few_rows = q->limit && q->limit + q->offset <= FTS_PROBE_ROWS;
	qs->rows = q->limit + q->offset;
	if (q->query && *q->query &&
	    query_compile(st, q->query, time_now(), qs, e) < 0)
		return -1;
	if (q->search && *q->search) {
		struct sbuf w = SBUF_INIT;

		sbuf_addf(&w, "(%s)", qs->where.len ? qs->where.buf : "1");
		fts_terms(st, &w, qs, q->search);
		sbuf_release(&qs->where);
		qs->where = w;
	}
	if (walk)
		*walk = q->sort == SORT_TITLE && title_walk(st, q, qs);
	if (!walk && !strstr(qs->where.buf ? qs->where.buf : "", "s."))
		/* a count (the reader's, between keys) or a mark of the
		 * rows: no source column asked for, so no join, which
		 * read every matching row for its source_id (the reader's
		 * count of is:unread at 1M items: 3.2 s; from item_unread
		 * alone 26 ms). Every item has its source (foreign key). */
		sbuf_adds(sql, " FROM item i WHERE 1");
	else if (q->sort == SORT_SOURCE && !qs->fts &&
		 !(q->search && *q->search))
		/* Sorted by source, outside a text search: the sources in
		 * name order outermost (index source_sort), each one's
		 * items from item_source in date order, so a first page
		 * reads the first sources' items, not a million rows into
		 * a sorter. */
		sbuf_adds(sql, " FROM source s CROSS JOIN item i"
			       " ON s.id = i.source_id WHERE 1");
	else if (walk && *walk)
		/* the planner takes item_unread for is:unread even so */
		sbuf_adds(sql, " FROM item i INDEXED BY item_title"
			       " JOIN source s ON s.id = i.source_id WHERE 1");
	else
		sbuf_adds(sql, " FROM item i JOIN source s"
			       " ON s.id = i.source_id WHERE 1");
	if (qs->fts_probe && !qs->fts_set && !q->with_hidden)
		/* SQLite tests a subquery last: in a CASE the item's row is
		 * read only for what the index matched, not for every item
		 * the walk along the date passes */
		sbuf_addf(sql, " AND CASE WHEN (%s) THEN i.hidden = 0 ELSE 0"
			  " END", qs->where.buf);
	else if (qs->where.len)
		sbuf_addf(sql, " AND (%s)", qs->where.buf);
	if (!q->with_hidden && !(qs->fts_probe && !qs->fts_set))
		sbuf_adds(sql, " AND i.hidden = 0");
	if (q->source_id)
		sbuf_addf(sql, " AND i.source_id = %lld",
			  (long long)q->source_id);
	if (q->tag) {
		/* own or from the source, as tag: in a query */
		sbuf_adds(sql, " AND (EXISTS (SELECT 1 FROM item_tag x JOIN tag t"
			       " ON t.id = x.tag_id WHERE x.item_id = i.id"
			       " AND t.name = ?) OR EXISTS (SELECT 1 FROM"
			       " source_tag y JOIN tag u ON u.id = y.tag_id"
			       " WHERE y.source_id = i.source_id AND"
			       " u.name = ?))");
		push_text(qs, xstrdup(q->tag));
		push_text(qs, xstrdup(q->tag));
	}
	return 0;
}

int
store_query_check(struct store *st, const char *query, struct err *e)
{
	struct qsql qs = { 0 };
	int rc;

	sbuf_init(&qs.where, 0);
	qs.plain = true;
	rc = query_compile(st, query, time_now(), &qs, e);
	qsql_release(&qs);
	return rc;
}

/* What comes before the date in ORDER BY, per enum item_sort. */
static const char *const sort_sql[] = {
	[SORT_DATE] = "",
	[SORT_SOURCE] = "coalesce(s.title, s.url) COLLATE NOCASE, s.id, ",
	[SORT_TITLE] = "coalesce(i.title, '') COLLATE NOCASE, ",
	[SORT_UNREAD_FIRST] = "i.read, ",
};

/* Where a streamed listing (mode 3) is: rows passed on, the date and id
 * of the last one, whether fn stopped it; with after, it resumes past
 * that row. */
struct resume {
	bool after, stopped;
	size_t rows;
	int64_t date, id;
};

/* mode 0: rows into out; 1: ids; 2: count; 3: each row to fn, as
 * SQLite steps to it (nothing collected; pos, may be NULL, follows). */
static int
run_list(struct store *st, const struct item_query *q, int mode,
	 struct item_list *out, int64_t **ids, size_t *nids, int64_t *count,
	 item_fn fn, void *arg, struct resume *pos, struct err *e)
{
	struct sbuf sql = SBUF_INIT;
	struct qsql qs;
	sqlite3_stmt *s = NULL;
	size_t idcap = 0;
	bool walk = false;
	int rc = -1, r, datecol = q->with_content ? 22 : 19;

	if (mode == 0 || mode == 3)
		sbuf_adds(&sql, "SELECT " ITEM_COLS);
	else if (mode == 1)
		sbuf_adds(&sql, "SELECT i.id");
	else
		sbuf_adds(&sql, "SELECT count(*)");
	if ((mode == 0 || mode == 3) && q->with_content)
		sbuf_adds(&sql, ITEM_CONTENT_COLS);
	if (pos)
		sbuf_adds(&sql, ", i.date");
	if (build_where(st, q, &sql, &qs, mode != 2 ? &walk : NULL, e) < 0)
		goto out;
	if (pos && pos->after)
		sbuf_adds(&sql, q->order == ORDER_OLDEST ?
			  " AND (i.date, i.id) > (?, ?)" :
			  " AND (i.date, i.id) < (?, ?)");
	if (qs.fts)
		store_search_prepare(st);
	if (mode != 2) {
		sbuf_adds(&sql, " ORDER BY ");
		if (q->sort == SORT_TITLE && !walk)
			sbuf_addch(&sql, '+');
		sbuf_adds(&sql, sort_sql[q->sort < ARRAY_SIZE(sort_sql) ?
					 q->sort : SORT_DATE]);
		if (q->order == ORDER_OLDEST)
			sbuf_adds(&sql, "i.date ASC, i.id ASC");
		else
			sbuf_adds(&sql, "i.date DESC, i.id DESC");
		if (q->limit)
			sbuf_addf(&sql, " LIMIT %zu OFFSET %zu", q->limit,
				  q->offset);
	}
	if (store_prepare_e(st, sql.buf, &s, e) < 0)
		goto out;
	r = qsql_bind(&qs, s, 1);
	if (pos && pos->after) {
		sqlite3_bind_int64(s, r, pos->date);
		sqlite3_bind_int64(s, r + 1, pos->id);
	}
	if (st->interrupt)
		sqlite3_progress_handler(st->db, 4096, st->interrupt,
					 st->interrupt_arg);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (mode == 2) {
			*count = sqlite3_column_int64(s, 0);
		} else if (mode == 1) {
			XGROW(*ids, idcap, *nids + 1);
			(*ids)[(*nids)++] = sqlite3_column_int64(s, 0);
		} else if (mode == 3) {
			struct item it;
			int stop;

			read_item(st, s, &it, q->with_content);
			if (q->with_extras && load_extras(st, &it, e) < 0) {
				item_release(&it);
				goto out;
			}
			if (pos) {
				pos->rows++;
				pos->id = it.id;
				pos->date = sqlite3_column_int64(s, datecol);
			}
			stop = fn(arg, &it);
			item_release(&it);
			if (stop) {
				if (pos)
					pos->stopped = true;
				r = SQLITE_DONE;
				break;
			}
		} else {
			struct item *it;

			XGROW(out->v, out->cap, out->n + 1);
			it = &out->v[out->n++];
			read_item(st, s, it, q->with_content);
		}
	}
	if (st->interrupt)
		sqlite3_progress_handler(st->db, 0, NULL, NULL);
	if (r != SQLITE_DONE) {
		/* A regex error surfaces here with its message. */
		if (r == SQLITE_ERROR)
			err_set(e, ERR_USAGE, "%s", sqlite3_errmsg(st->db));
		else
			store_fail(st, e, r, "cannot list items");
		goto out;
	}
	if (mode == 0 && q->with_extras) {
		size_t i;

		for (i = 0; i < out->n; i++)
			if (load_extras(st, &out->v[i], e) < 0)
				goto out;
	}
	rc = 0;
out:
	if (st->interrupt)
		sqlite3_progress_handler(st->db, 0, NULL, NULL);
	sqlite3_finalize(s);
	qsql_release(&qs);
	sbuf_release(&sql);
	return rc;
}

int
store_items_list(struct store *st, const struct item_query *q,
		 struct item_list *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (run_list(st, q, 0, out, NULL, NULL, NULL, NULL, NULL, NULL, e) < 0) {
		item_list_release(out);
		return -1;
	}
	return 0;
}

int
store_items_ids(struct store *st, const struct item_query *q, int64_t **ids,
		size_t *n, struct err *e)
{
	*ids = NULL;
	*n = 0;
	if (run_list(st, q, 1, NULL, ids, n, NULL, NULL, NULL, NULL, e) < 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
store_items_count(struct store *st, const struct item_query *q,
		  int64_t *count, struct err *e)
{
	*count = 0;
	return run_list(st, q, 2, NULL, NULL, NULL, count, NULL, NULL, NULL,
			e);
}

/* A text search streamed whole ('glean search WORD | head') finds its
 * items either way query.c chooses: as a set of every holder built
 * before the first row (the 1M holders of "the" at a million items:
 * 270 ms), or by probing the index item by item along the date, which
 * finds the first rows at once but costs a probe per item passed. So
 * the first STREAM_PAGE rows come from a query with that LIMIT (which
 * probes for a frequent word), the rest from a second query that
 * resumes after the last row in the same order (and builds the set). */
enum { STREAM_PAGE = 50 };

/* Whether q asks the full-text index (a query is compiled, not run),
 * and has no /regex/ term: the second query could test a regex again on
 * items the first had tested, and count a PCRE limit hit twice. */
static bool
uses_fts(struct store *st, const struct item_query *q)
{
	struct qsql qs = { 0 };
	struct err e = { 0 };
	bool search = q->search && *q->search, fts;

	if (!q->query || !*q->query)
		return search;
	sbuf_init(&qs.where, 0);
	qs.plain = true;
	fts = query_compile(st, q->query, time_now(), &qs, &e) == 0 &&
	      (qs.fts || search) && !qs.regex;
	qsql_release(&qs);
	return fts;
}

int
store_items_each(struct store *st, const struct item_query *q, item_fn fn,
		 void *arg, struct err *e)
{
	struct item_query first = *q;
	struct resume pos = { 0 };

	if (q->sort != SORT_DATE || q->offset ||
	    (q->limit && q->limit <= FTS_PROBE_ROWS) || !uses_fts(st, q))
		return run_list(st, q, 3, NULL, NULL, NULL, NULL, fn, arg,
				NULL, e);
	first.limit = STREAM_PAGE;
	if (run_list(st, &first, 3, NULL, NULL, NULL, NULL, fn, arg, &pos,
		     e) < 0)
		return -1;
	if (pos.stopped || pos.rows < STREAM_PAGE)
		return 0;
	first.limit = q->limit ? q->limit - pos.rows : 0;
	pos.after = true;
	return run_list(st, &first, 3, NULL, NULL, NULL, NULL, fn, arg, &pos,
			e);
}

int
store_item_get(struct store *st, int64_t id, bool with_content,
	       struct item *out, struct err *e)
{
	/* without content, no body is unpacked and no text derived: the
	 * digest and sync read items by the hundred this way */
	sqlite3_stmt *s = store_prepare(st, with_content ?
		"SELECT " ITEM_COLS ITEM_CONTENT_COLS " FROM item i JOIN"
		" source s ON s.id = i.source_id WHERE i.id = ?" :
		"SELECT " ITEM_COLS " FROM item i JOIN source s"
		" ON s.id = i.source_id WHERE i.id = ?");
	int rc;

	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_item(st, s, out, with_content);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no item %lld; see 'glean "
			       "items'", (long long)id);
	if (rc != SQLITE_ROW)
		return store_fail(st, e, rc, "cannot read item");
	if (load_extras(st, out, e) < 0) {
		item_release(out);
		return -1;
	}
	return 0;
}

static int
item_exists(struct store *st, int64_t id, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM item WHERE id = ?");
	int rc;

	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no item %lld; see 'glean "
			       "items'", (long long)id);
	return store_fail(st, e, rc, "cannot read item");
}

int
store_item_set_flag(struct store *st, int64_t id, enum item_flag f, bool on,
		    struct err *e)
{
	static const char *const sql[] = {
		[ITEM_READ] = "UPDATE item SET read = ? WHERE id = ?",
		[ITEM_STARRED] = "UPDATE item SET starred = ? WHERE id = ?",
		/* marking takes the next mark sequence (schema v8); an
		 * item already marked keeps its place */
		[ITEM_MARKED] = "UPDATE item SET marked = ?1, marked_at ="
				" CASE WHEN ?1 THEN coalesce(marked_at, ?3)"
				" ELSE NULL END, mark_seq = CASE WHEN NOT ?1"
				" THEN NULL WHEN marked = 1 AND mark_seq IS"
				" NOT NULL THEN mark_seq ELSE (SELECT CAST("
				"value AS INTEGER) FROM meta WHERE key ="
				" 'mark_seq') END WHERE id = ?2",
		[ITEM_HIDDEN] = "UPDATE item SET hidden = ? WHERE id = ?",
	};
	sqlite3_stmt *s;
	int rc;

	if (item_exists(st, id, e) < 0)
		return -1;
	if (store_begin(st, true, e) < 0)
		return -1;
	if (f == ITEM_MARKED && on &&
	    store_exec(st, "UPDATE meta SET value = CAST(value AS INTEGER) + 1"
		       " WHERE key = 'mark_seq'", e) < 0) {
		store_rollback(st);
		return -1;
	}
	s = store_prepare(st, sql[f]);
	sqlite3_bind_int(s, 1, on);
	sqlite3_bind_int64(s, 2, id);
	if (f == ITEM_MARKED)
		sqlite3_bind_int64(s, 3, time_now());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_rollback(st);
		return store_fail(st, e, rc, "cannot update item");
	}
	return store_commit(st, e);
}

int
store_items_mark_read(struct store *st, int64_t source_id, int64_t *n,
		      struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_begin(st, true, e) < 0)
		return -1;
	s = store_prepare(st, "UPDATE item SET read = 1 WHERE read = 0"
			  " AND (?1 = 0 OR source_id = ?1)");
	sqlite3_bind_int64(s, 1, source_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_rollback(st);
		return store_fail(st, e, rc, "cannot mark items read");
	}
	if (n)
		*n = sqlite3_changes(st->db);
	return store_commit(st, e);
}

/* A tag as a shell word, for the command a message suggests. */
static void
shell_word(struct sbuf *sb, const char *t)
{
	const char *p;

	for (p = t; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._-:/@", *p)))
			break;
	if (!*p && *t) {
		sbuf_adds(sb, t);
		return;
	}
	sbuf_addch(sb, '\'');
	for (p = t; *p; p++) {
		if (*p == '\'')
			sbuf_adds(sb, "'\\''");
		else
			sbuf_addch(sb, *p);
	}
	sbuf_addch(sb, '\'');
}

/* Does item id carry tag tid itself (*own), and through its source
 * (*src_id, with the source's title in *src_title, owned)? */
static int
tag_origin(struct store *st, int64_t id, int64_t tid, bool *own,
	   int64_t *src_id, char **src_title, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT EXISTS (SELECT 1 FROM item_tag WHERE item_id = ?1"
		" AND tag_id = ?2), (SELECT s.id FROM item i JOIN source_tag y"
		" ON y.source_id = i.source_id JOIN source s ON s.id ="
		" i.source_id WHERE i.id = ?1 AND y.tag_id = ?2),"
		" (SELECT coalesce(s.title, s.url) FROM item i JOIN source s"
		" ON s.id = i.source_id WHERE i.id = ?1)");
	int rc;

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, tid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*own = sqlite3_column_int(s, 0);
		*src_id = sqlite3_column_int64(s, 1);
		*src_title = *src_id ? store_col_text(s, 2) : NULL;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, e, rc, "cannot read tags");
	return 0;
}

int
store_items_set_read(struct store *st, const int64_t *ids, size_t n,
		     bool read, int64_t *changed, struct err *e)
{
	sqlite3_stmt *s;
	int64_t count = 0;
	size_t i;
	int rc = SQLITE_DONE;

	if (store_begin(st, true, e) < 0)
		return -1;
	s = store_prepare(st, "UPDATE item SET read = ?1 WHERE id = ?2"
			  " AND read <> ?1");
	for (i = 0; i < n && rc == SQLITE_DONE; i++) {
		sqlite3_bind_int(s, 1, read ? 1 : 0);
		sqlite3_bind_int64(s, 2, ids[i]);
		rc = sqlite3_step(s);
		count += sqlite3_changes(st->db);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_rollback(st);
		return store_fail(st, e, rc, "cannot mark items read");
	}
	if (changed)
		*changed = count;
	return store_commit(st, e);
}

int
store_item_tag(struct store *st, int64_t id, const char *tag, bool add,
	       struct err *e)
{
	return store_item_tag_changed(st, id, tag, add, NULL, e);
}

int
store_item_tag_changed(struct store *st, int64_t id, const char *tag,
		       bool add, bool *changed, struct err *e)
{
	sqlite3_stmt *s;
	char *src_title = NULL;
	int64_t tid, src_id = 0;
	bool own = false, dummy;
	int rc;

	if (!changed)
		changed = &dummy;
	*changed = false;
	if (item_exists(st, id, e) < 0)
		return -1;
	if (store_begin(st, true, e) < 0)
		return -1;
	if (store_tag_id(st, tag, add, &tid, e) < 0)
		goto fail;
	if (!tid)
		return store_commit(st, e);
	if (tag_origin(st, id, tid, &own, &src_id, &src_title, e) < 0)
		goto fail;
	if (add ? own || src_id : !own) {
		if (!add && src_id) {
			struct sbuf cmd = SBUF_INIT;

			sbuf_addf(&cmd, "glean tag-source %lld -",
				  (long long)src_id);
			shell_word(&cmd, tag);
			err_set(e, ERR_USAGE, "tag '%s' comes from source %lld "
				"'%s', so every item of it has the tag; "
				"remove it there with: %s", tag,
				(long long)src_id, src_title ? src_title : "",
				cmd.buf);
			sbuf_release(&cmd);
			goto fail;
		}
		free(src_title);
		return store_commit(st, e); /* nothing to change */
	}
	free(src_title);
	src_title = NULL;
	s = store_prepare(st, add ? "INSERT OR IGNORE INTO item_tag"
				    " (item_id, tag_id) VALUES (?, ?)"
				  : "DELETE FROM item_tag WHERE"
				    " item_id = ? AND tag_id = ?");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, tid);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, e, rc, "cannot tag item");
		goto fail;
	}
	/* Forget tags nobody uses any more. */
	if (!add && store_exec(st, "DELETE FROM tag WHERE NOT EXISTS"
			       " (SELECT 1 FROM item_tag WHERE tag_id ="
			       " tag.id) AND NOT EXISTS (SELECT 1 FROM"
			       " source_tag WHERE tag_id = tag.id)",
			       e) < 0)
		goto fail;
	if (store_commit(st, e) < 0)
		return -1;
	*changed = true;
	return 0;
fail:
	free(src_title);
	store_rollback(st);
	return -1;
}

int
store_items_set_read_query(struct store *st, const struct item_query *q,
			   bool read, int64_t *n, struct err *e)
{
	struct sbuf sql = SBUF_INIT;
	struct qsql qs;
	sqlite3_stmt *s = NULL;
	int rc;

	*n = 0;
	sbuf_adds(&sql, "UPDATE item SET read = ? WHERE id IN (SELECT i.id");
	if (build_where(st, q, &sql, &qs, NULL, e) < 0) {
		qsql_release(&qs);
		sbuf_release(&sql);
		return -1;
	}
	/* only the rows that change, so the count says what was done */
	sbuf_addf(&sql, " AND i.read = %d)", read ? 0 : 1);
	if (qs.fts)
		store_search_prepare(st); /* outside the transaction */
	if (store_begin(st, true, e) < 0)
		goto out_err;
	if (store_prepare_e(st, sql.buf, &s, e) < 0)
		goto fail;
	sqlite3_bind_int(s, 1, read);
	qsql_bind(&qs, s, 2);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		if (rc == SQLITE_ERROR)
			err_set(e, ERR_USAGE, "%s", sqlite3_errmsg(st->db));
		else
			store_fail(st, e, rc, "cannot mark items");
		goto fail;
	}
	*n = sqlite3_changes(st->db);
	sqlite3_finalize(s);
	qsql_release(&qs);
	sbuf_release(&sql);
	return store_commit(st, e);
fail:
	sqlite3_finalize(s);
	store_rollback(st);
out_err:
	qsql_release(&qs);
	sbuf_release(&sql);
	return -1;
}

static int
store_item_refresh_notes(struct store *st, int64_t item_id, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = store_fts_queue(st, item_id)) != 0)
		return store_fail(st, e, rc, "cannot index note");
	s = store_prepare(st,
		"UPDATE item SET notes_text = (SELECT group_concat("
		" trim(coalesce(quote, '') || ' ' || body), char(10))"
		" FROM note WHERE item_id = ?1) WHERE id = ?1");
	sqlite3_bind_int64(s, 1, item_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot index note");
	return 0;
}

/* The INSERT of one note, bound and ready to step: 'glean note' and
 * 'glean import --annotations' write the same row. */
static sqlite3_stmt *
note_insert(struct store *st, int64_t item_id, const char *body,
	    const char *quote, const char *prefix, const char *suffix,
	    int64_t created, int64_t updated)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO note (item_id, body,"
		" quote, prefix, suffix, created, updated) VALUES (?, ?, ?,"
		" ?, ?, ?, ?)");

	sqlite3_bind_int64(s, 1, item_id);
	store_bind_text(s, 2, body ? body : "");
	store_bind_text(s, 3, quote);
	store_bind_text(s, 4, prefix);
	store_bind_text(s, 5, suffix);
	sqlite3_bind_int64(s, 6, created);
	sqlite3_bind_int64(s, 7, updated);
	return s;
}

int
store_note_add(struct store *st, int64_t item_id, const char *body,
	       const char *quote, const char *prefix, const char *suffix,
	       int64_t *note_id, struct err *e)
{
	sqlite3_stmt *s;
	int64_t now = time_now();
	int rc;

	if (item_exists(st, item_id, e) < 0)
		return -1;
	if (store_begin(st, true, e) < 0)
		return -1;
	s = note_insert(st, item_id, body, quote, prefix, suffix, now, now);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, e, rc, "cannot save note");
		goto fail;
	}
	if (note_id)
		*note_id = sqlite3_last_insert_rowid(st->db);
	if (store_item_refresh_notes(st, item_id, e) < 0)
		goto fail;
	return store_commit(st, e);
fail:
	store_rollback(st);
	return -1;
}

int
store_note_delete(struct store *st, int64_t note_id, struct err *e)
{
	sqlite3_stmt *s;
	int64_t item_id;
	int rc;

	s = store_prepare(st, "SELECT item_id FROM note WHERE id = ?");
	sqlite3_bind_int64(s, 1, note_id);
	rc = sqlite3_step(s);
	item_id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	if (!item_id)
		return err_set(e, ERR_NOTFOUND, "no note %lld",
			       (long long)note_id);
	if (store_begin(st, true, e) < 0)
		return -1;
	s = store_prepare(st, "DELETE FROM note WHERE id = ?");
	sqlite3_bind_int64(s, 1, note_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, e, rc, "cannot delete note");
		goto fail;
	}
	if (store_item_refresh_notes(st, item_id, e) < 0)
		goto fail;
	return store_commit(st, e);
fail:
	store_rollback(st);
	return -1;
}

void
note_release(struct note *n)
{
	free(n->body);
	free(n->quote);
	free(n->prefix);
	free(n->suffix);
	memset(n, 0, sizeof(*n));
}

int
store_note_get(struct store *st, int64_t note_id, struct note *out,
	       struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, item_id, body, quote,"
		" prefix, suffix, created, updated FROM note WHERE id = ?");
	int rc;

	memset(out, 0, sizeof(*out));
	sqlite3_bind_int64(s, 1, note_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(s, 0);
		out->item_id = sqlite3_column_int64(s, 1);
		out->body = store_col_text(s, 2);
		out->quote = store_col_text(s, 3);
		out->prefix = store_col_text(s, 4);
		out->suffix = store_col_text(s, 5);
		out->created = sqlite3_column_int64(s, 6);
		out->updated = sqlite3_column_int64(s, 7);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no note %lld",
			       (long long)note_id);
	if (rc != SQLITE_ROW)
		return store_fail(st, e, rc, "cannot read note");
	return 0;
}

/* One write to a note, then the item's notes_text and search queue. */
static int
note_write(struct store *st, int64_t item_id, sqlite3_stmt *s,
	   const char *what, struct err *e)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, e, rc, what);
		goto fail;
	}
	if (store_item_refresh_notes(st, item_id, e) < 0)
		goto fail;
	return store_commit(st, e);
fail:
	store_rollback(st);
	return -1;
}

int
store_note_update(struct store *st, int64_t note_id, const char *body,
		  const char *quote, struct err *e)
{
	struct note old;
	sqlite3_stmt *s;
	int64_t item_id;
	bool requote;

	if (store_note_get(st, note_id, &old, e) < 0)
		return -1;
	item_id = old.item_id;
	/* The context around a quote belongs to that quote. */
	requote = quote && !(old.quote && !strcmp(old.quote, quote));
	if (store_begin(st, true, e) < 0) {
		note_release(&old);
		return -1;
	}
	s = store_prepare(st, "UPDATE note SET body = coalesce(?2, body),"
			  " quote = CASE WHEN ?3 THEN nullif(?4, '')"
			  " ELSE quote END,"
			  " prefix = CASE WHEN ?3 THEN NULL ELSE prefix END,"
			  " suffix = CASE WHEN ?3 THEN NULL ELSE suffix END,"
			  " updated = ?5 WHERE id = ?1");
	sqlite3_bind_int64(s, 1, note_id);
	store_bind_text(s, 2, body);
	sqlite3_bind_int(s, 3, requote);
	store_bind_text(s, 4, quote);
	sqlite3_bind_int64(s, 5, time_now());
	note_release(&old);
	return note_write(st, item_id, s, "cannot save note", e);
}

int
store_note_restore(struct store *st, const struct note *n, struct err *e)
{
	sqlite3_stmt *s;

	if (item_exists(st, n->item_id, e) < 0)
		return -1;
	if (store_begin(st, true, e) < 0)
		return -1;
	s = store_prepare(st, "INSERT OR REPLACE INTO note (id, item_id, body,"
			  " quote, prefix, suffix, created, updated)"
			  " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(s, 1, n->id);
	sqlite3_bind_int64(s, 2, n->item_id);
	store_bind_text(s, 3, n->body ? n->body : "");
	store_bind_text(s, 4, n->quote);
	store_bind_text(s, 5, n->prefix);
	store_bind_text(s, 6, n->suffix);
	sqlite3_bind_int64(s, 7, n->created);
	sqlite3_bind_int64(s, 8, n->updated);
	return note_write(st, n->item_id, s, "cannot restore note", e);
}

/* Notes carried in from outside (glean import --annotations): the same
 * note twice is one note, so importing a file again adds nothing. "The
 * same" is the same item, body, quote and context, whatever the dates
 * (IS compares NULLs as equal). */
int
store_note_import(struct store *st, int64_t item_id, const struct note *n,
		  bool *added, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*added = false;
	if (item_exists(st, item_id, e) < 0)
		return -1;
	if (store_begin(st, true, e) < 0)
		return -1;
	s = store_prepare(st, "SELECT 1 FROM note WHERE item_id = ? AND"
			  " body = ? AND quote IS ? AND prefix IS ? AND"
			  " suffix IS ?");
	sqlite3_bind_int64(s, 1, item_id);
	store_bind_text(s, 2, n->body ? n->body : "");
	store_bind_text(s, 3, n->quote);
	store_bind_text(s, 4, n->prefix);
	store_bind_text(s, 5, n->suffix);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return store_commit(st, e);
	if (rc != SQLITE_DONE) {
		store_fail(st, e, rc, "cannot read notes");
		store_rollback(st);
		return -1;
	}
	s = note_insert(st, item_id, n->body, n->quote, n->prefix, n->suffix,
			n->created, n->updated ? n->updated : n->created);
	*added = true;
	return note_write(st, item_id, s, "cannot save note", e);
}

int
store_item_find_url(struct store *st, const char *url, int64_t *id,
		    struct err *e)
{
	/* Through the indexes a fetch uses, one source at a time: the
	 * partial (source_id, url) one for items whose guid is not their
	 * link, the (source_id, guid) one for those whose guid is; a plain
	 * url = ? would read every item, once per annotation imported. */
	sqlite3_stmt *s = store_prepare(st, "SELECT min(id) FROM ("
		"SELECT i.id FROM source s CROSS JOIN item i"
		" WHERE i.source_id = s.id AND i.url = ?1 AND i.guid <> i.url"
		" UNION ALL SELECT i.id FROM source s CROSS JOIN item i"
		" WHERE i.source_id = s.id AND i.guid = ?1 AND i.url = ?1)");
	int rc;

	*id = 0;
	store_bind_text(s, 1, url);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot look up an item by its "
				  "link");
	return 0;
}

/* ---- ingest ---- */

static void
hash_add(uint64_t *h, const char *s)
{
	/* the length folds in, so ("ab","c") and ("a","bc") differ */
	*h = hash64(s ? s : "", s ? strlen(s) : 0, *h + 1);
}

/* The content hash: what tells an updated entry from an unchanged one.
 * Computed where the item is built (seek_items_from_doc(), on the parse
 * worker in a fetch), so the store's insert path, which one thread runs
 * for every source, does not hash every body again. */
void
item_hash_set(struct item *it)
{
	uint64_t h = 0;
	int64_t dates[2] = { it->published, it->updated };
	char out[17];

	hash_add(&h, it->title);
	hash_add(&h, it->url);
	hash_add(&h, it->author);
	hash_add(&h, it->content);
	hash_add(&h, it->enclosures);
	h = hash64(dates, sizeof(dates), h);
	snprintf(out, sizeof(out), "%016llx", (unsigned long long)h);
	free(it->content_hash);
	it->content_hash = xstrdup(out);
	it->hashed = true;
}

/* Look up an existing row: 1 found (*id, and *same when its content hash
 * equals hash), 0 not found, -1 error. No copies: the hash is compared
 * in place. */
static int
find_existing(struct store *st, int slot, const char *sql, int64_t source_id,
	      const char *key, const char *hash, int64_t *id, bool *same)
{
	sqlite3_stmt *s = store_cached(st, slot, sql);
	int rc;

	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *old = (const char *)sqlite3_column_text(s, 1);

		*id = sqlite3_column_int64(s, 0);
		*same = old && !strcmp(old, hash);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : (rc == SQLITE_DONE ? 0 : -1);
}

static void
bind_date(sqlite3_stmt *s, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

/* The item's strings outlive the statement's step (it is reset right
 * after), so they are bound without a copy: this is the hot path of a
 * cold fetch, and content is most of the bytes. */
static void
bind_static(sqlite3_stmt *s, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* The keys (guid, url, content hash) of the rows one call has inserted,
 * as 64-bit hashes in an open-addressing set: when the source had no
 * rows before the call, only a key seen here can match an existing row,
 * so the lookups are skipped for the rest (a cold fetch's every item).
 * A false positive only costs the lookup it would have done anyway. */
struct keyset {
	uint64_t *v;
	size_t mask;
};

static uint64_t
key_of(int kind, const char *s)
{
	uint64_t h = hash64(s, strlen(s), (uint64_t)kind * 0x9e3779b97f4a7c15ULL);

	return h ? h : 1; /* 0 marks an empty slot */
}

static bool
keyset_has(const struct keyset *ks, uint64_t k)
{
	size_t i = (size_t)k & ks->mask;

	while (ks->v[i]) {
		if (ks->v[i] == k)
			return true;
		i = (i + 1) & ks->mask;
	}
	return false;
}

static void
keyset_add(struct keyset *ks, uint64_t k)
{
	size_t i = (size_t)k & ks->mask;

	while (ks->v[i] && ks->v[i] != k)
		i = (i + 1) & ks->mask;
	ks->v[i] = k;
}

/* 1 when the source has no items, 0 when it has, -1 on error. */
static int
source_empty(struct store *st, int64_t source_id)
{
	sqlite3_stmt *s = store_cached(st, C_ANY,
		"SELECT 1 FROM item WHERE source_id = ? LIMIT 1");
	int rc;

	sqlite3_bind_int64(s, 1, source_id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 1 : rc == SQLITE_ROW ? 0 : -1;
}

static uint64_t
key_id(int64_t id)
{
	uint64_t h = hash64(&id, sizeof(id), 4);

	return h ? h : 1;
}

/* The recent item of the source with this link and title (guid churn):
 * 1 found (*id, *same), 0 not found, -1 error. An item this call has
 * already stored (ids in done) is not taken, nor one whose guid the
 * document still has (guids): two entries of one document, or a post
 * and its namesake of the next day, are two items. */
static int
find_churned(struct store *st, int64_t source_id, const struct item *it,
	     int64_t now, const struct keyset *done,
	     const struct keyset *guids, int64_t *id, bool *same)
{
	sqlite3_stmt *s = store_cached(st, C_FIND_CHURN,
		"SELECT id, content_hash, guid FROM item WHERE source_id = ?1"
		" AND url = ?2 AND title = ?3 AND (fetched >= ?4 OR id IN"
		" (SELECT id FROM item WHERE source_id = ?1 ORDER BY id DESC"
		" LIMIT ?5)) ORDER BY id DESC");
	int rc;

	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_text(s, 2, it->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, it->title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now - CHURN_SECS);
	sqlite3_bind_int(s, 5, CHURN_ITEMS);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *old = (const char *)sqlite3_column_text(s, 1);
		const char *g = (const char *)sqlite3_column_text(s, 2);
		int64_t v = sqlite3_column_int64(s, 0);

		if (keyset_has(done, key_id(v)) ||
		    (g && keyset_has(guids, key_of(5, g))))
			continue;
		*id = v;
		*same = old && !strcmp(old, it->content_hash);
		break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : (rc == SQLITE_DONE ? 0 : -1);
}

/* The source's kept counts (source_count, schema 14) take the items
 * this call inserted, in the same transaction: each is new, shown and
 * unread (the INSERT sets neither read, starred, marked nor hidden).
 * No trigger does this on INSERT (schema 16): a trigger makes every
 * INSERT a statement that may fail half-way with the item's foreign
 * key, so SQLite copied each page it touched into a statement journal,
 * 14 GB of writes to a temporary file in a cold fetch of the 1,000-feed
 * bench. The triggers on UPDATE and DELETE stay. */
static int
count_added(struct store *st, int64_t source_id, size_t added)
{
	sqlite3_stmt *s = store_cached(st, C_COUNT_ADD, "UPDATE source_count"
				       " SET items = items + ?1, unread ="
				       " unread + ?1 WHERE source_id = ?2");
	int rc;

	if (!s)
		return sqlite3_errcode(st->db);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)added);
	sqlite3_bind_int64(s, 2, source_id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : rc;
}

int
store_items_upsert(struct store *st, int64_t source_id, struct item *items,
		   size_t n, struct ingest_stats *stats, struct err *e)
{
	int64_t now = time_now();
	struct keyset ks = { NULL, 0 }, done = { NULL, 0 };
	struct keyset guids = { NULL, 0 };
	size_t k, cap, added = 0;
	int empty, pend, rc;

	if (store_begin(st, false, e) < 0)
		return -1;
	if ((empty = source_empty(st, source_id)) < 0) {
		store_fail(st, e, sqlite3_errcode(st->db), "cannot look up item");
		goto fail;
	}
	/* the rows this call stored, for find_churned() */
	for (cap = 16; cap < 2 * n;)
		cap <<= 1;
	done.v = xcalloc(cap, sizeof(*done.v));
	done.mask = cap - 1;
	guids.v = xcalloc(cap, sizeof(*guids.v));
	guids.mask = cap - 1;
	for (k = 0; k < n; k++)
		if (items[k].guid && *items[k].guid)
			keyset_add(&guids, key_of(5, items[k].guid));
	if (empty) {
		cap = 16;
		while (cap < 6 * n) /* three keys an item, half full at most */
			cap <<= 1;
		ks.v = xcalloc(cap, sizeof(*ks.v));
		ks.mask = cap - 1;
	}
	for (k = 0; k < n; k++) {
		struct item *it = &items[k];
		bool has_guid = it->guid && *it->guid;
		bool has_url = it->url && *it->url;
		char hguid[32];
		const char *hash;
		const char *guid;
		int64_t id = 0;
		bool same = false, churned = false;
		int found;
		sqlite3_stmt *s;

		uint64_t kg, ku, kh;

		/* a hash set before this call is trusted once: the item
		 * may change before it comes here again */
		if (!it->hashed)
			item_hash_set(it);
		it->hashed = false;
		hash = it->content_hash;
		if (has_guid) {
			guid = it->guid;
		} else if (has_url) {
			guid = it->url;
		} else {
			snprintf(hguid, sizeof(hguid), "hash:%s", hash);
			guid = hguid;
		}
		if (ks.v) {
			/* the keys the lookups below would search by */
			kg = key_of(1, guid);
			ku = has_url ? key_of(2, it->url) : 0;
			kh = key_of(3, hash);
			found = keyset_has(&ks, kg) ||
				(!has_guid && has_url && keyset_has(&ks, ku)) ||
				(!has_guid && !has_url && keyset_has(&ks, kh)) ?
				-2 : 0;
			keyset_add(&ks, kg);
			if (ku)
				keyset_add(&ks, ku);
			keyset_add(&ks, kh);
			if (found == 0)
				goto lookups_done;
		}
		found = find_existing(st, C_FIND_GUID,
			"SELECT id, content_hash FROM item WHERE source_id = ?"
			" AND guid = ?", source_id, guid, hash, &id, &same);
		if (found == 0 && !has_guid && has_url)
			found = find_existing(st, C_FIND_URL,
				"SELECT id, content_hash FROM item WHERE"
				" source_id = ? AND url = ? AND guid <> url",
				source_id,
				it->url, hash, &id, &same);
		if (found == 0 && !has_guid && !has_url)
			found = find_existing(st, C_FIND_HASH,
				"SELECT id, content_hash FROM item WHERE"
				" source_id = ? AND content_hash = ? AND"
				" coalesce(url, '') = ''",
				source_id, hash, hash, &id, &same);
		if (found == 0 && has_guid && has_url && it->title &&
		    *it->title) {
			found = find_churned(st, source_id, it, now, &done,
					     &guids, &id, &same);
			churned = found == 1;
		}
		if (found < 0) {
			store_fail(st, e, sqlite3_errcode(st->db),
				   "cannot look up item");
			goto fail;
		}
		if (churned) {
			/* the same item: it takes the new guid */
			s = store_cached(st, C_SET_GUID,
				"UPDATE item SET guid = ? WHERE id = ?");
			bind_static(s, 1, guid);
			sqlite3_bind_int64(s, 2, id);
			rc = sqlite3_step(s);
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			if (rc != SQLITE_DONE) {
				store_fail(st, e, rc, "cannot store item");
				goto fail;
			}
		}
lookups_done:
		if (found)
			keyset_add(&done, key_id(id));
		if (found && same) {
			stats->unchanged++;
			it->id = id;
			continue;
		}
		if (found && (rc = store_fts_queue(st, id)) != 0) {
			store_fail(st, e, rc, "cannot index item");
			goto fail;
		}
		if (found) {
			s = store_cached(st, C_UPDATE,
				"UPDATE item SET url = ?, title = ?, author = ?,"
				" published = ?, updated = ?, content = ?,"
				" content_type = ?, enclosures = ?9,"
				" content_hash = ?10, date = CASE WHEN ?11 IS NULL"
				" THEN date WHEN ?11 > fetched + 86400 THEN"
				" fetched ELSE ?11 END, title_html = ?15"
				" WHERE id = ?12");
		} else {
			s = store_cached(st, C_INSERT,
				"INSERT INTO item (url, title, author, published,"
				" updated, content, content_type,"
				" enclosures, content_hash, date, source_id,"
				" guid, fetched, title_html) VALUES (?, ?, ?, ?,"
				" ?, ?, ?, ?9, ?10, CASE WHEN ?11 IS NULL OR"
				" ?11 > ?14 + 86400 THEN ?14 ELSE ?11 END, ?12,"
				" ?13, ?14, ?15)");
		}
		bind_static(s, 1, it->url);
		bind_static(s, 2, it->title);
		bind_static(s, 3, it->author);
		bind_date(s, 4, it->published);
		bind_date(s, 5, it->updated);
		store_bind_body(st, s, 6, it->content);
		bind_static(s, 7, it->content_type);
		bind_static(s, 9, it->enclosures);
		bind_static(s, 10, it->content_hash);
		bind_date(s, 11, it->published ? it->published : it->updated);
		bind_static(s, 15, it->title_html);
		if (found) {
			sqlite3_bind_int64(s, 12, id);
		} else {
			sqlite3_bind_int64(s, 12, source_id);
			bind_static(s, 13, guid);
			sqlite3_bind_int64(s, 14, now);
		}
		rc = sqlite3_step(s);
		/* and let go of the bound strings, which the caller owns */
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		if (rc != SQLITE_DONE) {
			store_fail(st, e, rc, "cannot store item");
			goto fail;
		}
		if (found) {
			stats->updated++;
			it->id = id;
		} else {
			stats->added++;
			added++;
			it->id = sqlite3_last_insert_rowid(st->db);
			it->inserted = true;
			keyset_add(&done, key_id(it->id));
			if ((rc = store_fts_note_insert(st, it->id)) != 0) {
				store_fail(st, e, rc, "cannot index item");
				goto fail;
			}
		}
	}
	if (added > 0 && (rc = count_added(st, source_id, added)) != 0) {
		store_fail(st, e, rc, "cannot count the new items");
		goto fail;
	}
	/* newsboat's read state waiting for these items (store_import.c) */
	if (n > 0 && (pend = store_import_state_apply(st, source_id,
						      NULL)) != 0) {
		store_fail(st, e, pend, "cannot apply imported read state");
		goto fail;
	}
	free(ks.v);
	free(done.v);
	free(guids.v);
	return store_commit(st, e);
fail:
	free(ks.v);
	free(done.v);
	free(guids.v);
	store_rollback(st);
	return -1;
}
