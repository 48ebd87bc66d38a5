/*
 * Damage: what `glean check` runs (SQLite's integrity check of the store
 * and of its search file, the full-text index's own check, glean's
 * invariants), what --repair rebuilds (the indexes, the search file),
 * and the online backup (`glean backup`, and the copy store.c keeps
 * before an upgrade). The checks open the store read-only, so a check
 * leaves the file exactly as it was; only a repair writes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"
#include "glean/banned.h"

static void
harden(sqlite3 *db)
{
	int on = 1;

	sqlite3_extended_result_codes(db, 1);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &on);
	sqlite3_busy_timeout(db, 5000);
}

/* Open path (a store or a search file) without creating it: read-write
 * for a repair, else read-only; on a read-only medium where the WAL's
 * -shm cannot be made, immutable=1 (store.c's open_readonly says why). */
static int
open_file(const char *path, bool rw, sqlite3 **out)
{
	static const char *const modes[] = { "mode=ro", "mode=ro&immutable=1" };
	size_t i;
	int rc = SQLITE_CANTOPEN;

	for (i = 0; i < (rw ? 1 : ARRAY_SIZE(modes)); i++) {
		char *uri = store_file_uri(path, rw ? "mode=rw" : modes[i]);

		*out = NULL;
		rc = sqlite3_open_v2(uri, out,
				     (rw ? SQLITE_OPEN_READWRITE
					 : SQLITE_OPEN_READONLY) |
					     SQLITE_OPEN_URI |
					     SQLITE_OPEN_NOFOLLOW,
				     NULL);
		free(uri);
		if (rc == SQLITE_OK) {
			harden(*out);
			store_text_register(*out); /* a repair reindexes */
			/* a probe: a damaged file still opens, and is
			 * reported by the checks; only -shm trouble
			 * (CANTOPEN) tries the next mode */
			rc = sqlite3_exec(*out, "SELECT 1 FROM sqlite_master"
					  " LIMIT 1", NULL, NULL, NULL);
			if ((rc & 0xff) != SQLITE_CANTOPEN)
				return SQLITE_OK;
		}
		sqlite3_close_v2(*out);
		*out = NULL;
	}
	return rc;
}

struct store *
store_open_check(const char *path, bool repair, struct err *e)
{
	struct store *st;
	int rc;

	if (access(path, F_OK) < 0) {
		err_set(e, ERR_NOTFOUND, "no store at '%s': %s", path,
			strerror(errno));
		return NULL;
	}
	st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	st->lock_fd = -1;
	st->claim_fd = -1;
	st->readonly = !repair;
	st->ro_reason = repair ? NULL : xstrdup("opened to be checked");
	rc = open_file(path, repair, &st->db);
	if (rc != SQLITE_OK && repair && access(path, W_OK) < 0) {
		err_set(e, ERR_DB, "cannot repair store '%s': it is read-only "
			"(%s); copy it with 'glean backup FILE' and repair the "
			"copy (glean --db FILE check --repair)", path,
			strerror(errno));
		store_close(st);
		return NULL;
	}
	if (rc != SQLITE_OK) {
		store_fail(st, e, rc, "cannot open store");
		store_close(st);
		return NULL;
	}
	return st;
}

static void
say(store_check_fn report, void *arg, bool damage, bool repaired,
    const char *fmt, ...) PRINTF_LIKE(5, 6);

static void
say(store_check_fn report, void *arg, bool damage, bool repaired,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	report(arg, damage, repaired, msg ? msg : "(out of memory)");
	free(msg);
}

/* Lines of integrity_check output shown; the count covers them all. */
enum { MAX_LINES = 10 };

static const char *
why(sqlite3 *db, int rc)
{
	if ((rc & 0xff) == SQLITE_NOTADB)
		return "it is not a SQLite database, or its header is damaged";
	return sqlite3_errmsg(db);
}

/* PRAGMA integrity_check on db: each message reported (unless quiet)
 * under the name what. Returns the number of problems. *unreadable is
 * set when the file could not be read at all. */
