/*
 * The schema as an ordered list of migrations keyed by PRAGMA
 * user_version (newsboat's schema patches, but numbered). Each migration
 * runs with the user_version bump in one transaction. Never edit a
 * shipped migration; append a new one.
 */
#include <stdio.h>

#include "glean/base.h"
#include "private.h"
#include "glean/banned.h"

struct migration {
	int version;
	const char *const *sql; /* statements, NULL-terminated */
};

static const char *const v1[] = {
	  "CREATE TABLE source ("
	  " id INTEGER PRIMARY KEY,"
	  " kind TEXT NOT NULL DEFAULT 'feed',"
	  " url TEXT NOT NULL UNIQUE,"
	  " title TEXT,"
	  " site_url TEXT,"
	  " account TEXT,"
	  " hidden INTEGER NOT NULL DEFAULT 0,"
	  " retired INTEGER NOT NULL DEFAULT 0,"
	  " added INTEGER NOT NULL,"
	  " etag TEXT,"
	  " last_modified TEXT,"
	  " body_hash TEXT,"
	  " cursor TEXT,"
	  " next_due INTEGER NOT NULL DEFAULT 0,"
	  " last_success INTEGER,"
	  " last_attempt INTEGER,"
	  " ttl INTEGER,"
	  " failures INTEGER NOT NULL DEFAULT 0,"
	  " last_error TEXT"
	  ");",
	  "CREATE TABLE item ("
	  " id INTEGER PRIMARY KEY,"
	  " source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,"
	  " guid TEXT NOT NULL,"
	  " url TEXT,"
	  " title TEXT,"
	  " author TEXT,"
	  " published INTEGER,"
	  " updated INTEGER,"
	  " fetched INTEGER NOT NULL,"
	  " date INTEGER NOT NULL," /* published, else first seen: the sort key */
	  " content TEXT,"
	  " content_type TEXT,"
	  " text TEXT,"
	  " notes_text TEXT,"
	  " enclosures TEXT,"
	  " content_hash TEXT,"
	  " read INTEGER NOT NULL DEFAULT 0,"
	  " starred INTEGER NOT NULL DEFAULT 0,"
	  " marked INTEGER NOT NULL DEFAULT 0,"
	  " marked_at INTEGER,"
	  " hidden INTEGER NOT NULL DEFAULT 0,"
	  " UNIQUE (source_id, guid)"
	  ");",
	  "CREATE INDEX item_date ON item(date DESC, id DESC);",
	  "CREATE INDEX item_source_date ON item(source_id, date DESC);",
	  "CREATE INDEX item_source_url ON item(source_id, url);",
	  "CREATE INDEX item_source_hash ON item(source_id, content_hash);",
	  "CREATE INDEX item_unread ON item(read, date DESC) WHERE read = 0;",
	  "CREATE INDEX item_starred ON item(date DESC) WHERE starred = 1;",
	  "CREATE INDEX item_marked ON item(marked_at DESC) WHERE marked = 1;",
	  "CREATE TABLE tag ("
	  " id INTEGER PRIMARY KEY,"
	  " name TEXT NOT NULL UNIQUE COLLATE NOCASE"
	  ");",
	  "CREATE TABLE item_tag ("
	  " item_id INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,"
	  " tag_id INTEGER NOT NULL REFERENCES tag(id) ON DELETE CASCADE,"
	  " PRIMARY KEY (item_id, tag_id)"
	  ") WITHOUT ROWID;",
	  "CREATE INDEX item_tag_tag ON item_tag(tag_id);",
	  "CREATE TABLE source_tag ("
	  " source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,"
	  " tag_id INTEGER NOT NULL REFERENCES tag(id) ON DELETE CASCADE,"
	  " PRIMARY KEY (source_id, tag_id)"
	  ") WITHOUT ROWID;",
	  "CREATE INDEX source_tag_tag ON source_tag(tag_id);",
	  "CREATE TABLE note ("
	  " id INTEGER PRIMARY KEY,"
	  " item_id INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,"
	  " body TEXT NOT NULL DEFAULT '',"
	  " quote TEXT,"          /* TextQuoteSelector exact */
	  " prefix TEXT,"         /* ... and the text around it */
	  " suffix TEXT,"
	  " created INTEGER NOT NULL,"
	  " updated INTEGER NOT NULL"
	  ");",
	  "CREATE INDEX note_item ON note(item_id);",
	  /* Full text over title, author, text and notes, external content
	   * so the text is stored once. store_item.c keeps it in step (no
	   * triggers: with trusted_schema=OFF a trigger may not write to a
	   * virtual table). */
	  "CREATE VIRTUAL TABLE item_fts USING fts5("
	  " title, author, text, notes_text,"
	  " content='item', content_rowid='id',"
	  " tokenize='unicode61 remove_diacritics 2');",
	  /* Share: a digest is one rendering of a selection for a target;
	   * the outbox holds each part to post and its state (§5). */
	  "CREATE TABLE digest ("
	  " id INTEGER PRIMARY KEY,"
	  " target TEXT NOT NULL,"
	  " created INTEGER NOT NULL,"
	  " since INTEGER,"
	  " until INTEGER,"
	  " query TEXT,"
	  " title TEXT,"
	  " intro TEXT,"
	  " state TEXT NOT NULL DEFAULT 'pending'"
	  "  CHECK (state IN ('pending','partial','sent','failed'))"
	  ");",
	  "CREATE TABLE digest_item ("
	  " digest_id INTEGER NOT NULL REFERENCES digest(id) ON DELETE CASCADE,"
	  " item_id INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,"
	  " PRIMARY KEY (digest_id, item_id)"
	  ") WITHOUT ROWID;",
	  "CREATE TABLE outbox ("
	  " id INTEGER PRIMARY KEY,"
	  " digest_id INTEGER NOT NULL REFERENCES digest(id) ON DELETE CASCADE,"
	  " target TEXT NOT NULL,"
	  " part INTEGER NOT NULL,"
	  " body TEXT NOT NULL,"
	  " idem_key TEXT NOT NULL,"
	  " state TEXT NOT NULL DEFAULT 'pending'"
	  "  CHECK (state IN ('pending','sending','sent','failed','unknown')),"
	  " remote_id TEXT,"
	  " remote_url TEXT,"
	  " error TEXT,"
	  " attempts INTEGER NOT NULL DEFAULT 0,"
	  " updated INTEGER NOT NULL,"
	  " UNIQUE (digest_id, part)"
	  ");",
	  "CREATE INDEX outbox_target ON outbox(target, state);",
	  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;",
	NULL,
};

