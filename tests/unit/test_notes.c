/* notes: Web Annotations out and back into one store (a second import
 * adds nothing), the shapes other tools write, and hostile input: no
 * crash, a clear result. The Markdown export is tested end to end in
 * tests/integration/t6010-notes-export.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/json.h"
#include "glean/notes.h"
#include "glean/parse.h"
#include "glean/store.h"
#include "check.h"

static char dir[] = "/tmp/glean-notes-XXXXXX";
static struct store *st;
static int64_t item_a, item_b;

static void
setup(void)
{
	struct err e = { 0 };
	struct source s = { 0 };
	struct item it[3];
	struct ingest_stats stats = { 0 };
	struct item_query q = { 0 };
	struct item_list l = { 0 };
	char *path;
	int64_t sid;
	size_t i;

	strcpy(dir, "/tmp/glean-notes-XXXXXX");
	TEST("a store with two items");
	CHECK(mkdtemp(dir) != NULL);
	path = xasprintf("%s/glean.db", dir);
	st = store_open(path, STORE_WRITE, &e);
	free(path);
	CHECK(st != NULL);
	s.url = "https://feed.example/rss";
	s.title = "Feed";
	CHECK(store_source_add(st, &s, &sid, &e) == 0);
	memset(it, 0, sizeof(it));
	it[0].guid = xstrdup("a");
	it[0].url = xstrdup("https://x.example/\xc3\xbc?q=1");
	it[0].title = xstrdup("A");
	it[0].content = xstrdup("alpha beta gamma");
	it[0].content_type = xstrdup("text/plain");
	it[1].guid = xstrdup("b");
	it[1].title = xstrdup("B, no link");
	it[1].content = xstrdup("delta");
	it[1].content_type = xstrdup("text/plain");
	it[2].guid = xstrdup("https://y.example/p"); /* the link as guid */
	it[2].url = xstrdup("https://y.example/p");
	it[2].title = xstrdup("C");
	CHECK(store_items_upsert(st, sid, it, 3, &stats, &e) == 0);
	item_release(&it[0]);
	item_release(&it[1]);
	item_release(&it[2]);
	q.order = ORDER_OLDEST;
	CHECK(store_items_list(st, &q, &l, &e) == 0 && l.n == 3);
	for (i = 0; i < l.n; i++) {
		if (!strcmp(l.v[i].guid, "a"))
			item_a = l.v[i].id;
		else if (!strcmp(l.v[i].guid, "b"))
			item_b = l.v[i].id;
	}
	item_list_release(&l);
}

static void
teardown(void)
{
	char *rm = xasprintf("rm -rf '%s'", dir);
	int r;

	store_close(st);
	st = NULL;
	r = system(rm);
	(void)r;
	free(rm);
}

static size_t
nnotes(int64_t id)
{
	struct item it;
	struct err e = { 0 };
	size_t n;

	if (store_item_get(st, id, false, &it, &e) < 0)
		return (size_t)-1;
	n = it.nnotes;
	item_release(&it);
	return n;
}

static void
test_note_import_once(void)
{
	struct note n = { 0 };
	struct err e = { 0 };
	bool added = false;

	TEST("a note is imported once, with its dates");
	n.body = "b";
	n.quote = "beta";
	n.prefix = "alpha ";
	n.created = 1700000000;
	CHECK(store_note_import(st, item_a, &n, &added, &e) == 0 && added);
	CHECK(store_note_import(st, item_a, &n, &added, &e) == 0 && !added);
	n.suffix = " gamma"; /* other context: another note */
	CHECK(store_note_import(st, item_a, &n, &added, &e) == 0 && added);
	CHECK(nnotes(item_a) == 2);
	CHECK(store_note_import(st, 999999, &n, &added, &e) == -1);
	CHECK(e.code == ERR_NOTFOUND);
}

