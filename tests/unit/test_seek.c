/* seek: the scheduling rule (seek_wait): refresh, <ttl> and max-age after
 * a success; backoff and Retry-After after failures; the day's cap. And
 * text is text: a field read as plain text is stored as written, one read
 * as HTML rendered (seek_display_line, seek_items_from_doc). And which
 * URL an item's article is fetched from (seek_article_url). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glean/parse.h"
#include "glean/seek.h"
#include "glean/store.h"
#include "check.h"
#include "glean/banned.h"

#define MIN 60
#define HOUR 3600
#define DAY (24 * HOUR)

static int64_t
ok(int64_t refresh, int64_t ttl, int64_t max_age)
{
	return seek_wait(&(struct seek_due){ .refresh = refresh, .ttl = ttl,
					     .max_age = max_age,
					     .retry_after = -1 });
}

static int64_t
failed(int failures, int64_t retry_after)
{
	return seek_wait(&(struct seek_due){ .refresh = HOUR,
					     .ttl = 6 * HOUR,
					     .max_age = 2 * HOUR,
					     .failures = failures,
					     .retry_after = retry_after });
}

/* The text the store derives from an item's body (content_text); a
 * static buffer, good until the next call. */
static const char *
item_text(const struct item *it)
{
	static struct sbuf sb = SBUF_INIT;

	sbuf_reset(&sb);
	content_text(it->content ? it->content : "",
		     it->content ? strlen(it->content) : 0, it->content_type,
		     &sb);
	return sb.len ? sb.buf : "";
}

static void
test_due(void)
{
	TEST("a success waits the refresh interval");
	CHECK_INT(ok(HOUR, 0, -1), HOUR);
	CHECK_INT(ok(30 * MIN, 0, -1), 30 * MIN);

	TEST("a longer <ttl> or max-age wins, a shorter one does not");
	CHECK_INT(ok(HOUR, 3 * HOUR, -1), 3 * HOUR);
	CHECK_INT(ok(HOUR, 10 * MIN, -1), HOUR);
	CHECK_INT(ok(HOUR, 0, 2 * HOUR), 2 * HOUR);
	CHECK_INT(ok(HOUR, 0, 0), HOUR);
	CHECK_INT(ok(HOUR, 3 * HOUR, 5 * HOUR), 5 * HOUR);
	CHECK_INT(ok(HOUR, 5 * HOUR, 3 * HOUR), 5 * HOUR);

	TEST("never more than a day");
	CHECK_INT(ok(2 * DAY, 0, -1), DAY);
	CHECK_INT(ok(HOUR, 7 * DAY, -1), DAY);
	CHECK_INT(ok(HOUR, 0, INT64_MAX), DAY);
}

static void
test_backoff(void)
{
	TEST("failures back off from 15 minutes, doubling");
	CHECK_INT(failed(1, -1), 15 * MIN);
	CHECK_INT(failed(2, -1), 30 * MIN);
	CHECK_INT(failed(3, -1), HOUR);
	CHECK_INT(failed(4, -1), 2 * HOUR);
	CHECK_INT(failed(7, -1), 16 * HOUR);

	TEST("up to a day, however many failures");
	CHECK_INT(failed(8, -1), DAY);
	CHECK_INT(failed(1000, -1), DAY);

	TEST("a failure ignores the feed's ttl and max-age");
	CHECK(failed(1, -1) < HOUR);
}

static void
test_retry_after(void)
{
	TEST("a longer Retry-After wins over the backoff");
	CHECK_INT(failed(1, 2 * HOUR), 2 * HOUR);
	CHECK_INT(failed(3, 90 * MIN), 90 * MIN);

	TEST("a shorter one does not shorten it");
	CHECK_INT(failed(1, 60), 15 * MIN);
	CHECK_INT(failed(3, 0), HOUR);
	CHECK_INT(failed(4, HOUR), 2 * HOUR);

	TEST("a Retry-After is capped at a day too");
	CHECK_INT(failed(1, 30 * DAY), DAY);
	CHECK_INT(failed(2, INT64_MAX), DAY);
}