/* 4 (issue 5, the reader): covering indexes for the navigation pane's
 * counts, which otherwise visit every item row (at 500k items: unread
 * per source 4.5 s -> 0.06 s, store_counts 0.38 s -> 0.10 s). */
static const char *const v4[] = {
	"CREATE INDEX item_source_state ON item(source_id, hidden, read);",
	"CREATE INDEX item_state ON item(hidden, read, starred, marked);",
	NULL,
};

/* 5 (issue 3, insert speed): the full-text index leaves this file.
 * DESIGN.md had FTS5 external content in the store; it is now derived
 * data in its own file "<store>-search" (store_search.c), written by a
 * background indexer on its own connection, so indexing never holds this
 * file's writer lock and runs on another core beside the fetch. What
 * stays here is the queue of changes to rows that may already be indexed
 * (updates, notes, deletes), written in the same transaction as the
 * change, with the values as they were (the index is contentless, so
 * removing a row needs the values it was indexed with). The token names
 * this database so a search file that belongs to another copy of it is
 * rebuilt rather than trusted. Existing users' index is rebuilt in the
 * new file by the first catch-up. */
static const char *const v5[] = {
	"DROP TABLE IF EXISTS item_fts;",
	"CREATE TABLE fts_queue ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT," /* never reused */
	" item_id INTEGER NOT NULL,"
	" had INTEGER NOT NULL," /* 1: the row existed, old values follow */
	" title TEXT, author TEXT, text TEXT, notes_text TEXT"
	");",
	"CREATE INDEX fts_queue_item ON fts_queue(item_id, seq);",
	"INSERT OR REPLACE INTO meta (key, value)"
	" VALUES ('search_token', lower(hex(randomblob(16))));",
	/* The dedupe fallbacks need only some rows indexed, and every index
	 * entry costs on the insert path. By url: reached only when the
	 * guid lookup (guid = url) failed, so a match has guid <> url. By
	 * content hash: reached only for an item with no guid and no url,
	 * and the hash covers the url, so a match has none either. The
	 * lookups in store_item.c repeat these conditions. */
	"DROP INDEX item_source_url;",
	"CREATE INDEX item_source_url ON item(source_id, url)"
	" WHERE guid <> url;",
	"DROP INDEX item_source_hash;",
	"CREATE INDEX item_source_hash ON item(source_id, content_hash)"
	" WHERE coalesce(url, '') = '';",
	NULL,
};

