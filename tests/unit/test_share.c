/* digest and share: the pure parts — URL allow-list, escaping, rendering
 * of a hand-built hostile digest, post measuring (characters with URL
 * weight, graphemes), cutting, and thread packing within a limit. */
#include <stdlib.h>
#include <string.h>

#include "glean/digest.h"
#include "glean/json.h"
#include "../../src/share/private.h"
#include "check.h"

static void
test_urls(void)
{
	TEST("url allow-list");
	CHECK(digest_url_ok("https://example.org/a?b=c"));
	CHECK(digest_url_ok("HTTP://example.org/"));
	CHECK(digest_url_ok("mailto:a@b.example"));
	CHECK(!digest_url_ok(NULL));
	CHECK(!digest_url_ok(""));
	CHECK(!digest_url_ok("javascript:alert(1)"));
	CHECK(!digest_url_ok(" https://x"));
	CHECK(!digest_url_ok("https://x/\"onmouseover=1"));
	CHECK(!digest_url_ok("https://x/\x1b[31m"));
	CHECK(!digest_url_ok("data:text/html,<b>"));
	CHECK(!digest_url_ok("file:///etc/passwd"));
}

static void
test_formats(void)
{
	enum digest_format f;

	TEST("format names");
	CHECK(digest_format_parse("md", &f) == 0 && f == DIGEST_MD);
	CHECK(digest_format_parse("markdown", &f) == 0 && f == DIGEST_MD);
	CHECK(digest_format_parse("atom", &f) == 0 && f == DIGEST_ATOM);
	CHECK(digest_format_parse("json", &f) == 0 && f == DIGEST_JSON);
	CHECK(digest_format_parse("pdf", &f) == -1);
	CHECK(digest_format_parse(NULL, &f) == -1);
	CHECK_STR(digest_format_name(DIGEST_HTML), "html");
}

/* Two items, one hostile, in one group. */
static void
hostile_digest(struct digest *d)
{
	struct item *it;
	struct note *n;

	memset(d, 0, sizeof(*d));
	d->title = xstrdup("Week <1> & \"more\"");
	d->intro = xstrdup("Intro\x1b]0;owned\x07 text\xe2\x80\xae!");
	d->feed_id = xstrdup("tag:example.org,2026-11-23:/d");
	d->created = 1795428000;
	d->since = d->created - 7 * 86400;
	d->items.v = xcalloc(2, sizeof(*d->items.v));
	d->items.n = d->items.cap = 2;
	it = &d->items.v[0];
	it->id = 1;
	it->title = xstrdup("<script>alert(1)</script>");
	it->url = xstrdup("javascript:alert(1)");
	it->source_title = xstrdup("Src");
	it->marked_at = d->created;
	n = it->notes = xcalloc(1, sizeof(*n));
	it->nnotes = 1;
	n->body = xstrdup("a\nb <img src=x onerror=y> \xC3\x87" "a \xF0\x9F\x91\xB5"
			  "\xEF\xBF\xBE");
	it->guid = xstrdup("g 1/\xC3\xA9");
	it->source_id = 7;
	n->quote = xstrdup("quoted \"text\"");
	it = &d->items.v[1];
	it->id = 2;
	it->title = xstrdup("Fine");
	it->url = xstrdup("https://example.org/fine?a=1&b=2");
	it->guid = xstrdup("urn:x:2");
	it->marked_at = d->created;
	d->groups = xcalloc(1, sizeof(*d->groups));
	d->ngroups = d->cap_groups = 1;
	d->groups[0].tag = xstrdup("t<a>g");
	d->groups[0].idx = xcalloc(2, sizeof(size_t));
	d->groups[0].idx[0] = 0;
	d->groups[0].idx[1] = 1;
	d->groups[0].n = d->groups[0].cap = 2;
}

