/*
 * The full-text index: its own file next to the store ("<store>-search",
 * attached as schema "search" on every connection), the catch-up that
 * brings it level with the store, and the background indexer thread.
 * Item rows, the change queue and the query language live elsewhere
 * (store_item.c, store_source.c, query.c); this file owns only what is
 * in the search file and how it follows the store.
 *
 * Why a separate file (a deliberate change from DESIGN.md's "FTS5
 * external content in the store"): indexing costs more than inserting
 * the rows, and FTS5 flushes its pending terms at every savepoint. In
 * its own file the index is written on its own connection, by a thread
 * on the second core, without ever holding the store's writer lock; the
 * fetch only inserts rows.
 *
 * The index is derived data. search.state holds its high-water marks,
 * committed with the index rows they describe, so a kill at any moment
 * leaves the two consistent and the next catch-up resumes:
 *   indexed_id  every item with id <= it is in the index with the values
 *               it had in the snapshot of the step that last touched it;
 *   queue_seq   every main.fts_queue row up to it has been applied.
 * The index is contentless (content=''): it stores no copy of the text,
 * so removing a row needs the values it was indexed with. The writer
 * records every change to an item that may be indexed (update, notes,
 * delete, an insert that reuses an old id) in main.fts_queue, in the
 * change's own transaction, with the values as they were. A step reads
 * one snapshot of the store and, for each changed item at or below the
 * mark, removes the values of its FIRST queued change after queue_seq
 * (exactly what the index holds) and indexes its current row; items
 * above the mark are indexed fresh in id order. Every queued change of
 * the snapshot is applied in the same step, so the invariant holds.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"
#include "glean/banned.h"

enum { CHUNK = 10000 };

/*
 * The index's format, in the search file's user_version. Format 2
 * (detail=none, columnsize=0) records only which items hold a token,
 * not where: a quarter of format 1's size (detail=full) and about 40%
 * less CPU to build on real text. What it cannot answer alone, phrases
 * and column filters, the query answers exactly by taking the items
 * that hold every token of the phrase and checking the stored text with
 * glean_phrase(), which tokenizes it with FTS5's own tokenizer (the
 * same unicode61 with the same arguments), so a phrase matches exactly
 * where FTS5's detail=full index would have matched it. A file of
 * another format is emptied and rebuilt when a writer attaches it.
 */
#define SEARCH_FORMAT 2
#define SEARCH_FORMAT_S "2"

struct indexer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool kicked, finishing, abort;
	sqlite3 *db;          /* the thread's own connection */
	int rc;               /* last step's SQLite code */
};

static const char *const search_schema[] = {
	"CREATE TABLE IF NOT EXISTS search.state ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" token TEXT,"
	" indexed_id INTEGER NOT NULL DEFAULT 0,"
	" queue_seq INTEGER NOT NULL DEFAULT 0)",
	"CREATE VIRTUAL TABLE IF NOT EXISTS search.item_fts USING fts5("
	" title, author, text, notes_text, content='', detail=none,"
	" columnsize=0, tokenize='unicode61 remove_diacritics 2')",
	"INSERT OR IGNORE INTO search.state (id) VALUES (1)",
	"PRAGMA search.user_version = " SEARCH_FORMAT_S,
	NULL,
};

/* FTS5's tuning, set once per search file (kept in its config table).
 * The indexer commits every few thousand rows, and by default FTS5
 * merges a level's segments as soon as there are 4 of them and packs
 * the index in 1000-byte pages: merging at 8 and 4000-byte pages cut
 * indexing the bench's 59k items in 2000-row commits from 3.2-3.5 s to
 * 2.4 s. A search reads at most a few more segments. FTS5 writes a
 * segment each time its pending terms pass 'hashsize'; what they cost
 * in memory is several times that (detail=none: an entry of at least
 * 128 bytes per distinct term, counted as about 50, and a slot array
 * that only grows). On the bench's real text 8 MB held about 12 MB more
 * at the cold fetch's peak than 512 KB, which made that peak 47 MB
 * against the 28 MB target (a quarter of newsboat's); 512 KB costs
 * about 1 s more CPU on 59k items (more segments to merge) and is what
 * keeps the peak under it.
 *
 * Past SEARCH_BIG_ITEMS items indexed, the hash is 8 MB (grow_hash()):
 * with 512 KB the segments of a large index multiply, and the merges
 * that fold them made indexing grow faster than the items (a cold
 * fetch of 5,000 feeds, 298k items: 50 CPU-s, 5.6x the 1,000-feed
 * fetch's for 5x the items). With 8 MB from 100k items on: 43-44
 * CPU-s, and 27 s of wall against 33. The peak RSS goes from 50 to
 * 64 MB, where newsboat's is 382 MB at 5,000 feeds; a store that
 * large has room for it, and a fetch of a few hundred items never
 * fills either hash.
 *
 * There, too, FTS5 merges a level at 4 segments again (its default):
 * with segments of 8 MB of terms, merging at 4 costs no more than at 8
 * (a million items indexed in 67.5 s against 71.0; 5,000 feeds cold
 * 41.9-43.0 CPU-s against 41.3-41.5), and every search seeks each
 * segment: at a million items, p50 of bench/search.sh's 100 words
 * 8.9 -> 8.3 ms, p90 11.4 -> 10.0. Merging at 2: 94.7 s for 8.1 ms. */
#define SEARCH_HASHSIZE "524288"
#define SEARCH_HASHSIZE_BIG "8388608"
#define SEARCH_AUTOMERGE_BIG "4"
/* the large index's settings, as rows of item_fts_config */
#define SEARCH_BIG_CONFIG                                                    \
	"('hashsize', " SEARCH_HASHSIZE_BIG "), ('automerge', "            \
	SEARCH_AUTOMERGE_BIG ")"
#define SEARCH_BIG_ITEMS "100000"
static const char *const search_tuning[] = {
	"INSERT INTO search.item_fts (item_fts, rank) VALUES ('automerge', 8)",
	"INSERT INTO search.item_fts (item_fts, rank) VALUES ('pgsz', 4000)",
	"INSERT INTO search.item_fts (item_fts, rank) VALUES ('hashsize',"
	" " SEARCH_HASHSIZE ")",
	NULL,
};