/* 6 (issue 3, insert speed): five index entries per new item, not
 * seven. One index per source serves both the source's list (date order
 * with hidden = 0) and its counts (covering: read is in it), where there
 * were two; item_state goes, store_counts() counting from item_source
 * and the starred/marked partial indexes instead; item_unread is keyed
 * as the lists sort, so an unread list uses it rather than visiting
 * every row of item_date (and it covers the unread count's hidden). At
 * 500k items (bench/tui.sh's store): a source's list 0.026 -> 0.003 s,
 * store_counts 0.057 -> 0.040 s, the per-source counts 0.030 ->
 * 0.045 s, the unread list 0.253 -> 0.175 s; bare inserts with these
 * indexes 1.05 -> 0.975 s for 59k rows. */
static const char *const v6[] = {
	"DROP INDEX item_state;",
	"DROP INDEX item_source_state;",
	"DROP INDEX item_source_date;",
	"CREATE INDEX item_source ON item(source_id, hidden, date DESC, read);",
	"DROP INDEX item_unread;",
	"CREATE INDEX item_unread ON item(date DESC, id DESC, hidden)"
	" WHERE read = 0;",
	NULL,
};

/* A date more than a day after the item was first seen (a feed's
 * 9999-12-31, a clock gone wrong) kept such items above every other for
 * years: the sort key takes the first-seen time instead (as the upsert
 * now does). */
static const char *const v7[] = {
	"UPDATE item SET date = fetched WHERE date > fetched + 86400;",
	NULL,
};

/* 8 (issue 12, what gets shared): shares select by a mark sequence, not
 * by marked_at, whose seconds let an item marked in the second a share
 * completed fall between two shares. item.mark_seq comes from a
 * store-wide counter (meta 'mark_seq', never reused) each time an item
 * is marked; a digest records the highest mark_seq it took (NULL for a
 * digest of a query), and the next share to its target takes marked
 * items above that. Existing marks are numbered in marked_at order; in
 * one second, items a digest of that second took come first. Each
 * digest's line is then the highest number among the items marked
 * before its second or taken by it, so an upgrade shares nothing twice,
 * and the items the old window lost (marked in a share's second, not
 * taken) go in the next share. */
static const char *const v8[] = {
	"ALTER TABLE item ADD COLUMN mark_seq INTEGER;",
	"CREATE TEMP TABLE mark_order AS SELECT i.id AS id,"
	" coalesce(i.marked_at, 0) AS at, EXISTS (SELECT 1 FROM digest_item"
	" di JOIN digest d ON d.id = di.digest_id WHERE di.item_id = i.id"
	" AND d.created = i.marked_at) AS taken FROM item i"
	" WHERE i.marked = 1;",
	"UPDATE item SET mark_seq = (SELECT count(*) FROM mark_order j,"
	" mark_order me WHERE me.id = item.id AND (j.at < me.at OR"
	" (j.at = me.at AND (j.taken > me.taken OR (j.taken = me.taken"
	" AND j.id <= me.id))))) WHERE marked = 1;",
	"DROP TABLE temp.mark_order;",
	"INSERT OR REPLACE INTO meta (key, value) VALUES ('mark_seq',"
	" (SELECT coalesce(max(mark_seq), 0) FROM item));",
	"CREATE INDEX item_mark_seq ON item(mark_seq) WHERE marked = 1;",
	"ALTER TABLE digest ADD COLUMN mark_seq INTEGER;",
	"UPDATE digest SET mark_seq = (SELECT coalesce(max(i.mark_seq), 0)"
	" FROM item i WHERE i.marked = 1 AND (i.marked_at < digest.created"
	" OR EXISTS (SELECT 1 FROM digest_item di WHERE di.digest_id ="
	" digest.id AND di.item_id = i.id))) WHERE query IS NULL;",
	NULL,
};