static void
test_article_url(void)
{
	char *u;

	TEST("a feed item's article is at its link");
	u = seek_article_url("feed", "https://a.example/post", "<p>x <a "
			     "href=\"https://b.example/\">b</a></p>");
	CHECK_STR(u, "https://a.example/post");
	free(u);

	TEST("a post's article is its first link that is not a mention, "
	     "tag or profile");
	u = seek_article_url("mastodon", "https://m.example/@ann/1",
			     "<p><a href=\"https://m.example/@bob\">@bob</a> "
			     "<a href=\"https://m.example/tags/civic\">#civic"
			     "</a> read <a href=\"https://news.example/a/1\">"
			     "news.example/a/1</a> and <a href=\"https://"
			     "other.example/\">other</a></p>");
	CHECK_STR(u, "https://news.example/a/1");
	free(u);
	u = seek_article_url("bluesky", "https://bsky.app/profile/a/post/1",
			     "<p><a href=\"https://bsky.app/profile/b.example"
			     "\">@b</a> see <a href=\"https://c.example/x\">"
			     "c.example/x</a></p>");
	CHECK_STR(u, "https://c.example/x");
	free(u);

	TEST("a link off the feed's own server must be public");
	CHECK(!seek_article_public_only("http://10.0.0.5:8080/feed.xml",
					"http://10.0.0.5:8080/a/1"));
	CHECK(!seek_article_public_only("HTTPS://News.Example/feed",
					"https://news.example/story"));
	CHECK(seek_article_public_only("https://news.example/feed",
				       "http://192.168.1.1/admin"));
	CHECK(seek_article_public_only("https://news.example/feed",
				       "https://news.example:8443/x"));
	CHECK(seek_article_public_only("https://m.example/api/v1/lists/1",
				       "https://other.example/x"));

	TEST("a post with no such link has none");
	u = seek_article_url("x", "https://x.com/a/status/1",
			     "<p>just words, <a href=\"https://x.com/hashtag/"
			     "t\">#t</a></p>");
	CHECK(u == NULL);
	free(u);
}

static void
check_line(const char *s, bool html, size_t max, const char *want)
{
	char *got = seek_display_line(s, html, max);

	if (want)
		CHECK_STR(got, want);
	else
		CHECK(got == NULL);
	free(got);
}

static void
test_display_line(void)
{
	TEST("plain text is kept as written, one line");
	check_line("History of the <blink> tag", false, 4096,
		   "History of the <blink> tag");
	check_line("  AT&T &lt; 5\n\t over\r\nlines  ", false, 4096,
		   "AT&T &lt; 5 over lines");
	check_line("bell\a and ESC\x1b[31m", false, 4096, "bell and ESC[31m");
	TEST("HTML is rendered to text");
	check_line("<b>bold</b> &amp; &lt;3", true, 4096, "bold & <3");
	check_line("a <blink>b</blink>", true, 4096, "a b");
	TEST("empty is none; the cap falls on a character boundary");
	check_line("  \n ", false, 4096, NULL);
	check_line("<p></p>", true, 4096, NULL);
	check_line(NULL, false, 4096, NULL);
	check_line("ab\xc3\xa9", false, 3, "ab");
}

static void
test_items_types(void)
{
	struct feed_doc d;
	struct feed_entry *en;
	struct item *items;
	size_t n = 0, i;

	TEST("items: each field as the type it was read as");
	memset(&d, 0, sizeof(d));
	d.version = xstrdup("rss20");
	en = feed_doc_add_entry(&d);
	en->c.title = xstrdup("Plain <tags> & amp");
	en->summary = xstrdup("Summary <kept>");
	feed_add_author(&en->c, "Jos&eacute; <x>", NULL, NULL);
	en = feed_doc_add_entry(&d);
	en->c.title = xstrdup("HTML <b>bold</b> &amp; co");
	en->c.title_html = true;
	en->summary = xstrdup("<p>para</p>");
	en->summary_html = true;
	feed_add_author(&en->c, "Jos&eacute;", NULL, NULL);
	/* HTML that renders to itself, and HTML with a line break and a
	 * control, which the stored HTML loses as the text does */
	en = feed_doc_add_entry(&d);
	en->c.title = xstrdup("Same text");
	en->c.title_html = true;
	en = feed_doc_add_entry(&d);
	en->c.title = xstrdup("<i>Two</i>\nlines\x1b");
	en->c.title_html = true;
	seek_items_from_doc(&d, &items, &n);
	CHECK_INT(n, 4);
	CHECK_STR(items[0].title, "Plain <tags> & amp");
	CHECK(items[0].title_html == NULL);
	CHECK_STR(items[1].title_html, "HTML <b>bold</b> &amp; co");
	CHECK_STR(items[2].title, "Same text");
	CHECK(items[2].title_html == NULL);
	CHECK_STR(items[3].title, "Two lines");
	CHECK_STR(items[3].title_html, "<i>Two</i> lines");
	CHECK_STR(items[0].content_type, "text/plain");
	CHECK_STR(item_text(&items[0]), "Summary <kept>");
	/* a known entity but an unknown tag: not HTML by feedparser's rule */
	CHECK_STR(items[0].author, "Jos&eacute; <x>");
	CHECK_STR(items[1].title, "HTML bold & co");
	CHECK_STR(items[1].content_type, "text/html");
	CHECK_STR(item_text(&items[1]), "para");
	CHECK_STR(items[1].author, "José");
	for (i = 0; i < n; i++)
		item_release(&items[i]);
	free(items);
	feed_doc_release(&d);
}

int
main(void)
{
	RUN(test_article_url);
	RUN(test_display_line);
	RUN(test_items_types);
	RUN(test_due);
	RUN(test_backoff);
	RUN(test_retry_after);
	return check_done("test_seek");
}
