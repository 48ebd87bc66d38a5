/* hub: URL shapes → candidate feeds and social lists; bad URLs refused. */
#include <stdlib.h>

#include "glean/base.h"
#include "glean/service.h"
#include "check.h"

static struct hub_match m;

/* Classify url; returns the number of candidates, or -1. */
static int
classify(const char *url)
{
	struct err e = { 0 };

	hub_match_release(&m);
	if (hub_classify(url, &m, &e) < 0) {
		if (e.code != ERR_USAGE || !e.msg[0])
			return -2;
		return -1;
	}
	return (int)m.n;
}

/* Candidate i has this kind and feed URL (NULL: none). */
static int
cand(size_t i, enum hub_kind kind, const char *feed)
{
	if (i >= m.n || m.cand[i].kind != kind)
		return 0;
	if (!feed)
		return m.cand[i].feed_url == NULL;
	return m.cand[i].feed_url && strcmp(m.cand[i].feed_url, feed) == 0;
}

/* Each test's teardown: the static match goes with its test. */
static void
release_match(void)
{
	hub_match_release(&m);
}

static const char *
part(const char *s)
{
	return s ? s : "(null)";
}

static void
test_discourse(void)
{
	TEST("discourse root");
	CHECK_INT(classify("https://forum.example.org"), 1);
	CHECK(cand(0, HUB_DISCOURSE_LATEST,
		   "https://forum.example.org/latest.rss"));
	CHECK_STR(m.origin, "https://forum.example.org");
	CHECK_STR(m.host, "forum.example.org");
	CHECK_INT(classify("HTTPS://Forum.Example.ORG:8443/"), 1);
	CHECK(cand(0, HUB_DISCOURSE_LATEST,
		   "https://forum.example.org:8443/latest.rss"));
	CHECK_STR(m.host, "forum.example.org:8443");
	CHECK_INT(classify("https://forum.example.org/latest?order=x"), 1);
	CHECK(cand(0, HUB_DISCOURSE_LATEST,
		   "https://forum.example.org/latest.rss"));

	TEST("discourse category with id");
	CHECK_INT(classify("https://f.org/c/civic-tech/12"), 1);
	CHECK(cand(0, HUB_DISCOURSE_CATEGORY, "https://f.org/c/civic-tech/12.rss"));
	CHECK_STR(part(m.cand[0].name), "civic-tech");
	CHECK_STR(part(m.cand[0].id), "12");
	CHECK_INT(classify("https://f.org/c/parent/child/34/"), 1);
	CHECK(cand(0, HUB_DISCOURSE_CATEGORY,
		   "https://f.org/c/parent/child/34.rss"));
	CHECK_STR(part(m.cand[0].name), "parent/child");
	CHECK_STR(part(m.cand[0].id), "34");

	TEST("category without id: Lemmy first, then Discourse");
	CHECK_INT(classify("https://f.org/c/civic"), 2);
	CHECK(cand(0, HUB_LEMMY_COMMUNITY, "https://f.org/feeds/c/civic.xml"));
	CHECK(cand(1, HUB_DISCOURSE_CATEGORY, "https://f.org/c/civic.rss"));
	CHECK_STR(part(m.cand[0].name), "civic");
	CHECK_STR(part(m.cand[1].name), "civic");
	CHECK(m.cand[1].id == NULL);

	TEST("discourse tag and topic");
	CHECK_INT(classify("https://f.org/tag/ageing"), 1);
	CHECK(cand(0, HUB_DISCOURSE_TAG, "https://f.org/tag/ageing.rss"));
	CHECK_STR(part(m.cand[0].name), "ageing");
	CHECK_INT(classify("https://f.org/t/some-topic/4567"), 1);
	CHECK(cand(0, HUB_DISCOURSE_TOPIC,
		   "https://f.org/t/some-topic/4567.rss"));
	CHECK_STR(part(m.cand[0].name), "some-topic");
	CHECK_STR(part(m.cand[0].id), "4567");
	CHECK_INT(classify("https://f.org/t/some-topic/4567/12#reply"), 1);
	CHECK(cand(0, HUB_DISCOURSE_TOPIC,
		   "https://f.org/t/some-topic/4567.rss"));
	CHECK_INT(classify("https://f.org/t/4567"), 1);
	CHECK(cand(0, HUB_DISCOURSE_TOPIC, "https://f.org/t/4567.rss"));
	CHECK_INT(classify("https://f.org/t/slug/notanumber"), 0);
}

