/* store internals shared by the files in src/store only. */
#ifndef GLEAN_STORE_PRIVATE_H
#define GLEAN_STORE_PRIVATE_H

#include <sqlite3.h>

#include "glean/store.h"

struct store {
	sqlite3 *db;
	char *path;
	int lock_fd;          /* the migration lock, -1 when not held */
	int claim_fd;         /* "<db>.fetch" for fetch claims, or -1 */
	bool gate_held;       /* a person's write holds the write gate */
	bool readonly;        /* opened read-only: ro_reason says why */
	char *ro_reason;
	bool damaged;         /* SQLite reported corruption: write nothing */
	char *open_warning;   /* store_open_warning(), or NULL */
	int txn_depth;
	bool txn_user;
	bool batch;           /* the outermost txn is a fetch batch */
	uint32_t sp_levels;   /* bit d: depth d+1 opened a savepoint */
	bool batch_lost;      /* rolled back since store_batch_lost() */
	bool txn_dead;        /* rolled back and not reopened: the levels
			       * still open unwind without SQL */
	sqlite3_int64 data_version;
	struct regex_ops regex;
	bool have_regex;
	struct store_rx_limit *rx_limits; /* store_rx_limits_take() */
	size_t nrx_limits;
	int64_t rx_limit_total;  /* every limit hit, for rules */
	sqlite3_stmt *cache[17]; /* hot statements, see store_cached();
				  * 13-15 are store_search.c's */
	/* the search file (store_search.c) */
	bool search_ok;          /* attached with its schema */
	int title_index;         /* item_title: 0 not asked, 1 no, 2 yes */
	char *search_warning;    /* why search may be stale, or NULL */
	int (*interrupt)(void *); /* store_interrupt_when(): a list's or */
	void *interrupt_arg;      /* count's statement stops when true */
	sqlite3_int64 deleted_max; /* meta item_deleted_max, -1 unknown */
	struct indexer *indexer; /* the background indexer, or NULL */
	bool fts_rules;          /* text terms go to temp.rule_fts */
	struct store_body *body; /* zstd contexts (store_body.c), or NULL */
};

/* A prepared statement kept for the connection's life (hot paths such
 * as ingest). Reset and unbound before it is returned; do not finalize. */
sqlite3_stmt *store_cached(struct store *st, int slot, const char *sql);

/* "the store '<path>' is read-only: <reason>; ..." in e. Returns -1. */
/* The text the search index holds for item row I (an alias): its own
 * text, derived from its body by glean_text() (schema 13 keeps no copy),
 * then its article's (schema v10). Every statement that feeds or
 * unfeeds the index uses it, so deletes match what was indexed: the
 * index is contentless, so whatever changes what glean_text() returns
 * for a stored body must make the index rebuild (a new search_token,
 * as migration 13 does). */
#define ITEM_TEXT(I) "glean_text(" I ".content, " I ".content_type)"
#define ITEM_INDEX_TEXT(I) "coalesce(" ITEM_TEXT(I) ", '') ||"      \
	" coalesce(char(10) || (SELECT ar.text FROM main.article ar"     \
	" WHERE ar.item_id = " I ".id), '')"
/* Register glean_text() (store_set_text()) on a connection to the store:
 * each one that reads items or feeds the index needs it. */
void store_text_register(sqlite3 *db);

/* ---- item bodies at rest (store_body.c) ---- */
/* The longest body kept as a zstd frame, and the largest size a frame
 * may declare when it is read: twice a feed's 16 MiB cap, for markup
 * that grows when parse writes it out again. A longer body stays TEXT. */
#define STORE_BODY_MAX ((size_t)32 << 20)
struct store_body;
struct store_body *store_body_new(void);
void store_body_free(struct store_body *b);
/* The body a content value holds: TEXT as it is, a BLOB unpacked into
 * b's buffer (valid until b's next use), NULL as NULL. -1 with *why
 * when the frame is damaged or over the cap. */
int store_body_text(struct store_body *b, sqlite3_value *v,
		    const char **body, size_t *len, const char **why);
/* Bind body t to parameter i of s: a zstd frame when that is smaller,
 * else TEXT (NULL as NULL); the frame lives in st's buffer until its
 * next body. */
void store_bind_body(struct store *st, sqlite3_stmt *s, int i,
		     const char *t);
/* Column i of s, a content value, as a new string (item id for the
 * warning): a damaged frame warns once and reads as "". */
char *store_col_body(struct store *st, sqlite3_stmt *s, int i, int64_t id);

