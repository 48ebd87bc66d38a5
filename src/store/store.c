/*
 * Opening the store: pragmas (SECURITY.md), the read-only fallback, the
 * migration lock, the per-source fetch claims, migrations, transactions
 * and error mapping. The per-table code lives
 * in store_source.c, store_item.c and query.c; this file owns the
 * connection and nothing about the model. The full-text index is in a
 * second file, attached as "search" (store_search.c says why).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"
#include "glean/banned.h"

static int store_readonly(const struct store *st, struct err *e);

int store_migrate_from(struct store *st, int from, struct err *e);

int
store_fail(struct store *st, struct err *e, int rc, const char *what)
{
	/* The connection's message only when it is about this failure (a
	 * catch-up's second connection, a caller's own check: not). */
	const char *msg = st && st->db && sqlite3_extended_errcode(st->db) ==
						   rc
				  ? sqlite3_errmsg(st->db)
				  : sqlite3_errstr(rc);
	const char *path = st && st->path ? st->path : "store";

	switch (rc & 0xff) {
	case SQLITE_FULL:
		return err_set(e, ERR_DB, "%s: the disk is full; free space "
			       "and try again (store '%s')", what, path);
	case SQLITE_IOERR:
		/* a write that hit ENOSPC is reported by SQLite as I/O */
		if (st && st->db && (sqlite3_system_errno(st->db) == ENOSPC ||
				     sqlite3_system_errno(st->db) == EDQUOT))
			return err_set(e, ERR_DB, "%s: the disk is full; free "
				       "space and try again (store '%s')",
				       what, path);
		return err_set(e, ERR_DB, "%s: I/O error on store '%s' (%s)",
			       what, path, msg);
	case SQLITE_READONLY:
		if (st && st->ro_reason)
			return store_readonly(st, e);
		return err_set(e, ERR_DB, "%s: store '%s' is read-only; check "
			       "the file's permissions", what, path);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		/* Writing more into a damaged file can only spread the
		 * damage: this handle writes nothing from now on. */
		if (st)
			st->damaged = true;
		return err_set(e, ERR_DB, "%s: store '%s' is damaged (%s); "
			       "glean stopped writing to it: run 'glean "
			       "check'", what, path, msg);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return err_set(e, ERR_BUSY, "%s: store '%s' is busy; another "
			       "program is using it, try again", what, path);
	case SQLITE_CANTOPEN:
		return err_set(e, ERR_DB, "%s: cannot open store '%s' (%s)",
			       what, path, msg);
	default:
		if (rc == SQLITE_OK) /* the caller's own check failed */
			return err_set(e, ERR_DB, "%s: store '%s' is damaged "
				       "or not a glean database: run 'glean "
				       "check'", what, path);
		return err_set(e, ERR_DB, "%s: %s", what, msg);
	}
}

sqlite3_stmt *
store_prepare(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		BUG("cannot prepare '%s': %s", sql, sqlite3_errmsg(st->db));
	return s;
}

sqlite3_stmt *
store_cached(struct store *st, int slot, const char *sql)
{
	sqlite3_stmt *s = st->cache[slot];

	if (!s) {
		s = store_prepare(st, sql);
		st->cache[slot] = s;
	} else {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
	return s;
}

int
store_prepare_e(struct store *st, const char *sql, sqlite3_stmt **out,
		struct err *e)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, out, NULL);

	if (rc != SQLITE_OK)
		return store_fail(st, e, rc, "cannot run query");
	return 0;
}

char *
store_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t;

	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(s, i);
	return xstrndup((const char *)t, (size_t)sqlite3_column_bytes(s, i));
}

int
store_bind_text(sqlite3_stmt *s, int i, const char *t)
{
	if (!t)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
}

int
store_exec(struct store *st, const char *sql, struct err *e)
{
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		sqlite3_free(msg);
		return store_fail(st, e, rc, "store");
	}
	return 0;
}

static int
pragma_int(struct store *st, const char *sql, int *out)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_schema_version(struct store *st)
{
	int v = -1;

	pragma_int(st, "PRAGMA user_version", &v);
	return v;
}

/* The migration lock: flock on "<db>.lock", holding our pid for the
 * message another glean sees. Writers do not take it (SQLite's own
 * locking serialises their short transactions); only creating or
 * upgrading the schema does, and waits up to LOCK_WAIT_MS for another
 * glean's upgrade to finish. */
