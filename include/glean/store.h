/*
 * store: the one SQLite file (DESIGN.md §3), plus its full-text index in
 * "<store>-search", derived from it. Domain-shaped calls only: no
 * SQL text and no sqlite3 types cross this header, so the reader and the
 * commands never speak SQL. Every returned string is an owned copy; each
 * list type has a _release.
 *
 * Many writers: SQLite's own locking (WAL, a busy timeout) orders their
 * transactions, which are short (a fetch commits in batches of at most
 * ~100 ms, seek.c), so a person's write never waits for a whole fetch.
 * "<db>.lock" is taken only to create or upgrade the schema; two fetches
 * share the work through per-source claims (store_fetch_claim). A store
 * whose file, directory or filesystem cannot be written opens read-only
 * (store_readonly_reason); every read works and every write fails saying
 * why.
 */
#ifndef GLEAN_STORE_H
#define GLEAN_STORE_H

#include "glean/base.h"

struct store;

/* Kept for callers: every store opens for writing when it can. */
enum { STORE_WRITE = 1 << 0 };

/* Open, creating and migrating when needed (a read-only store that needs
 * an upgrade is refused). A database written by a newer glean is
 * refused. */
struct store *store_open(const char *path, unsigned flags, struct err *e);
void store_close(struct store *st);
/* Current schema version (PRAGMA user_version). */
int store_schema_version(struct store *st);
/* Number of migrations this build knows. */
int store_schema_latest(void);
/* True when another connection committed since the last call. */
bool store_changed(struct store *st);
/* False when the store opened read-only. */
bool store_writable(const struct store *st);
/* Why the store is read-only ("its directory '/x' cannot be written
 * (...)"), or NULL when it is writable. Owned by the store. */
const char *store_readonly_reason(const struct store *st);
/* What the commands should say once on opening (reads work but may be
 * out of date: a read-only store whose last changes are in a -wal that
 * cannot be read there), or NULL. Owned by the store. */
const char *store_open_warning(const struct store *st);
/* 0 when the store can be written; else -1 with "the store '<path>' is
 * read-only: <reason>; ..." in e (the message every write gives). */
int store_upgrade_write(struct store *st, struct err *e);

/* ---- damage: check, repair, backup (store_check.c) ----
 * When SQLite reports corruption, the handle writes nothing more (every
 * write fails naming 'glean check'). */
/* Open the store at path for store_check() only: never created nor
 * upgraded, and read-only (the file is left as it is) unless repair. */
struct store *store_open_check(const char *path, bool repair, struct err *e);
/* One finding: damage (true) or a note; repaired says --repair fixed it. */
typedef void (*store_check_fn)(void *arg, bool damage, bool repaired,
			       const char *msg);
/* SQLite's integrity check of the store and of its search file, the
 * full-text index's own check and glean's invariants, each finding
 * passed to report. With repair (a store_open_check(.., true) handle)
 * rebuild what can be rebuilt: the indexes, the search file. Returns the
 * number of problems left (0: sound), or -1 with e when it cannot run. */
int store_check(struct store *st, bool repair, store_check_fn report,
		void *arg, struct err *e);
/* A consistent copy of the store in path, made with SQLite's online
 * backup API while other gleans keep writing: written to "<path>.tmp",
 * synced, then renamed over path. The search file is not copied (it is
 * rebuilt from the copy when first used). */
int store_backup(struct store *st, const char *path, struct err *e);

/* Fetch claims: two fetches at once (cron, the reader's 'r', another
 * terminal) do not fetch the same source. A fetch claims each source
 * before it starts on it; a claim is an OFD lock (fcntl F_OFD_SETLK) on
 * byte <source id> of "<db>.fetch", which the kernel drops when the
 * process ends, so no claim outlives its fetch. Claims made through one
 * store handle do not exclude each other (one fetch per handle at a
 * time). Returns 1 when claimed, 0 when another fetch holds it, -1 on
 * error (a read-only store). */
int store_fetch_claim(struct store *st, int64_t source_id, struct err *e);
void store_fetch_unclaim(struct store *st, int64_t source_id);