/* 9 (issue 12, newsboat migration): the read and starred state of a
 * newsboat cache, waiting for the items it belongs to, which arrive only
 * when their source is first fetched (store_import.c). A row is the
 * state of one newsboat item: matched by guid or link, applied, and
 * dropped with the rest of its source's rows after that fetch. */
static const char *const v9[] = {
	"CREATE TABLE import_state ("
	" source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,"
	" guid TEXT,"
	" url TEXT,"
	" read INTEGER NOT NULL DEFAULT 0,"
	" starred INTEGER NOT NULL DEFAULT 0"
	");",
	"CREATE INDEX import_state_source ON import_state(source_id);",
	NULL,
};

/* 10 (issue 19, the whole article): the article found at an item's
 * link, fetched once and kept with the item, or why there is none (a
 * failed fetch keeps the summary and records the reason). The search
 * index takes its text with the item's own (store_search.c), so a
 * search finds words only the article has. The source's article
 * setting: fetch the article of each new item during a fetch. */
static const char *const v10[] = {
	"CREATE TABLE article ("
	" item_id INTEGER PRIMARY KEY REFERENCES item(id) ON DELETE CASCADE,"
	" url TEXT,"
	" title TEXT,"
	" html TEXT,"
	" text TEXT,"
	" error TEXT,"
	" fetched INTEGER NOT NULL"
	");",
	"ALTER TABLE source ADD COLUMN fetch_articles INTEGER NOT NULL"
	" DEFAULT 0;",
	NULL,
};

/* 11 (issue 16, one rule for text): the sanitised HTML of a title the
 * feed gave as HTML, beside item.title, which keeps the text it renders
 * to (what every view shows). NULL for a plain title, and for HTML that
 * renders to the same text. Items stored before it have none until the
 * feed changes them. */
static const char *const v_title_html[] = {
	"ALTER TABLE item ADD COLUMN title_html TEXT;",
	NULL,
};

/* 12 (issue 17, sync with a Tiny Tiny RSS or Google Reader API
 * server): which sources and items are a sync account's (by the
 * server's ids), the state each item had on the server when last seen
 * (the base of a three-way merge: a field that differs from its base
 * changed on that side), and the queue of changes made in glean to
 * synced items. The queue is written by triggers, so every path that
 * changes an item (commands, the reader, "mark all read") queues in the
 * same transaction as the change; sync_mute holds a row while a sync
 * applies the server's state, which is not queued back. One row per
 * item and field: the value pushed is the item's state at push time, so
 * pushing twice sets the same value (never applied twice), and a row
 * goes only up to the seq that was pushed. Every statement is IF NOT
 * EXISTS, so a store taken back to an older version by hand (as tests
 * do) upgrades again. */
