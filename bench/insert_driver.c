/*
 * insert_driver: the insert case. Parses the corpus feeds into items the
 * way a fetch does (parse_feed + seek_items_from_doc, not measured), then
 * times ways of storing the same rows on fresh database files in
 * WORKDIR (run_glean's comment has glean's three; the bare ones are one
 * transaction each):
 *
 *   bare        raw sqlite3 INSERTs into a plain table with the item
 *               table's columns, no index, no FTS: the target's
 *               denominator
 *   bare-idx    the same table with the item table's indexes, as a new
 *               glean store has them (read from one): what the reader's
 *               indexes cost, which no insert path can skip
 *   bare-fts5   the plain table plus a raw INSERT into an
 *               external-content FTS5 table with glean's tokenizer: what
 *               FTS5 itself costs, and the denominator of the target
 *               (bench/report says why)
 *   bare-idx-fts5   the indexed table plus the FTS5 insert: SQLite doing
 *               exactly glean's job, bare
 *
 * With BENCH_INSERT_DETAIL set, two more split glean's extra cost:
 *
 *   bare-fts5-select  FTS5 fed by INSERT ... SELECT ... WHERE id = ?
 *                     instead of values
 *   bare-idx-fts5-select   that with the indexes
 *
 * The order of the cases rotates from run to run (BENCH_ROUND), and
 * every glean case gets items hashed as seek_items_from_doc() leaves
 * them. Every case starts with sync() and its files are deleted when it
 * ends: a case otherwise pays for writing back and reclaiming the page
 * cache of the one before (which once doubled the bare case's time).
 *
 * Bench code only: it includes sqlite3.h, which src/ may do only in
 * src/store and src/json. WAL and synchronous=NORMAL as the store uses
 * for fetched data.
 *
 *   bench/insert_driver CORPUSDIR PATHSFILE WORKDIR
 */
#include <sqlite3.h>
#include <unistd.h>

#include "glean/parse.h"
#include "glean/seek.h"
#include "glean/store.h"
#include "bench.h"
#include "glean/banned.h"

/* A finished case's files go at once (see the top). */
static void
drop_files(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal",
		"-search", "-search-wal", "-search-shm", "-search-journal" };
	size_t i;

	for (i = 0; i < sizeof(suffix) / sizeof(*suffix); i++) {
		char *p = xasprintf("%s%s", path, suffix[i]);

		unlink(p);
		free(p);
	}
}

struct feed_items {
	struct item *v;
	size_t n;
};

static void
die_sql(sqlite3 *db, const char *what)
{
	fprintf(stderr, "insert_driver: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void
exec_sql(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die_sql(db, sql);
}

static size_t
load(const char *dir, const char *paths, struct feed_items **out,
     size_t *nitems)
{
	size_t plen, nf = 0, cap = 0;
	char *list = bench_slurp(paths, &plen), *line, *next;
	struct feed_items *v = NULL;

	*nitems = 0;
	for (line = list; line && *line; line = next) {
		struct parse_opts o = { 0 };
		struct feed_doc doc;
		struct err e = { 0 };
		char *path, *buf;
		size_t len;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line)
			continue;
		path = xasprintf("%s/%s", dir, line);
		buf = bench_slurp(path, &len);
		o.url = path;
		if (parse_feed(buf, len, &o, &doc, &e) < 0) {
			fprintf(stderr, "insert_driver: %s: %s\n", path, e.msg);
			exit(1);
		}
		if (nf == cap) {
			cap = cap ? cap * 2 : 1024;
			v = xrealloc(v, cap * sizeof(*v));
		}
		seek_items_from_doc(&doc, &v[nf].v, &v[nf].n);
		*nitems += v[nf].n;
		nf++;
		feed_doc_release(&doc);
		free(buf);
		free(path);
	}
	free(list);
	*out = v;
	return nf;
}

/* The glean store in three ways (each on a fresh file):
 *   glean          store_items_upsert() of every row in one fetch batch
 *                  (store_batch_begin, as seek.c stores), one transaction:
 *                  rows committed, the index not touched (the insert path)
 *   glean-catchup  then store_index_catch_up() on that store: what bringing
 *                  the index level costs on its own
 *   glean-indexed  as a fetch does it: the background indexer started,
 *                  a commit every 2000 rows (seek.c's batch) each kicking
 *                  it, and store_indexer_finish(): wall until every row is
 *                  committed AND searchable */
enum { G_INSERT, G_INDEXED };

static void
run_glean(const char *workdir, int mode, struct feed_items *f, size_t nf,
	  size_t nitems)
{
	char *path = xasprintf("%s/glean-%d.db", workdir, mode);
	int64_t *ids = xcalloc(nf, sizeof(*ids));
	struct ingest_stats stats = { 0, 0, 0 };
	struct bench_clock c;
	struct err e = { 0 };
	struct store *st;
	int64_t since = 0;
	size_t i;

	st = store_open(path, STORE_WRITE, &e);
	if (!st)
		goto fail;
	for (i = 0; i < nf; i++) {
		struct source s = { 0 };
		char url[64];

		snprintf(url, sizeof(url), "https://bench.example/%zu.xml", i);
		s.url = url;
		if (store_source_add(st, &s, &ids[i], &e) < 0)
			goto fail;
	}
	sync();
	bench_start(&c);
	if (mode == G_INDEXED && store_indexer_start(st, &e) < 0)
		goto fail;
	if (store_batch_begin(st, &e) < 0)
		goto fail;
	for (i = 0; i < nf; i++) {
		if (store_items_upsert(st, ids[i], f[i].v, f[i].n, &stats,
				       &e) < 0)
			goto fail;
		if (mode == G_INDEXED && stats.added - since >= 2000) {
			since = stats.added;
			if (store_batch_commit(st, &e) < 0 ||
			    store_batch_begin(st, &e) < 0)
				goto fail;
		}
	}
	if (store_batch_commit(st, &e) < 0)
		goto fail;
	if (mode == G_INDEXED && store_indexer_finish(st, &e) < 0)
		goto fail;
	bench_stop(&c);
	if ((size_t)stats.added != nitems)
		fprintf(stderr, "insert_driver: note: %lld of %zu items added "
			"(the rest deduplicated)\n", (long long)stats.added,
			nitems);
	bench_report(mode == G_INDEXED ? "glean-indexed" : "glean", &c,
		     (long long)stats.added, 0);
	if (mode == G_INSERT) {
		sync();
		bench_start(&c);
		if (store_index_catch_up(st, &e) < 0)
			goto fail;
		bench_stop(&c);
		bench_report("glean-catchup", &c, (long long)stats.added, 0);
	}
	store_close(st);
	drop_files(path);
	free(ids);
	free(path);
	return;
fail:
	fprintf(stderr, "insert_driver: store: %s\n", e.msg);
	exit(1);
}

static void
bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

enum { V_FTS = 1, V_SELECT = 2, V_IDX = 4 };

/* The item table of a new glean store, as the bare cases build it: its
 * columns with their types and defaults but no constraint (table), and
 * its indexes, the UNIQUE (source_id, guid) one among them (indexes). */
static struct {
	char *table, *indexes;
} schema;

static char *
one_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	char *v;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW || !sqlite3_column_text(s, 0))
		die_sql(db, "read the item schema");
	v = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