static int
exec_db(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Column 0 of the first row of sql on db, or fail when it cannot be
 * run or gives no row. */
static int
query_int(sqlite3 *db, const char *sql, int fail)
{
	sqlite3_stmt *s;
	int v = fail;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return fail;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The tests grow the hash of small indexes: GLEAN_TEST_SEARCH_BIG. */
static long long
big_items(void)
{
	const char *v = getenv("GLEAN_TEST_SEARCH_BIG");

	return strtoll(v ? v : SEARCH_BIG_ITEMS, NULL, 10);
}

/* Whether the search file has search_tuning's settings, or the large
 * hash and merges grow_hash() gives an index past SEARCH_BIG_ITEMS (a
 * file that cannot be asked is not ours to fix here). */
static bool
tuned(sqlite3 *db)
{
	char sql[400];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM"
		 " search.item_fts_config WHERE (k, v) IN (VALUES"
		 " ('automerge', 8), ('pgsz', 4000), ('hashsize', "
		 SEARCH_HASHSIZE ")) OR ((k, v) IN (VALUES "
		 SEARCH_BIG_CONFIG ") AND (SELECT indexed_id FROM"
		 " search.state) >= %lld)", big_items());
	return query_int(db, sql, 3) == 3;
}

/* An index step that starts past big_items() (indexed_id: mark) gives
 * FTS5 the large hash and merges at 4, for good (above). In its
 * transaction: a kill leaves the small settings, and the next step
 * sets them again. */
static int
grow_hash(sqlite3 *db, int64_t mark)
{
	int rc;

	if (mark < big_items() ||
	    query_int(db, "SELECT count(*) FROM search.item_fts_config"
		      " WHERE (k, v) IN (VALUES " SEARCH_BIG_CONFIG ")",
		      0) == 2)
		return SQLITE_OK;
	rc = exec_db(db, "INSERT INTO search.item_fts (item_fts, rank)"
		     " VALUES ('hashsize', " SEARCH_HASHSIZE_BIG ")");
	if (rc == SQLITE_OK)
		rc = exec_db(db, "INSERT INTO search.item_fts (item_fts, rank)"
			     " VALUES ('automerge', " SEARCH_AUTOMERGE_BIG ")");
	return rc;
}

/* bench/run's floor case times the index with more memory for FTS5's
 * pending terms: GLEAN_BENCH_HASHSIZE=BYTES sets 'hashsize' at each
 * index step of this process. It stays in the search file until a
 * writer's open finds the file untuned and sets the default again. */
static int
bench_hash(sqlite3 *db)
{
	const char *v = getenv("GLEAN_BENCH_HASHSIZE");
	char sql[120];
	long long n;

	if (!v || (n = strtoll(v, NULL, 10)) <= 0)
		return SQLITE_OK;
	snprintf(sql, sizeof(sql), "INSERT INTO search.item_fts (item_fts,"
		 " rank) VALUES ('hashsize', %lld)", n);
	return exec_db(db, sql);
}

/* The search file's format (0 before formats were numbered). */
static int
format(sqlite3 *db)
{
	return query_int(db, "PRAGMA search.user_version", -1);
}

/* A search file of another format: drop its tables under its write lock
 * (another glean may have done it already), so the caller creates them
 * afresh and the first step rebuilds the index (a NULL token). */
static int
drop_old(sqlite3 *db)
{
	int rc;

	if ((rc = exec_db(db, "BEGIN")) != SQLITE_OK)
		return rc;
	rc = exec_db(db, "UPDATE search.state SET id = 1");
	if (rc == SQLITE_OK && format(db) != SEARCH_FORMAT)
		rc = exec_db(db, "DROP TABLE search.item_fts;"
			     " DROP TABLE search.state");
	if (rc == SQLITE_OK)
		rc = exec_db(db, "COMMIT");
	if (rc != SQLITE_OK) {
		exec_db(db, "ROLLBACK");
		return rc;
	}
	/* give the old index's pages back (best effort) */
	exec_db(db, "VACUUM search");
	return SQLITE_OK;
}

static int attach_as(sqlite3 *db, char *sp, bool create);

/* Attach "<path>-search" and set it up (0600, WAL; FULL sync so the
 * queue is never pruned past what survives a power cut). 0 or a code. */
static int
attach(sqlite3 *db, const char *path, bool create)
{
	return attach_as(db, xasprintf("%s-search", path), create);
}

/* A read-only store's search file, opened the way store.c opens the
 * store (mode=ro, else immutable=1); nothing is created or tuned. */
static int
attach_readonly(struct store *st)
{
	static const char *const modes[] = { "mode=ro", "mode=ro&immutable=1" };
	char *sp = xasprintf("%s-search", st->path);
	size_t i;
	int rc = SQLITE_CANTOPEN;

	for (i = 0; i < ARRAY_SIZE(modes) && rc != SQLITE_OK; i++) {
		rc = attach_as(st->db, store_file_uri(sp, modes[i]), false);
		if (rc != SQLITE_OK)
			exec_db(st->db, "DETACH DATABASE search");
	}
	free(sp);
	return rc;
}

/* Attach sp (owned; a path or a file: URI) as "search". */
static int
attach_as(sqlite3 *db, char *sp, bool create)
{
	sqlite3_stmt *s = NULL;
	int rc, have = 0;
	const char *const *q;

	if (create) {
		int fd = open(sp, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
			      0600);

		if (fd >= 0)
			close(fd);
	}
	rc = sqlite3_prepare_v2(db, "ATTACH DATABASE ? AS search", -1, &s,
				NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, sp, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(s);
	free(sp);
	if (rc != SQLITE_OK)
		return rc;
	/* Before anything is written to a new file (a file with tables
	 * keeps its mode; drop_old()'s VACUUM applies it): FTS5's merges
	 * free a quarter of the file's pages by the end of a cold fetch,
	 * which store_indexer_finish() gives back. Asked first: setting
	 * it is a write, a transaction with three fdatasync() calls, and
	 * every command that opens the store (a search too) did it. */
	if (create && query_int(db, "PRAGMA search.auto_vacuum", 2) != 2)
		exec_db(db, "PRAGMA search.auto_vacuum = INCREMENTAL");
	exec_db(db, "PRAGMA search.journal_mode = WAL");
	exec_db(db, "PRAGMA search.synchronous = FULL");
	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM search.sqlite_master"
				" WHERE name IN ('state', 'item_fts')", -1, &s,
				NULL);
	if (rc != SQLITE_OK)
		return rc;
	if (sqlite3_step(s) == SQLITE_ROW)
		have = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (have == 2 && create && format(db) != SEARCH_FORMAT &&
	    (rc = drop_old(db)) != SQLITE_OK)
		return rc;
	if (have == 2 && create && format(db) != SEARCH_FORMAT)
		have = 0;
	if (have == 2 && create && !tuned(db)) {
		/* a search file from before the tuning: best effort, a
		 * busy file is tuned at a later open */
		if (exec_db(db, "BEGIN") == SQLITE_OK) {
			for (q = search_tuning; *q; q++)
				if (exec_db(db, *q) != SQLITE_OK)
					break;
			if (*q || exec_db(db, "COMMIT") != SQLITE_OK)
				exec_db(db, "ROLLBACK");
		}
	}
	if (have == 2 || !create)
		return have == 2 ? SQLITE_OK : SQLITE_ERROR;
	if ((rc = exec_db(db, "BEGIN")) != SQLITE_OK)
		return rc;
	for (q = search_schema; *q; q++)
		if ((rc = exec_db(db, *q)) != SQLITE_OK) {
			exec_db(db, "ROLLBACK");
			return rc;
		}
	for (q = search_tuning; *q; q++)
		if ((rc = exec_db(db, *q)) != SQLITE_OK) {
			exec_db(db, "ROLLBACK");
			return rc;
		}
	if ((rc = exec_db(db, "COMMIT")) != SQLITE_OK)
		exec_db(db, "ROLLBACK");
	return rc;
}

/* ---- phrases checked against the stored text ---- */

/* FTS5's unicode61 tokenizer with item_fts's arguments, one per
 * connection (the functions' user data). */
struct ftok {
	fts5_tokenizer x;
	Fts5Tokenizer *tok;
};

/* A phrase's tokens, kept by SQLite between rows (auxdata). id[k] is the
 * first k' with the same token, so equal tokens share an id. */
struct phrase {
	int n;
	int *id;
	struct sbuf *tok;
	/* matching state, per row */
	int *ring;
	int64_t seen;
	bool found;
};

static void
ftok_free(void *p)
{
	struct ftok *t = p;

	if (t && t->tok)
		t->x.xDelete(t->tok);
	free(t);
}

static struct ftok *
ftok_new(sqlite3 *db)
{
	static const char *const args[] = { "remove_diacritics", "2" };
	fts5_api *api = NULL;
	sqlite3_stmt *s;
	struct ftok *t;
	void *ud = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	if (!api)
		return NULL;
	t = xcalloc(1, sizeof(*t));
	if (api->xFindTokenizer(api, "unicode61", &ud, &t->x) != SQLITE_OK ||
	    t->x.xCreate(ud, (const char **)args, 2, &t->tok) != SQLITE_OK) {
		t->tok = NULL;
		ftok_free(t);
		return NULL;
	}
	return t;
}

static void
phrase_free(void *p)
{
	struct phrase *ph = p;
	int k;

	if (!ph)
		return;
	for (k = 0; k < ph->n; k++)
		sbuf_release(&ph->tok[k]);
	free(ph->tok);
	free(ph->id);
	free(ph->ring);
	free(ph);
}

struct collect {
	struct phrase *ph;
	int cap;
	const char *src;
	struct sbuf *raw; /* glean_fts_and: the tokens as written */
};

static int
collect_token(void *ctx, int flags, const char *tok, int n, int start,
	      int end)
{
	struct collect *c = ctx;
	struct phrase *ph = c->ph;

	if (flags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	if (ph->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		ph->tok = xrealloc(ph->tok, (size_t)c->cap * sizeof(*ph->tok));
	}
	sbuf_init(&ph->tok[ph->n], 0);
	sbuf_add(&ph->tok[ph->n], tok, (size_t)n);
	ph->n++;
	if (c->raw) {
		/* the token as the user wrote it: FTS5 tokenizes it back
		 * to the very same token */
		if (c->raw->len)
			sbuf_addch(c->raw, ' ');
		sbuf_addch(c->raw, '"');
		for (; start < end; start++) {
			if (c->src[start] == '"')
				sbuf_addch(c->raw, '"');
			sbuf_addch(c->raw, c->src[start]);
		}
		sbuf_addch(c->raw, '"');
	}
	return SQLITE_OK;
}

/* Tokenize text as a query; raw (may be NULL) gets FTS5's "AND of every
 * token" query for it. NULL when the tokenizer fails. */
static struct phrase *
phrase_new(struct ftok *t, const char *text, int len, struct sbuf *raw)
{
	struct phrase *ph = xcalloc(1, sizeof(*ph));
	struct collect c = { ph, 0, text, raw };
	int k, j;

	if (t->x.xTokenize(t->tok, &c, FTS5_TOKENIZE_QUERY, text, len,
			   collect_token) != SQLITE_OK) {
		phrase_free(ph);
		return NULL;
	}
	ph->id = xcalloc((size_t)ph->n + 1, sizeof(*ph->id));
	ph->ring = xcalloc((size_t)ph->n + 1, sizeof(*ph->ring));
	for (k = 0; k < ph->n; k++)
		for (j = 0; j <= k; j++)
			if (ph->tok[j].len == ph->tok[k].len &&
			    !memcmp(ph->tok[j].buf, ph->tok[k].buf,
				    ph->tok[k].len)) {
				ph->id[k] = j;
				break;
			}
	return ph;
}

/* A document token: the phrase's id for it (or -1) goes into the ring of
 * the last n ids; at the first match, found and stop the tokenizer. */
static int
match_token(void *ctx, int flags, const char *tok, int n, int start,
	    int end)
{
	struct phrase *ph = ctx;
	int k, id = -1, at;

	(void)start;
	(void)end;
	if (flags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	for (k = 0; k < ph->n; k++)
		if (ph->tok[k].len == (size_t)n &&
		    !memcmp(ph->tok[k].buf, tok, (size_t)n)) {
			id = ph->id[k];
			break;
		}
	ph->ring[ph->seen % ph->n] = id;
	ph->seen++;
	if (id != ph->id[ph->n - 1] || ph->seen < ph->n)
		return SQLITE_OK;
	/* the last n tokens, oldest first, against the phrase */
	at = (int)(ph->seen % ph->n);
	for (k = 0; k < ph->n; k++)
		if (ph->ring[(at + k) % ph->n] != ph->id[k])
			return SQLITE_OK;
	ph->found = true;
	return SQLITE_DONE; /* unicode61 stops, and returns SQLITE_OK */
}

/* glean_phrase(PHRASE, TEXT): 1 when TEXT holds PHRASE's tokens one
 * after another, as an FTS5 phrase query of PHRASE matches a column
 * holding TEXT; 0 otherwise (and for a phrase of no tokens). PHRASE is
 * tokenized once per statement (SQLite keeps it as auxdata). */
static void
phrase_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct ftok *t = sqlite3_user_data(ctx);
	struct phrase *ph = sqlite3_get_auxdata(ctx, 0);
	const char *text;
	bool fresh = false;
	int rc = SQLITE_OK;

	(void)argc;
	if (!ph) {
		const char *p = (const char *)sqlite3_value_text(argv[0]);

		if (!p) {
			sqlite3_result_int(ctx, 0);
			return;
		}
		ph = phrase_new(t, p, sqlite3_value_bytes(argv[0]), NULL);
		if (!ph) {
			sqlite3_result_error(ctx, "cannot tokenize a phrase",
					     -1);
			return;
		}
		fresh = true;
	}
	text = (const char *)sqlite3_value_text(argv[1]);
	ph->found = false;
	if (text && ph->n > 0) {
		ph->seen = 0;
		rc = t->x.xTokenize(t->tok, ph, FTS5_TOKENIZE_DOCUMENT, text,
				    sqlite3_value_bytes(argv[1]),
				    match_token);
	}
	if (rc != SQLITE_OK && rc != SQLITE_DONE)
		sqlite3_result_error_code(ctx, rc);
	else
		sqlite3_result_int(ctx, ph->found);
	/* last: SQLite may free it at once */
	if (fresh)
		sqlite3_set_auxdata(ctx, 0, ph, phrase_free);
}

/* glean_fts_and(PHRASE): the FTS5 query "every token of PHRASE", the
 * candidates glean_phrase() checks. No tokens: '""' (matches nothing). */
static void
fts_and_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *text = (const char *)sqlite3_value_text(argv[0]);
	struct sbuf raw = SBUF_INIT;
	struct phrase *ph;

	(void)argc;
	if (!text) {
		sqlite3_result_null(ctx);
		return;
	}
	ph = phrase_new(sqlite3_user_data(ctx), text,
			sqlite3_value_bytes(argv[0]), &raw);
	if (!ph) {
		sbuf_release(&raw);
		sqlite3_result_error(ctx, "cannot tokenize a phrase", -1);
		return;
	}
	phrase_free(ph);
	if (!raw.len)
		sbuf_adds(&raw, "\"\"");
	sqlite3_result_text(ctx, raw.buf, (int)raw.len, SQLITE_TRANSIENT);
	sbuf_release(&raw);
}

/*
 * A term's holders as a bitmap, for the walk along the date:
 *   glean_bit((SELECT glean_bits(rowid) FROM search.item_fts
 *              WHERE item_fts MATCH ?), i.id)
 * The subquery runs once per run of the statement (SQLite computes a
 * constant subquery once); glean_bits() sets one bit per rowid inside
 * SQLite's own loop, about 60 ns a holder (most of it FTS5 reading
 * the rowid), and glean_bit() tests one.
 * SQLite's set (+i.id IN (SELECT rowid ...)) cost 230 ns a holder, an
 * index it builds and sorts, which made the words held by a tenth of a
 * million items the slowest searches (25-30 ms at a million items);
 * reading the rowids with sqlite3_step() cost 120 ns. The bitmap's size
 * follows the largest id (125 KB at a million items), not the number
 * of holders; query.c uses it while the store's largest id is at most
 * FTS_BITS_MAX, and a rowid above that (a removed item's, never a live
 * one) is left out.
 */
struct fts_bits {
	unsigned char *b;
	size_t n;
};

/* Bit i of the bitmap b. */
static void
bit_set(unsigned char *b, uint64_t i)
{
	b[i / 8] |= (unsigned char)(1u << (i % 8));
}

static int
bit_get(const unsigned char *b, uint64_t i)
{
	return b[i / 8] >> (i % 8) & 1;
}

/* XGROW() that zeroes what it adds (called for every holder or item:
 * returns at once while there is room). */
static void
grow_zeroed(void **v, size_t *cap, size_t n, size_t sz)
{
	size_t old = *cap;

	if (n <= old)
		return;
	xgrow(v, cap, n, sz);
	memset((char *)*v + old * sz, 0, (*cap - old) * sz);
}

static void
bits_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct fts_bits *fb = sqlite3_aggregate_context(ctx, sizeof(*fb));
	sqlite3_int64 id = sqlite3_value_int64(argv[0]);

	(void)argc;
	if (!fb) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (id < 0 || id > FTS_BITS_MAX)
		return;
	grow_zeroed((void **)&fb->b, &fb->n, (size_t)id / 8 + 1, 1);
	bit_set(fb->b, (uint64_t)id);
}