static int
integrity(sqlite3 *db, const char *what, store_check_fn report, void *arg,
	  bool quiet, bool *unreadable)
{
	sqlite3_stmt *s = NULL;
	int n = 0, rc;

	*unreadable = false;
	rc = sqlite3_prepare_v2(db, "PRAGMA main.integrity_check(100)", -1,
				&s, NULL);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		const char *m;
		char *all, *line, *save = NULL;

		if ((rc = sqlite3_step(s)) != SQLITE_ROW)
			break;
		m = (const char *)sqlite3_column_text(s, 0);
		if (!m || !strcmp(m, "ok"))
			continue;
		if (str_starts(m, "*** in database ")) /* a heading */
			m = strchr(m, '\n') ? strchr(m, '\n') + 1 : "";
		/* one row may hold several problems, a line each */
		all = xstrdup(m);
		for (line = strtok_r(all, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (!quiet && n < MAX_LINES)
				say(report, arg, true, false, "%s: %s", what,
				    line);
			n++;
		}
		free(all);
	}
	if (!quiet && n > MAX_LINES)
		say(report, arg, true, false, "%s: %d more problem(s) like "
		    "these", what, n - MAX_LINES);
	if (rc != SQLITE_DONE) {
		if (!quiet)
			say(report, arg, true, false, "%s cannot be read: %s",
			    what, why(db, rc));
		*unreadable = true;
		n++;
	}
	sqlite3_finalize(s);
	return n;
}

/* The first column of sql's first row as an integer, or -1 (*rc set). */
static int64_t
one_int(sqlite3 *db, const char *sql, int *rc)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	*rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (*rc == SQLITE_OK) {
		*rc = sqlite3_step(s);
		if (*rc == SQLITE_ROW) {
			v = sqlite3_column_int64(s, 0);
			*rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	return v;
}

/* Every packed body (store_body.c) unpacks within the cap: one that
 * does not reads as empty. Not repaired: the body is gone; a fetch
 * stores it again only when the feed changes the item. Returns the
 * problems found. */
static int
bodies(struct store *st, store_check_fn report, void *arg)
{
	struct store_body *b = store_body_new();
	sqlite3_stmt *s = NULL;
	int n = 0, rc;

	rc = sqlite3_prepare_v2(st->db, "SELECT id, content FROM item WHERE"
				" typeof(content) = 'blob'", -1, &s, NULL);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		const char *body, *bad;
		size_t len;

		if ((rc = sqlite3_step(s)) != SQLITE_ROW)
			break;
		if (store_body_text(b, sqlite3_column_value(s, 1), &body,
				    &len, &bad) == 0)
			continue;
		if (n++ < MAX_LINES)
			say(report, arg, true, false, "item %lld: its body is "
			    "damaged (%s) and reads as empty; not repaired",
			    (long long)sqlite3_column_int64(s, 0), bad);
	}
	if (n > MAX_LINES)
		say(report, arg, true, false, "%d more damaged bodies",
		    n - MAX_LINES);
	if (rc != SQLITE_DONE) {
		say(report, arg, true, false, "cannot read the items' bodies:"
		    " %s", why(st->db, rc));
		n++;
	}
	sqlite3_finalize(s);
	store_body_free(b);
	return n;
}

