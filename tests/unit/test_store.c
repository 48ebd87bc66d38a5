/* store: migrations from nothing, the writer lock, ingest dedupe and
 * updates that keep the user's work, FTS over notes, the query language. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "glean/parse.h"
#include "glean/store.h"
#include "check.h"

static char dir[] = "/tmp/glean-store-XXXXXX";
static char *dbpath;

static struct item
mk(const char *guid, const char *url, const char *title, const char *text)
{
	struct item it;

	memset(&it, 0, sizeof(it));
	it.guid = guid ? xstrdup(guid) : NULL;
	it.url = url ? xstrdup(url) : NULL;
	it.title = xstrdup(title);
	it.content = xasprintf("<p>%s</p>", text);
	it.text = xstrdup(text);
	it.published = 1700000000;
	return it;
}

static int64_t
count(struct store *st, const char *query, const char *search)
{
	struct item_query q = { 0 };
	struct err e = { 0 };
	int64_t n = -1;

	q.query = query;
	q.search = search;
	if (store_items_count(st, &q, &n, &e) < 0)
		printf("count error: %s\n", e.msg);
	return n;
}

static void
test_open(void)
{
	struct err e = { 0 };
	struct store *st, *st2, *ro;

	TEST("open creates and migrates");
	st = store_open(dbpath, STORE_WRITE, &e);
	CHECK(st != NULL);
	CHECK_INT(store_schema_version(st), store_schema_latest());
	CHECK(store_writable(st));

	TEST("a second writer is refused with the pid");
	st2 = store_open(dbpath, STORE_WRITE, &e);
	CHECK(st2 == NULL);
	CHECK(e.code == ERR_BUSY);
	CHECK(strstr(e.msg, "store is in use by pid") != NULL);

	TEST("a reader opens while the writer holds the lock");
	ro = store_open(dbpath, 0, &e);
	CHECK(ro != NULL);
	CHECK(!store_writable(ro));
	CHECK(store_begin(ro, true, &e) == -1 && e.code == ERR_BUSY);
	store_close(ro);
	store_close(st);

	TEST("after the writer closes, another may write");
	st2 = store_open(dbpath, STORE_WRITE, &e);
	CHECK(st2 != NULL);
	store_close(st2);
}

static void
test_ingest(void)
{
	struct err e = { 0 };
	struct store *st = store_open(dbpath, STORE_WRITE, &e);
	struct source s = { 0 };
	struct ingest_stats stats = { 0 };
	struct item items[3], upd[2];
	struct item got;
	int64_t sid, dup, nid;
	size_t i;

	TEST("add source");
	s.url = "https://example.org/feed";
	CHECK(store_source_add(st, &s, &sid, &e) == 0);
	CHECK(store_source_add(st, &s, &dup, &e) == -1);
	CHECK(dup == sid && strstr(e.msg, "already subscribed"));

	TEST("ingest: guid, then url, then content hash");
	items[0] = mk("g1", "https://example.org/1", "First", "alpha words");
	items[1] = mk(NULL, "https://example.org/2", "Second", "beta words");
	items[2] = mk(NULL, NULL, "Third", "gamma words");
	CHECK(store_items_upsert(st, sid, items, 3, &stats, &e) == 0);
	CHECK_INT(stats.added, 3);
	memset(&stats, 0, sizeof(stats));
	CHECK(store_items_upsert(st, sid, items, 3, &stats, &e) == 0);
	CHECK_INT(stats.added, 0);
	CHECK_INT(stats.unchanged, 3);

	TEST("user work survives an update");
	CHECK(store_item_tag(st, items[0].id, "civic", true, &e) == 0);
	CHECK(store_item_set_flag(st, items[0].id, ITEM_STARRED, true, &e) == 0);
	CHECK(store_item_set_flag(st, items[0].id, ITEM_READ, true, &e) == 0);
	CHECK(store_note_add(st, items[0].id, "remember zebra", "alpha",
			     NULL, NULL, &nid, &e) == 0);
	upd[0] = mk("g1", "https://example.org/1", "First (edited)",
		    "alpha words changed");
	upd[1] = mk(NULL, "https://example.org/2", "Second", "beta words v2");
	memset(&stats, 0, sizeof(stats));
	CHECK(store_items_upsert(st, sid, upd, 2, &stats, &e) == 0);
	CHECK_INT(stats.updated, 2);
	CHECK_INT(stats.added, 0);
	CHECK(upd[0].id == items[0].id);
	CHECK(store_item_get(st, items[0].id, true, &got, &e) == 0);
	CHECK_STR(got.title, "First (edited)");
	CHECK(got.starred && got.read);
	CHECK(got.ntags == 1 && !strcmp(got.tags[0], "civic"));
	CHECK(got.nnotes == 1 && !strcmp(got.notes[0].quote, "alpha"));
	item_release(&got);

	TEST("FTS follows updates and finds notes");
	CHECK_INT(count(st, NULL, "changed"), 1);
	CHECK_INT(count(st, NULL, "zebra"), 1);
	CHECK_INT(count(st, NULL, "v2"), 1);
	CHECK(store_note_delete(st, nid, &e) == 0);
	CHECK_INT(count(st, NULL, "zebra"), 0);
	CHECK_INT(count(st, NULL, "alpha"), 1);

	TEST("query language");
	CHECK_INT(count(st, "tag:civic", NULL), 1);
	CHECK_INT(count(st, "-tag:civic", NULL), 2);
	CHECK_INT(count(st, "is:starred OR title:Third", NULL), 2);
	CHECK_INT(count(st, "is:unread", NULL), 2);
	CHECK_INT(count(st, "has:tag", NULL), 1);
	CHECK(store_query_check(st, "tag:", &e) == -1 && e.code == ERR_USAGE);
	CHECK(store_query_check(st, "is:nothing", &e) == -1);
	CHECK(strstr(e.msg, "is: expects") != NULL);
	CHECK(store_query_check(st, "(a OR b", &e) == -1);
	CHECK(store_query_check(st, "\"a\" OR (b -c)", &e) == 0);
	CHECK(store_query_check(st, "since:1x", &e) == -1);
	/* bound, not formatted: quotes in values are data */
	CHECK_INT(count(st, "tag:\"x' OR 1=1 --\"", NULL), 0);
	CHECK_INT(count(st, NULL, "\"; DROP TABLE item; --"), 0);

	TEST("regex via the registered matcher");
	store_set_regex(st, rx_store_ops());
	CHECK_INT(count(st, "title:/^first/i", NULL), 1);
	CHECK_INT(count(st, "/gamma|beta/", NULL), 2);
	CHECK(store_query_check(st, "title:/(/", &e) == -1);
	CHECK(strstr(e.msg, "offset") != NULL);

	TEST("rules at ingest: auto-tag and hide");
	{
		const char *tags[] = { "greek" };
		struct store_rule rules[2] = {
			{ "tag greek", "title:/^(second|third)$/i", tags, 1,
			  false },
			{ "hide gamma", "gamma", NULL, 0, true },
		};
		int64_t ids[3] = { items[0].id, items[1].id, items[2].id };
		int64_t hid, tagged;

		CHECK(store_begin(st, false, &e) == 0);
		CHECK(store_rules_apply(st, rules, 2, ids, 3, &hid, &tagged,
					&e) == 0);
		CHECK(store_commit(st, &e) == 0);
		CHECK_INT(hid, 1);
		CHECK_INT(tagged, 2);
		CHECK_INT(count(st, "tag:greek", NULL), 1); /* third is hidden */
		rules[0].match = "is:bogus";
		CHECK(store_rules_apply(st, rules, 1, ids, 3, NULL, NULL,
					&e) == 0);
		CHECK(e.code == ERR_CONFIG && strstr(e.msg, "rule 'tag greek'"));
	}

	TEST("rm keeps touched items");
	{
		int64_t kept;

		CHECK(store_source_rm(st, sid, &kept, &e) == 0);
		CHECK_INT(kept, 3); /* tagged by the rules test */
		CHECK_INT(count(st, NULL, "beta"), 1);
	}
	for (i = 0; i < 3; i++)
		item_release(&items[i]);
	for (i = 0; i < 2; i++)
		item_release(&upd[i]);
	store_close(st);
}

int
main(void)
{
	if (!mkdtemp(dir))
		return 1;
	dbpath = xasprintf("%s/glean.db", dir);
	test_open();
	test_ingest();
	free(dbpath);
	{
		char *rm = xasprintf("rm -rf '%s'", dir);
		int r = system(rm);

		(void)r;
		free(rm);
	}
	return check_done("test_store");
}