unsigned long store_fts_bits_built; /* the tests count the bitmaps */

static void
bits_free(void *p)
{
	struct fts_bits *fb = p;

	free(fb->b);
	free(fb);
}

/* The bitmap as a pointer value: passed from register to register
 * without a copy, where a blob was copied for every row tested (a
 * 125 KB memcpy an item on the walk). */
static void
bits_final(sqlite3_context *ctx)
{
	struct fts_bits *fb = sqlite3_aggregate_context(ctx, 0), *out;

	store_fts_bits_built++;
	if (!fb || !fb->b) {
		sqlite3_result_null(ctx);
		return;
	}
	out = xmalloc(sizeof(*out));
	*out = *fb;
	fb->b = NULL;
	sqlite3_result_pointer(ctx, out, "glean_bits", bits_free);
}

static void
bit_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct fts_bits *fb = sqlite3_value_pointer(argv[0],
							  "glean_bits");
	sqlite3_int64 id = sqlite3_value_int64(argv[1]);

	(void)argc;
	sqlite3_result_int(ctx, fb && id >= 0 && (size_t)id / 8 < fb->n &&
					bit_get(fb->b, (uint64_t)id));
}

/*
 * glean_hold(EXPR, id): whether item id holds the MATCH expression EXPR,
 * for a walk along the date that stops after a few rows (form 2 in
 * query.c). The ids are cut in chunks of HOLD_CHUNK. An id is first
 * probed alone: FTS5 seeks the rowid in each index segment, 60 us for
 * "the" and 230 us for a word held by a fifth of the items, at a million
 * items (a doclist too short for FTS5's doclist index is scanned from
 * its start). Once the probes in a chunk have taken as long as reading
 * the chunk's holders would (a probe's time, for the seek, and
 * HOLD_READ_NS a holder, at the density of the probes' hits), the
 * chunk's holders are read into a bitmap with one rowid-range query
 * (0.25 ms for that word's 16k ids, 0.7 ms for "the"), and its later
 * ids are bits. The walk's items lie in a few chunks (the newest ids,
 * or the newest fetch): a word held by 190k of a million items was
 * read whole into one bitmap (12 ms), where 41 probes and 4 chunks do.
 * As in ski rental, a chunk costs at most about twice the cheaper of
 * probing it and reading it. Ids past FTS_BITS_MAX are only probed.
 * The state lives as long as the statement's run (auxdata on the
 * constant EXPR).
 */
