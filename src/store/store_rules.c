/*
 * Config rules at ingest: the query language selects among the items
 * just stored, then they are tagged or hidden (a killfile). The rule's
 * query compiles to the same bound-parameter SQL as a filter; this file
 * knows nothing of the config format. Text terms cannot use the search
 * index here (it catches up after the commit, in its own file), so the
 * items are indexed into a temporary FTS5 table with the same tokenizer
 * when a rule has any. Each rule's query runs once to pick its items,
 * then the tags and the hiding are written by id. A rule whose regex
 * hits a PCRE2 limit on more than RULE_LIMIT_HITS_MAX items in a fetch
 * does nothing from then on: it is turned off for the fetch.
 */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

static char *
ids_json(const int64_t *ids, size_t n)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;

	sbuf_addch(&sb, '[');
	for (i = 0; i < n; i++)
		sbuf_addf(&sb, "%s%lld", i ? "," : "", (long long)ids[i]);
	sbuf_addch(&sb, ']');
	return sbuf_detach(&sb, NULL);
}

/* The ids among ids (a JSON array) the rule's query matches, as a new
 * JSON array in *matched: the query runs once, so each item is judged
 * (and a regex limit hit counted) once. */
static int
rule_select(struct store *st, const struct qsql *qs, const char *ids,
	    char **matched, struct err *e)
{
	struct sbuf sql = SBUF_INIT, out = SBUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc = -1, r;

	sbuf_adds(&sql, "SELECT i.id FROM item i JOIN source s ON"
		  " s.id = i.source_id WHERE i.id IN (SELECT value FROM"
		  " json_each(?))");
	if (qs->where.len)
		sbuf_addf(&sql, " AND (%s)", qs->where.buf);
	if (store_prepare_e(st, sql.buf, &s, e) < 0)
		goto out;
	sqlite3_bind_text(s, 1, ids, -1, SQLITE_STATIC);
	qsql_bind(qs, s, 2);
	sbuf_addch(&out, '[');
	while ((r = sqlite3_step(s)) == SQLITE_ROW)
		sbuf_addf(&out, "%s%lld", out.len > 1 ? "," : "",
			  (long long)sqlite3_column_int64(s, 0));
	if (r != SQLITE_DONE) {
		store_fail(st, e, r, "cannot apply rule");
		goto out;
	}
	sbuf_addch(&out, ']');
	*matched = sbuf_detach(&out, NULL);
	rc = 0;
out:
	sbuf_release(&out);
	sqlite3_finalize(s);
	sbuf_release(&sql);
	return rc;
}

/* Run sql (its ?1 the JSON array of ids, ?2 if any tag_id) once, adding what
 * it changed to *changed. */
static int
rule_write(struct store *st, const char *sql, const char *ids,
	   int64_t tag_id, int64_t *changed, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	int r;

	sqlite3_bind_text(s, 1, ids, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, tag_id);
	r = sqlite3_step(s);
	sqlite3_finalize(s);
	if (r != SQLITE_DONE)
		return store_fail(st, e, r, "cannot apply rule");
	*changed += sqlite3_changes(st->db);
	return 0;
}

/* Index just the items ids into temp.rule_fts (created once per
 * connection, emptied per call). 0 or a SQLite code. */
static int
rule_index(struct store *st, const char *ids)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_exec(st->db, "CREATE VIRTUAL TABLE IF NOT EXISTS"
			  " temp.rule_fts USING fts5(title, author, text,"
			  " notes_text, content='', tokenize='unicode61"
			  " remove_diacritics 2');"
			  "INSERT INTO temp.rule_fts (rule_fts) VALUES"
			  " ('delete-all')", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return rc;
	s = store_prepare(st, "INSERT INTO temp.rule_fts (rowid, title,"
			  " author, text, notes_text) SELECT i.id, i.title,"
			  " i.author, " ITEM_TEXT("i") ", i.notes_text FROM"
			  " item AS i WHERE id IN (SELECT"
			  " value FROM json_each(?))");
	sqlite3_bind_text(s, 1, ids, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
store_rules_apply(struct store *st, struct store_rule *rules,
		  size_t nrules, const int64_t *ids, size_t nids,
		  int64_t *hidden, int64_t *tagged, struct err *e)
{
	int64_t h = 0, t = 0, now = time_now();
	char *json;
	size_t r, k;
	int rc = 0, r_idx;
	bool indexed = false;

	if (!nrules || !nids)
		goto done;
	json = ids_json(ids, nids);
	for (r = 0; r < nrules && rc == 0; r++) {
		struct qsql qs = { 0 };
		struct err qe = { 0 };
		int64_t before;
		char *matched = NULL;
		int src;

		if (rules[r].off)
			continue;
		sbuf_init(&qs.where, 0);
		st->fts_rules = true;
		r_idx = query_compile(st, rules[r].match, now, &qs, &qe);
		st->fts_rules = false;
		if (r_idx < 0) {
			err_set(e, ERR_CONFIG, "rule '%s': %s", rules[r].name,
				qe.msg);
			qsql_release(&qs);
			continue;
		}
		if (qs.fts && !indexed) {
			src = rule_index(st, json);
			if (src != SQLITE_OK) {
				rc = store_fail(st, e, src, "cannot apply rule");
				qsql_release(&qs);
				break;
			}
			indexed = true;
		}
		before = st->rx_limit_total;
		rc = rule_select(st, &qs, json, &matched, e);
		qsql_release(&qs);
		if (rc < 0)
			break;
		rules[r].limit_hits += st->rx_limit_total - before;
		if (rules[r].limit_hits > RULE_LIMIT_HITS_MAX) {
			/* too many items it cannot judge: off for the rest
			 * of the fetch, and nothing done here */
			rules[r].off = true;
			free(matched);
			continue;
		}
		if (rules[r].hide)
			rc = rule_write(st, "UPDATE item SET hidden = 1 WHERE id"
					" IN (SELECT value FROM json_each(?1))",
					matched, 0, &h, e);
		for (k = 0; rc == 0 && k < rules[r].ntags; k++) {
			int64_t tid;

			if (store_tag_id(st, rules[r].tags[k], true, &tid, e) < 0) {
				rc = -1;
				break;
			}
			rc = rule_write(st, "INSERT OR IGNORE INTO item_tag"
					" (item_id, tag_id) SELECT value, ?2"
					" FROM json_each(?1)", matched, tid,
					&t, e);
		}
		free(matched);
	}
	free(json);
done:
	if (hidden)
		*hidden = h;
	if (tagged)
		*tagged = t;
	return rc;
}
