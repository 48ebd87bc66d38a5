/*
 * Unit tests for src/service (reading): the shared helpers,
 * then each service's run driven with hand-made responses (no network):
 * requests built, posts mapped, wrong types skipped, paging decided,
 * status codes and rate-limit headers read, tokens kept out of messages.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "glean/config.h"
#include "glean/fetch.h"
#include "glean/service.h"
#include "glean/store.h"
#include "glean/banned.h"

#define CANARY "canary-unit-0451"

static struct config cfg;

static void
load_cfg(void)
{
	static const char text[] =
		"[general]\nfirst-run-depth = 100\n"
		"[account \"m\"]\nservice = mastodon\nurl = http://127.0.0.1:9\n"
		"token-env = SOCIAL_TOK\n"
		"[account \"b\"]\nservice = bluesky\nurl = http://127.0.0.1:9/\n"
		"[account \"x\"]\nservice = x\nurl = http://127.0.0.1:9\n"
		"token-env = SOCIAL_TOK\nmax-posts-per-run = 6\n"
		"[account \"d\"]\nservice = discourse\nurl = http://127.0.0.1:9\n"
		"user = sys\ntoken-env = SOCIAL_TOK\n";
	struct err e = { 0 };

	config_init(&cfg);
	cfg.services = service_names();
	TEST("the test configuration parses");
	CHECK(config_parse(&cfg, "test", text, strlen(text), &e) == 0);
	setenv("SOCIAL_TOK", CANARY, 1);
}

static void
release_cfg(void)
{
	config_release(&cfg);
}

static void
resp_make(struct fetch_resp *r, long status, const char *body,
	  const char *const *hdrs)
{
	size_t n = 0;

	fetch_resp_init(r);
	r->status = status;
	sbuf_adds(&r->body, body);
	while (hdrs && hdrs[n])
		n += 2;
	r->nhdr = n / 2;
	r->hdr_names = xcalloc(r->nhdr + 1, sizeof(char *));
	r->hdr_values = xcalloc(r->nhdr + 1, sizeof(char *));
	for (n = 0; n < r->nhdr; n++) {
		r->hdr_names[n] = xstrdup(hdrs[2 * n]);
		r->hdr_values[n] = xstrdup(hdrs[2 * n + 1]);
	}
	if (status >= 300)
		err_set(&r->err, ERR_HTTP, "HTTP %ld", status);
}

/* Feed one response; returns what social_run_response returned. */
static int
feed(struct social_run *r, long status, const char *body,
     const char *const *hdrs, struct err *e)
{
	struct fetch_resp resp;
	int rc;

	resp_make(&resp, status, body, hdrs);
	rc = social_run_response(r, &resp, e);
	fetch_resp_release(&resp);
	return rc;
}