/* Transactions. Nested calls become savepoints: an inner rollback undoes
 * only its own part. user_data chooses synchronous=FULL (what the user
 * wrote) over NORMAL (fetched data). */
int store_begin(struct store *st, bool user_data, struct err *e);
int store_commit(struct store *st, struct err *e);
void store_rollback(struct store *st);
/* A fetch batch: one transaction around many sources' writes. A write of
 * user data (store_begin with user_data) commits an open batch first, so
 * what the user wrote is never held back by a fetch. Fetched data nested
 * in a batch gets no savepoint (each cost a copy of every page the
 * source touched: 15% of insert time): an inner rollback there rolls back
 * the whole batch and opens a new one, and store_batch_lost() says so
 * once, so the caller can take back what it counted. Nothing is lost:
 * the rolled-back sources' validators went with their items, so they are
 * fetched again in full. */
int store_batch_begin(struct store *st, struct err *e);
/* True when a person's write in another process, or another fetch about
 * to open its batch, waits for this store's writes (it holds the write
 * gate, byte 0 of "<db>.fetch"): a fetch then commits its batch at once.
 * store_batch_begin() lets persons' writes end before it opens the next
 * batch. */
bool store_write_waiting(struct store *st);
int store_batch_commit(struct store *st, struct err *e);
bool store_in_batch(const struct store *st);
bool store_batch_lost(struct store *st);

/* Register a regex matcher for the query language's /re/ terms (the
 * parse module owns pcre2; the store only calls through struct regex_ops,
 * base.h). */
void store_set_regex(struct store *st, const struct regex_ops *ops);
/* The function that makes an item's plain text from its body (parse's
 * content_text()): the store keeps no copy of the text (schema 13) and
 * derives it, for the search index, text: terms, /regex/ and struct
 * item.text, through the SQL function glean_text(content, content_type)
 * on each of its connections. Process-wide: set it once, before the
 * first store_open(); unset, glean_text() fails with a clear error.
 * version names what fn returns: a store that last saw another one
 * rebuilds its search index (which must delete rows with the text they
 * were indexed with). */
typedef void (*store_text_fn)(const char *content, size_t len,
			      const char *content_type, struct sbuf *out);
void store_set_text(store_text_fn fn, int version);
/* The /regex/ patterns whose matches hit a PCRE2 limit since the last
 * call, each with how many times (those matches counted as no match):
 * a new array in *out, to free with store_rx_limits_free. Returns n. */
struct store_rx_limit {
	char *pattern; /* "/re/flags" */
	int64_t hits;
};
size_t store_rx_limits_take(struct store *st, struct store_rx_limit **out);
void store_rx_limits_free(struct store_rx_limit *v, size_t n);

/* ---- sources ---- */
struct source {
	int64_t id;
	char *kind;      /* feed, mastodon, bluesky, x, discourse */
	char *url;
	char *title;
	char *site_url;
	char *account;   /* config account name, for social/hub kinds */
	bool hidden;
	bool retired;    /* 410 Gone or retired by the user */
	int64_t added;
	/* fetch state */
	char *etag, *last_modified;
	char *body_hash; /* hash of the last body parsed */
	char *cursor;    /* service paging state (since_id, cursor, ...) */
	int64_t next_due, last_success, last_attempt, ttl;
	int failures;
	char *last_error;
	/* derived, filled by store_sources_list */
	char **tags;
	size_t ntags;
	int64_t nitems, nunread;
};

struct source_list {
	struct source *v;
	size_t n, cap;
};

void source_release(struct source *s);
void source_list_release(struct source_list *l);

/* Add a source; ERR_USAGE "already subscribed" when the URL exists
 * (then *id is the existing id). */
int store_source_add(struct store *st, const struct source *s, int64_t *id,
		     struct err *e);
/* Find by numeric id or exact URL. ERR_NOTFOUND when missing. */
int store_source_get(struct store *st, const char *id_or_url,
		     struct source *out, struct err *e);
