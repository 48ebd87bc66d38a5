/*
 * Named values a store keeps about itself (the meta table) that other
 * modules ask for by key: a value made once and then kept for the life
 * of the store, such as a digest feed's random id. Owns only the SQL;
 * what a key means belongs to its caller.
 */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

static int
meta_get(struct store *st, const char *key, char **out, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT value FROM meta"
					" WHERE key = ?");
	int rc;

	store_bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = store_col_text(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, e, rc, "cannot read the store's meta "
				  "table");
	return 0;
}

int
store_meta_once(struct store *st, const char *key, const char *value,
		char **out, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if (meta_get(st, key, out, e) < 0)
		return -1;
	if (*out || !store_writable(st))
		return 0;
	if (store_begin(st, true, e) < 0)
		return -1;
	s = store_prepare(st, "INSERT OR IGNORE INTO meta (key, value)"
			  " VALUES (?, ?)");
	store_bind_text(s, 1, key);
	store_bind_text(s, 2, value);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_rollback(st);
		return store_fail(st, e, rc, "cannot write the store's meta "
				  "table");
	}
	if (store_commit(st, e) < 0)
		return -1;
	return meta_get(st, key, out, e);
}