static const char *const v_sync[] = {
	"CREATE TABLE IF NOT EXISTS sync_account ("
	" name TEXT PRIMARY KEY,"
	" service TEXT NOT NULL,"
	" url TEXT NOT NULL,"
	" since TEXT,"           /* the server's newest item id seen */
	" last_sync INTEGER"
	");",
	"CREATE TABLE IF NOT EXISTS sync_source ("
	" account TEXT NOT NULL,"
	" remote_id TEXT NOT NULL,"
	" source_id INTEGER NOT NULL UNIQUE"
	"  REFERENCES source(id) ON DELETE CASCADE,"
	" PRIMARY KEY (account, remote_id)"
	");",
	"CREATE TABLE IF NOT EXISTS sync_item ("
	" account TEXT NOT NULL,"
	" remote_id TEXT NOT NULL,"
	" item_id INTEGER NOT NULL UNIQUE REFERENCES item(id) ON DELETE CASCADE,"
	" read INTEGER NOT NULL DEFAULT 0,"
	" starred INTEGER NOT NULL DEFAULT 0,"
	" marked INTEGER NOT NULL DEFAULT 0,"
	" labels TEXT NOT NULL DEFAULT '',"  /* sorted, one per line */
	" note TEXT NOT NULL DEFAULT '',"
	" PRIMARY KEY (account, remote_id)"
	");",
	"CREATE TABLE IF NOT EXISTS sync_queue ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" item_id INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,"
	" field TEXT NOT NULL,"  /* read starred marked tags note */
	" at INTEGER NOT NULL,"
	" UNIQUE (item_id, field) ON CONFLICT REPLACE"
	");",
	"CREATE TABLE IF NOT EXISTS sync_mute (on_ INTEGER);",
#define SYNC_Q(name, event, id, field, cond)                                 \
	"CREATE TRIGGER IF NOT EXISTS " name " AFTER " event " WHEN " cond                 \
	" NOT EXISTS (SELECT 1 FROM sync_mute) AND EXISTS (SELECT 1 FROM"    \
	" sync_item WHERE item_id = " id ") AND EXISTS (SELECT 1 FROM item"  \
	" WHERE id = " id ") BEGIN INSERT INTO sync_queue"                   \
	" (item_id, field, at) VALUES (" id ", '" field "',"                 \
	" CAST(strftime('%s', 'now') AS INTEGER)); END;"
	SYNC_Q("sync_q_read", "UPDATE OF read ON item", "new.id", "read",
	       "old.read IS NOT new.read AND"),
	SYNC_Q("sync_q_starred", "UPDATE OF starred ON item", "new.id",
	       "starred", "old.starred IS NOT new.starred AND"),
	SYNC_Q("sync_q_marked", "UPDATE OF marked ON item", "new.id",
	       "marked", "old.marked IS NOT new.marked AND"),
	SYNC_Q("sync_q_tag_add", "INSERT ON item_tag", "new.item_id", "tags",
	       ""),
	SYNC_Q("sync_q_tag_rm", "DELETE ON item_tag", "old.item_id", "tags",
	       ""),
	SYNC_Q("sync_q_note_add", "INSERT ON note", "new.item_id", "note", ""),
	SYNC_Q("sync_q_note_set", "UPDATE ON note", "new.item_id", "note", ""),
	SYNC_Q("sync_q_note_rm", "DELETE ON note", "old.item_id", "note", ""),
#undef SYNC_Q
	/* 'glean rm' of a synced source: unsubscribe on the server (next
	 * sync, before it pulls), whether the source goes or is retired
	 * because the user kept some of its items */
	"CREATE TABLE IF NOT EXISTS sync_unsubscribe ("
	" account TEXT NOT NULL,"
	" remote_id TEXT NOT NULL,"
	" PRIMARY KEY (account, remote_id)"
	");",
	"CREATE TRIGGER IF NOT EXISTS sync_q_unsub_rm AFTER DELETE ON sync_source"
	" WHEN NOT EXISTS (SELECT 1 FROM sync_mute) BEGIN INSERT OR IGNORE"
	" INTO sync_unsubscribe VALUES (old.account, old.remote_id); END;",
	"CREATE TRIGGER IF NOT EXISTS sync_q_unsub_retire AFTER UPDATE OF retired ON source"
	" WHEN new.retired = 1 AND old.retired = 0 AND NOT EXISTS (SELECT 1"
	" FROM sync_mute) BEGIN INSERT OR IGNORE INTO sync_unsubscribe"
	" SELECT account, remote_id FROM sync_source WHERE source_id = new.id;"
	" END;",
	NULL,
};

/* 13 (issue 18, disk): item.text was a second copy of every body (114
 * of 328 MB on the 1,000-feed bench corpus). The text is derived from
 * content when it is needed, by glean_text() (store_set_text()): the
 * index, text: terms and /regex/. DROP COLUMN rewrites every row of
 * item in place (one pass over the table, in the upgrade's transaction)
 * and frees no page: store.c's migrate() then VACUUMs once.
 * The index was fed the stored text: a new token rebuilds it from the
 * derived text, so every later delete removes exactly what was indexed;
 * the queue's old values belong to the old index. */
static const char *const v_no_text[] = {
	"ALTER TABLE item DROP COLUMN text;",
	"UPDATE meta SET value = lower(hex(randomblob(16)))"
	" WHERE key = 'search_token';",
	"DELETE FROM fts_queue;",
	NULL,
};