static void
read_schema(const char *workdir)
{
	char *path = xasprintf("%s/schema.db", workdir);
	struct err e = { 0 };
	struct store *st = store_open(path, STORE_WRITE, &e);
	sqlite3 *db;

	if (!st) {
		fprintf(stderr, "insert_driver: store: %s\n", e.msg);
		exit(1);
	}
	store_close(st);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die_sql(db, "open");
	schema.table = one_text(db, "SELECT 'CREATE TABLE item (' ||"
		" group_concat(CASE WHEN pk THEN name || ' INTEGER PRIMARY KEY'"
		" ELSE name || ' ' || type || coalesce(' DEFAULT ' ||"
		" dflt_value, '') END, ', ') || ')'"
		" FROM pragma_table_info('item')");
	schema.indexes = one_text(db, "SELECT 'CREATE UNIQUE INDEX item_guid"
		" ON item(source_id, guid);' || group_concat(sql, ';')"
		" FROM sqlite_master WHERE type = 'index' AND tbl_name = 'item'"
		" AND sql IS NOT NULL");
	sqlite3_close(db);
	drop_files(path);
	free(path);
}

static const char *
variant_name(unsigned v)
{
	switch (v) {
	case 0: return "bare";
	case V_FTS: return "bare-fts5";
	case V_IDX: return "bare-idx";
	case V_FTS | V_SELECT: return "bare-fts5-select";
	case V_IDX | V_FTS: return "bare-idx-fts5";
	default: return "bare-idx-fts5-select";
	}
}

