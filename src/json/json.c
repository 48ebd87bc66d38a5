/*
 * JSON through SQLite: the only JSON code in glean. A private in-memory
 * connection (struct json_conn) holds the three prepared statements we
 * need (json_valid, json_tree, json_quote; the writer also escapes the
 * C1, DEL and bidi controls json_quote leaves raw). It lives in a json_ctx that
 * one owner opens on first use and closes: a writer's own, a reader's
 * for the length of one json_parse(), or one a caller lends to many
 * (seek writes an enclosure list per item on one). No thread-local
 * state: whoever holds a ctx uses it on one thread at a time.
 * This module does not know any service's schema; callers check each
 * field's type through the typed getters.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "glean/json.h"
#include "glean/banned.h"

struct json_conn {
	sqlite3 *db;
	sqlite3_stmt *valid, *tree, *quote;
};

static struct json_conn *
conn_of(struct json_ctx *cx)
{
	struct json_conn *c = cx->conn;

	if (c)
		return c;
	c = xcalloc(1, sizeof(*c));
	if (sqlite3_open_v2(":memory:", &c->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		die("cannot open in-memory sqlite for JSON");
	if (sqlite3_prepare_v2(c->db, "SELECT json_valid(?1)", -1, &c->valid,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db,
			       "SELECT id, parent, key, type, atom "
			       "FROM json_tree(?1)",
			       -1, &c->tree, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "SELECT json_quote(?1)", -1, &c->quote,
			       NULL) != SQLITE_OK)
		die("cannot prepare JSON statements: %s",
		    sqlite3_errmsg(c->db));
	cx->conn = c;
	return c;
}

void
json_ctx_close(struct json_ctx *cx)
{
	struct json_conn *c = cx->conn;

	if (!c)
		return;
	sqlite3_finalize(c->valid);
	sqlite3_finalize(c->tree);
	sqlite3_finalize(c->quote);
	sqlite3_close(c->db);
	free(c);
	cx->conn = NULL;
}

void
json_release(struct json *j)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		free(j->v[i].key);
		free(j->v[i].text);
	}
	free(j->v);
	j->v = NULL;
	j->n = j->cap = 0;
}

static enum json_type
type_of(const char *t)
{
	switch (t[0]) {
	case 'n': return JSON_NULL;
	case 't': return t[1] == 'r' ? JSON_TRUE : JSON_TEXT;
	case 'f': return JSON_FALSE;
	case 'i': return JSON_INT;
	case 'r': return JSON_REAL;
	case 'a': return JSON_ARRAY;
	default: return JSON_OBJECT;
	}
}

static int parse_on(struct json_conn *c, struct json *j, const char *text,
		    size_t len, struct err *e);

int
json_parse(struct json *j, const char *text, size_t len, struct err *e)
{
	struct json_ctx own = { 0 };
	int rc;

	json_release(j);
	if (len > 0x7fffffff)
		return err_set(e, ERR_LIMIT, "JSON text too large");
	rc = parse_on(conn_of(j->cx ? j->cx : &own), j, text, len, e);
	json_ctx_close(&own);
	return rc;
}

static int
parse_on(struct json_conn *c, struct json *j, const char *text, size_t len,
	 struct err *e)
{
	long stack_idx[256];
	sqlite3_int64 stack_id[256];
	long last_child[256];
	int sp = -1, rc;

	sqlite3_bind_text(c->valid, 1, text, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(c->valid);
	if (rc != SQLITE_ROW || sqlite3_column_int(c->valid, 0) != 1) {
		sqlite3_reset(c->valid);
		sqlite3_clear_bindings(c->valid);
		return err_set(e, ERR_PARSE, "not valid JSON");
	}
	sqlite3_reset(c->valid);
	sqlite3_clear_bindings(c->valid);

	sqlite3_bind_text(c->tree, 1, text, (int)len, SQLITE_STATIC);
	while ((rc = sqlite3_step(c->tree)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(c->tree, 0);
		bool has_parent = sqlite3_column_type(c->tree, 1) != SQLITE_NULL;
		sqlite3_int64 pid = sqlite3_column_int64(c->tree, 1);
		const char *type = (const char *)sqlite3_column_text(c->tree, 3);
		struct json_node *nd;
		long idx = (long)j->n;

		XGROW(j->v, j->cap, j->n + 1);
		nd = &j->v[j->n++];
		memset(nd, 0, sizeof(*nd));
		nd->parent = nd->first_child = nd->next = -1;
		nd->type = type_of(type ? type : "null");
		if (nd->type == JSON_TEXT || nd->type == JSON_INT ||
		    nd->type == JSON_REAL) {
			const char *a = (const char *)sqlite3_column_text(c->tree, 4);
			int alen = sqlite3_column_bytes(c->tree, 4);

			nd->text = xstrndup(a ? a : "", (size_t)alen);
		}
		if (has_parent) {
			while (sp >= 0 && stack_id[sp] != pid)
				sp--;
			if (sp < 0) {
				sqlite3_reset(c->tree);
				json_release(j);
				return err_set(e, ERR_PARSE, "malformed JSON tree");
			}
			nd->parent = stack_idx[sp];
			if (j->v[nd->parent].type == JSON_OBJECT &&
			    sqlite3_column_type(c->tree, 2) == SQLITE_TEXT)
				nd->key = xstrdup(
					(const char *)sqlite3_column_text(c->tree, 2));
			if (last_child[sp] < 0)
				j->v[nd->parent].first_child = idx;
			else
				j->v[last_child[sp]].next = idx;
			last_child[sp] = idx;
			j->v[nd->parent].nchildren++;
		}
		if (nd->type == JSON_ARRAY || nd->type == JSON_OBJECT) {
			if (sp + 1 >= (int)ARRAY_SIZE(stack_id)) {
				sqlite3_reset(c->tree);
				json_release(j);
				return err_set(e, ERR_LIMIT, "JSON nested too deeply");
			}
			sp++;
			stack_id[sp] = id;
			stack_idx[sp] = idx;
			last_child[sp] = -1;
		}
	}
	sqlite3_reset(c->tree);
	sqlite3_clear_bindings(c->tree);
	if (rc != SQLITE_DONE || j->n == 0) {
		json_release(j);
		return err_set(e, ERR_PARSE, "cannot read JSON: %s",
			       sqlite3_errmsg(c->db));
	}
	return 0;
}

const struct json_node *
json_root(const struct json *j)
{
	return j->n ? &j->v[0] : NULL;
}

const struct json_node *
json_first(const struct json *j, const struct json_node *p)
{
	return p && p->first_child >= 0 ? &j->v[p->first_child] : NULL;
}

const struct json_node *
json_next(const struct json *j, const struct json_node *n)
{
	return n && n->next >= 0 ? &j->v[n->next] : NULL;
}

const struct json_node *
json_get(const struct json *j, const struct json_node *o, const char *key)
{
	const struct json_node *c;

	if (!o || o->type != JSON_OBJECT)
		return NULL;
	for (c = json_first(j, o); c; c = json_next(j, c))
		if (c->key && strcmp(c->key, key) == 0)
			return c;
	return NULL;
}

const struct json_node *
json_path(const struct json *j, const struct json_node *o, const char *path)
{
	char part[128];
	const char *dot;

	while (o && *path) {
		size_t n;

		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		o = json_get(j, o, part);
		path += n + (dot ? 1 : 0);
	}
	return o;
}

const char *
json_get_str(const struct json *j, const struct json_node *o, const char *path)
{
	const struct json_node *n = json_path(j, o, path);

	return n && n->type == JSON_TEXT ? n->text : NULL;
}

const char *
json_get_id(const struct json *j, const struct json_node *o, const char *path)
{
	const struct json_node *n = json_path(j, o, path);

	return n && (n->type == JSON_TEXT || n->type == JSON_INT) ? n->text
								  : NULL;
}

int
json_get_i64(const struct json *j, const struct json_node *o, const char *path,
	     int64_t *out)
{
	const struct json_node *n = json_path(j, o, path);

	if (!n || n->type != JSON_INT)
		return -1;
	return str_to_i64(n->text, out);
}

bool
json_get_bool(const struct json *j, const struct json_node *o, const char *path,
	      bool dflt)
{
	const struct json_node *n = json_path(j, o, path);

	if (n && n->type == JSON_TRUE)
		return true;
	if (n && n->type == JSON_FALSE)
		return false;
	return dflt;
}

/* ---- writer ---- */