#define LOCK_WAIT_MS 10000

static int
take_lock(struct store *st, struct err *e)
{
	char *lp = xasprintf("%s.lock", st->path), buf[32];
	int fd, rc = -1, waited = 0;
	ssize_t n;

	fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(e, ERR_IO, "cannot create lock file '%s': %s", lp,
			strerror(errno));
		goto out;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int64_t pid = 0;
		int err = errno;

		if ((err == EWOULDBLOCK || err == EAGAIN) &&
		    waited < LOCK_WAIT_MS) {
			usleep(20 * 1000);
			waited += 20;
			continue;
		}
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			str_to_i64(str_trim(buf), &pid);
		}
		close(fd);
		if (err == EWOULDBLOCK || err == EAGAIN) {
			if (pid > 0)
				err_set(e, ERR_BUSY, "store '%s' is being "
					"upgraded by pid %lld; try again when "
					"it has finished", st->path,
					(long long)pid);
			else
				err_set(e, ERR_BUSY, "store '%s' is being "
					"upgraded by another glean; try again "
					"when it has finished", st->path);
		} else {
			err_set(e, ERR_IO, "cannot lock '%s': %s", lp,
				strerror(err));
		}
		goto out;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		err_set(e, ERR_IO, "cannot write lock file '%s': %s", lp,
			strerror(errno));
		close(fd);
		goto out;
	}
	st->lock_fd = fd;
	rc = 0;
out:
	free(lp);
	return rc;
}

static void
drop_lock(struct store *st)
{
	if (st->lock_fd < 0)
		return;
	/* Leave the file (another glean may take it next); empty it. */
	if (ftruncate(st->lock_fd, 0) < 0)
		log_warn("cannot truncate lock file");
	flock(st->lock_fd, LOCK_UN);
	close(st->lock_fd);
	st->lock_fd = -1;
}

static int
store_readonly(const struct store *st, struct err *e)
{
	return err_set(e, ERR_DB, "the store '%s' is read-only: %s; reading "
		       "works, saving needs a store you can write (check the "
		       "permissions of the file and its directory, or copy "
		       "it and use --db)", st->path,
		       st->ro_reason ? st->ro_reason : "opened for reading");
}

/* How long a connection waits for another's lock: 5 s. The test suite
 * sets GLEAN_TEST_BUSY_MS to hold a lock on purpose without waiting. */
int
store_busy_ms(void)
{
	const char *test = getenv("GLEAN_TEST_BUSY_MS");
	long ms;

	if (!test || !*test)
		return 5000;
	ms = strtol(test, NULL, 10);
	return ms >= 0 && ms <= 5000 ? (int)ms : 5000;
}

/* Why the store at path cannot be written, or NULL when it can: the
 * file, its directory (the -wal, -shm, -search and .lock files live
 * there) or the filesystem refuses writing. GLEAN_TEST_STORE_READONLY
 * set to a reason makes any store read-only (the test suite runs as
 * root, which permissions do not stop). */
static char *
readonly_reason(const char *path, bool exists)
{
	const char *test = getenv("GLEAN_TEST_STORE_READONLY");
	const char *slash = strrchr(path, '/');
	char *dir, *why = NULL;

	if (test && *test)
		return xstrdup(test);
	if (!slash)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, (size_t)(slash - path));
	if (exists && access(path, W_OK) < 0)
		why = xasprintf("the file cannot be written (%s)",
				strerror(errno));
	else if (access(dir, W_OK) < 0)
		why = xasprintf("its directory '%s' cannot be written (%s)",
				dir, strerror(errno));
	free(dir);
	return why;
}

char *
store_file_uri(const char *path, const char *query)
{
	struct sbuf sb = SBUF_INIT;
	const char *p;

	sbuf_adds(&sb, "file:");
	for (p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			sbuf_addf(&sb, "%%%02X", (unsigned char)*p);
		else
			sbuf_addch(&sb, *p);
	}
	sbuf_addf(&sb, "?%s", query);
	return sbuf_detach(&sb, NULL);
}