int store_sources_list(struct store *st, struct source_list *out,
		       struct err *e);
/* A page of sources with their counts (nitems, nunread), in id order,
 * those after after_id, at most limit (0: all): only id, url, title,
 * hidden, retired and failures are filled, no tags. For the reader's
 * navigation pane, which reads a screen's worth before the first draw
 * and the rest of 17,000 sources between keys. */
int store_sources_names(struct store *st, int64_t after_id, size_t limit,
			struct source_list *out, struct err *e);
/* Sources whose next_due <= now and that are not retired (fetch state
 * only: tags and counts are not loaded). */
int store_sources_due(struct store *st, int64_t now, bool all,
		      struct source_list *out, struct err *e);
/* Remove a source. Its items go too, except those the user touched
 * (tagged, starred, marked, annotated): retention never deletes those, so
 * then the source is retired and hidden instead (*kept_items > 0). */
int store_source_rm(struct store *st, int64_t id, int64_t *kept_items,
		    struct err *e);
int store_source_tag(struct store *st, int64_t id, const char *tag, bool add,
		     struct err *e);
/* Save the fetch-state fields (etag ... last_error, url, retired). */
int store_source_save_state(struct store *st, const struct source *s,
			    struct err *e);

/* ---- items ---- */
struct note {
	int64_t id, item_id;
	char *body;
	char *quote;          /* quoted passage, or NULL */
	char *prefix, *suffix;/* context around the quote (TextQuoteSelector) */
	int64_t created, updated;
};

struct item {
	int64_t id, source_id;
	char *source_title;
	char *guid, *url, *title, *author;
	char *title_html;     /* sanitised HTML of an HTML title, or NULL */
	int64_t published, updated, fetched; /* 0 when unknown */
	char *content, *content_type;
	char *text;           /* plain text, derived from content (read
			       * only: not stored, store_set_text()) */
	char *enclosures;     /* JSON array text, or NULL */
	char *content_hash;
	bool read, starred, marked, hidden;
	bool inserted;        /* set by store_items_upsert for new rows */
	bool hashed;          /* content_hash is item_hash_set()'s, fresh */
	int64_t marked_at;
	int64_t mark_seq;     /* the marking's number (0 when not marked) */
	/* Tags, one notion (issue 12): the item's own tags and the tags of
	 * its source, which every item of the source inherits, as one list
	 * in case-blind name order without duplicates. tag_from_source[i]
	 * is true when the source carries tags[i] (the item may carry it
	 * too): such a tag is changed on the source (store_source_tag,
	 * 'glean tag-source'), not on the item. Both NULL when ntags is 0. */
	char **tags;
	bool *tag_from_source;
	size_t ntags;
	struct note *notes;
	size_t nnotes;
};

struct item_list {
	struct item *v;
	size_t n, cap;
};

void item_release(struct item *it);
/* Set it->content_hash from the fields store_items_upsert() compares
 * (title, url, author, content, enclosures, dates) and mark it fresh:
 * the next upsert of the item uses it instead of hashing again. Call it
 * when the item is complete; an item changed after it must be hashed
 * again (or have hashed cleared). */
void item_hash_set(struct item *it);
void item_list_release(struct item_list *l);

enum item_order { ORDER_NEWEST, ORDER_OLDEST };
/* The list's order before the date ([general] sort; the reader cycles
 * it). The date is the published one, or when the item was first seen
 * when it has none or gives one more than a day after that. */
enum item_sort { SORT_DATE, SORT_SOURCE, SORT_TITLE, SORT_UNREAD_FIRST,
		 SORT_COUNT };

struct item_query {
	const char *query;   /* DESIGN.md §4 query language, or NULL */
	const char *search;  /* FTS5 full-text terms, or NULL */
	int64_t source_id;   /* 0 = any */
	const char *tag;     /* exact tag, or NULL */
	bool with_hidden;
	bool with_content;   /* load content/text too (show, digest) */
	bool with_extras;    /* load tags and notes */
	enum item_order order;
	enum item_sort sort;
	size_t limit;        /* 0 = no limit */
	size_t offset;
};