static void
test_render(void)
{
	struct digest d;
	struct sbuf sb = SBUF_INIT;
	struct err e = { 0 };

	hostile_digest(&d);
	TEST("render html");
	CHECK(digest_render(&d, DIGEST_HTML, NULL, &sb, &e) == 0);
	CHECK(strstr(sb.buf, "Content-Security-Policy") != NULL);
	CHECK(strstr(sb.buf, "<script") == NULL);
	CHECK(strstr(sb.buf, "<img") == NULL);
	CHECK(strstr(sb.buf, "javascript:") == NULL);
	CHECK(strstr(sb.buf, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL);
	CHECK(strstr(sb.buf, "<h2>t&lt;a&gt;g</h2>") != NULL);
	CHECK(strstr(sb.buf, "href=\"https://example.org/fine?a=1&amp;b=2\"")
	      != NULL);
	CHECK(strstr(sb.buf, "\x1b") == NULL);
	CHECK(strstr(sb.buf, "\xe2\x80\xae") == NULL);
	CHECK(strstr(sb.buf, "&gt; \xC3\x87" "a \xF0\x9F\x91\xB5</p>") != NULL);
	sbuf_release(&sb);

	TEST("render md and text sanitize");
	CHECK(digest_render(&d, DIGEST_MD, NULL, &sb, &e) == 0);
	CHECK(strstr(sb.buf, "\x1b") == NULL && strstr(sb.buf, "\x07") == NULL);
	CHECK(strstr(sb.buf, "](javascript") == NULL);
	CHECK(strstr(sb.buf, "[Fine](https://example.org/fine?a=1&b=2)") != NULL);
	sbuf_release(&sb);
	CHECK(digest_render(&d, DIGEST_TEXT, NULL, &sb, &e) == 0);
	CHECK(strstr(sb.buf, "javascript:") == NULL);
	CHECK(strstr(sb.buf, "  > \"quoted \"text\"\"\n") != NULL);
	sbuf_release(&sb);

	TEST("render atom and json");
	CHECK(digest_render(&d, DIGEST_ATOM, NULL, &sb, &e) == 0);
	CHECK(strstr(sb.buf, "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
		     "<id>tag:example.org,2026-11-23:/d</id>\n") != NULL);
	/* no guid URI, no http link: the feed's id and the item's source
	 * and guid; a guid that is a URI is the id */
	CHECK(strstr(sb.buf, "<id>tag:example.org,2026-11-23:/d#item-7-"
		     "g%201%2F%C3%A9</id>") != NULL);
	CHECK(strstr(sb.buf, "<id>urn:x:2</id>") != NULL);
	CHECK(strstr(sb.buf, "<script") == NULL);
	/* marked in the same second, told apart by the milliseconds */
	CHECK(strstr(sb.buf, "<updated>2026-11-23T10:00:00.001Z</updated>\n"
		     "<content") != NULL);
	CHECK(strstr(sb.buf, "<updated>2026-11-23T10:00:00.002Z</updated>\n"
		     "<link") != NULL);
	CHECK(strstr(sb.buf, "\xEF\xBF\xBE") == NULL);
	sbuf_release(&sb);
	CHECK(digest_render(&d, DIGEST_JSON, NULL, &sb, &e) == 0);
	CHECK(strstr(sb.buf, "\"version\": \"https://jsonfeed.org/version/1.1\"")
	      != NULL);
	CHECK(strstr(sb.buf, "\"id\": \"urn:x:2\"") != NULL);
	CHECK(strstr(sb.buf, "\"date_modified\": \"2026-11-23T10:00:00.002Z\"")
	      != NULL);
	CHECK(strstr(sb.buf, "\"about\": \"https://") != NULL);
	CHECK(strstr(sb.buf, "home_page_url") == NULL);
	sbuf_release(&sb);

	TEST("template");
	CHECK(digest_render(&d, DIGEST_HTML, "<p>{{title}} {{count}} {{nope}}"
			    "</p>{{items}}{{", &sb, &e) == 0);
	CHECK(strstr(sb.buf, "<p>Week &lt;1&gt; &amp; &quot;more&quot; 2 "
		     "{{nope}}</p><h2>") != NULL);
	CHECK(str_ends(sb.buf, "{{"));
	sbuf_release(&sb);
	digest_release(&d);
}

static size_t
chars23(const struct share_ctx *c, const char *s)
{
	(void)c;
	return text_mastodon_length(s, 23);
}

static size_t
text_graphemes_fn(const struct share_ctx *c, const char *s)
{
	(void)c;
	return text_graphemes(s);
}

static void
test_measure(void)
{
	char *s;

	TEST("measure");
	CHECK_INT(share_measure_chars(""), 0);
	CHECK_INT(share_measure_chars("héllo"), 5);
	CHECK_INT(chars23(NULL, "see https://example.org/a/very/long/"
			  "path/indeed ok"), 4 + 23 + 3);
	CHECK_INT(text_graphemes("e\xcc\x81"), 1);
	/* family emoji with ZWJ, and a skin tone */
	CHECK_INT(text_graphemes("\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f"
					  "\x91\xa7 \xf0\x9f\x91\xb5\xf0\x9f\x8f"
					  "\xbd"), 3);

	TEST("cut");
	s = xstrdup("one two three");
	share_cut_chars(s, 20);
	CHECK_STR(s, "one two three");
	share_cut_chars(s, 8);
	CHECK_STR(s, "one two\xe2\x80\xa6");
	CHECK_INT(share_measure_chars(s), 8);
	free(s);
	s = xstrdup("ééééé");
	share_cut_chars(s, 3);
	CHECK_STR(s, "éé\xe2\x80\xa6");
	free(s);
	/* "…" is wider than the two ASCII characters it replaces */
	s = xstrdup("abcdefghij");
	share_cut_chars(s, 9);
	CHECK_STR(s, "abcdefg\xe2\x80\xa6");
	free(s);
	s = xstrdup("ab");
	share_cut_chars(s, 1);
	CHECK_STR(s, "a");
	free(s);
}

static void
test_pack(void)
{
	struct digest d;
	struct share_ctx c = { 0 };
	struct share_plan p = { 0 };
	struct config_target t = { 0 };
	struct err e = { 0 };
	char *long_title;
	size_t i;

	hostile_digest(&d);
	t.name = "bsky";
	c.t = &t;
	c.d = &d;
	TEST("pack thread");
	CHECK(share_pack_thread(&c, chars23, 60, "characters", &p, &e) == 0);
	CHECK(p.n >= 3);
	for (i = 0; i < p.n; i++) {
		CHECK(p.v[i].length <= 60);
		CHECK(chars23(&c, p.v[i].body) == p.v[i].length);
		CHECK(strstr(p.v[i].body, "javascript:") == NULL);
	}
	CHECK(strncmp(p.v[0].body, "Week <1> & \"more\" (2026-11-16 to "
		      "2026-11-23)", 41) == 0);
	CHECK_STR(p.v[0].label, "post 1/" "3");
	share_plan_release(&p);

	TEST("pack: items share a post when they fit");
	CHECK(share_pack_thread(&c, chars23, 500, "characters", &p, &e) == 0);
	CHECK_INT(p.n, 2);
	CHECK(strstr(p.v[1].body, "Fine\nhttps://example.org/fine") != NULL);
	share_plan_release(&p);

	TEST("pack: a long title is cut with an ellipsis, never its link");
	long_title = xmalloc(576);
	memset(long_title, 'x', 575);
	long_title[575] = '\0';
	free(d.items.v[1].title);
	d.items.v[1].title = long_title;
	CHECK(share_pack_thread(&c, chars23, 100, "characters", &p, &e) == 0);
	for (i = 0; i < p.n; i++)
		CHECK(p.v[i].length <= 100);
	CHECK(strstr(p.v[p.n - 1].body, "x\xe2\x80\xa6\nhttps://example.org/"
		     "fine?a=1&b=2") != NULL);
	share_plan_release(&p);

	TEST("pack: an item that cannot fit fails the plan, naming it");
	free(d.items.v[1].url);
	d.items.v[1].url = xstrdup("https://example.org/a/very/long/path/"
				   "that/no/cut/can/shorten");
	CHECK(share_pack_thread(&c, text_graphemes_fn, 40, "graphemes", &p,
				&e) < 0);
	CHECK(strstr(e.msg, "target 'bsky': item \"xxx") != NULL);
	CHECK(strstr(e.msg, "40 graphemes") != NULL);
	share_plan_release(&p);
	digest_release(&d);
}

/* RFC 5849 §3.4.1.2, its own example first: what X's OAuth 1.0a
 * signature is computed over, whatever case and port url = has. */
static void
test_oauth_base_uri(void)
{
	static const struct {
		const char *url, *want;
	} cases[] = {
		{ "HTTP://EXAMPLE.COM:80/r%20v/X?id=123",
		  "http://example.com/r%20v/X" },
		{ "https://www.example.net:8080/?q=1",
		  "https://www.example.net:8080/" },
		{ "HTTPS://API.X.com:443/2/tweets",
		  "https://api.x.com/2/tweets" },
		{ "https://api.x.com/2/tweets", "https://api.x.com/2/tweets" },
		{ "https://api.x.com", "https://api.x.com/" },
		{ "https://api.x.com?x=1#f", "https://api.x.com/" },
		{ "http://example.com:443/a", "http://example.com:443/a" },
		{ "https://example.com:80/a", "https://example.com:80/a" },
		{ "http://127.0.0.1:8080/x/2/tweets",
		  "http://127.0.0.1:8080/x/2/tweets" },
		{ "https://user:pw@Host.Example/a/B#frag",
		  "https://host.example/a/B" },
		{ "http://[::1]:80/a", "http://[::1]/a" },
		{ "http://[::1]:8080/a", "http://[::1]:8080/a" },
		{ "https://h.example:/p", "https://h.example/p" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = x_oauth_base_uri(cases[i].url);

		TEST(cases[i].url);
		CHECK_STR(got, cases[i].want);
		free(got);
	}
}

int
main(void)
{
	RUN(test_urls);
	RUN(test_formats);
	RUN(test_render);
	RUN(test_measure);
	RUN(test_pack);
	RUN(test_oauth_base_uri);
	return check_done("test_share");
}
