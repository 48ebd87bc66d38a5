/*
 * json: read and write JSON through SQLite's JSON functions on a private
 * in-memory connection, held in an explicit struct json_ctx (no other
 * JSON library, no per-thread state). Reading validates the
 * whole text with json_valid() and then walks json_tree() once into an
 * immutable node array; writing builds text with json_quote() for every
 * string, then writes the controls it leaves raw (DEL, C1, bidi marks,
 * overrides and isolates, U+2028/U+2029) as \uXXXX too, so no control
 * ever leaves in JSON output.
 */
#ifndef GLEAN_JSON_H
#define GLEAN_JSON_H

#include "glean/base.h"

enum json_type {
	JSON_NULL,
	JSON_TRUE,
	JSON_FALSE,
	JSON_INT,
	JSON_REAL,
	JSON_TEXT,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_node {
	enum json_type type;
	char *key;        /* member name inside an object, else NULL */
	char *text;       /* TEXT: decoded string; INT/REAL: the number as
			   * written by SQLite; NULL otherwise */
	long parent;      /* index or -1 */
	long first_child; /* index or -1 */
	long next;        /* next sibling index or -1 */
	size_t nchildren;
};

/*
 * The private SQLite connection JSON is read and written on. Explicit,
 * never per-thread: its owner uses it on one thread at a time and closes
 * it. Zero-initialised ({ 0 }) is a valid, closed context; it opens on
 * first use. Most callers never see one: json_parse() opens its own for
 * the call and a json_out owns one; a caller writing many small texts in
 * a loop lends one to each (json_out_init_ctx) to open it once.
 */
struct json_conn;
struct json_ctx {
	struct json_conn *conn;
};
void json_ctx_close(struct json_ctx *cx);

struct json {
	struct json_node *v; /* v[0] is the root */
	size_t n, cap;
	struct json_ctx *cx; /* lent by the caller, or NULL (json_parse
			      * opens a context for the call) */
};

/* Parse text (len bytes, need not be NUL-terminated). Fails with ERR_PARSE
 * on invalid JSON (trailing garbage included). j is released first. */
int json_parse(struct json *j, const char *text, size_t len, struct err *e);
void json_release(struct json *j);

const struct json_node *json_root(const struct json *j);
/* First member named key of object o, or NULL (also when o is not an
 * object). */
const struct json_node *json_get(const struct json *j,
				 const struct json_node *o, const char *key);
/* Walk a dotted path of member names ("author.name"); NULL when missing. */
const struct json_node *json_path(const struct json *j,
				  const struct json_node *o, const char *path);
const struct json_node *json_first(const struct json *j,
				   const struct json_node *parent);
const struct json_node *json_next(const struct json *j,
				  const struct json_node *n);
/* Typed getters: NULL / false / -1 when absent or of another type.
 * Returned strings are borrowed until json_release(). */
const char *json_get_str(const struct json *j, const struct json_node *o,
			 const char *path);
/* TEXT or INT rendered as text (ids are kept as text). */
const char *json_get_id(const struct json *j, const struct json_node *o,
			const char *path);
int json_get_i64(const struct json *j, const struct json_node *o,
		 const char *path, int64_t *out);
bool json_get_bool(const struct json *j, const struct json_node *o,
		   const char *path, bool dflt);

/* ---- writer ---- */
struct json_out {
	struct sbuf sb;
	int depth;
	bool first[64]; /* per depth: nothing written yet at this level */
	bool after_key;
	int indent;     /* 0: compact; n: pretty with n spaces */
	struct json_ctx own, *cx; /* cx: own, or one lent at init */
};

void json_out_init(struct json_out *w, int indent);
/* The same, writing on cx (lent: it must outlive w, and w's release
 * leaves it open); NULL = w's own. */
void json_out_init_ctx(struct json_out *w, struct json_ctx *cx, int indent);
/* Frees the text and closes w's own context (a lent one stays open). */
void json_out_release(struct json_out *w);
void json_obj_begin(struct json_out *w);
void json_obj_end(struct json_out *w);
void json_arr_begin(struct json_out *w);
void json_arr_end(struct json_out *w);
void json_key(struct json_out *w, const char *key);
/* A string value; s is quoted by SQLite's json_quote(). Invalid UTF-8
 * becomes U+FFFD. NULL writes null. */
void json_str(struct json_out *w, const char *s);
void json_strn(struct json_out *w, const char *s, size_t len);
void json_i64(struct json_out *w, int64_t v);
void json_bool(struct json_out *w, bool v);
void json_null(struct json_out *w);
/* Insert already-valid JSON text as a value (controls in its strings
 * escaped as json_str would). */
void json_raw(struct json_out *w, const char *text);
/* Convenience: key + value, skipped entirely when s is NULL. */
void json_kv_str(struct json_out *w, const char *key, const char *s);


#endif