/* Count a match of /pat/flags that hit a limit. */
static void
rx_limit_note(struct store *st, const char *pat, const char *flags)
{
	char *name = xasprintf("/%s/%s", pat ? pat : "", flags ? flags : "");
	size_t i;

	st->rx_limit_total++;
	for (i = 0; i < st->nrx_limits; i++)
		if (!strcmp(st->rx_limits[i].pattern, name)) {
			st->rx_limits[i].hits++;
			free(name);
			return;
		}
	st->rx_limits = xrealloc(st->rx_limits, (st->nrx_limits + 1) *
						     sizeof(*st->rx_limits));
	st->rx_limits[st->nrx_limits].pattern = name;
	st->rx_limits[st->nrx_limits++].hits = 1;
}

static void
regexp_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct store *st = sqlite3_user_data(ctx);
	void *re = sqlite3_get_auxdata(ctx, 0);
	const char *subject;
	int r;

	(void)argc;
	if (sqlite3_value_type(argv[2]) == SQLITE_NULL) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	if (!re) {
		struct err e = { 0 };
		const char *pat = (const char *)sqlite3_value_text(argv[0]);
		const char *flags = (const char *)sqlite3_value_text(argv[1]);

		re = st->regex.compile(pat ? pat : "",
				       flags && strchr(flags, 'i'), &e);
		if (!re) {
			sqlite3_result_error(ctx, e.msg, -1);
			return;
		}
		sqlite3_set_auxdata(ctx, 0, re, st->regex.free);
		re = sqlite3_get_auxdata(ctx, 0);
		if (!re) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
	}
	subject = (const char *)sqlite3_value_text(argv[2]);
	r = st->regex.match(re, subject ? subject : "",
			    (size_t)sqlite3_value_bytes(argv[2]));
	/* A match that hits a limit counts as no match, and is counted
	 * under its pattern for the command to report. */
	if (r < 0)
		rx_limit_note(st, (const char *)sqlite3_value_text(argv[0]),
			      (const char *)sqlite3_value_text(argv[1]));
	sqlite3_result_int(ctx, r == 1);
}

size_t
store_rx_limits_take(struct store *st, struct store_rx_limit **out)
{
	size_t n = st->nrx_limits;

	*out = st->rx_limits;
	st->rx_limits = NULL;
	st->nrx_limits = 0;
	return n;
}

void
store_rx_limits_free(struct store_rx_limit *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].pattern);
	free(v);
}

void
store_set_regex(struct store *st, const struct regex_ops *ops)
{
	st->regex = *ops;
	st->have_regex = true;
	sqlite3_create_function(st->db, "glean_regexp", 3,
				SQLITE_UTF8 | SQLITE_DETERMINISTIC |
					SQLITE_DIRECTONLY,
				st, regexp_func, NULL, NULL);
}

/* parse's content_text() and its version, set once before any store
 * opens. */
static store_text_fn text_fn;
static int text_version;

void
store_set_text(store_text_fn fn, int version)
{
	text_fn = fn;
	text_version = version;
}

/* The search index is contentless: a row is deleted with the text it was
 * indexed with, derived again. When the text function's version is not
 * the one the store last saw, a new token rebuilds the index from the
 * text as it is now derived (store_search.c). A failure only warns: the
 * next open tries again. */
static void
text_version_check(struct store *st)
{
	sqlite3_stmt *s;
	char v[16];
	bool same = false;

	if (!text_fn || st->readonly)
		return;
	snprintf(v, sizeof(v), "%d", text_version);
	s = store_prepare(st, "SELECT value = ? FROM meta WHERE key ="
			  " 'text_version'");
	sqlite3_bind_text(s, 1, v, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		same = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (same)
		return;
	s = store_prepare(st, "INSERT OR REPLACE INTO meta (key, value)"
			  " VALUES ('text_version', ?)");
	sqlite3_bind_text(s, 1, v, -1, SQLITE_STATIC);
	if (store_exec(st, "BEGIN IMMEDIATE", NULL) < 0 ||
	    store_exec(st, "UPDATE meta SET value = lower(hex(randomblob(16)))"
		       " WHERE key = 'search_token'", NULL) < 0 ||
	    sqlite3_step(s) != SQLITE_DONE ||
	    store_exec(st, "COMMIT", NULL) < 0) {
		log_warn("store '%s': cannot record the text version: %s",
			 st->path, sqlite3_errmsg(st->db));
		store_exec(st, "ROLLBACK", NULL);
	}
	sqlite3_finalize(s);
}

/* glean_text(content, content_type): the item's plain text, derived
 * (schema 13 keeps no copy); NULL for a NULL body, and for a damaged
 * one (store_body.c): the row reads as an item without text, for the
 * index as for a search, and 'glean check' reports it. */
static void
text_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct sbuf sb = SBUF_INIT;
	const char *c, *why;
	size_t len;
	char *t;

	(void)argc;
	if (store_body_text(sqlite3_user_data(ctx), argv[0], &c, &len,
			    &why) < 0 || !c) {
		sqlite3_result_null(ctx);
		return;
	}
	if (!text_fn) {
		sqlite3_result_error(ctx, "glean_text: no text function "
				     "(store_set_text() before store_open())",
				     -1);
		return;
	}
	text_fn(c, len, (const char *)sqlite3_value_text(argv[1]), &sb);
	t = sbuf_detach(&sb, &len);
	sqlite3_result_text64(ctx, t, len, free, SQLITE_UTF8);
}