/* glean's own invariants. Returns the problems left. */
static int
invariants(struct store *st, bool repair, store_check_fn report, void *arg)
{
	sqlite3 *db = st->db;
	sqlite3_stmt *s = NULL;
	int64_t v, have, want;
	int left = 0, rc;

	v = one_int(db, "PRAGMA user_version", &rc);
	if (rc != SQLITE_OK || v < 1 || v > store_schema_latest()) {
		say(report, arg, true, false, "the schema version is %lld, "
		    "which no glean up to schema %d writes: this is not a "
		    "glean store, or its header is damaged", (long long)v,
		    store_schema_latest());
		return 1;
	}
	/* Every item has a source, every tag, note and digest row its
	 * item (the schema's foreign keys). */
	rc = sqlite3_prepare_v2(db, "SELECT \"table\", parent, count(*) FROM"
				/* kept counts of a source that is gone
				 * are never read (store_counts joins the
				 * sources): no damage */
				" pragma_foreign_key_check WHERE \"table\" <>"
				" 'source_count' GROUP BY 1, 2", -1,
				&s, NULL);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		if ((rc = sqlite3_step(s)) != SQLITE_ROW)
			break;
		say(report, arg, true, false, "%lld row(s) of table '%s' "
		    "point to a missing row of '%s'; not repaired: glean "
		    "does not delete them",
		    (long long)sqlite3_column_int64(s, 2),
		    (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1));
		left++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		say(report, arg, true, false, "cannot check the links between "
		    "tables: %s", why(db, rc));
		left++;
	}
	/* The store-wide mark counter is never below a mark it gave. */
	if (v >= 8) {
		have = one_int(db, "SELECT coalesce((SELECT CAST(value AS"
			       " INTEGER) FROM meta WHERE key = 'mark_seq'),"
			       " 0)", &rc);
		want = rc == SQLITE_OK ? one_int(db, "SELECT coalesce("
				 "max(mark_seq), 0) FROM item", &rc) : -1;
		if (rc != SQLITE_OK) {
			say(report, arg, true, false, "cannot read the mark "
			    "counter: %s", why(db, rc));
			left++;
		} else if (have < want) {
			bool fixed = repair &&
				sqlite3_exec(db, "INSERT OR REPLACE INTO meta"
					     " (key, value) SELECT 'mark_seq',"
					     " max(mark_seq) FROM item", NULL,
					     NULL, NULL) == SQLITE_OK;

			say(report, arg, true, fixed, "the mark counter (%lld) "
			    "is below an item's mark (%lld)%s",
			    (long long)have, (long long)want,
			    fixed ? "; raised" : "");
			left += !fixed;
		}
	}
	/* The per-source counts the triggers keep (schema.c, v_counts)
	 * are the real counts: a source whose row differs, or has none. */
	have = one_int(db, "SELECT count(*) FROM sqlite_master WHERE"
		       " type = 'table' AND name = 'source_count'", &rc);
	if (rc == SQLITE_OK && have == 1) {
		have = one_int(db, "SELECT count(*) FROM source s LEFT JOIN"
			       " source_count c ON c.source_id = s.id LEFT JOIN"
			       " (SELECT source_id, count(*) AS n, sum(read ="
			       " 0) AS u, sum(starred = 1) AS st, sum(marked ="
			       " 1) AS m FROM item WHERE hidden = 0 GROUP BY"
			       " source_id) x ON x.source_id = s.id WHERE"
			       " c.source_id IS NULL OR c.items IS NOT"
			       " coalesce(x.n, 0) OR c.unread IS NOT"
			       " coalesce(x.u, 0) OR c.starred IS NOT"
			       " coalesce(x.st, 0) OR c.marked IS NOT"
			       " coalesce(x.m, 0)", &rc);
		if (rc != SQLITE_OK) {
			say(report, arg, true, false, "cannot check the item "
			    "counts: %s", why(db, rc));
			left++;
		} else if (have > 0) {
			bool fixed = repair &&
				sqlite3_exec(db, "BEGIN; DELETE FROM"
					     " source_count; INSERT INTO"
					     " source_count SELECT s.id,"
					     " coalesce(x.n, 0), coalesce(x.u,"
					     " 0), coalesce(x.st, 0),"
					     " coalesce(x.m, 0) FROM source s"
					     " LEFT JOIN (SELECT source_id,"
					     " count(*) AS n, sum(read = 0) AS"
					     " u, sum(starred = 1) AS st,"
					     " sum(marked = 1) AS m FROM item"
					     " WHERE hidden = 0 GROUP BY"
					     " source_id) x ON x.source_id ="
					     " s.id; COMMIT;", NULL, NULL,
					     NULL) == SQLITE_OK;

			if (repair && !fixed)
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			say(report, arg, true, fixed, "the item counts of %lld "
			    "source(s) differ from their items%s",
			    (long long)have, fixed ? "; counted again" : "");
			left += !fixed;
		}
	}
	/* The token that ties the search file to this store. */
	if (v >= 5) {
		have = one_int(db, "SELECT count(*) FROM meta WHERE key ="
			       " 'search_token'", &rc);
		if (rc == SQLITE_OK && have == 0) {
			bool fixed = repair &&
				sqlite3_exec(db, "INSERT INTO meta (key, value)"
					     " VALUES ('search_token', lower("
					     "hex(randomblob(16))))", NULL,
					     NULL, NULL) == SQLITE_OK;

			say(report, arg, true, fixed, "the search index's "
			    "token is missing%s",
			    fixed ? "; a new one makes the index rebuild" : "");
			left += !fixed;
		}
	}
	return left + bodies(st, report, arg);
}