static void
run_bare(const char *workdir, unsigned v, struct feed_items *f, size_t nf)
{
	bool fts = v & V_FTS;
	char *path = xasprintf("%s/%s.db", workdir, variant_name(v));
	sqlite3_stmt *ins, *fins = NULL;
	struct bench_clock c;
	long long n = 0;
	sqlite3 *db;
	size_t i, k;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		die_sql(db, "open");
	/* The store's own page size and fetch page cache (store.c), so the
	 * baseline gets every advantage glean's settings give glean. */
	exec_sql(db, "PRAGMA page_size = 32768; PRAGMA cache_size = -2048;"
		 "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
	exec_sql(db, schema.table);
	if (v & V_IDX)
		exec_sql(db, schema.indexes);
	if (fts)
		exec_sql(db, "CREATE VIRTUAL TABLE item_fts USING fts5("
			 " title, author, text, notes_text, content='item',"
			 " content_rowid='id',"
			 " tokenize='unicode61 remove_diacritics 2')");
	if (sqlite3_prepare_v2(db, "INSERT INTO item (source_id, guid, url,"
			       " title, author, published, updated, fetched,"
			       " date, content, content_type, enclosures,"
			       " content_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,"
			       "?)", -1, &ins, NULL) != SQLITE_OK)
		die_sql(db, "prepare");
	if (fts && sqlite3_prepare_v2(db, (v & V_SELECT) ?
				      "INSERT INTO item_fts (rowid, title,"
				      " author, text, notes_text) SELECT id,"
				      " title, author, ?4, NULL FROM item"
				      " WHERE id = ?1" :
				      "INSERT INTO item_fts (rowid, title,"
				      " author, text, notes_text) VALUES"
				      " (?,?,?,?,NULL)", -1, &fins, NULL) !=
		   SQLITE_OK)
		die_sql(db, "prepare fts");
	sync();
	bench_start(&c);
	exec_sql(db, "BEGIN");
	for (i = 0; i < nf; i++) {
		for (k = 0; k < f[i].n; k++) {
			const struct item *it = &f[i].v[k];

			sqlite3_bind_int64(ins, 1, (sqlite3_int64)i + 1);
			bind_opt(ins, 2, it->guid ? it->guid : it->url);
			bind_opt(ins, 3, it->url);
			bind_opt(ins, 4, it->title);
			bind_opt(ins, 5, it->author);
			sqlite3_bind_int64(ins, 6, it->published);
			sqlite3_bind_int64(ins, 7, it->updated);
			sqlite3_bind_int64(ins, 8, 1764000000);
			sqlite3_bind_int64(ins, 9, it->published);
			bind_opt(ins, 10, it->content);
			bind_opt(ins, 11, it->content_type);
			bind_opt(ins, 12, it->enclosures);
			bind_opt(ins, 13, it->content_hash);
			if (sqlite3_step(ins) != SQLITE_DONE)
				die_sql(db, "insert");
			sqlite3_reset(ins);
			if (fts) {
				/* the text is made from the body as glean's
				 * indexer makes it (the store keeps none) */
				struct sbuf t = SBUF_INIT;

				if (it->content)
					content_text(it->content,
						     strlen(it->content),
						     it->content_type, &t);
				sqlite3_bind_int64(fins, 1,
					sqlite3_last_insert_rowid(db));
				if (!(v & V_SELECT)) {
					bind_opt(fins, 2, it->title);
					bind_opt(fins, 3, it->author);
				}
				bind_opt(fins, 4, t.buf);
				if (sqlite3_step(fins) != SQLITE_DONE)
					die_sql(db, "insert fts");
				sqlite3_reset(fins);
				sbuf_release(&t);
			}
			n++;
		}
	}
	exec_sql(db, "COMMIT");
	bench_stop(&c);
	bench_report(variant_name(v), &c, n, 0);
	sqlite3_finalize(ins);
	if (fins)
		sqlite3_finalize(fins);
	sqlite3_close(db);
	drop_files(path);
	free(path);
}

int
main(int argc, char **argv)
{
	/* glean's modes as they are, bare variants as -(v + 1) */
	static const int cases[] = { G_INSERT, G_INDEXED, -1, -(V_FTS + 1),
		-(V_IDX + 1), -(V_IDX + V_FTS + 1) };
	size_t ncases = sizeof(cases) / sizeof(*cases), round, c;
	struct feed_items *f;
	size_t nf, nitems, i, k;

	if (argc != 4) {
		fprintf(stderr, "usage: insert_driver CORPUSDIR PATHSFILE "
			"WORKDIR\n");
		return 2;
	}
	store_set_text(content_text, CONTENT_TEXT_VERSION);
	nf = load(argv[1], argv[2], &f, &nitems);
	read_schema(argv[3]);
	/* Each run starts the list at another case (BENCH_ROUND, from
	 * bench/run): the first case after the load ran slower and more
	 * erratically (1.0-1.9 s for glean's insert), so no case may be
	 * always first. */
	round = getenv("BENCH_ROUND") ?
		(size_t)strtoul(getenv("BENCH_ROUND"), NULL, 10) : 0;
	for (c = 0; c < ncases; c++) {
		int which = cases[(c + round) % ncases];

		if (which >= 0) {
			/* seek_items_from_doc() hashed the items and the
			 * last upsert used that up; they are unchanged */
			for (i = 0; i < nf; i++)
				for (k = 0; k < f[i].n; k++)
					item_hash_set(&f[i].v[k]);
			run_glean(argv[3], which, f, nf, nitems);
		} else {
			run_bare(argv[3], (unsigned)-which - 1, f, nf);
		}
	}
	if (getenv("BENCH_INSERT_DETAIL")) {
		run_bare(argv[3], V_FTS | V_SELECT, f, nf);
		run_bare(argv[3], V_IDX | V_FTS | V_SELECT, f, nf);
	}
	for (i = 0; i < nf; i++) {
		for (k = 0; k < f[i].n; k++)
			item_release(&f[i].v[k]);
		free(f[i].v);
	}
	free(f);
	free(schema.table);
	free(schema.indexes);
	return 0;
}