/* Compile q->query to check it; ERR_USAGE with the position on error. */
int store_query_check(struct store *st, const char *query, struct err *e);
int store_items_list(struct store *st, const struct item_query *q,
		     struct item_list *out, struct err *e);
int store_items_count(struct store *st, const struct item_query *q,
		      int64_t *count, struct err *e);
/* The same rows as store_items_list, each passed to fn as SQLite steps
 * to it, nothing collected: the first row comes as soon as the query
 * finds it and memory stays the same whatever the number of matches
 * ('glean items | head' at a million items). The item (with extras when
 * q->with_extras) is valid during the call only. fn returns non-zero to
 * stop (store_items_each then returns 0). */
typedef int (*item_fn)(void *arg, const struct item *it);
int store_items_each(struct store *st, const struct item_query *q,
		     item_fn fn, void *arg, struct err *e);
/* Only ids, for lazily loaded lists. */
int store_items_ids(struct store *st, const struct item_query *q,
		    int64_t **ids, size_t *n, struct err *e);
int store_item_get(struct store *st, int64_t id, bool with_content,
		   struct item *out, struct err *e);

enum item_flag { ITEM_READ, ITEM_STARRED, ITEM_MARKED, ITEM_HIDDEN };
int store_item_set_flag(struct store *st, int64_t id, enum item_flag f,
			bool on, struct err *e);
/* Mark every item read, optionally of one source. */
int store_items_mark_read(struct store *st, int64_t source_id, int64_t *n,
			  struct err *e);
/* Set read on the n items ids, in one transaction; *changed (may be
 * NULL) counts the items whose flag changed. Ids that no longer exist
 * are skipped. For "mark this list read" and its undo. */
int store_items_set_read(struct store *st, const int64_t *ids, size_t n,
			 bool read, int64_t *changed, struct err *e);
int store_item_tag(struct store *st, int64_t id, const char *tag, bool add,
		   struct err *e);
/* The same, saying whether anything changed (*changed may be NULL):
 * adding a tag the item already has, own or from its source, or
 * removing one it does not have changes nothing. Removing a tag the
 * item has only from its source fails with ERR_USAGE naming the source
 * and the 'glean tag-source' command that removes it there; removing
 * one it has both ways removes its own and succeeds. */
int store_item_tag_changed(struct store *st, int64_t id, const char *tag,
			   bool add, bool *changed, struct err *e);
/* Set read (or unread) on every item q matches, in one transaction;
 * *n counts the items that changed. */
int store_items_set_read_query(struct store *st,
			       const struct item_query *q, bool read,
			       int64_t *n, struct err *e);

int store_note_add(struct store *st, int64_t item_id, const char *body,
		   const char *quote, const char *prefix, const char *suffix,
		   int64_t *note_id, struct err *e);
int store_note_delete(struct store *st, int64_t note_id, struct err *e);
/* One note by id (ERR_NOTFOUND "no note N"); release with note_release. */
int store_note_get(struct store *st, int64_t note_id, struct note *out,
		   struct err *e);
void note_release(struct note *n);
/* Change a note: body NULL keeps the body; quote NULL keeps the quote,
 * "" removes it; a new quote drops the old one's prefix/suffix. Sets
 * updated, re-indexes the item's notes. ERR_NOTFOUND for a missing id. */
int store_note_update(struct store *st, int64_t note_id, const char *body,
		      const char *quote, struct err *e);
/* Put back a note as store_note_get returned it (same id, dates), e.g.
 * to undo store_note_delete or store_note_update. */
int store_note_restore(struct store *st, const struct note *n,
		       struct err *e);
/* Add n (body, quote, prefix, suffix, created, updated) to item_id
 * unless the item already has a note with the same body, quote, prefix
 * and suffix; *added says whether it was added. For imports: the same
 * file twice adds nothing twice. */
int store_note_import(struct store *st, int64_t item_id, const struct note *n,
		      bool *added, struct err *e);
