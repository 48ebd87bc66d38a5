/*
 * fuzz/fuzz_query.c: libFuzzer target for the query language (DESIGN.md
 * §4, src/store/query.c) on a small real store: the input is compiled
 * with store_query_check() and, when it compiles, run with
 * store_items_count(), so the SQL it builds is prepared and stepped with
 * the pcre2 matcher registered. A query that compiles must run: any
 * failure then other than a usage error (the full-text syntax, a regex
 * limit) aborts. Odd-length inputs also go in as a full-text search.
 * Inputs are cut at 8 KiB (a config line's limit; queries are typed).
 * The store is made once in a temporary directory, removed at exit.
 * Built by fuzz/run.sh and fuzz/replay.sh; it prints nothing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "glean/parse.h"
#include "glean/store.h"
#include "glean/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *st;
static char dir[] = "/tmp/glean-fuzz-query-XXXXXX";
static char path[64];

static void
cleanup(void)
{
	char p[96];

	store_close(st);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	unlink(path);
	rmdir(dir);
}

static struct item
mk(const char *guid, const char *title, const char *text)
{
	struct item it;

	memset(&it, 0, sizeof(it));
	it.guid = xstrdup(guid);
	it.url = xasprintf("https://example.org/%s", guid);
	it.title = xstrdup(title);
	it.content = xasprintf("<p>%s</p>", text);
	it.published = 1700000000;
	return it;
}

static void
setup(void)
{
	struct source s = { 0 };
	struct ingest_stats stats = { 0 };
	struct item items[3];
	struct err e = { 0 };
	int64_t sid;
	size_t i;

	if (!mkdtemp(dir))
		abort();
	store_set_text(content_text, CONTENT_TEXT_VERSION);
	snprintf(path, sizeof(path), "%s/store.db", dir);
	st = store_open(path, STORE_WRITE, &e);
	if (!st)
		abort();
	atexit(cleanup);
	store_set_regex(st, rx_store_ops());
	s.url = "https://example.org/feed";
	if (store_source_add(st, &s, &sid, &e) < 0)
		abort();
	items[0] = mk("g1", "First alpha", "alpha words");
	items[1] = mk("g2", "Second beta", "beta words \xc3\xa9t\xc3\xa9");
	items[2] = mk("g3", "Third", "gamma words");
	if (store_items_upsert(st, sid, items, 3, &stats, &e) < 0)
		abort();
	if (store_item_tag(st, items[0].id, "civic", true, &e) < 0)
		abort();
	for (i = 0; i < 3; i++)
		item_release(&items[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct item_query q = { 0 };
	struct err e = { 0 };
	int64_t n;
	char *text;

	if (!st)
		setup();
	text = xstrndup((const char *)data, size < 8192 ? size : 8192);
	if (store_query_check(st, text, &e) == 0) {
		q.query = text;
		if (store_items_count(st, &q, &n, &e) < 0 &&
		    e.code != ERR_USAGE) {
			fprintf(stderr, "query '%s' compiled but failed: %s\n",
				text, e.msg);
			abort();
		}
	}
	if (size & 1) {
		memset(&q, 0, sizeof(q));
		q.search = text;
		store_items_count(st, &q, &n, &e);
	}
	err_clear(&e);
	free(text);
	return 0;
}