/* Code points json_quote() passes through raw but a terminal or a
 * bidi-aware viewer acts on: DEL, C1, the Arabic letter mark, the
 * directional marks, the line and paragraph separators, the bidi
 * embeddings/overrides and the isolates. (json_quote escapes C0.) */
static bool
needs_escape(uint32_t cp)
{
	return cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c ||
	       cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* Append json_quote()'s valid-UTF-8 literal q to sb with every code
 * point needs_escape() names turned into \uXXXX. They only occur inside
 * the string (never next to a backslash escape's letters), so the
 * result stays one valid JSON string with the same value. */
static void
add_escaped(struct sbuf *sb, const char *q, size_t len)
{
	size_t i = 0, run = 0, n;
	uint32_t cp;

	while (i < len) {
		if ((unsigned char)q[i] < 0x7f) {
			i++;
			continue;
		}
		n = utf8_decode(q + i, len - i, &cp);
		if (n == 0)
			n = 1; /* cannot happen: json_quote's output is UTF-8 */
		else if (needs_escape(cp)) {
			sbuf_add(sb, q + run, i - run);
			sbuf_addf(sb, "\\u%04x", (unsigned)cp);
			run = i + n;
		}
		i += n;
	}
	sbuf_add(sb, q + run, len - run);
}

/* s quoted as a JSON string literal (with the quotes), appended to sb. */
static void
quote_to(struct json_conn *c, struct sbuf *sb, const char *s, size_t len)
{
	const char *q;
	char *fixed = NULL;

	if (!utf8_valid(s, len)) {
		struct sbuf t = SBUF_INIT;
		size_t i = 0, n;
		uint32_t cp;
		char enc[4];

		while (i < len) {
			n = utf8_decode(s + i, len - i, &cp);
			if (n == 0) {
				sbuf_add(&t, "\xEF\xBF\xBD", 3);
				i++;
				continue;
			}
			sbuf_add(&t, enc, (size_t)utf8_encode(cp, enc));
			i += n;
		}
		fixed = sbuf_detach(&t, &len);
		s = fixed;
	}
	sqlite3_bind_text(c->quote, 1, s, (int)len, SQLITE_STATIC);
	if (sqlite3_step(c->quote) != SQLITE_ROW)
		die("json_quote failed: %s", sqlite3_errmsg(c->db));
	q = (const char *)sqlite3_column_text(c->quote, 0);
	add_escaped(sb, q, (size_t)sqlite3_column_bytes(c->quote, 0));
	sqlite3_reset(c->quote);
	sqlite3_clear_bindings(c->quote);
	free(fixed);
}

void
json_out_init_ctx(struct json_out *w, struct json_ctx *cx, int indent)
{
	memset(w, 0, sizeof(*w));
	sbuf_init(&w->sb, 0);
	w->first[0] = true;
	w->indent = indent;
	w->cx = cx ? cx : &w->own;
}

void
json_out_init(struct json_out *w, int indent)
{
	json_out_init_ctx(w, NULL, indent);
}

void
json_out_release(struct json_out *w)
{
	sbuf_release(&w->sb);
	json_ctx_close(&w->own);
}

static void
quote(struct json_out *w, const char *s, size_t len)
{
	quote_to(conn_of(w->cx), &w->sb, s, len);
}

static void
newline(struct json_out *w)
{
	int i;

	if (!w->indent)
		return;
	sbuf_addch(&w->sb, '\n');
	for (i = 0; i < w->depth * w->indent; i++)
		sbuf_addch(&w->sb, ' ');
}

static void
before_value(struct json_out *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth])
			sbuf_addch(&w->sb, ',');
		newline(w);
	}
	w->first[w->depth] = false;
}