/* The item whose link is exactly url (the oldest one when several
 * sources carry it) in *id, or *id = 0 when there is none. */
int store_item_find_url(struct store *st, const char *url, int64_t *id,
			struct err *e);

/* The title sort's index around a fetch (store_item.c says why): _bulk
 * drops it from a store of few items before the fetch (1 when it did,
 * 0 when it did not), _make makes it when missing (0). -1 with e set. */
int store_title_index_bulk(struct store *st, struct err *e);
int store_title_index_make(struct store *st, struct err *e);

/* Ingest: insert or update items of one source, deduplicated by guid, then
 * url, then content hash. Updates keep read/star/mark/tags/notes. Counts
 * land in stats. Call inside store_begin/commit for one txn per batch. */
struct ingest_stats {
	int64_t added, updated, unchanged;
};
int store_items_upsert(struct store *st, int64_t source_id,
		       struct item *items, size_t n, struct ingest_stats *stats,
		       struct err *e);

/* ---- tags ----
 * A new tag is at most TAG_MAX_BYTES long: adding a longer one (to an
 * item, a source or by a rule) fails with ERR_USAGE saying so.
 * Every tag on a visible item, counting the items that carry it
 * themselves or through their source (each item once), and how many
 * of those are unread. */
#define TAG_MAX_BYTES 256
struct tag_count {
	char *name;
	int64_t items, unread;
};
struct tag_list {
	struct tag_count *v;
	size_t n, cap;
};
void tag_list_release(struct tag_list *l);
int store_tags_list(struct store *st, struct tag_list *out, struct err *e);

/* ---- counts for the navigation pane ---- */
struct store_counts {
	int64_t all, unread, starred, marked, annotated;
};
int store_counts(struct store *st, struct store_counts *c, struct err *e);


/* ---- the reader's rows (src/store/store_ui.c, issue 5) ----
 * What one line of the reader's item list needs, loaded for the visible
 * rows only, so the list never holds every item of a large store. */
struct item_row {
	int64_t id, source_id, date;
	char *source_title, *title, *author;
	char *tags;          /* "a, b" or NULL: own and source tags, as in
			      * struct item */
	char *source_tags;   /* "a" or NULL: those of tags that come from
			      * the source */
	bool read, starred, marked;
	int64_t nnotes;
};

/* Load the rows for ids[0..n) in that order (missing ids are skipped).
 * out->v is owned by the caller; release with item_rows_release. */
int store_items_rows(struct store *st, const int64_t *ids, size_t n,
		     struct item_row **out, size_t *nout, struct err *e);
void item_rows_release(struct item_row *v, size_t n);
/* While set, a list or count of items (store_items_*) calls fn(arg)
 * every few thousand steps and fails (an ERR_DB) when it returns
 * non-zero: the reader's work between keys gives way to a key. NULL
 * clears it. */
void store_interrupt_when(struct store *st, int (*fn)(void *), void *arg);

/* ---- share: digests and the outbox (src/store/store_share.c) ----
 * A digest row is one selection rendered for one target; its outbox rows
 * are the parts to post, each moving pending -> sending -> sent | failed |
 * unknown (DESIGN.md §5). Every state change commits with synchronous=FULL
 * before the caller goes on, so "sending" is on disk before a request. */
enum outbox_state {
	OUTBOX_PENDING,
	OUTBOX_SENDING,
	OUTBOX_SENT,
	OUTBOX_FAILED,
	OUTBOX_UNKNOWN,
};

struct outbox_part {
	int64_t id, digest_id;
	int part;            /* 1-based order within the digest */
	char *target, *body, *idem_key;
	enum outbox_state state;
	char *remote_id, *remote_url, *error;
	int attempts;
	int64_t updated;
};

struct outbox_list {
	struct outbox_part *v;
	size_t n, cap;
};

struct digest_row {
	int64_t id;
	char *target, *query, *title, *intro;
	int64_t created, since, until;
	char *state;         /* pending partial sent failed */
	int64_t mark_seq;    /* highest mark sequence taken; 0 for a query */
	int64_t nitems, nparts, nsent;
	bool abandoned;      /* given up by the user: never resumed */
};