static void
body_free(void *b)
{
	store_body_free(b);
}

/* Each connection has its own zstd context for glean_text(): the
 * indexer thread's connection runs it beside the main one. */
void
store_text_register(sqlite3 *db)
{
	sqlite3_create_function_v2(db, "glean_text", 2, SQLITE_UTF8 |
				   SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
				   store_body_new(), text_func, NULL, NULL,
				   body_free);
}

static int
apply_pragmas(struct store *st, struct err *e)
{
	int on = 1;

	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &on);
	sqlite3_busy_timeout(st->db, store_busy_ms());
	if (store_exec(st, "PRAGMA foreign_keys = ON;"
			   "PRAGMA trusted_schema = OFF;"
			   "PRAGMA synchronous = FULL;",
		       e) < 0)
		return -1;
	return 0;
}

static int
migrate(struct store *st, struct err *e)
{
	int v;

	/* 32 KiB pages for a new store (an existing one keeps its own):
	 * items carry kilobytes of HTML and text, and with 4 KiB pages every
	 * row spills into overflow pages, one pwrite each, twice with the
	 * WAL. A cold fetch of the 1000-feed bench corpus spends about a
	 * fifth less system time. Must come before the WAL is set up. */
	if (store_exec(st, "PRAGMA page_size = 32768", e) < 0 ||
	    store_exec(st, "PRAGMA journal_mode = WAL", e) < 0)
		return -1;
	if (store_exec(st, "BEGIN IMMEDIATE", e) < 0)
		return -1;
	v = store_schema_version(st);
	if (v < 0) {
		store_exec(st, "ROLLBACK", NULL);
		return store_fail(st, e, sqlite3_errcode(st->db),
				  "cannot read the store's version");
	}
	if (store_migrate_from(st, v, e) < 0) {
		store_exec(st, "ROLLBACK", NULL);
		return err_prefix(e, "cannot upgrade store '%s'", st->path);
	}
	if (store_exec(st, "COMMIT", e) < 0) {
		store_exec(st, "ROLLBACK", NULL);
		return -1;
	}
	/* Migration 13 dropped item.text: every row of item was rewritten
	 * in place, its pages left half empty (the 1,000-feed bench store
	 * stays 328 MB). New items go at the end, so those pages would
	 * stay so: compact once (2.7 s for that store, 180 MB after). The
	 * upgrade is done either way; a failure only costs the space. */
	if (v > 0 && v < 13) {
		struct err ve = { 0 };

		if (store_exec(st, "VACUUM", &ve) < 0)
			log_warn("store '%s' upgraded, but not compacted: %s",
				 st->path, ve.msg);
	}
	return 0;
}

static int
check_version(struct store *st, struct err *e)
{
	int v = -1;

	if (pragma_int(st, "PRAGMA user_version", &v) < 0)
		return store_fail(st, e, sqlite3_errcode(st->db),
				  "cannot read store");
	if (v < 0) {
		st->damaged = true;
		return err_set(e, ERR_DB, "store '%s' has schema version %d, "
			       "which no glean writes: it is damaged or not a "
			       "glean database; run 'glean check'", st->path,
			       v);
	}
	if (v > store_schema_latest())
		return err_set(e, ERR_DB, "store '%s' was written by a newer "
			       "glean (schema %d; this glean knows up to %d); "
			       "upgrade glean to use it", st->path, v,
			       store_schema_latest());
	return 0;
}