/* "file:" URI of path, SQLite's URI characters escaped, then "?query". */
char *store_file_uri(const char *path, const char *query);
/* Map a SQLite failure to a clear message in e. Returns -1. */
int store_fail(struct store *st, struct err *e, int rc, const char *what);
/* Prepare or die trying (our own SQL must compile). */
sqlite3_stmt *store_prepare(struct store *st, const char *sql);
/* Prepare, reporting errors (for SQL compiled from user queries). */
int store_prepare_e(struct store *st, const char *sql, sqlite3_stmt **out,
		    struct err *e);
/* Copy column i as a new string, NULL when SQL NULL. */
char *store_col_text(sqlite3_stmt *s, int i);
/* Run simple SQL with no rows. */
int store_exec(struct store *st, const char *sql, struct err *e);
/* how long a connection waits for a lock (store.c) */
int store_busy_ms(void);
/* Bind text, NULL when s is NULL. */
int store_bind_text(sqlite3_stmt *s, int i, const char *t);
/* Find or create a tag id. */
int store_tag_id(struct store *st, const char *name, bool create,
		 int64_t *id, struct err *e);
/* Apply newsboat's read/starred state waiting for source_id's items
 * (import_state) and drop the source's rows; *n (may be NULL) counts
 * the items changed. In the caller's transaction; 0 or a SQLite code. */
int store_import_state_apply(struct store *st, int64_t source_id,
			     int64_t *n);
/* Recompute item.notes_text (FTS) from its notes. */

/* The search file (store_search.c). Attach "<path>-search" as schema
 * "search" and create its tables; failure leaves search_ok false (a
 * search then says so) but is not fatal to the store. */
void store_search_attach(struct store *st);
/* Record, before it happens, a change to the indexed columns of item
 * item_id (update, notes) or its deletion: the old values go into the
 * queue in the caller's transaction. 0 or a SQLite code. */
int store_fts_queue(struct store *st, int64_t item_id);
/* The same for every item of source_id matching the SQL condition `cond`
 * over "item AS i" (deletes), keeping the deleted-id high mark. */
int store_fts_queue_deleted(struct store *st, int64_t source_id,
			    const char *cond);
/* A row just inserted with id: queue it when the id was used before (a
 * reused id below the index's mark would otherwise never be indexed). */
int store_fts_note_insert(struct store *st, int64_t id);
/* Catch up before a search when we can (outside a transaction); a failure
 * only warns (the search then sees what is indexed). */
void store_search_prepare(struct store *st);
/* Join the indexer thread if one runs (store_close). */
void store_indexer_stop(struct store *st);
/* After an outermost commit: wake the indexer if one runs. */
void store_indexer_poke(struct store *st);

/* Query language → SQL WHERE fragment over "item" with bound values. */
struct qbind {
	int type; /* 0 text, 1 int */
	char *text;
	int64_t num;
};
/* Up to how many rows a text search may probe the index item by item
 * (query.c) */
#define FTS_PROBE_ROWS 1000
/* The largest item id glean_bits()' bitmap holds: 32 MB of bits
 * (store_search.c); above it a term's set is SQLite's own. */
#define FTS_BITS_MAX ((int64_t)1 << 28)
/* How many bitmaps glean_bits() has made (for the tests). */
extern unsigned long store_fts_bits_built;
/* How many glean_hold() states were made, and chunks read (tests). */
extern unsigned long store_fts_holds_built, store_fts_hold_reads;
struct qsql {
	bool fts;  /* uses the full-text index */
	bool plain; /* only compiled, never run: do not ask the index */
	bool fts_set, fts_probe; /* full-text terms of each form (query.c) */
	bool few_rows; /* the caller reads at most FTS_PROBE_ROWS rows */
	bool regex;    /* has a /regex/ term (glean_regexp counts its limits) */
	size_t rows;   /* then: how many (LIMIT + OFFSET) */
	struct sbuf where;
	struct qbind *binds;
	size_t nbinds, cap;
};
int query_compile(struct store *st, const char *query, int64_t now,
		  struct qsql *out, struct err *e);
void qsql_release(struct qsql *q);
int qsql_bind(const struct qsql *q, sqlite3_stmt *s, int first);
/* Quote a user string as an FTS5 string (phrase). */
void fts_phrase(struct sbuf *sb, const char *s);
/* Append to w the SQL for "item i holds the phrase text" (in column,
 * an item_fts column, or in any), its values to qs (query.c). */
void fts_match_sql(struct store *st, struct sbuf *w, struct qsql *qs,
		   const char *column, const char *text);

#endif