enum { HOLD_SHIFT = 14, HOLD_CHUNK = 1 << HOLD_SHIFT };
#define HOLD_READ_NS 60.0 /* a holder's bit set (glean_chunk()) */

struct hold {
	sqlite3_stmt *s;  /* how many rowids in [?2, ?3] match ?1 */
	char *expr;
	int64_t probe_ns; /* time of every probe, */
	uint64_t probes;  /* how many */
	bool eager;       /* read a chunk at its first probe (tests) */
	struct hold_chunk {
		int64_t probe_ns;
		uint32_t probes, hits;
		unsigned char *bits;
	} *c;
	size_t nc;
};

unsigned long store_fts_holds_built; /* the tests count them */
unsigned long store_fts_hold_reads;  /* and the chunks read */

static void
hold_free(void *p)
{
	struct hold *h = p;
	size_t k;

	sqlite3_finalize(h->s);
	for (k = 0; k < h->nc; k++)
		free(h->c[k].bits);
	free(h->c);
	free(h->expr);
	free(h);
}

/* glean_chunk(BITS, k): set bit k of the chunk BITS (a pointer bound by
 * hold_run(), NULL for a probe); 1. Called for each holder inside
 * SQLite's loop: a chunk read costs about 60 ns a holder, most of it
 * FTS5's, and 17 ns less than with each rowid stepped out to C. */