/* Before an upgrade, a copy of the store as it was, in
 * "<db>.before-v<new version>" (one per upgrade, kept until the user
 * removes it; an existing one is replaced). Simple on purpose: a failed
 * copy stops the upgrade, and the old glean can still read the copy. */
static int
backup_before_upgrade(struct store *st, struct err *e)
{
	char *to = xasprintf("%s.before-v%d", st->path,
			     store_schema_latest());
	int rc = store_backup(st, to, e);

	if (rc < 0)
		err_prefix(e, "cannot keep a copy of store '%s' before "
			   "upgrading it", st->path);
	else
		log_info("store '%s' copied to '%s' before the upgrade",
			 st->path, to);
	free(to);
	return rc;
}

/* immutable=1 reads the file alone: changes still in a non-empty -wal
 * (left by a glean that could not checkpoint, with no -shm beside it)
 * are not seen, and the commands say so (store_open_warning). */
static void
note_unread_wal(struct store *st)
{
	char *wal = xasprintf("%s-wal", st->path);
	struct stat sb;

	if (stat(wal, &sb) == 0 && sb.st_size > 0)
		st->open_warning = xasprintf("the store '%s' is read-only and "
			"its last changes, in '%s', cannot be read without "
			"its '-shm' file: what glean shows may be out of "
			"date; open it once where it can be written", st->path,
			wal);
	free(wal);
}

/* The read-only open: "mode=ro" reads the WAL as usual; when its -shm
 * cannot be created (a read-only directory) SQLite cannot read a WAL
 * store that way, and "immutable=1" reads the file as it is (nobody can
 * be writing it there). */
static int
open_readonly(struct store *st, struct err *e)
{
	static const char *const modes[] = { "mode=ro", "mode=ro&immutable=1" };
	size_t i;
	int rc = SQLITE_CANTOPEN;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		char *uri = store_file_uri(st->path, modes[i]);

		rc = sqlite3_open_v2(uri, &st->db,
				     SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
					     SQLITE_OPEN_NOFOLLOW,
				     NULL);
		free(uri);
		if (rc == SQLITE_OK && store_schema_version(st) >= 0) {
			if (i > 0)
				note_unread_wal(st);
			return 0;
		}
		if (rc == SQLITE_OK)
			rc = sqlite3_errcode(st->db);
		sqlite3_close_v2(st->db);
		st->db = NULL;
	}
	return store_fail(st, e, rc, "cannot open store");
}

/* SQLite's settings for the whole process, before its first use. A
 * sorter (CREATE INDEX, an ORDER BY without an index) keeps at least
 * SQLITE_CONFIG_PMASZ pages in memory before it spills to a temporary
 * file: 250 by default, 8 MB with the store's 32 KiB pages, which
 * building the title index after a cold fetch of 1,000 feeds added to
 * the fetch's peak RSS (+3 MB). 32 pages: 1 MB. */
static void
sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_PMASZ, 32);
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

struct store *
store_open(const char *path, unsigned flags, struct err *e)
{
	struct store *st = xcalloc(1, sizeof(*st));
	bool exists = access(path, F_OK) == 0;
	int rc;

	pthread_once(&sqlite_once, sqlite_setup);

	(void)flags; /* every store opens for writing when it can */
	st->path = xstrdup(path);
	st->lock_fd = -1;
	st->claim_fd = -1;
	st->ro_reason = readonly_reason(path, exists);
	if (st->ro_reason && !exists) {
		err_set(e, ERR_IO, "cannot create store '%s': %s", path,
			st->ro_reason);
		goto fail;
	}
	if (st->ro_reason) {
		st->readonly = true;
		if (open_readonly(st, e) < 0)
			goto fail;
	} else {
		/* A new store is created and migrated under the lock, so
		 * another glean does not read it half made. */
		if (!exists && take_lock(st, e) < 0)
			goto fail;
		rc = sqlite3_open_v2(path, &st->db,
				     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					     SQLITE_OPEN_NOFOLLOW,
				     NULL);
		if (rc != SQLITE_OK) {
			store_fail(st, e, rc, "cannot open store");
			goto fail;
		}
	}
	sqlite3_extended_result_codes(st->db, 1);
	store_text_register(st->db);
	if (apply_pragmas(st, e) < 0 || check_version(st, e) < 0)
		goto fail;
	if (store_schema_version(st) < store_schema_latest()) {
		if (st->readonly) {
			err_set(e, ERR_DB, "the store '%s' is read-only (%s) "
				"and was written by an older glean (schema "
				"%d); open it once where it can be written, "
				"to upgrade it", path, st->ro_reason,
				store_schema_version(st));
			goto fail;
		}
		if (st->lock_fd < 0 && take_lock(st, e) < 0)
			goto fail;
		if (exists && store_schema_version(st) > 0 &&
		    backup_before_upgrade(st, e) < 0)
			goto fail;
		if (migrate(st, e) < 0)
			goto fail;
	}
	drop_lock(st);
	text_version_check(st);
	store_search_attach(st);
	store_changed(st);
	return st;
fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	if (!st)
		return;
	store_indexer_stop(st);
	if (st->db) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(st->cache); i++)
			sqlite3_finalize(st->cache[i]);
		if (st->txn_depth)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close_v2(st->db);
	}
	drop_lock(st);
	if (st->claim_fd >= 0)
		close(st->claim_fd);
	store_rx_limits_free(st->rx_limits, st->nrx_limits);
	free(st->ro_reason);
	free(st->open_warning);
	free(st->search_warning);
	store_body_free(st->body);
	free(st->path);
	free(st);
}