static void
unlink_search(const char *sp)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		char *f = xasprintf("%s%s", sp, ext[i]);

		if (unlink(f) < 0 && errno != ENOENT)
			log_warn("cannot remove '%s': %s", f, strerror(errno));
		free(f);
	}
}

/* The search file: SQLite's check and FTS5's own. Returns problems
 * left; with repair the index is emptied (or its file re-made) and
 * rebuilt from the store. */
static int
search_check(struct store *st, bool repair, bool store_ok,
	     store_check_fn report, void *arg)
{
	char *sp = xasprintf("%s-search", st->path);
	sqlite3 *db = NULL;
	bool unreadable = false, bad = false, remake = false;
	int rc, n;

	if (access(sp, F_OK) < 0) {
		say(report, arg, false, false, "no search index yet; it is "
		    "built at the next search");
		free(sp);
		return 0;
	}
	/* Read-write even for a check: FTS5's check is an INSERT (that
	 * writes nothing); the file is derived, not the store. */
	rc = open_file(sp, true, &db);
	if (rc != SQLITE_OK)
		rc = open_file(sp, false, &db);
	if (rc != SQLITE_OK) {
		say(report, arg, true, false, "the search index '%s' cannot be "
		    "opened (%s)", sp, sqlite3_errstr(rc));
		bad = remake = true;
	} else {
		n = integrity(db, "search index", report, arg, false,
			      &unreadable);
		bad = remake = n > 0;
	}
	if (db && !bad) {
		rc = sqlite3_exec(db, "INSERT INTO item_fts (item_fts) VALUES"
				  " ('integrity-check')", NULL, NULL, NULL);
		if ((rc & 0xff) == SQLITE_READONLY) {
			say(report, arg, false, false, "the full-text index's "
			    "own check was skipped: its file is read-only");
		} else if (rc != SQLITE_OK) {
			say(report, arg, true, false, "the full-text index is "
			    "inconsistent: %s", sqlite3_errmsg(db));
			bad = true;
		}
	}
	if (!bad || !repair) {
		sqlite3_close_v2(db);
		free(sp);
		return bad;
	}
	if (!store_ok) {
		sqlite3_close_v2(db);
		say(report, arg, true, false, "the search index is not rebuilt "
		    "from a damaged store");
		free(sp);
		return 1;
	}
	/* Empty the index and forget its marks; a file SQLite finds damaged
	 * is made again instead. Either way it is rebuilt below. */
	if (!remake &&
	    sqlite3_exec(db, "BEGIN; INSERT INTO item_fts (item_fts) VALUES"
			 " ('delete-all'); UPDATE state SET token = NULL,"
			 " indexed_id = 0, queue_seq = 0; COMMIT", NULL, NULL,
			 NULL) != SQLITE_OK) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		remake = true;
	}
	sqlite3_close_v2(db);
	if (remake)
		unlink_search(sp);
	store_search_attach(st);
	{
		struct err e = { 0 };

		if (store_index_catch_up(st, &e) < 0) {
			say(report, arg, true, false, "the search index could "
			    "not be rebuilt: %s", e.msg);
			free(sp);
			return 1;
		}
	}
	say(report, arg, true, true, "the search index was %s and rebuilt "
	    "from the store", remake ? "made again" : "emptied");
	free(sp);
	return 0;
}

int
store_check(struct store *st, bool repair, store_check_fn report, void *arg,
	    struct err *e)
{
	bool unreadable = false;
	int left, n;