static void
test_round_trip(void)
{
	struct notes_anno_opts o = { 0 };
	struct notes_import_report r;
	struct sbuf out = SBUF_INIT;
	struct json j = { 0 };
	struct err e = { 0 };
	size_t n = 0, skipped = 0;
	int64_t id;

	TEST("export, then import into the same store: nothing added");
	CHECK(store_note_add(st, item_a, "on a", "beta", NULL, NULL, NULL,
			     &e) == 0);
	CHECK(store_note_add(st, item_b, "on b", NULL, NULL, NULL, NULL,
			     &e) == 0);
	o.version = "t";
	CHECK(notes_anno_write(st, &o, &out, &n, &skipped, &e) == 0);
	CHECK(n == 1 && skipped == 1);
	CHECK(json_parse(&j, out.buf, out.len, &e) == 0);
	/* the IRI is percent-encoded, and still finds the item */
	CHECK_STR(json_get_str(&j, json_root(&j), "type"),
		  "AnnotationCollection");
	CHECK(strstr(out.buf, "https://x.example/%C3%BC?q=1") != NULL);
	json_release(&j);
	CHECK(notes_anno_read(st, out.buf, out.len, &r, &e) == 0);
	CHECK(r.annotations == 1 && r.added == 0 && r.existing == 1);
	notes_import_report_release(&r);
	CHECK(nnotes(item_a) == 1 && nnotes(item_b) == 1);
	TEST("the decoded link is the one the store holds");
	CHECK(store_item_find_url(st, "https://x.example/\xc3\xbc?q=1", &id,
				  &e) == 0 && id == item_a);
	CHECK(store_item_find_url(st, "https://y.example/p", &id, &e) == 0 &&
	      id > 0 && id != item_a && id != item_b);
	CHECK(store_item_find_url(st, "https://nowhere.example/", &id,
				  &e) == 0 && id == 0);
	sbuf_release(&out);
}

static void
test_hostile(void)
{
	static const char *const bad[] = {
		"", "{", "nul\x01l", "\"text\"", "42", "{\"type\": 5}",
		"{\"type\": \"AnnotationCollection\", \"first\": 7}",
		"{\"type\": \"AnnotationCollection\", \"first\": "
		"\"https://elsewhere/page1\"}",
	};
	static const char *const odd[] = {
		"[]",
		"[1, \"x\", null, {\"type\": \"Annotation\"}]",
		"[{\"type\": \"Annotation\", \"target\": {\"selector\": 1}}]",
		"[{\"type\": \"Annotation\", \"body\": 5, \"target\": "
		"{\"source\": \"https://x.example/%C3%BC?q=1\", \"selector\": "
		"[1, {\"type\": \"TextQuoteSelector\"}]}}]",
		"[{\"type\": [\"Annotation\"], \"created\": \"yesterday\", "
		"\"bodyValue\": \"\\u001b[2J hi\", \"target\": "
		"\"https://x.example/%C3%BC?q=1\"}]",
		"{\"type\": \"AnnotationPage\", \"items\": {\"a\": 1}}",
	};
	struct notes_import_report r;
	struct sbuf deep = SBUF_INIT;
	struct err e = { 0 };
	size_t i;

	TEST("not annotations: a clear error, nothing added");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int rc = notes_anno_read(st, bad[i], strlen(bad[i]), &r, &e);

		if (rc < 0)
			CHECK(e.code == ERR_PARSE);
		else
			CHECK(r.added == 0 && r.nproblems == 1);
		notes_import_report_release(&r);
	}
	TEST("odd shapes: read without a crash, problems listed");
	for (i = 0; i < ARRAY_SIZE(odd); i++) {
		CHECK(notes_anno_read(st, odd[i], strlen(odd[i]), &r, &e) == 0);
		notes_import_report_release(&r);
	}
	CHECK(nnotes(item_a) == 1); /* only the bodyValue one */
	TEST("100k nested arrays");
	for (i = 0; i < 100000; i++)
		sbuf_addch(&deep, '[');
	for (i = 0; i < 100000; i++)
		sbuf_addch(&deep, ']');
	CHECK(notes_anno_read(st, deep.buf, deep.len, &r, &e) <= 0);
	notes_import_report_release(&r);
	sbuf_release(&deep);
}

int
main(void)
{
	store_set_text(content_text, CONTENT_TEXT_VERSION);
	FIXTURE(setup, teardown);
	RUN(test_note_import_once);
	RUN(test_round_trip);
	RUN(test_hostile);
	return check_done("test_notes");
}