bool
store_writable(const struct store *st)
{
	return !st->readonly;
}

const char *
store_readonly_reason(const struct store *st)
{
	return st->readonly ? st->ro_reason : NULL;
}

const char *
store_open_warning(const struct store *st)
{
	return st->open_warning;
}

int
store_upgrade_write(struct store *st, struct err *e)
{
	if (st->readonly)
		return store_readonly(st, e);
	return 0;
}

bool
store_changed(struct store *st)
{
	int v = 0;

	if (pragma_int(st, "PRAGMA data_version", &v) < 0)
		return false;
	if (v != st->data_version) {
		st->data_version = v;
		return true;
	}
	return false;
}

static void gate_enter(struct store *st);
static void gate_leave(struct store *st);
static void gate_pass(struct store *st);

/* A fetch's page cache: 1 MB (32 pages of 32 KiB) up to a store of
 * FETCH_CACHE_FROM bytes, then a 32nd of the store, up to 32 MB.
 * Each new item goes into several indexes in date order (item_date,
 * item_unread), at random places; once those indexes outgrow the
 * cache most inserts read a page back (32 KiB copied from the WAL or
 * the file) and write it out again. On the bench's 1,000-feed cold
 * fetch (a 108 MB store) 2, 4, 8 and 32 MB were no faster than 1 MB,
 * and each MB is a MB of peak RSS, which issue 18 holds to a quarter
 * of newsboat's. On 5,000 feeds (a 550 MB store) the 1 MB cache read
 * 15 GB and wrote 12 GB through system calls: 13.0 s of system time,
 * 7.5 s with 8 MB, 5.7 s with 32 MB (cold fetch CPU 58.3 s, 53.0 s,
 * 51.2 s). */
#define FETCH_CACHE_FROM ((int64_t)256 << 20)
#define FETCH_CACHE_MAX ((int64_t)32 << 20)

static int
fetch_cache(struct store *st, struct err *e)
{
	int pages = 0, size = 0;
	int64_t bytes, kib = 1024;
	char sql[64];

	if (pragma_int(st, "PRAGMA main.page_count", &pages) == 0 &&
	    pragma_int(st, "PRAGMA main.page_size", &size) == 0 &&
	    (bytes = (int64_t)pages * size) > FETCH_CACHE_FROM)
		kib = (bytes / 32 < FETCH_CACHE_MAX ? bytes / 32
						     : FETCH_CACHE_MAX) >> 10;
	snprintf(sql, sizeof(sql), "PRAGMA main.cache_size = -%lld",
		 (long long)kib);
	return store_exec(st, sql, e);
}

/* BEGIN the outermost transaction (no bookkeeping). */
static int
open_txn(struct store *st, bool user_data, struct err *e)
{
	/* Fetched data may lose its last batch to a power cut (it can be
	 * fetched again); what the user wrote is always FULL. */
	if (store_exec(st, user_data ? "PRAGMA synchronous = FULL"
				     : "PRAGMA synchronous = NORMAL", e) < 0 ||
	    (!user_data && fetch_cache(st, e) < 0))
		return -1;
	/* BEGIN IMMEDIATE would take the write lock of every attached
	 * file, the search file too, and stall the indexer (and any
	 * search's catch-up) for the whole transaction: a no-op write
	 * takes the store's write lock alone, waiting as IMMEDIATE does. */
	if (user_data)
		gate_enter(st);
	if (store_exec(st, "BEGIN", e) < 0) {
		gate_leave(st);
		return -1;
	}
	st->deleted_max = -1; /* another writer may have deleted since */
	if (store_exec(st, "DELETE FROM main.meta WHERE 0", e) < 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		gate_leave(st);
		return -1;
	}
	return 0;
}