static void
open_container(struct json_out *w, char c)
{
	before_value(w);
	sbuf_addch(&w->sb, c);
	if (w->depth + 1 >= (int)ARRAY_SIZE(w->first))
		BUG("json_out nested too deeply");
	w->depth++;
	w->first[w->depth] = true;
}

static void
close_container(struct json_out *w, char c)
{
	bool empty = w->first[w->depth];

	w->depth--;
	if (!empty)
		newline(w);
	sbuf_addch(&w->sb, c);
}

void json_obj_begin(struct json_out *w) { open_container(w, '{'); }
void json_obj_end(struct json_out *w) { close_container(w, '}'); }
void json_arr_begin(struct json_out *w) { open_container(w, '['); }
void json_arr_end(struct json_out *w) { close_container(w, ']'); }

void
json_key(struct json_out *w, const char *key)
{
	before_value(w);
	quote(w, key, strlen(key));
	sbuf_adds(&w->sb, w->indent ? ": " : ":");
	w->after_key = true;
}

void
json_strn(struct json_out *w, const char *s, size_t len)
{
	before_value(w);
	if (!s)
		sbuf_adds(&w->sb, "null");
	else
		quote(w, s, len);
}

void
json_str(struct json_out *w, const char *s)
{
	json_strn(w, s, s ? strlen(s) : 0);
}

void
json_i64(struct json_out *w, int64_t v)
{
	before_value(w);
	sbuf_addf(&w->sb, "%lld", (long long)v);
}

void
json_bool(struct json_out *w, bool v)
{
	before_value(w);
	sbuf_adds(&w->sb, v ? "true" : "false");
}

void
json_null(struct json_out *w)
{
	before_value(w);
	sbuf_adds(&w->sb, "null");
}

void
json_raw(struct json_out *w, const char *text)
{
	before_value(w);
	/* JSON stored by an older glean may hold the controls raw: in
	 * valid JSON they can only be inside strings */
	add_escaped(&w->sb, text, strlen(text));
}

void
json_kv_str(struct json_out *w, const char *key, const char *s)
{
	if (!s)
		return;
	json_key(w, key);
	json_str(w, s);
}