static void
chunk_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	unsigned char *bits = sqlite3_value_pointer(argv[0], "glean_chunk");
	sqlite3_int64 k = sqlite3_value_int64(argv[1]);

	(void)argc;
	if (bits && k >= 0 && k < HOLD_CHUNK)
		bit_set(bits, (uint64_t)k);
	sqlite3_result_int(ctx, 1);
}

/* Run h's query over [lo, hi]: each holder's bit set in bits (NULL: only
 * whether there is one). 1 held, 0 not, -1 on an error. */
static int
hold_run(struct hold *h, sqlite3_int64 lo, sqlite3_int64 hi,
	 unsigned char *bits)
{
	int held = -1;

	sqlite3_bind_text(h->s, 1, h->expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(h->s, 2, lo);
	sqlite3_bind_int64(h->s, 3, hi);
	sqlite3_bind_pointer(h->s, 4, bits, "glean_chunk", NULL);
	if (sqlite3_step(h->s) == SQLITE_ROW)
		held = sqlite3_column_int64(h->s, 0) > 0;
	sqlite3_reset(h->s);
	return held;
}

static struct hold *
hold_new(sqlite3_context *ctx, const char *expr)
{
	struct hold *h = xcalloc(1, sizeof(*h));

	if (sqlite3_prepare_v2(sqlite3_context_db_handle(ctx),
			       "SELECT count(glean_chunk(?4, rowid - ?2)) FROM"
			       " search.item_fts WHERE item_fts MATCH ?1 AND"
			       " rowid BETWEEN ?2 AND ?3",
			       -1, &h->s, NULL) != SQLITE_OK) {
		free(h);
		return NULL;
	}
	h->expr = xstrdup(expr);
	h->eager = getenv("GLEAN_TEST_HOLD_READ") != NULL;
	store_fts_holds_built++;
	return h;
}

/* Probe id (in chunk k, c; c is NULL past the bitmaps), and read the
 * chunk when its probes have cost what reading it would. */
static int
hold_probe(struct hold *h, struct hold_chunk *c, size_t k, sqlite3_int64 id)
{
	int64_t t = time_now_ns();
	int held = hold_run(h, id, id, NULL);
	double d, read;

	if (held < 0 || !c)
		return held;
	t = time_now_ns() - t;
	h->probe_ns += t;
	h->probes++;
	c->probe_ns += t;
	c->probes++;
	c->hits += (uint32_t)held;
	/* the density of the chunk's holders, from its probes' hits */
	d = (c->hits + 1.0) / (c->probes + 2.0);
	read = (double)h->probe_ns / (double)h->probes +
	       HOLD_CHUNK * d * HOLD_READ_NS;
	if (h->eager || (double)c->probe_ns >= read) {
		c->bits = xcalloc(HOLD_CHUNK / 8, 1);
		store_fts_hold_reads++;
		if (hold_run(h, (sqlite3_int64)k << HOLD_SHIFT,
			     (((sqlite3_int64)k + 1) << HOLD_SHIFT) - 1,
			     c->bits) < 0) {
			/* never a chunk read in part */
			free(c->bits);
			c->bits = NULL;
			return -1;
		}
	}
	return held;
}

static void
hold_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct hold *h = sqlite3_get_auxdata(ctx, 0), *fresh = NULL;
	const char *expr = (const char *)sqlite3_value_text(argv[0]);
	sqlite3_int64 id = sqlite3_value_int64(argv[1]);
	struct hold_chunk *c = NULL;
	size_t k;
	int held;

	(void)argc;
	if (!expr || id < 0) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	if (!h && !(h = fresh = hold_new(ctx, expr))) {
		sqlite3_result_error(ctx, "cannot query the search index", -1);
		return;
	}
	k = (size_t)(id >> HOLD_SHIFT);
	if (id <= FTS_BITS_MAX) {
		grow_zeroed((void **)&h->c, &h->nc, k + 1, sizeof(*h->c));
		c = &h->c[k];
	}
	if (c && c->bits)
		held = bit_get(c->bits, (uint64_t)id & (HOLD_CHUNK - 1));
	else
		held = hold_probe(h, c, k, id);
	if (held < 0)
		sqlite3_result_error(
			ctx, sqlite3_errmsg(sqlite3_context_db_handle(ctx)), -1);
	else
		sqlite3_result_int(ctx, held);
	if (fresh)
		sqlite3_set_auxdata(ctx, 0, fresh, hold_free);
}