struct digest_rows {
	struct digest_row *v;
	size_t n, cap;
};

const char *outbox_state_name(enum outbox_state s);
void outbox_list_release(struct outbox_list *l);
void digest_rows_release(struct digest_rows *l);

/* The value the meta table holds for key, storing value first when it
 * holds none: a value made once per store (a digest feed's id). *out is
 * NULL, and nothing is stored, when the store is read-only and has none.
 * Caller frees *out. */
int store_meta_once(struct store *st, const char *key, const char *value,
		    char **out, struct err *e);
/* Record a digest for target with its items and parts (bodies and
 * idempotency keys) in one transaction; *id is the new digest id. */
int store_digest_add(struct store *st, const struct digest_row *d,
		     const int64_t *item_ids, size_t nitems,
		     const char *const *bodies, const char *const *keys,
		     size_t nparts, int64_t *id, struct err *e);
/* The newest digest for target that is not fully sent (to resume), or
 * *id = 0 when there is none. */
int store_digest_open(struct store *st, const char *target, int64_t *id,
		      struct err *e);
/* Items of a digest, in the order they were added. Caller frees *ids. */
int store_digest_items(struct store *st, int64_t digest_id, int64_t **ids,
		       size_t *n, struct err *e);
/* Marked items with a mark sequence above `after`, marked at or after
 * `since` (a time; 0 for any), in the order they were marked; *upto is
 * the highest sequence among them (0 when none). Each marking takes the
 * next number of one store-wide sequence, so "above the last share's
 * number" is exactly "marked after what that share took". */
int store_marked_after(struct store *st, int64_t after, int64_t since,
		       int64_t **ids, size_t *n, int64_t *upto,
		       struct err *e);
/* Where the next share to target starts: the highest mark sequence its
 * digests took (abandoned ones and digests of a query do not count), and
 * when the newest of them was made. *seq = -1 when there is none. */
int store_digest_mark_line(struct store *st, const char *target,
			   int64_t *seq, int64_t *when, struct err *e);
/* Items of sent digests to target, newest share first, at most limit
 * (the file target's rolling feed). Caller frees *ids. */
int store_digest_shared_items(struct store *st, const char *target,
			      size_t limit, int64_t **ids, size_t *n,
			      struct err *e);
int store_digest_get(struct store *st, int64_t id, struct digest_row *out,
		     struct err *e);
/* Digests newest first, with part counts; target NULL for all. */
int store_digests_list(struct store *st, const char *target,
		       struct digest_rows *out, struct err *e);
/* Give up on an unfinished digest: its unsent parts become failed
 * ("abandoned by the user") and it is never resumed, so the next share to
 * its target starts afresh (with what was marked since the last fully
 * sent digest). ERR_USAGE when it is already sent. */
int store_digest_abandon(struct store *st, int64_t id, struct err *e);
/* Recompute the digest state from its parts (sent/partial/failed). */
int store_digest_settle(struct store *st, int64_t id, struct err *e);
int store_outbox_list(struct store *st, int64_t digest_id,
		      struct outbox_list *out, struct err *e);
/* Move one part to state; "sending" also counts an attempt. remote_id,
 * remote_url and error may be NULL (kept as they are for NULL ids). */
int store_outbox_set(struct store *st, int64_t part_id,
		     enum outbox_state state, const char *remote_id,
		     const char *remote_url, const char *error,
		     struct err *e);


/* ---- rules applied at ingest ([rule] in the config) ---- */
struct store_rule {
	const char *name;
	const char *match;        /* query language */
	const char *const *tags;  /* tags to add */
	size_t ntags;
	bool hide;                /* killfile */
	/* in/out, kept by the caller across a fetch (zero at its start):
	 * items on which the rule's regex hit a PCRE2 limit, and whether
	 * the rule is off for the rest of the fetch */
	int64_t limit_hits;
	bool off;
};
/* A rule whose regex hits a limit on more items than this in a fetch
 * is turned off for the fetch. */
