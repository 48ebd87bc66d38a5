/* seek: the scheduling rule (seek_wait): refresh, <ttl> and max-age after
 * a success; backoff and Retry-After after failures; the day's cap. And
 * which URL an item's article is fetched from (seek_article_url). */
#include <stdint.h>
#include <stdlib.h>

#include "glean/seek.h"
#include "check.h"

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

	TEST("a post with no such link has none");
	u = seek_article_url("x", "https://x.com/a/status/1",
			     "<p>just words, <a href=\"https://x.com/hashtag/"
			     "t\">#t</a></p>");
	CHECK(u == NULL);
	free(u);
}

int
main(void)
{
	RUN(test_article_url);
	RUN(test_due);
	RUN(test_backoff);
	RUN(test_retry_after);
	return check_done("test_seek");
}