/* Register glean_phrase(), glean_fts_and(), glean_bits(), glean_bit()
 * and glean_hold() on db. */
static void
register_phrase(sqlite3 *db)
{
	struct ftok *t;

	/* the bitmap needs no tokenizer */
	sqlite3_create_function_v2(db, "glean_bits", 1, SQLITE_UTF8 |
				   SQLITE_DIRECTONLY, NULL, NULL, bits_step,
				   bits_final, NULL);
	sqlite3_create_function_v2(db, "glean_bit", 2, SQLITE_UTF8 |
				   SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
				   NULL, bit_func, NULL, NULL, NULL);
	sqlite3_create_function_v2(db, "glean_hold", 2, SQLITE_UTF8 |
				   SQLITE_DIRECTONLY, NULL, hold_func, NULL,
				   NULL, NULL);
	sqlite3_create_function_v2(db, "glean_chunk", 2, SQLITE_UTF8 |
				   SQLITE_DIRECTONLY, NULL, chunk_func, NULL,
				   NULL, NULL);
	t = ftok_new(db);

	if (!t) {
		log_warn("search: FTS5's unicode61 tokenizer is unavailable");
		return;
	}
	sqlite3_create_function_v2(db, "glean_phrase", 2, SQLITE_UTF8 |
				   SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
				   t, phrase_func, NULL, NULL, ftok_free);
	sqlite3_create_function_v2(db, "glean_fts_and", 1, SQLITE_UTF8 |
				   SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
				   t, fts_and_func, NULL, NULL, NULL);
}

void
store_search_attach(struct store *st)
{
	int rc = st->readonly ? attach_readonly(st)
			      : attach(st->db, st->path, true);

	register_phrase(st->db);
	st->deleted_max = -1;
	st->search_ok = rc == SQLITE_OK;
	if (!st->search_ok)
		log_warn("search index '%s-search' unavailable: %s", st->path,
			 sqlite3_errstr(rc));
}

/* ---- the writer's side: the change queue in the main database ---- */