#define RULE_LIMIT_HITS_MAX 3

/* Apply rules to the items ids (typically just stored). A rule whose
 * query does not compile is skipped and reported in e (the others still
 * run); returns -1 only on a store failure. Call inside the ingest
 * transaction. *hidden and *tagged count what changed (may be NULL).
 * Each rule's query runs once over the items. A rule with off set is
 * skipped; one whose limit_hits pass RULE_LIMIT_HITS_MAX here does
 * nothing in this call and gets off set (the caller says so once). */
int store_rules_apply(struct store *st, struct store_rule *rules,
		      size_t nrules, const int64_t *ids, size_t nids,
		      int64_t *hidden, int64_t *tagged, struct err *e);

/* ---- newsboat's read state (src/store/store_import.c, issue 12) ----
 * Read newsboat's cache.db (opened read-only) and keep the read and
 * starred state (flags containing 's') of its items whose feed URL is
 * a subscribed source's URL. Items the store has are matched by guid or
 * link at once; the rest when their source is next fetched
 * (store_items_upsert), after which the source's unmatched rows are
 * dropped: they are items its feed no longer carries. */
struct import_state_report {
	int64_t kept;          /* read or starred items kept to match */
	int64_t unsubscribed;  /* ... skipped: their feed is not a source */
	int64_t applied;       /* items changed now (sources fetched before) */
	int64_t fetched_sources; /* sources matched now */
	int64_t pending;       /* rows waiting for a fetch */
};
int store_import_newsboat_cache(struct store *st, const char *path,
				struct import_state_report *r, struct err *e);

/* ---- the search index (src/store/store_search.c, issue 3) ----
 * Full-text search lives in "<store>-search", derived from the store and
 * brought level with it by a catch-up: the insert path only writes rows.
 * Every search (store_items_* with a search term or a text query) runs
 * the catch-up first, so it sees everything committed before it. */

/* Index every committed change not yet indexed, in steps of 2000 rows,
 * each its own transaction on the search file only (a kill leaves it
 * consistent; the next call resumes). Inside a transaction it indexes
 * what others committed, on a second connection. */
int store_index_catch_up(struct store *st, struct err *e);
/* Why the last search may have missed recent items (the search file
 * could not be written), or NULL once a catch-up succeeds. Owned by the
 * store. */
const char *store_search_warning(const struct store *st);
/* The background indexer: a thread with its own connection that catches
 * up after each commit (store_commit kicks it; kick is there for other
 * moments), on another core while the fetch goes on inserting. finish
 * waits until everything committed is indexed, joins the thread and
 * returns the catch-up's result; store_close stops it without waiting.
 * It is one of the two threads glean starts: seek.h lists both, what
 * each owns and how each ends. */
int store_indexer_start(struct store *st, struct err *e);
void store_indexer_kick(struct store *st);
int store_indexer_finish(struct store *st, struct err *e);

/* ---- articles (src/store/store_article.c, issue 19) ---- */

/* The article found at an item's link, or why there is none. */
struct store_article {
	char *url;     /* the page it came from */
	char *title;
	char *html;    /* sanitised article HTML; NULL when error */
	char *text;    /* plain text; indexed with the item */
	char *error;   /* "no article found: ...", a fetch error; or NULL */
	int64_t fetched;
};
void store_article_release(struct store_article *a);
/* 1 with a filled when the item has one (or a recorded failure), 0 when
 * it was never fetched, -1 on error. */
int store_article_get(struct store *st, int64_t item_id,
		      struct store_article *a, struct err *e);
/* Keep a (replacing what was there), in its own transaction; its text
 * becomes searchable with the item. ERR_NOTFOUND when no such item. */
int store_article_put(struct store *st, int64_t item_id,
		      const struct store_article *a, struct err *e);
/* The source setting: fetch the article of every new item during a
 * fetch. store_source_articles() is 1 or 0, -1 on error. */
int store_source_set_articles(struct store *st, int64_t source_id, bool on,
			      struct err *e);