int
store_begin(struct store *st, bool user_data, struct err *e)
{
	char sp[32];

	if (st->readonly)
		return store_readonly(st, e);
	if (st->damaged)
		return err_set(e, ERR_DB, "store '%s' is damaged; glean does "
			       "not write to it: run 'glean check'", st->path);
	if (user_data && st->batch && st->txn_depth == 1) {
		/* What the user wrote must not wait for a fetch batch: commit
		 * the batch first; the fetch opens a new one later. */
		if (store_batch_commit(st, e) < 0)
			return -1;
	}
	if (st->txn_depth > 0) {
		if (st->txn_depth >= 32)
			BUG("transactions nested 32 deep");
		/* Nested: a savepoint, so a failing inner part (one source)
		 * rolls back alone; but not for fetched data in a fetch
		 * batch (store.h says why). */
		if (!st->txn_dead && (user_data || !st->batch)) {
			snprintf(sp, sizeof(sp), "SAVEPOINT g%d",
				 st->txn_depth);
			if (store_exec(st, sp, e) < 0)
				return -1;
			st->sp_levels |= 1u << st->txn_depth;
		}
		st->txn_depth++;
		st->txn_user |= user_data;
		return 0;
	}
	st->txn_user = user_data;
	if (open_txn(st, user_data, e) < 0)
		return -1;
	st->sp_levels = 0;
	st->txn_dead = false;
	st->txn_depth = 1;
	return 0;
}

int
store_batch_begin(struct store *st, struct err *e)
{
	int rc;

	if (st->batch || st->txn_depth > 0)
		return 0;
	/* Persons' writes first; then hold the gate while waiting for the
	 * write lock, so that another fetch's open batch commits for us as
	 * it would for a person (store_write_waiting). */
	gate_pass(st);
	gate_enter(st);
	rc = store_begin(st, false, e);
	gate_leave(st);
	if (rc < 0)
		return -1;
	st->batch = true;
	return 0;
}

int
store_batch_commit(struct store *st, struct err *e)
{
	if (!st->batch)
		return 0;
	if (st->txn_depth != 1)
		BUG("fetch batch committed inside a nested transaction");
	return store_commit(st, e);
}

bool
store_in_batch(const struct store *st)
{
	return st->batch;
}

bool
store_batch_lost(struct store *st)
{
	bool lost = st->batch_lost;

	st->batch_lost = false;
	return lost;
}

int
store_commit(struct store *st, struct err *e)
{
	char sp[32];

	if (st->txn_depth == 0)
		BUG("store_commit without begin");
	if (st->txn_depth > 1) {
		st->txn_depth--;
		if (!(st->sp_levels & (1u << st->txn_depth)))
			return 0;
		st->sp_levels &= ~(1u << st->txn_depth);
		snprintf(sp, sizeof(sp), "RELEASE g%d", st->txn_depth);
		return store_exec(st, sp, e);
	}
	st->txn_depth = 0;
	st->batch = false;
	if (st->txn_dead) {
		st->txn_dead = false;
		return err_set(e, ERR_DB, "the transaction was rolled back "
			       "after a write failed, and a new one could "
			       "not be opened");
	}
	if (st->txn_user)
		store_exec(st, "PRAGMA synchronous = FULL", NULL);
	if (store_exec(st, "COMMIT", e) < 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		gate_leave(st);
		st->deleted_max = -1;
		return -1;
	}
	gate_leave(st);
	store_exec(st, "PRAGMA synchronous = FULL", NULL);
	store_indexer_poke(st);
	return 0;
}