static void
test_lemmy_mastodon_nitter(void)
{
	TEST("lemmy community");
	CHECK_INT(classify("https://lemmy.ml/c/opensource"), 2);
	CHECK(cand(0, HUB_LEMMY_COMMUNITY,
		   "https://lemmy.ml/feeds/c/opensource.xml"));
	CHECK_INT(classify("https://lemmy.ml/c/rust@programming.dev"), 1);
	CHECK(cand(0, HUB_LEMMY_COMMUNITY,
		   "https://lemmy.ml/feeds/c/rust@programming.dev.xml"));

	TEST("mastodon tag and user");
	CHECK_INT(classify("https://mastodon.social/tags/DigitalInclusion"), 1);
	CHECK(cand(0, HUB_MASTODON_TAG,
		   "https://mastodon.social/tags/DigitalInclusion.rss"));
	CHECK_STR(part(m.cand[0].name), "DigitalInclusion");
	CHECK_INT(classify("https://mastodon.social/@Gargron"), 1);
	CHECK(cand(0, HUB_MASTODON_USER, "https://mastodon.social/@Gargron.rss"));
	CHECK_STR(part(m.cand[0].name), "Gargron");
	CHECK_INT(classify("https://mastodon.social/users/Gargron"), 1);
	CHECK(cand(0, HUB_MASTODON_USER, "https://mastodon.social/@Gargron.rss"));
	CHECK_INT(classify("https://mastodon.social/@a@b.org"), 0);

	TEST("mastodon list (API)");
	CHECK_INT(classify("https://mastodon.social/lists/12345"), 1);
	CHECK(cand(0, HUB_MASTODON_LIST, NULL));
	CHECK_STR(part(m.cand[0].id), "12345");
	CHECK_STR(m.origin, "https://mastodon.social");
	CHECK_INT(classify("https://mastodon.social/lists/abc"), 0);

	TEST("nitter list and user");
	CHECK_INT(classify("https://nitter.net/i/lists/1234567890"), 1);
	CHECK(cand(0, HUB_NITTER_LIST,
		   "https://nitter.net/i/lists/1234567890/rss"));
	CHECK_STR(part(m.cand[0].id), "1234567890");
	CHECK_INT(classify("https://nitter.net/jack_"), 1);
	CHECK(cand(0, HUB_NITTER_USER, "https://nitter.net/jack_/rss"));
	CHECK_STR(part(m.cand[0].name), "jack_");
	/* Site pages and file names are not user names. */
	CHECK_INT(classify("https://nitter.net/about"), 0);
	CHECK_INT(classify("https://nitter.net/index.html"), 0);
	CHECK_INT(classify("https://nitter.net/averyveryverylongname"), 0);
}