int store_source_articles(struct store *st, int64_t source_id,
			  struct err *e);

/* ---- sync with a server (src/store/store_sync.c, issue 17) ----
 * The sync module's rows: an account's position, its sources and items
 * by the server's ids, each item's state on the server when last seen
 * (the base of a three-way merge) and the queue of changes made in
 * glean to synced items. Triggers queue every change to a synced item's
 * read, starred, marked, own tags and notes in the change's own
 * transaction, except while store_sync_mute is on. A synced source is
 * never due for glean's own fetch (store_sources_due); removing one
 * ('glean rm') queues its unsubscription. */
struct sync_base {
	bool read, starred, marked;
	char *labels; /* the server's labels, sorted, one per line; "" */
	char *note;   /* the server's note; "" when none */
};
void sync_base_release(struct sync_base *b);

struct sync_change {
	int64_t seq, item_id, at; /* at: when it was made (UTC seconds) */
	char *field;              /* read starred marked tags note */
	char *remote_id;          /* the item's id on the server */
};
struct sync_change_list {
	struct sync_change *v;
	size_t n, cap;
};
void sync_change_list_release(struct sync_change_list *l);

/* Record (or find) sync account name; *since is the newest server item
 * id seen (caller frees; NULL on a first sync). An account whose
 * service or url changed starts again: its id mappings go, its sources
 * and items stay and are matched again by URL. */
int store_sync_account(struct store *st, const char *name,
		       const char *service, const char *url, char **since,
		       struct err *e);
/* Save the position (since NULL keeps it) and the time of this sync. */
int store_sync_account_save(struct store *st, const char *name,
			    const char *since, struct err *e);
/* While on (inside the caller's transaction), changes are not queued:
 * they are the server's, being applied. */
int store_sync_mute(struct store *st, bool on, struct err *e);
/* The source for the server's feed remote_id: the one linked before,
 * else a source with src->url (taken over), else a new one from src.
 * Updates its title. */
int store_sync_source(struct store *st, const char *account,
		      const char *remote_id, const struct source *src,
		      int64_t *source_id, struct err *e);
/* The item mapped to remote_id and its base: 1 found, 0 not, -1 error.
 * Release base in every case. */
int store_sync_item_find(struct store *st, const char *account,
			 const char *remote_id, int64_t *item_id,
			 struct sync_base *base, struct err *e);
/* Map remote_id to item_id with base (insert or update). */
int store_sync_item_set(struct store *st, const char *account,
			const char *remote_id, int64_t item_id,
			const struct sync_base *base, struct err *e);
/* The account's items whose base is not the default (read, not starred
 * nor marked, no labels, no note): what an incremental sync that lists
 * only the server's non-default items must account for. */
struct sync_item_base {
	char *remote_id;
	struct sync_base base;
};
int store_sync_bases(struct store *st, const char *account,
		     struct sync_item_base **out, size_t *n, struct err *e);
void sync_item_bases_free(struct sync_item_base *v, size_t n);
/* The account's queued changes, oldest first. */
int store_sync_queue(struct store *st, const char *account,
		     struct sync_change_list *out, struct err *e);
/* The server ids of the account's feeds removed in glean ('glean rm'
 * deleted or retired the source), to unsubscribe from on the server:
 * an array of n strings in *ids (caller frees each and the array). */
int store_sync_unsubscribes(struct store *st, const char *account,
			    char ***ids, size_t *n, struct err *e);
/* Retire the account's sources whose feed is not among the server's
 * ids[0..n) (unsubscribed there); their items stay. *retired counts
 * them. Call with store_sync_mute on. */
int store_sync_feeds_keep(struct store *st, const char *account,
			  char *const *ids, size_t n, int64_t *retired,
			  struct err *e);
/* The server has dropped remote_id: forget the request. */
int store_sync_unsubscribed(struct store *st, const char *account,
			    const char *remote_id, struct err *e);
/* The server has c: drop its queue row unless changed again since. */
int store_sync_queue_done(struct store *st, const struct sync_change *c,
			  struct err *e);

#endif