	if (repair && st->readonly)
		return store_upgrade_write(st, e);
	n = integrity(st->db, "store", report, arg, false, &unreadable);
	if (n > 0 && repair &&
	    sqlite3_exec(st->db, "REINDEX", NULL, NULL, NULL) == SQLITE_OK &&
	    integrity(st->db, "store", report, arg, true, &unreadable) == 0) {
		say(report, arg, true, true, "the store's indexes were rebuilt "
		    "(REINDEX); the store is sound again");
		n = 0;
	}
	if (n > 0 && repair)
		say(report, arg, true, false, "cannot repair the store's "
		    "tables or header: restore a copy made by 'glean backup' "
		    "(or the one kept before an upgrade, '%s.before-vN'), or "
		    "salvage what is left with sqlite3's .recover", st->path);
	if (unreadable)
		return n;
	left = n + invariants(st, repair, report, arg);
	left += search_check(st, repair, n == 0, report, arg);
	return left;
}

/* ---- the online backup ---- */

static int
backup_fail(struct store *st, const char *tmp, const char *path, int rc,
	    const char *msg, struct err *e)
{
	unlink(tmp);
	if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
		return store_fail(st, e, rc, "cannot back up the store");
	if ((rc & 0xff) == SQLITE_FULL)
		return err_set(e, ERR_IO, "cannot write the copy '%s': the "
			       "disk is full", path);
	return err_set(e, ERR_IO, "cannot write the copy '%s': %s", path,
		       msg ? msg : sqlite3_errstr(rc));
}

int
store_backup(struct store *st, const char *path, struct err *e)
{
	char *tmp = xasprintf("%s.tmp", path);
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	struct stat a, c;
	int rc, pages = 256, last = -1, restarts = 0, busy = 0, fd;

	if (stat(path, &a) == 0 && stat(st->path, &c) == 0 &&
	    a.st_dev == c.st_dev && a.st_ino == c.st_ino) {
		free(tmp);
		return err_set(e, ERR_USAGE, "'%s' is the store itself; name "
			       "another file for the copy", path);
	}
	if (unlink(tmp) < 0 && errno != ENOENT) {
		rc = err_set(e, ERR_IO, "cannot remove '%s': %s", tmp,
			     strerror(errno));
		free(tmp);
		return rc;
	}
	rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		backup_fail(st, tmp, path, rc, dst ? sqlite3_errmsg(dst) : NULL,
			    e);
		rc = -1;
		goto out;
	}
	b = sqlite3_backup_init(dst, "main", st->db, "main");
	if (!b) {
		backup_fail(st, tmp, path, sqlite3_errcode(dst),
			    sqlite3_errmsg(dst), e);
		rc = -1;
		goto out;
	}
	/* In steps, each a short read of the store, so writers go on
	 * (WAL). A write by another connection restarts the copy; after a
	 * few restarts (a busy fetch) the rest goes in one step, which in
	 * WAL mode still blocks no writer. */
	do {
		int rem;

		rc = sqlite3_backup_step(b, pages);
		rem = sqlite3_backup_remaining(b);
		if (last >= 0 && rem > last && ++restarts >= 3)
			pages = -1;
		last = rem;
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			if (++busy > 500)
				break;
			sqlite3_sleep(20);
		}
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	if (sqlite3_backup_finish(b) != SQLITE_OK && rc == SQLITE_DONE)
		rc = sqlite3_errcode(dst);
	if (rc != SQLITE_DONE) {
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			err_set(e, ERR_BUSY, "cannot copy store '%s': it stayed "
				"busy; try again", st->path);
		else
			backup_fail(st, tmp, path, rc, sqlite3_errmsg(dst), e);
		unlink(tmp);
		rc = -1;
		goto out;
	}
	rc = sqlite3_close(dst);
	dst = NULL;
	if (rc != SQLITE_OK) {
		backup_fail(st, tmp, path, rc, NULL, e);
		rc = -1;
		goto out;
	}
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0 || rename(tmp, path) < 0) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		unlink(tmp);
		rc = err_set(e, ERR_IO, "cannot write the copy '%s': %s", path,
			     strerror(err));
		goto out;
	}
	close(fd);
	rc = 0;
out:
	if (dst)
		sqlite3_close_v2(dst);
	free(tmp);
	return rc < 0 ? -1 : 0;
}