static void
test_social(void)
{
	TEST("bluesky list");
	CHECK_INT(classify("https://bsky.app/profile/alice.bsky.social/lists/"
			   "3kabc2xyz"), 1);
	CHECK(cand(0, HUB_BLUESKY_LIST, NULL));
	CHECK_STR(part(m.cand[0].name), "alice.bsky.social");
	CHECK_STR(part(m.cand[0].rkey), "3kabc2xyz");
	CHECK_STR(m.host, "bsky.app");
	CHECK_INT(classify("https://bsky.app/profile/did:plc:abc123/lists/"
			   "3k"), 1);
	CHECK_STR(part(m.cand[0].name), "did:plc:abc123");
	CHECK_INT(classify("https://bsky.app/profile/alice.bsky.social"), 0);
	CHECK_INT(classify("https://bsky.app/"), 0);

	TEST("x list");
	CHECK_INT(classify("https://x.com/i/lists/1585430245762441216"), 1);
	CHECK(cand(0, HUB_X_LIST, NULL));
	CHECK_STR(part(m.cand[0].id), "1585430245762441216");
	CHECK_INT(classify("https://twitter.com/i/lists/42?s=20"), 1);
	CHECK(cand(0, HUB_X_LIST, NULL));
	CHECK_INT(classify("https://mobile.twitter.com/i/lists/42"), 1);
	/* X pages are not Discourse roots or Nitter users. */
	CHECK_INT(classify("https://x.com/"), 0);
	CHECK_INT(classify("https://x.com/jack"), 0);
	CHECK_INT(classify("https://x.com/i/lists/abc"), 0);

	TEST("kind names");
	CHECK_STR(hub_kind_name(HUB_LEMMY_COMMUNITY), "lemmy-community");
	CHECK_STR(hub_kind_name(HUB_X_LIST), "x-list");
	CHECK_STR(hub_kind_name((enum hub_kind)999), "unknown");
}

static void
test_other(void)
{
	TEST("already a feed, or no shape");
	CHECK_INT(classify("https://f.org/latest.rss"), 0);
	CHECK_INT(classify("https://f.org/c/civic/12.rss"), 0);
	CHECK_INT(classify("https://f.org/feeds/c/x.xml"), 0);
	CHECK_INT(classify("https://blog.example.com/2024/05/a-post"), 0);
	CHECK_INT(classify("https://f.org/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r"),
		  0);
	CHECK(m.origin && m.host);

	TEST("ipv6 host");
	CHECK_INT(classify("http://[::1]:8080/tags/x"), 1);
	CHECK(cand(0, HUB_MASTODON_TAG, "http://[::1]:8080/tags/x.rss"));
}

static void
test_reject(void)
{
	static const char *const bad[] = {
		"",
		"ftp://f.org/c/x",
		"file:///etc/passwd",
		"javascript:alert(1)",
		"f.org/c/x",
		"https://",
		"https:///c/x",
		"https://f.org/c/a b",
		"https://f.org/c/a\tb",
		"https://f.org/c/a\nb",
		"https://f.org/\x1b[2J",
		"https://f.org/\x7f",
		"https://f.org/c/\xC2\x9B",
		"https://f.org/c/\xE2\x80\xAEx",
		"https://f.org/c/\xE2\x81\xA6x",
		"https://f.org/c/\xff",
		"https://user:pw@f.org/c/x",
		"https://f.org:99999/",
		"https://f.org:80x/",
		"https://f o.org/",
		"https://f.org:/",
		"https://[zz]/",
		"-https://f.org/",
	};
	struct sbuf big = SBUF_INIT;
	size_t i;

	TEST("rejected URLs");
	CHECK_INT(classify(NULL), -1);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int r = classify(bad[i]);

		if (r != -1)
			printf("  not rejected: bad[%zu]\n", i);
		CHECK_INT(r, -1);
		CHECK(m.n == 0 && m.origin == NULL);
	}
	sbuf_adds(&big, "https://f.org/");
	while (big.len <= HUB_URL_MAX)
		sbuf_addch(&big, 'a');
	CHECK_INT(classify(big.buf), -1);
	sbuf_release(&big);

	TEST("non-ASCII path is fine when clean");
	CHECK_INT(classify("https://f.org/tags/\xE6\x97\xA5\xE6\x9C\xAC"), 1);
	CHECK(cand(0, HUB_MASTODON_TAG,
		   "https://f.org/tags/\xE6\x97\xA5\xE6\x9C\xAC.rss"));
}

int
main(void)
{
	FIXTURE(NULL, release_match);
	RUN(test_discourse);
	RUN(test_lemmy_mastodon_nitter);
	RUN(test_social);
	RUN(test_other);
	RUN(test_reject);
	return check_done("test_hub");
}