/* 14 (issue 18, flat at a million items): the counts the navigation
 * pane shows (items, unread, starred, to share; hidden items not
 * counted), per source, kept by triggers in the same transaction as the
 * change to the rows, whatever path makes it (a fetch, a mark, 'glean
 * rm', a sync, retention), so the reader never counts at start: at 510k
 * items counting took 495 ms. store_counts() sums these rows; 'glean
 * check' compares them with a real count. "unread" is read = 0,
 * "starred" starred = 1, "marked" marked = 1, as the lists' queries. */
static const char *const v_counts[] = {
	"CREATE TABLE IF NOT EXISTS source_count ("
	" source_id INTEGER PRIMARY KEY"
	"  REFERENCES source(id) ON DELETE CASCADE,"
	" items INTEGER NOT NULL DEFAULT 0,"
	" unread INTEGER NOT NULL DEFAULT 0,"
	" starred INTEGER NOT NULL DEFAULT 0,"
	" marked INTEGER NOT NULL DEFAULT 0"
	");",
	"DELETE FROM source_count;",
	/* from the indexes, not the rows: item_source covers items and
	 * unread (a 1M-item store's table is 5 GB, its index 40 MB), the
	 * partial indexes hold only the starred and the marked */
	"INSERT INTO source_count (source_id, items, unread)"
	" SELECT s.id, coalesce(x.n, 0), coalesce(x.u, 0) FROM source s"
	" LEFT JOIN (SELECT source_id, count(*) AS n, sum(read = 0) AS u"
	" FROM item WHERE hidden = 0 GROUP BY source_id) x"
	" ON x.source_id = s.id;",
	"UPDATE source_count SET starred = x.n FROM (SELECT source_id,"
	" count(*) AS n FROM item INDEXED BY item_starred WHERE starred = 1"
	" AND hidden = 0 GROUP BY source_id) x"
	" WHERE x.source_id = source_count.source_id;",
	"UPDATE source_count SET marked = x.n FROM (SELECT source_id,"
	" count(*) AS n FROM item INDEXED BY item_marked WHERE marked = 1"
	" AND hidden = 0 GROUP BY source_id) x"
	" WHERE x.source_id = source_count.source_id;",
	"CREATE TRIGGER IF NOT EXISTS count_source_add AFTER INSERT ON source"
	" BEGIN INSERT OR IGNORE INTO source_count (source_id)"
	" VALUES (new.id); END;",
	"CREATE TRIGGER IF NOT EXISTS count_item_add AFTER INSERT ON item"
	" WHEN new.hidden = 0 BEGIN UPDATE source_count SET"
	" items = items + 1, unread = unread + (new.read = 0),"
	" starred = starred + (new.starred = 1),"
	" marked = marked + (new.marked = 1)"
	" WHERE source_id = new.source_id; END;",
	"CREATE TRIGGER IF NOT EXISTS count_item_rm AFTER DELETE ON item"
	" WHEN old.hidden = 0 BEGIN UPDATE source_count SET"
	" items = items - 1, unread = unread - (old.read = 0),"
	" starred = starred - (old.starred = 1),"
	" marked = marked - (old.marked = 1)"
	" WHERE source_id = old.source_id; END;",
	/* one row's change: one UPDATE of its source's counts */
	"CREATE TRIGGER IF NOT EXISTS count_item_set AFTER UPDATE OF read,"
	" starred, marked, hidden ON item WHEN old.source_id = new.source_id"
	" AND (old.read IS NOT new.read OR old.starred IS NOT new.starred"
	" OR old.marked IS NOT new.marked OR old.hidden IS NOT new.hidden)"
	" BEGIN UPDATE source_count SET"
	" items = items + (new.hidden = 0) - (old.hidden = 0),"
	" unread = unread + (new.hidden = 0 AND new.read = 0)"
	"  - (old.hidden = 0 AND old.read = 0),"
	" starred = starred + (new.hidden = 0 AND new.starred = 1)"
	"  - (old.hidden = 0 AND old.starred = 1),"
	" marked = marked + (new.hidden = 0 AND new.marked = 1)"
	"  - (old.hidden = 0 AND old.marked = 1)"
	" WHERE source_id = new.source_id; END;",
	"CREATE TRIGGER IF NOT EXISTS count_item_move AFTER UPDATE OF"
	" source_id ON item WHEN old.source_id IS NOT new.source_id BEGIN"
	" UPDATE source_count SET items = items - (old.hidden = 0),"
	" unread = unread - (old.hidden = 0 AND old.read = 0),"
	" starred = starred - (old.hidden = 0 AND old.starred = 1),"
	" marked = marked - (old.hidden = 0 AND old.marked = 1)"
	" WHERE source_id = old.source_id;"
	" UPDATE source_count SET items = items + (new.hidden = 0),"
	" unread = unread + (new.hidden = 0 AND new.read = 0),"
	" starred = starred + (new.hidden = 0 AND new.starred = 1),"
	" marked = marked + (new.hidden = 0 AND new.marked = 1)"
	" WHERE source_id = new.source_id; END;",
	/* The reader's other orders without a pass over the items: by
	 * source, the sources in name order (store_item.c puts them
	 * outermost); unread first, one index over read then date, which
	 * the unread list uses as it used the partial one (a new item
	 * writes one entry either way). At 1M items the first page by
	 * source took 0.44 s, unread first 0.35 s; each now < 1 ms. */
	"CREATE INDEX IF NOT EXISTS source_sort ON source(coalesce(title, url)"
	" COLLATE NOCASE, id);",
	"DROP INDEX IF EXISTS item_unread;",
	"CREATE INDEX item_unread ON item(read, date DESC, id DESC, hidden);",
	/* Starred and To share in the lists' own order (date, id), so the
	 * planner takes the small partial index over item_date, which it
	 * took to skip the sort and then read every item (the reader's To
	 * share with nothing marked: 17 s at 1M items; now < 1 ms). */
	"DROP INDEX IF EXISTS item_starred;",
	"CREATE INDEX item_starred ON item(date DESC, id DESC)"
	" WHERE starred = 1;",
	"CREATE INDEX IF NOT EXISTS item_marked_date ON item(date DESC,"
	" id DESC) WHERE marked = 1;",
	NULL,
};

