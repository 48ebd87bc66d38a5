/* json: reading through json_tree, typed getters, the writer. */
#include <stdlib.h>
#include <string.h>

#include "glean/json.h"
#include "check.h"

static void
test_read(void)
{
	struct json j = { 0 };
	struct err e = { 0 };
	const char *t = "{\"id\": 12345678901234567, \"name\": \"a\\u00e9\","
			" \"list\": [1, \"two\", {\"x\": true}], \"n\": null,"
			" \"deep\": {\"a\": {\"b\": \"c\"}}}";
	const struct json_node *r, *l, *c;
	int64_t v;

	TEST("json invalid");
	CHECK(json_parse(&j, "{\"a\":1} x", 9, &e) == -1);
	CHECK(e.code == ERR_PARSE);
	CHECK(json_parse(&j, "", 0, &e) == -1);

	TEST("json read");
	CHECK(json_parse(&j, t, strlen(t), &e) == 0);
	r = json_root(&j);
	CHECK(r && r->type == JSON_OBJECT);
	CHECK_STR(json_get_id(&j, r, "id"), "12345678901234567");
	CHECK(json_get_i64(&j, r, "id", &v) == 0 && v == 12345678901234567LL);
	CHECK_STR(json_get_str(&j, r, "name"), "a\xC3\xA9");
	CHECK(json_get_str(&j, r, "id") == NULL); /* wrong type */
	CHECK(json_get_str(&j, r, "missing") == NULL);
	CHECK_STR(json_get_str(&j, r, "deep.a.b"), "c");
	l = json_get(&j, r, "list");
	CHECK(l && l->type == JSON_ARRAY && l->nchildren == 3);
	c = json_first(&j, l);
	CHECK(c && c->type == JSON_INT);
	c = json_next(&j, c);
	CHECK(c && c->type == JSON_TEXT && strcmp(c->text, "two") == 0);
	c = json_next(&j, c);
	CHECK(json_get_bool(&j, c, "x", false) == true);
	CHECK(json_next(&j, c) == NULL);
	c = json_get(&j, r, "n");
	CHECK(c && c->type == JSON_NULL);
	json_release(&j);
}

static void
test_write(void)
{
	struct json_out w;

	TEST("json write");
	json_out_init(&w, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "a", "q\"u\n\x01");
	json_kv_str(&w, "skip", NULL);
	json_key(&w, "arr");
	json_arr_begin(&w);
	json_i64(&w, -5);
	json_bool(&w, true);
	json_null(&w);
	json_arr_end(&w);
	json_key(&w, "empty");
	json_obj_begin(&w);
	json_obj_end(&w);
	json_key(&w, "bad");
	json_strn(&w, "x\xFFy", 3);
	json_obj_end(&w);
	CHECK_STR(w.sb.buf, "{\"a\":\"q\\\"u\\n\\u0001\",\"arr\":[-5,true,null],"
			    "\"empty\":{},\"bad\":\"x\xEF\xBF\xBDy\"}");
	json_out_release(&w);
}

/* Every control a terminal or a bidi-aware viewer acts on leaves as
 * \uXXXX (C0, DEL, C1, bidi embeddings/overrides/isolates/marks, the
 * line and paragraph separators); other text passes as UTF-8, and the
 * result is still JSON that reads back to the same string. */
static void
test_write_controls(void)
{
	struct json_out w;
	struct json j = { 0 };
	struct err e = { 0 };
	const char *in = "a\x7f" "b\xC2\x85" "c\xC2\x9B" "d\xE2\x80\xAE"
			 "e\xE2\x81\xA6" "f\xE2\x80\x8F" "g\xE2\x80\xA8"
			 "h\xE2\x80\xA9" "i\xD8\x9C" "j\xC3\xA9\xE2\x80\x94"
			 "\xF0\x9F\x98\x80\x1b";
	size_t i;

	TEST("json write escapes C1, DEL, bidi and separators");
	json_out_init(&w, 0);
	json_str(&w, in);
	CHECK_STR(w.sb.buf, "\"a\\u007fb\\u0085c\\u009bd\\u202ee\\u2066"
			    "f\\u200fg\\u2028h\\u2029i\\u061cj\xC3\xA9\xE2\x80\x94"
			    "\xF0\x9F\x98\x80\\u001b\"");
	for (i = 0; i < w.sb.len; i++)
		CHECK((unsigned char)w.sb.buf[i] >= 0x20 &&
		      (unsigned char)w.sb.buf[i] != 0x7f);
	CHECK(json_parse(&j, w.sb.buf, w.sb.len, &e) == 0);
	CHECK_STR(json_root(&j)->text, in);
	json_release(&j);
	json_out_release(&w);

	TEST("json write escapes controls in keys too");
	json_out_init(&w, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "k\xE2\x80\xAD", "v");
	json_obj_end(&w);
	CHECK_STR(w.sb.buf, "{\"k\\u202d\":\"v\"}");
	json_out_release(&w);

	TEST("json_raw escapes them in stored JSON too");
	json_out_init(&w, 0);
	json_raw(&w, "[{\"url\": \"a\xC2\x9B\xE2\x80\xAE\"}]");
	CHECK_STR(w.sb.buf, "[{\"url\": \"a\\u009b\\u202e\"}]");
	json_out_release(&w);
}

/* A context lent to many writers and readers opens once, outlives
 * them, and is closed by its owner; json_out's own is closed on
 * release, json_parse()'s at the end of the call. */
static void
test_ctx(void)
{
	struct json_ctx cx = { 0 };
	struct json_out w;
	struct json j = { 0 };
	struct json_conn *first;
	struct err e = { 0 };
	int i;

	TEST("a lent context is opened once and stays the owner's");
	CHECK(cx.conn == NULL);
	for (i = 0; i < 3; i++) {
		json_out_init_ctx(&w, &cx, 0);
		json_str(&w, "a\"b");
		CHECK_STR(w.sb.buf, "\"a\\\"b\"");
		json_out_release(&w);
		CHECK(cx.conn != NULL);
	}
	first = cx.conn;
	j.cx = &cx;
	CHECK(json_parse(&j, "[\"x\"]", 5, &e) == 0);
	CHECK(cx.conn == first);
	CHECK(j.n == 2 && j.v[1].text && strcmp(j.v[1].text, "x") == 0);
	json_release(&j);
	CHECK(j.cx == &cx);
	json_ctx_close(&cx);
	CHECK(cx.conn == NULL);
	json_ctx_close(&cx); /* closing twice is harmless */

	TEST("a writer's own context is closed by its release");
	json_out_init(&w, 0);
	json_str(&w, "x");
	CHECK(w.own.conn != NULL && w.cx == &w.own);
	json_out_release(&w);
	CHECK(w.own.conn == NULL);
}

int
main(void)
{
	RUN(test_read);
	RUN(test_write);
	RUN(test_write_controls);
	RUN(test_ctx);
	return check_done("test_json");
}
