/*
 * Config rules at ingest: the query language selects among the items
 * just stored, then they are tagged or hidden (a killfile). The rule's
 * query compiles to the same bound-parameter SQL as a filter; this file
 * knows nothing of the config format. Text terms cannot use the search
 * index here (it catches up after the commit, in its own file), so the
 * items are indexed into a temporary FTS5 table with the same tokenizer
 * when a rule has any. A rule whose regex hits a PCRE2 limit on more
 * than RULE_LIMIT_HITS_MAX items in a fetch is undone (a savepoint per
 * rule) and turned off for the fetch.
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

/* Run "<head> WHERE i.id IN ids AND (rule)" with the rule's binds after
 * the leading ones. */
static int
run_rule(struct store *st, const char *head, const struct qsql *qs,
	 const char *ids, const char *tag_or_null, int64_t tag_id,
	 int64_t *changed, struct err *e)
{
	struct sbuf sql = SBUF_INIT;
	sqlite3_stmt *s = NULL;
	int idx = 1, rc = -1, r;

	sbuf_addf(&sql, "%s FROM item i JOIN source s ON s.id = i.source_id"
		  " WHERE i.id IN (SELECT value FROM json_each(?))", head);
	if (qs->where.len)
		sbuf_addf(&sql, " AND (%s)", qs->where.buf);
	if (!tag_or_null)
		sbuf_addch(&sql, ')'); /* close the UPDATE's subquery */
	if (store_prepare_e(st, sql.buf, &s, e) < 0)
		goto out;
	if (tag_or_null)
		sqlite3_bind_int64(s, idx++, tag_id);
	sqlite3_bind_text(s, idx++, ids, -1, SQLITE_STATIC);
	qsql_bind(qs, s, idx);
	r = sqlite3_step(s);
	if (r != SQLITE_DONE) {
		store_fail(st, e, r, "cannot apply rule");
		goto out;
	}
	*changed += sqlite3_changes(st->db);
	rc = 0;
out:
	sqlite3_finalize(s);
	sbuf_release(&sql);
	return rc;
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
			  " author, text, notes_text) SELECT id, title, author,"
			  " text, notes_text FROM item WHERE id IN (SELECT"
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
		int64_t hits, before, rh, rt;
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
		/* each statement below matches the same items: the most
		 * limit hits of one is the rule's for these items */
		hits = 0;
		if ((src = store_exec(st, "SAVEPOINT glean_rule", e)) < 0) {
			rc = -1;
			qsql_release(&qs);
			break;
		}
		rh = rt = 0;
		before = st->rx_limit_total;
		if (rules[r].hide)
			rc = run_rule(st, "UPDATE item SET hidden = 1 WHERE id IN"
				      " (SELECT i.id", &qs, json, NULL, 0, &rh, e);
		hits = st->rx_limit_total - before;
		for (k = 0; rc == 0 && k < rules[r].ntags; k++) {
			int64_t tid;

			if (store_tag_id(st, rules[r].tags[k], true, &tid, e) < 0) {
				rc = -1;
				break;
			}
			before = st->rx_limit_total;
			rc = run_rule(st, "INSERT OR IGNORE INTO item_tag"
				      " (item_id, tag_id) SELECT i.id, ?", &qs,
				      json, rules[r].tags[k], tid, &rt, e);
			if (st->rx_limit_total - before > hits)
				hits = st->rx_limit_total - before;
		}
		qsql_release(&qs);
		rules[r].limit_hits += hits;
		if (rc == 0 && rules[r].limit_hits > RULE_LIMIT_HITS_MAX) {
			/* too many items it cannot judge: undo it here and
			 * leave it off for the rest of the fetch */
			rules[r].off = true;
			rc = store_exec(st, "ROLLBACK TO glean_rule", e);
			rh = rt = 0;
		}
		if (rc == 0)
			rc = store_exec(st, "RELEASE glean_rule", e);
		else
			sqlite3_exec(st->db, "ROLLBACK TO glean_rule;"
				     " RELEASE glean_rule", NULL, NULL, NULL);
		h += rh;
		t += rt;
	}
	free(json);
done:
	if (hidden)
		*hidden = h;
	if (tagged)
		*tagged = t;
	return rc;
}