/* 15 (issue 18, disk): item.content may hold a zstd frame of the body,
 * as a BLOB, beside the plain TEXT of older rows (store_body.c). No row
 * changes; the version tells an older glean, which would show the frame
 * as text, that the store is not its to read. */
static const char *const v_body_zstd[] = {
	"SELECT 1;",
	NULL,
};

/* 16 (issue 18, cold fetch): the items a fetch inserts are counted by
 * store_items_upsert() in its transaction, not by a trigger: with a
 * trigger, every INSERT of an item needed a statement journal (see
 * count_added() in store_item.c), about 1 CPU-s of a cold fetch.
 * Rows inserted with raw SQL are not counted; 'glean check' finds the
 * difference and '--repair' recounts. */
static const char *const v_count_insert[] = {
	"DROP TRIGGER IF EXISTS count_item_add;",
	NULL,
};

static const struct migration migrations[] = {
	{ 1, v1 },
	{ 4, v4 },
	{ 5, v5 },
	{ 6, v6 },
	{ 7, v7 },
	{ 8, v8 },
	{ 9, v9 },
	{ 10, v10 },
	{ 11, v_title_html },
	{ 12, v_sync },
	{ 13, v_no_text },
	{ 14, v_counts },
	{ 15, v_body_zstd },
	{ 16, v_count_insert },
};

int
store_schema_latest(void)
{
	return migrations[ARRAY_SIZE(migrations) - 1].version;
}

/* Apply every migration newer than `from`, each with its version bump,
 * all in the caller's transaction. */
int
store_migrate_from(struct store *st, int from, struct err *e)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(migrations); i++) {
		char pragma[64];

		if (migrations[i].version <= from)
			continue;
		const char *const *q;

		for (q = migrations[i].sql; *q; q++)
			if (store_exec(st, *q, e) < 0)
				return err_prefix(e, "migration %d",
						  migrations[i].version);
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
			 migrations[i].version);
		if (store_exec(st, pragma, e) < 0)
			return -1;
	}
	return 0;
}
