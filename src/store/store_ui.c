/*
 * The reader's row loader: the few columns one line of the item list
 * shows (title, source, date, flags, tags with those inherited from the
 * source, a note count), by id, for the
 * rows on screen. It owns no state and never lists a whole view: the
 * reader asks store_items_ids() for the order and this for what it draws.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"
#include "glean/banned.h"

void
item_rows_release(struct item_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].source_title);
		free(v[i].title);
		free(v[i].author);
		free(v[i].tags);
		free(v[i].source_tags);
	}
	free(v);
}

int
store_items_rows(struct store *st, const int64_t *ids, size_t n,
		 struct item_row **out, size_t *nout, struct err *e)
{
	/* prepared per call (one per screenful), not in the shared
	 * statement cache, so no slot is taken from other files */
	sqlite3_stmt *s = store_prepare(st,
		"SELECT i.id, i.source_id, i.date, s.title, i.title, i.author,"
		" i.read, i.starred, i.marked,"
		" (SELECT count(*) FROM note n WHERE n.item_id = i.id),"
		/* own and source tags, each once, as store_item_get() */
		" (SELECT group_concat(name, ', ') FROM (SELECT DISTINCT"
		"  t.name AS name FROM tag t WHERE t.id IN (SELECT tag_id"
		"  FROM item_tag WHERE item_id = i.id UNION SELECT tag_id FROM"
		"  source_tag WHERE source_id = i.source_id)"
		"  ORDER BY t.name COLLATE NOCASE)),"
		" (SELECT group_concat(name, ', ') FROM (SELECT t.name AS name"
		"  FROM source_tag y JOIN tag t ON t.id = y.tag_id"
		"  WHERE y.source_id = i.source_id"
		"  ORDER BY t.name COLLATE NOCASE))"
		" FROM item i JOIN source s ON s.id = i.source_id"
		" WHERE i.id = ?");
	struct item_row *v = xcalloc(n ? n : 1, sizeof(*v));
	size_t i, k = 0;
	int rc;

	/* one read transaction for the screenful, not one per row (a
	 * savepoint: it nests in a fetch's open batch) */
	sqlite3_exec(st->db, "SAVEPOINT rows", NULL, NULL, NULL);
	for (i = 0; i < n; i++) {
		struct item_row *r = &v[k];

		sqlite3_bind_int64(s, 1, ids[i]);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			r->id = sqlite3_column_int64(s, 0);
			r->source_id = sqlite3_column_int64(s, 1);
			r->date = sqlite3_column_int64(s, 2);
			r->source_title = store_col_text(s, 3);
			r->title = store_col_text(s, 4);
			r->author = store_col_text(s, 5);
			r->read = sqlite3_column_int(s, 6);
			r->starred = sqlite3_column_int(s, 7);
			r->marked = sqlite3_column_int(s, 8);
			r->nnotes = sqlite3_column_int64(s, 9);
			r->tags = store_col_text(s, 10);
			r->source_tags = store_col_text(s, 11);
			k++;
		}
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			sqlite3_finalize(s);
			sqlite3_exec(st->db, "RELEASE rows", NULL, NULL, NULL);
			item_rows_release(v, k);
			return store_fail(st, e, rc, "cannot read items");
		}
	}
	sqlite3_finalize(s);
	sqlite3_exec(st->db, "RELEASE rows", NULL, NULL, NULL);
	*out = v;
	*nout = k;
	return 0;
}

void
store_interrupt_when(struct store *st, int (*fn)(void *), void *arg)
{
	/* installed by run_list around its own statement only (not the
	 * search index's catch-up before it) */
	st->interrupt = fn;
	st->interrupt_arg = arg;
}