void
store_rollback(struct store *st)
{
	char sp[64];

	if (st->txn_depth == 0)
		return;
	if (st->txn_depth > 1) {
		st->txn_depth--;
		if (st->sp_levels & (1u << st->txn_depth)) {
			st->sp_levels &= ~(1u << st->txn_depth);
			snprintf(sp, sizeof(sp), "ROLLBACK TO g%d; RELEASE g%d",
				 st->txn_depth, st->txn_depth);
			sqlite3_exec(st->db, sp, NULL, NULL, NULL);
			return;
		}
		if (st->txn_dead)
			return;
		/* A level without a savepoint (fetched data in a batch):
		 * the whole batch goes, and a new transaction takes the
		 * levels still open. Savepoints below went with it. */
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		st->deleted_max = -1;
		st->sp_levels = 0;
		st->batch_lost = true;
		if (open_txn(st, st->txn_user, NULL) < 0)
			st->txn_dead = true;
		return;
	}
	st->txn_depth = 0;
	st->batch = false;
	st->deleted_max = -1;
	st->sp_levels = 0;
	if (st->txn_dead)
		st->txn_dead = false;
	else
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	gate_leave(st);
	sqlite3_exec(st->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
}

/* ---- fetch claims and the write gate (store.h) ----
 * Both are OFD locks on "<db>.fetch": byte <source id> is a fetch's claim
 * on a source, byte 0 (no source has id 0) is the write gate. */

static int
claim_file(struct store *st, struct err *e)
{
	char *cp;

	if (st->claim_fd >= 0)
		return 0;
	cp = xasprintf("%s.fetch", st->path);
	st->claim_fd = open(cp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->claim_fd < 0)
		err_set(e, ERR_IO, "cannot create claim file '%s': %s", cp,
			strerror(errno));
	free(cp);
	return st->claim_fd < 0 ? -1 : 0;
}

static int
claim_lock(struct store *st, int64_t byte, short type, bool wait)
{
	struct flock fl;
	int rc;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = (off_t)byte;
	fl.l_len = 1;
	do
		rc = fcntl(st->claim_fd, wait ? F_OFD_SETLKW : F_OFD_SETLK,
			   &fl);
	while (rc < 0 && wait && errno == EINTR);
	return rc;
}

/* The write gate. SQLite's busy handler polls, backing off to 100 ms
 * sleeps, so a person's write waiting for a fetch batch could miss the
 * moment between one batch's commit and the next batch's begin again and
 * again. A person's write holds the gate shared (many may) from before
 * its BEGIN to its end; a fetch passes through it exclusively before it
 * opens each batch, so it waits until those writes are done, and holds
 * it shared while it waits for the write lock. A fetch with a batch open
 * commits as soon as it sees the gate held (store_write_waiting). */
static void
gate_enter(struct store *st)
{
	if (st->readonly || claim_file(st, NULL) < 0)
		return;
	if (claim_lock(st, 0, F_RDLCK, true) == 0)
		st->gate_held = true;
}

static void
gate_leave(struct store *st)
{
	if (!st->gate_held)
		return;
	claim_lock(st, 0, F_UNLCK, false);
	st->gate_held = false;
}

static void
gate_pass(struct store *st)
{
	if (st->readonly || claim_file(st, NULL) < 0)
		return;
	if (claim_lock(st, 0, F_WRLCK, true) == 0)
		claim_lock(st, 0, F_UNLCK, false);
}

bool
store_write_waiting(struct store *st)
{
	struct flock fl;

	if (st->claim_fd < 0)
		return false;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = 1;
	return fcntl(st->claim_fd, F_OFD_GETLK, &fl) == 0 &&
	       fl.l_type != F_UNLCK;
}

int
store_fetch_claim(struct store *st, int64_t source_id, struct err *e)
{
	if (st->readonly)
		return store_readonly(st, e);
	if (source_id < 1)
		BUG("claim of source %lld", (long long)source_id);
	if (claim_file(st, e) < 0)
		return -1;
	if (claim_lock(st, source_id, F_WRLCK, false) == 0)
		return 1;
	if (errno == EAGAIN || errno == EACCES)
		return 0;
	return err_set(e, ERR_IO, "cannot claim source %lld in '%s.fetch': "
		       "%s", (long long)source_id, st->path, strerror(errno));
}

void
store_fetch_unclaim(struct store *st, int64_t source_id)
{
	if (st->claim_fd >= 0 &&
	    claim_lock(st, source_id, F_UNLCK, false) < 0)
		log_warn("cannot release the claim on source %lld: %s",
			 (long long)source_id, strerror(errno));
}