static void
test_helpers(void)
{
	struct sbuf sb = SBUF_INIT;
	char *s;

	TEST("helpers");
	CHECK(social_id_cmp("110000000000000103", "99") > 0);
	CHECK(social_id_cmp("99", "100") < 0);
	CHECK(social_id_cmp("0042", "42") == 0);
	s = social_title("<p>Hello there. Second one.</p>", 100);
	CHECK_STR(s, "Hello there.");
	free(s);
	s = social_title("one two three four five six", 12);
	CHECK_STR(s, "one two\xe2\x80\xa6");
	free(s);
	s = social_title("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 5);
	CHECK(s && utf8_valid(s, strlen(s)));
	free(s);
	CHECK(social_title("<p></p>", 10) == NULL);
	s = social_author("Ann", "ann@x.example");
	CHECK_STR(s, "Ann (@ann@x.example)");
	free(s);
	s = social_author("", "bob");
	CHECK_STR(s, "@bob");
	free(s);
	s = social_author("Evil\xe2\x80\xaeName\n", "e");
	CHECK_STR(s, "EvilName  (@e)");
	free(s);
	s = social_link_rel("<https://a/x?max_id=1>; rel=\"next\", "
			    "<https://a/x?min_id=9>; rel=\"prev\"", "prev");
	CHECK_STR(s, "https://a/x?min_id=9");
	free(s);
	CHECK(social_link_rel("<https://a/x>; rel=\"prev\"", "next") == NULL);
	CHECK(social_link_rel(NULL, "next") == NULL);
	CHECK(social_same_origin("http://127.0.0.1:9", "http://127.0.0.1:9/a"));
	CHECK(!social_same_origin("http://127.0.0.1:9", "http://127.0.0.1:99/a"));
	CHECK(!social_same_origin("https://h", "https://h.evil/a"));
	CHECK(!social_same_origin("https://h", "http://h/a"));
	social_url_escape(&sb, "at://did:plc:a/x y");
	CHECK_STR(sb.buf, "at%3A%2F%2Fdid%3Aplc%3Aa%2Fx%20y");
	sbuf_reset(&sb);
	social_html_escape(&sb, "<a href=\"x\">&", 14);
	CHECK_STR(sb.buf, "&lt;a href=&quot;x&quot;&gt;&amp;");
	sbuf_release(&sb);
	CHECK_STR(social_mime("https://h/a.JPG?x=1", "image/*"), "image/jpeg");
	CHECK_STR(social_mime("https://h/a", "image/*"), "image/*");
	CHECK(service_by_name("feed") == NULL);
	CHECK(service_by_name("mastodon") == &mastodon_service);
	CHECK(service_by_name("mastodon")->source != NULL);
	CHECK(service_by_name("x") == &x_service);
	CHECK(service_by_name("discourse")->share != NULL);
	CHECK(service_by_name("email") == NULL);
	{
		const char *const *n = service_names();
		size_t i;

		for (i = 0; n[i]; i++)
			CHECK(service_by_name(n[i]) == services[i]);
		CHECK_INT(i, 4);
	}
}

static void
test_classify(void)
{
	const char *kind, *acct;
	char *title;
	struct err e = { 0 };
	struct config empty;

	TEST("classify");
	CHECK_INT(social_classify(&cfg, "http://127.0.0.1:9/lists/6", &kind,
				  &acct, &title, &e), 1);
	CHECK_STR(kind, "mastodon");
	CHECK_STR(acct, "m");
	free(title);
	CHECK_INT(social_classify(&cfg, "https://bsky.app/profile/a.b/lists/"
				  "3k", &kind, &acct, &title, &e), 1);
	CHECK_STR(kind, "bluesky");
	free(title);
	CHECK_INT(social_classify(&cfg, "https://twitter.com/i/lists/123",
				  &kind, &acct, &title, &e), 1);
	CHECK_STR(kind, "x");
	free(title);
	CHECK_INT(social_classify(&cfg, "http://127.0.0.1:9/c/civic/5", &kind,
				  &acct, &title, &e), 1);
	CHECK_STR(kind, "discourse");
	free(title);
	/* a category without its id and other hosts stay RSS */
	CHECK_INT(social_classify(&cfg, "http://127.0.0.1:9/c/civic", &kind,
				  &acct, &title, &e), 0);
	CHECK_INT(social_classify(&cfg, "https://forum.example/c/a/5", &kind,
				  &acct, &title, &e), 0);
	CHECK_INT(social_classify(&cfg, "https://example.org/feed.xml", &kind,
				  &acct, &title, &e), 0);
	config_init(&empty);
	CHECK_INT(social_classify(&empty, "https://m.example/lists/6", &kind,
				  &acct, &title, &e), -1);
	CHECK(e.code == ERR_CONFIG);
	CHECK(strstr(e.msg, "[account \"mastodon\"]\nservice = mastodon\n"
			    "url = https://m.example\n") != NULL);
	CHECK_INT(social_classify(&empty, "https://bsky.app/profile/a/lists/"
				  "r", &kind, &acct, &title, &e), 1);
	CHECK(acct == NULL);
	free(title);
	config_release(&empty);
}

static void
run_init(struct social_run *r, const char *kind, const char *url,
	 const char *cursor)
{
	struct source s = { 0 };
	struct err e = { 0 };

	s.id = 7;
	s.kind = (char *)kind;
	s.url = (char *)url;
	s.cursor = (char *)cursor;
	if (social_run_init(r, &cfg, &s, 1893452400, &e) < 0)
		printf("init %s: %s\n", kind, e.msg);
}

static bool
has_header(const struct social_run *r, const char *h)
{
	size_t i;

	for (i = 0; r->hdrv[i]; i++)
		if (!strcmp(r->hdrv[i], h))
			return true;
	return false;
}

static const char mastodon_page[] =
	"[{\"id\":\"103\",\"created_at\":\"2026-11-25T10:00:00.000Z\","
	"\"uri\":\"https://s.example/users/bob/statuses/103/activity\","
	"\"url\":null,\"content\":\"\",\"spoiler_text\":\"\","
	"\"account\":{\"acct\":\"bob\",\"display_name\":\"Bob\","
	"\"url\":\"https://s.example/@bob\"},"
	"\"reblog\":{\"id\":\"90\",\"created_at\":\"2026-11-24T09:00:00Z\","
	"\"uri\":\"https://s.example/users/al/statuses/90\","
	"\"url\":\"https://s.example/@al/90\","
	"\"content\":\"<p>Original words. More.</p>\",\"spoiler_text\":\"\","
	"\"account\":{\"acct\":\"al@o.example\",\"display_name\":\"Al\","
	"\"url\":\"https://o.example/@al\"},"
	"\"media_attachments\":[{\"type\":\"video\","
	"\"url\":\"https://f.example/v.mp4\",\"description\":\"cat\"}],"
	"\"card\":{\"url\":\"https://example.org/r\",\"title\":\"R\"}}},"
	"{\"id\":\"102\",\"created_at\":7,\"content\":\"x\"},"
	"{\"id\":\"101\",\"created_at\":\"2026-11-25T09:00:00Z\","
	"\"content\":\"<p>hi</p>\",\"account\":{\"acct\":5}}]";

static void
test_mastodon(void)
{
	struct social_run r;
	struct err e = { 0 };
	const char *const link[] = {
		"Link", "<http://127.0.0.1:9/api/v1/timelines/list/6?max_id="
			"101>; rel=\"next\"",
		"X-RateLimit-Remaining", "0",
		"X-RateLimit-Reset", "2030-01-01T00:00:00.000Z", NULL,
	};
	const char *const evil[] = {
		"Link", "<http://evil.example/steal?max_id=1>; rel=\"next\"", NULL,
	};
	const struct feed_entry *en;

	TEST("mastodon");
	run_init(&r, "mastodon", "http://127.0.0.1:9/lists/6", NULL);
	CHECK_STR(r.req_url, "http://127.0.0.1:9/api/v1/timelines/list/6"
			     "?limit=40");
	CHECK(has_header(&r, "Authorization: Bearer " CANARY));
	CHECK_INT(feed(&r, 200, mastodon_page, link, &e), 1);
	CHECK_STR(r.req_url, "http://127.0.0.1:9/api/v1/timelines/list/6"
			     "?max_id=101");
	CHECK_INT(r.doc.nentries, 1);
	CHECK_INT(r.bad_posts, 2);
	CHECK_INT(r.not_before, 1893456000);
	en = &r.doc.entries[0];
	CHECK_STR(en->c.id, "https://s.example/users/bob/statuses/103/activity");
	CHECK_STR(en->c.link, "https://s.example/@al/90");
	CHECK_STR(en->c.title, "Original words.");
	CHECK_STR(en->c.authors[0].name, "Al (@al@o.example)");
	CHECK(strstr(en->content, "Boosted by") != NULL);
	CHECK_INT(en->nenclosures, 1);
	CHECK_STR(en->enclosures[0].type, "video/mp4");
	CHECK_INT(en->c.nlinks, 1);
	CHECK_INT(en->c.published, 1795600800);
	CHECK_INT(feed(&r, 200, "[]", NULL, &e), 0);
	CHECK_STR(r.cursor_out, "{\"newest\":\"103\"}");
	social_run_release(&r);

	/* a later run walks up from the newest id; a foreign Link stops */
	run_init(&r, "mastodon", "http://127.0.0.1:9/lists/6",
		 "{\"newest\":\"103\"}");
	CHECK_STR(r.req_url, "http://127.0.0.1:9/api/v1/timelines/list/6"
			     "?limit=40&min_id=103");
	CHECK_INT(feed(&r, 200, mastodon_page, evil, &e), 0);
	CHECK_STR(r.cursor_out, "{\"newest\":\"103\"}");
	social_run_release(&r);

	/* statuses */
	run_init(&r, "mastodon", "http://127.0.0.1:9/lists/6", NULL);
	CHECK_INT(feed(&r, 401, "{}", NULL, &e), -1);
	CHECK(e.code == ERR_AUTH);
	CHECK(strstr(e.msg, "re-authenticate") != NULL);
	CHECK(strstr(e.msg, CANARY) == NULL);
	CHECK_INT(feed(&r, 404, "{}", NULL, &e), -1);
	CHECK(e.code == ERR_NOTFOUND);
	CHECK_INT(feed(&r, 429, "{}", link + 2, &e), -1);
	CHECK(e.code == ERR_LIMIT);
	CHECK(strstr(e.msg, "2030-01-01T00:00:00Z") != NULL);
	CHECK_INT(feed(&r, 200, "[{\"id\":", NULL, &e), -1);
	CHECK(e.code == ERR_PARSE);
	CHECK_INT(feed(&r, 200, "{\"error\":\"x\"}", NULL, &e), -1);
	social_run_release(&r);
}

static void
test_bluesky(void)
{
	struct social_run r;
	struct err e = { 0 };
	const struct feed_entry *en;
	/* "café see ex.org/lo... #t" — é is two bytes; the link spans
	 * bytes 10..22, the tag 23..25; one facet is out of range */
	static const char page[] =
		"{\"feed\":[{\"post\":{\"uri\":\"at://did:plc:a/app.bsky.feed.post/"
		"3k1\",\"indexedAt\":\"2026-11-25T10:00:00Z\",\"author\":{"
		"\"handle\":\"a.example\",\"displayName\":\"A\"},\"record\":{"
		"\"text\":\"caf\xc3\xa9 see ex.org/lo... #t\",\"createdAt\":"
		"\"2026-11-25T09:59:00Z\",\"facets\":["
		"{\"index\":{\"byteStart\":10,\"byteEnd\":22},\"features\":[{"
		"\"$type\":\"app.bsky.richtext.facet#link\",\"uri\":"
		"\"https://ex.org/long\"}]},"
		"{\"index\":{\"byteStart\":23,\"byteEnd\":25},\"features\":[{"
		"\"$type\":\"app.bsky.richtext.facet#tag\",\"tag\":\"t\"}]},"
		"{\"index\":{\"byteStart\":20,\"byteEnd\":99},\"features\":[{"
		"\"$type\":\"app.bsky.richtext.facet#link\",\"uri\":"
		"\"https://bad.example\"}]}]}}},"
		"{\"post\":{\"uri\":\"at://did:plc:a/app.bsky.feed.post/3k0\","
		"\"indexedAt\":\"2026-11-25T09:00:00Z\",\"author\":{\"handle\":"
		"\"a.example\"},\"record\":{\"text\":\"x\",\"facets\":[{"
		"\"index\":{\"byteStart\":\"0\",\"byteEnd\":1},\"features\":[]}]}}}"
		"],\"cursor\":\"c2\"}";

	TEST("bluesky");
	run_init(&r, "bluesky", "https://bsky.app/profile/a.example/lists/L1",
		 NULL);
	CHECK_STR(r.req_url, "http://127.0.0.1:9/xrpc/com.atproto.identity."
			     "resolveHandle?handle=a.example");
	CHECK(!has_header(&r, "Authorization: Bearer " CANARY));
	CHECK_INT(feed(&r, 200, "{\"did\":\"did:plc:a\"}", NULL, &e), 1);
	CHECK_STR(r.req_url, "http://127.0.0.1:9/xrpc/app.bsky.feed.getListFeed"
			     "?list=at%3A%2F%2Fdid%3Aplc%3Aa%2Fapp.bsky.graph."
			     "list%2FL1&limit=50");
	CHECK_INT(feed(&r, 200, page, NULL, &e), 1);
	CHECK(strstr(r.req_url, "&cursor=c2") != NULL);
	CHECK_INT(r.doc.nentries, 1);
	CHECK_INT(r.bad_posts, 1);
	en = &r.doc.entries[0];
	CHECK_STR(en->content, "<p>caf\xc3\xa9 see <a href=\"https://ex.org/long"
			       "\">https://ex.org/long</a> <a href=\"https://"
			       "bsky.app/hashtag/t\">#t</a></p>");
	CHECK_STR(en->c.link, "https://bsky.app/profile/a.example/post/3k1");
	CHECK_STR(en->c.authors[0].name, "A (@a.example)");
	CHECK_INT(feed(&r, 200, "{\"feed\":[]}", NULL, &e), 0);
	CHECK(r.cursor_out && strstr(r.cursor_out, "\"did\":\"did:plc:a\""));
	CHECK(strstr(r.cursor_out, "3k1") != NULL);
	social_run_release(&r);

	/* a malformed DID is refused */
	run_init(&r, "bluesky", "https://bsky.app/profile/a.example/lists/L1",
		 NULL);
	CHECK_INT(feed(&r, 200, "{\"did\":\"https://evil/\"}", NULL, &e), -1);
	social_run_release(&r);
}

static void
test_x(void)
{
	struct social_run r;
	struct err e = { 0 };
	static const char page[] =
		"{\"data\":[{\"id\":\"30\",\"text\":\"RT @o: a &amp; b "
		"https://t.co/z\",\"author_id\":\"1\",\"created_at\":"
		"\"2026-11-25T10:00:00.000Z\",\"referenced_tweets\":[{\"type\":"
		"\"retweeted\",\"id\":\"10\"}]},"
		"{\"id\":\"20\",\"text\":\"go https://t.co/y now\",\"author_id\":"
		"\"2\",\"entities\":{\"urls\":[{\"url\":\"https://t.co/y\","
		"\"expanded_url\":\"https://real.example/page\"}]}},"
		"{\"id\":19,\"text\":\"bad\"}],"
		"\"includes\":{\"users\":[{\"id\":\"1\",\"name\":\"One\","
		"\"username\":\"one\"},{\"id\":\"2\",\"name\":\"Two\","
		"\"username\":\"two\"},{\"id\":\"3\",\"name\":\"O\",\"username\":"
		"\"o\"}],\"tweets\":[{\"id\":\"10\",\"text\":\"a &amp; b "
		"https://t.co/z\",\"author_id\":\"3\",\"entities\":{\"urls\":[{"
		"\"url\":\"https://t.co/z\",\"expanded_url\":\"https://z."
		"example/\"}]}}]},\"meta\":{\"next_token\":\"n2\"}}";

	TEST("x");
	run_init(&r, "x", "https://x.com/i/lists/123", NULL);
	CHECK(str_starts(r.req_url, "http://127.0.0.1:9/2/lists/123/tweets?"
				    "max_results=6&"));
	CHECK(has_header(&r, "Authorization: Bearer " CANARY));
	CHECK_INT(feed(&r, 200, page, NULL, &e), 1);
	CHECK(strstr(r.req_url, "pagination_token=n2") != NULL);
	CHECK(strstr(r.req_url, "max_results=5") != NULL);
	CHECK_INT(r.doc.nentries, 2);
	CHECK_INT(r.bad_posts, 1);
	CHECK_STR(r.doc.entries[0].c.authors[0].name, "O (@o)");
	CHECK_STR(r.doc.entries[0].c.link, "https://x.com/o/status/10");
	CHECK(strstr(r.doc.entries[0].content, "Reposted by One (@one)"));
	CHECK(strstr(r.doc.entries[0].content, "a &amp; b <a href=\"https://"
						 "z.example/\">"));
	CHECK(strstr(r.doc.entries[1].content, "t.co") == NULL);
	CHECK_STR(r.doc.entries[1].c.title, "go https://real.example/page now");
	/* the budget (6) is spent after the next page */
	CHECK_INT(feed(&r, 200, page, NULL, &e), 0);
	CHECK_INT(r.posts_read, 6);
	CHECK(r.notice && strstr(r.notice, "budget of 6 posts"));
	CHECK_STR(r.cursor_out, "{\"newest\":\"30\"}");
	social_run_release(&r);

	/* a later run stops at the known id */
	run_init(&r, "x", "https://x.com/i/lists/123", "{\"newest\":\"20\"}");
	CHECK(strstr(r.req_url, "max_results=6") != NULL);
	CHECK_INT(feed(&r, 200, page, NULL, &e), 0);
	CHECK_INT(r.doc.nentries, 1);
	CHECK_INT(r.posts_read, 3);
	CHECK_STR(r.cursor_out, "{\"newest\":\"30\"}");
	CHECK_INT(feed(&r, 200, "{\"data\":{}}", NULL, &e), -1);
	social_run_release(&r);
}

static void
test_discourse(void)
{
	struct social_run r;
	struct err e = { 0 };
	static const char page[] =
		"{\"users\":[{\"id\":3,\"username\":\"fz\",\"name\":\"Fuzzy\"}],"
		"\"topic_list\":{\"more_topics_url\":\"/c/civic/5/l/latest?page=1\","
		"\"topics\":[{\"id\":12,\"title\":\"Open <data>\",\"slug\":\"open-data\","
		"\"created_at\":\"2026-11-23T10:00:00Z\",\"bumped_at\":"
		"\"2026-11-24T10:00:00Z\",\"posts_count\":5,"
		"\"last_poster_username\":\"fz\",\"posters\":[{\"description\":"
		"\"Original Poster\",\"user_id\":3}]},"
		"{\"id\":\"11\",\"title\":\"t\",\"slug\":\"t\"}]}}";

	TEST("discourse");
	run_init(&r, "discourse", "http://127.0.0.1:9/c/civic/5", NULL);
	CHECK_STR(r.req_url, "http://127.0.0.1:9/c/civic/5.json");
	CHECK(has_header(&r, "Api-Key: " CANARY));
	CHECK(has_header(&r, "Api-Username: sys"));
	CHECK_INT(feed(&r, 200, page, NULL, &e), 1);
	CHECK_STR(r.req_url, "http://127.0.0.1:9/c/civic/5/l/latest.json?page=1");
	CHECK_INT(r.doc.nentries, 1);
	CHECK_INT(r.bad_posts, 1);
	CHECK_STR(r.doc.entries[0].c.id, "127.0.0.1:9-topic-12");
	CHECK_STR(r.doc.entries[0].c.link, "http://127.0.0.1:9/t/open-data/12");
	CHECK_STR(r.doc.entries[0].c.authors[0].name, "Fuzzy (@fz)");
	CHECK_INT(feed(&r, 200, "{\"topic_list\":{\"topics\":[]}}", NULL, &e),
		  0);
	CHECK_STR(r.cursor_out, "{\"bumped\":1795514400}");
	social_run_release(&r);
	/* later: only topics bumped since */
	run_init(&r, "discourse", "http://127.0.0.1:9/c/civic/5",
		 "{\"bumped\":1795514400}");
	CHECK_INT(feed(&r, 200, page, NULL, &e), 0);
	CHECK_INT(r.doc.nentries, 0);
	social_run_release(&r);
}

/* A localised forum (tests/data/social/discourse-latest-de.json: the
 * corpus's latest.json with German poster descriptions): the original
 * poster is the first of posters[], whatever its description says. */
static void
test_discourse_localised(void)
{
	const char *dir = getenv("GLEAN_SRCDIR") ? getenv("GLEAN_SRCDIR") : ".";
	char *path = xasprintf("%s/tests/data/social/discourse-latest-de.json",
			       dir);
	struct social_run r;
	struct err e = { 0 };
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	size_t n, i, found = 0;
	FILE *fp = fopen(path, "rb");

	TEST("discourse localised");
	CHECK(fp != NULL);
	if (!fp) {
		free(path);
		return;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(fp);
	free(path);
	run_init(&r, "discourse", "http://127.0.0.1:9/latest", NULL);
	CHECK(feed(&r, 200, sb.buf, NULL, &e) >= 0);
	CHECK(r.doc.nentries >= 2);
	for (i = 0; i < r.doc.nentries; i++) {
		const struct feed_entry *en = &r.doc.entries[i];

		CHECK(en->c.nauthors == 1);
		if (!en->c.nauthors)
			continue;
		if (!strcmp(en->c.link, "http://127.0.0.1:9/t/test-topic-2/2")) {
			CHECK_STR(en->c.authors[0].name, "Zweite Person (@zweite)");
			found++;
		} else {
			CHECK_STR(en->c.authors[0].name, "@test_users");
		}
	}
	CHECK_INT(found, 1);
	social_run_release(&r);
	sbuf_release(&sb);
}

int
main(void)
{
	FIXTURE(load_cfg, release_cfg);
	RUN(test_helpers);
	RUN(test_classify);
	RUN(test_mastodon);
	RUN(test_bluesky);
	RUN(test_x);
	RUN(test_discourse);
	RUN(test_discourse_localised);
	return check_done("test_social");
}