int
store_fts_queue(struct store *st, int64_t item_id)
{
	sqlite3_stmt *s = store_cached(st, 13,
		"INSERT INTO fts_queue (item_id, had, title, author, text,"
		" notes_text) SELECT i.id, 1, i.title, i.author, "
		ITEM_INDEX_TEXT("i") ", i.notes_text FROM item AS i"
		" WHERE i.id = ?");
	int rc;

	sqlite3_bind_int64(s, 1, item_id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : rc;
}

int
store_fts_queue_deleted(struct store *st, int64_t source_id,
			const char *cond)
{
	char *sql = xasprintf("INSERT INTO fts_queue (item_id, had, title,"
			      " author, text, notes_text) SELECT i.id, 1,"
			      " i.title, i.author, " ITEM_INDEX_TEXT("i")
			      ", i.notes_text FROM"
			      " item AS i WHERE i.source_id = ?1 AND %s"
			      " ORDER BY i.id", cond);
	sqlite3_stmt *s = store_prepare(st, sql);
	int rc;

	free(sql);
	sqlite3_bind_int64(s, 1, source_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return rc;
	/* SQLite reuses the highest ids once they are deleted: remember
	 * the highest id ever deleted so such an insert is queued. */
	s = store_prepare(st, "INSERT OR REPLACE INTO meta (key, value)"
			  " SELECT 'item_deleted_max', max(coalesce((SELECT"
			  " CAST(value AS INTEGER) FROM meta WHERE key ="
			  " 'item_deleted_max'), 0), coalesce((SELECT max(id)"
			  " FROM item WHERE source_id = ?1), 0))");
	sqlite3_bind_int64(s, 1, source_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	st->deleted_max = -1;
	return rc == SQLITE_DONE ? 0 : rc;
}

int
store_fts_note_insert(struct store *st, int64_t id)
{
	sqlite3_stmt *s;
	int rc;

	if (st->deleted_max < 0) {
		s = store_cached(st, 14, "SELECT coalesce((SELECT CAST(value"
				 " AS INTEGER) FROM meta WHERE key ="
				 " 'item_deleted_max'), 0)");
		rc = sqlite3_step(s);
		st->deleted_max = rc == SQLITE_ROW ?
			sqlite3_column_int64(s, 0) : 0;
		sqlite3_reset(s);
		if (rc != SQLITE_ROW)
			return rc;
	}
	if (id > st->deleted_max)
		return 0;
	s = store_cached(st, 15, "INSERT INTO fts_queue (item_id, had)"
			 " VALUES (?, 0)");
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : rc;
}

/* ---- the indexer's side: one step on any connection ---- */

static int
step_row(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Index the rows sel gives (id, title, author, text, notes_text) one
 * INSERT ... VALUES each, with ins (INDEX_INSERT). Not one
 * INSERT ... SELECT: SQLite gives a statement that may write several
 * rows and then fail a statement journal inside a transaction, and
 * every page FTS5 writes under it, flushing its pending terms, went to
 * a temporary file too (25 MB of them in the bench's cold fetch of
 * 1,000 feeds). */
static int
index_rows(sqlite3_stmt *sel, sqlite3_stmt *ins)
{
	int rc, k;

	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		for (k = 0; k < 5; k++)
			sqlite3_bind_value(ins, k + 1,
					   sqlite3_column_value(sel, k));
		if ((rc = step_row(ins)) != SQLITE_OK)
			break;
	}
	sqlite3_reset(sel);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

#define INDEX_INSERT "INSERT INTO search.item_fts (rowid, title, author," \
	" text, notes_text) VALUES (?, ?, ?, ?, ?)"
#define INDEX_SELECT "SELECT i.id, i.title, i.author, " \
	ITEM_INDEX_TEXT("i") ", i.notes_text FROM main.item AS i"

/* Apply the queued changes after qseq to items at or below mark. */
static int
apply_queue(sqlite3 *db, int64_t qseq, int64_t mark)
{
	sqlite3_stmt *q = NULL, *del = NULL, *add = NULL, *sel = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db,
		"SELECT q.item_id, q.had, q.title, q.author, q.text,"
		" q.notes_text FROM main.fts_queue q WHERE q.seq > ?1"
		" AND q.item_id <= ?2 AND NOT EXISTS (SELECT 1 FROM"
		" main.fts_queue p WHERE p.item_id = q.item_id AND"
		" p.seq > ?1 AND p.seq < q.seq) ORDER BY q.seq", -1, &q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db,
			"INSERT INTO search.item_fts (item_fts, rowid, title,"
			" author, text, notes_text) VALUES ('delete', ?, ?, ?,"
			" ?, ?)", -1, &del, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, INDEX_INSERT, -1, &add, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, INDEX_SELECT " WHERE i.id = ?", -1,
					&sel, NULL);
	if (rc != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(q, 1, qseq);
	sqlite3_bind_int64(q, 2, mark);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);
		int k;

		if (sqlite3_column_int(q, 1)) {
			sqlite3_bind_int64(del, 1, id);
			for (k = 2; k <= 5; k++)
				sqlite3_bind_value(del, k,
						   sqlite3_column_value(q, k));
			if ((rc = step_row(del)) != SQLITE_OK)
				goto out;
		}
		sqlite3_bind_int64(sel, 1, id);
		if ((rc = index_rows(sel, add)) != SQLITE_OK)
			goto out;
	}
	rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
out:
	sqlite3_finalize(q);
	sqlite3_finalize(del);
	sqlite3_finalize(add);
	sqlite3_finalize(sel);
	return rc;
}

/* One step in one transaction: the queue of this snapshot, then up to
 * CHUNK new rows, then the marks. *more when rows remain. 0 or a code. */
static int
index_step(sqlite3 *db, bool *more)
{
	sqlite3_stmt *s = NULL;
	int64_t mark = 0, qseq = 0, maxseq = 0, top = 0, n = 0;
	bool same = false;
	int rc;

	*more = false;
	if ((rc = exec_db(db, "BEGIN")) != SQLITE_OK)
		return rc;
	/* Take the search file's write lock before the snapshot of the
	 * store begins, so two indexers take turns instead of failing. */
	if ((rc = exec_db(db, "UPDATE search.state SET id = 1")) != SQLITE_OK)
		goto fail;
	rc = sqlite3_prepare_v2(db,
		"SELECT indexed_id, queue_seq, token IS (SELECT value FROM"
		" main.meta WHERE key = 'search_token'), (SELECT coalesce("
		"max(seq), 0) FROM main.fts_queue) FROM search.state", -1, &s,
		NULL);
	if (rc != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		mark = sqlite3_column_int64(s, 0);
		qseq = sqlite3_column_int64(s, 1);
		same = sqlite3_column_int(s, 2);
		maxseq = sqlite3_column_int64(s, 3);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (rc != SQLITE_OK)
		goto fail;
	if (!same) {
		/* New, or it belongs to another copy of the store: rebuild. */
		rc = exec_db(db, "INSERT INTO search.item_fts (item_fts)"
			     " VALUES ('delete-all')");
		if (rc != SQLITE_OK)
			goto fail;
		mark = qseq = 0;
	}
	if (maxseq > qseq && mark > 0 &&
	    (rc = apply_queue(db, qseq, mark)) != SQLITE_OK)
		goto fail;
	if ((rc = grow_hash(db, mark)) != SQLITE_OK ||
	    (rc = bench_hash(db)) != SQLITE_OK)
		goto fail;
	rc = sqlite3_prepare_v2(db, "SELECT max(id), count(*) FROM (SELECT id"
				" FROM main.item WHERE id > ? ORDER BY id"
				" LIMIT ?)", -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, mark);
	sqlite3_bind_int(s, 2, CHUNK);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		top = sqlite3_column_int64(s, 0);
		n = sqlite3_column_int64(s, 1);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (rc != SQLITE_OK)
		goto fail;
	if (n > 0) {
		sqlite3_stmt *ins = NULL;

		rc = sqlite3_prepare_v2(db, INDEX_SELECT " WHERE i.id > ? AND"
					" i.id <= ? ORDER BY i.id", -1, &s,
					NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_prepare_v2(db, INDEX_INSERT, -1, &ins,
						NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(s, 1, mark);
			sqlite3_bind_int64(s, 2, top);
			rc = index_rows(s, ins);
		}
		sqlite3_finalize(s);
		sqlite3_finalize(ins);
		s = NULL;
		if (rc != SQLITE_OK)
			goto fail;
		mark = top;
	}
	rc = sqlite3_prepare_v2(db,
		"UPDATE search.state SET indexed_id = ?, queue_seq = ?,"
		" token = (SELECT value FROM main.meta WHERE key ="
		" 'search_token')", -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, mark);
	sqlite3_bind_int64(s, 2, maxseq > qseq ? maxseq : qseq);
	rc = step_row(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_OK)
		goto fail;
	if ((rc = exec_db(db, "COMMIT")) != SQLITE_OK)
		goto fail;
	*more = n == CHUNK;
	return SQLITE_OK;
fail:
	exec_db(db, "ROLLBACK");
	return rc;
}

/* A second connection to the store with the search file attached: the
 * indexer thread's, or a catch-up's while this connection is inside a
 * transaction. 0 or a SQLite code (*out is then NULL). */
static int
open_side(const char *path, sqlite3 **out)
{
	sqlite3 *db = NULL;
	int on = 1, rc;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(db, 1);
		store_text_register(db);
		sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on);
		sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &on);
		sqlite3_busy_timeout(db, store_busy_ms());
		rc = exec_db(db, "PRAGMA trusted_schema = OFF");
	}
	if (rc == SQLITE_OK)
		rc = attach(db, path, false);
	/* It reads the store's rows once, in id order, and writes index
	 * segments: a small page cache per file is as fast as SQLite's
	 * 2 MB default (measured on the bench's cold fetch) and keeps
	 * 3.5 MB off the fetch's peak RSS. */
	if (rc == SQLITE_OK)
		rc = exec_db(db, "PRAGMA main.cache_size = -256;"
			     " PRAGMA search.cache_size = -256");
	if (rc != SQLITE_OK) {
		if (db)
			log_warn("search indexer connection: %s",
				 sqlite3_errmsg(db));
		sqlite3_close_v2(db);
		db = NULL;
	}
	*out = db;
	return rc;
}

/* Whether the index is level with the store and the queue is empty. */
static bool
idle(sqlite3 *db)
{
	return query_int(db, "SELECT token IS (SELECT value FROM main.meta"
			 " WHERE key = 'search_token') AND NOT EXISTS (SELECT"
			 " 1 FROM main.item WHERE id > indexed_id) AND NOT"
			 " EXISTS (SELECT 1 FROM main.fts_queue) FROM"
			 " search.state", 0) == 1;
}

int
store_index_catch_up(struct store *st, struct err *e)
{
	sqlite3 *db = st->db;
	bool more = true;
	int rc = SQLITE_OK;

	if (!st->search_ok)
		return err_set(e, ERR_DB, "the search index '%s-search' cannot "
			       "be opened; check that file's permissions",
			       st->path);
	if (st->readonly)
		return err_set(e, ERR_DB, "the store is read-only, so search "
			       "finds what was indexed when it was last "
			       "written");
	/* Nothing to index and nothing to prune: no write, so a search
	 * costs no commit (outside a transaction: inside one, this read
	 * would fix this connection's view of the search file too soon). */
	if (st->txn_depth == 0 && idle(db))
		return 0;
	/* Inside a transaction (the reader searching while its fetch batch
	 * is open) this connection cannot commit to the search file alone:
	 * a second one indexes what is committed. */
	if (st->txn_depth > 0 && (rc = open_side(st->path, &db)) != SQLITE_OK)
		return store_fail(st, e, rc, "cannot update the search index");
	while (more && rc == SQLITE_OK)
		rc = index_step(db, &more);
	if (db != st->db)
		sqlite3_close_v2(db);
	if (rc != SQLITE_OK)
		return store_fail(st, e, rc, "cannot update the search index");
	if (st->txn_depth > 0)
		return 0;
	if (store_writable(st)) {
		/* Forget the changes the index has applied. */
		rc = exec_db(st->db, "DELETE FROM main.fts_queue WHERE seq <="
			     " (SELECT queue_seq FROM search.state WHERE"
			     " token IS (SELECT value FROM main.meta WHERE"
			     " key = 'search_token'))");
		if (rc != SQLITE_OK)
			log_warn("cannot prune the search queue: %s",
				 sqlite3_errmsg(st->db));
	}
	return 0;
}

void
store_search_prepare(struct store *st)
{
	struct err e = { 0 };

	if (store_index_catch_up(st, &e) < 0) {
		log_warn("%s", e.msg);
		if (!st->search_warning)
			st->search_warning = xasprintf("search may miss "
				"recent items: %s", e.msg);
	} else {
		free(st->search_warning);
		st->search_warning = NULL;
	}
}

const char *
store_search_warning(const struct store *st)
{
	return st->search_warning;
}

/* ---- the background indexer ---- */

static void *
indexer_main(void *arg)
{
	struct indexer *ix = arg;
	bool fin, more;
	int rc;

	pthread_mutex_lock(&ix->mu);
	for (;;) {
		while (!ix->kicked && !ix->finishing && !ix->abort)
			pthread_cond_wait(&ix->cv, &ix->mu);
		if (ix->abort)
			break;
		fin = ix->finishing;
		ix->kicked = false;
		pthread_mutex_unlock(&ix->mu);
		do
			rc = index_step(ix->db, &more);
		while (rc == SQLITE_OK && more && !__atomic_load_n(&ix->abort,
							__ATOMIC_RELAXED));
		if (rc != SQLITE_OK)
			log_warn("search indexer: %s (the next search or "
				 "fetch catches up)", sqlite3_errstr(rc));
		pthread_mutex_lock(&ix->mu);
		ix->rc = rc;
		if (fin)
			break;
	}
	pthread_mutex_unlock(&ix->mu);
	return NULL;
}

int
store_indexer_start(struct store *st, struct err *e)
{
	struct indexer *ix;
	sigset_t all, old;
	int rc;

	if (st->indexer)
		return 0;
	if (!st->search_ok)
		return err_set(e, ERR_DB, "the search index '%s-search' cannot "
			       "be opened; check that file's permissions",
			       st->path);
	if (st->readonly)
		return err_set(e, ERR_DB, "the store is read-only, so search "
			       "finds what was indexed when it was last "
			       "written");
	ix = xcalloc(1, sizeof(*ix));
	if ((rc = open_side(st->path, &ix->db)) != SQLITE_OK) {
		free(ix);
		return err_set(e, ERR_DB, "cannot start the search indexer: %s",
			       sqlite3_errstr(rc));
	}
	pthread_mutex_init(&ix->mu, NULL);
	pthread_cond_init(&ix->cv, NULL);
	/* Signals stay with the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&ix->thread, NULL, indexer_main, ix);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_mutex_destroy(&ix->mu);
		pthread_cond_destroy(&ix->cv);
		sqlite3_close_v2(ix->db);
		free(ix);
		return err_set(e, ERR_IO, "cannot start the search indexer "
			       "thread");
	}
	st->indexer = ix;
	return 0;
}

void
store_indexer_kick(struct store *st)
{
	struct indexer *ix = st->indexer;

	if (!ix)
		return;
	pthread_mutex_lock(&ix->mu);
	ix->kicked = true;
	pthread_cond_signal(&ix->cv);
	pthread_mutex_unlock(&ix->mu);
}

void
store_indexer_poke(struct store *st)
{
	store_indexer_kick(st);
}

static void
indexer_join(struct store *st, bool abort)
{
	struct indexer *ix = st->indexer;

	if (!ix)
		return;
	pthread_mutex_lock(&ix->mu);
	if (abort)
		__atomic_store_n(&ix->abort, true, __ATOMIC_RELAXED);
	ix->finishing = true;
	pthread_cond_signal(&ix->cv);
	pthread_mutex_unlock(&ix->mu);
	pthread_join(ix->thread, NULL);
	pthread_mutex_destroy(&ix->mu);
	pthread_cond_destroy(&ix->cv);
	sqlite3_close_v2(ix->db);
	free(ix);
	st->indexer = NULL;
}

int
store_indexer_finish(struct store *st, struct err *e)
{
	if (!st->indexer)
		return 0;
	indexer_join(st, false);
	/* Whatever the thread could not do (a busy file, a commit that
	 * came after its last pass) the caller's connection does now. */
	if (store_index_catch_up(st, e) < 0)
		return -1;
	/* Give back the pages the merges freed (18 of 24 MB kept after a
	 * cold fetch of the bench's 1000 feeds); best effort, a file
	 * without auto_vacuum ignores it. */
	if (st->txn_depth == 0 && store_writable(st))
		exec_db(st->db, "PRAGMA search.incremental_vacuum");
	return 0;
}

void
store_indexer_stop(struct store *st)
{
	indexer_join(st, true);
}
