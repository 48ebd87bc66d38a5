/* parse: dates, URL resolution, RSS/Atom/JSON Feed documents, recovery
 * from ill-formed input, the hostile inputs of SECURITY.md, HTML cleaning
 * and parsing on several threads at once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/json.h"
#include "glean/parse.h"
#include "check.h"
#include "glean/banned.h"

static int64_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	return time_from_utc(y, mo, d, h, mi, s);
}

static void
test_dates(void)
{
	TEST("date empty");
	CHECK(parse_date(NULL) == FEED_NO_DATE);
	CHECK(parse_date("") == FEED_NO_DATE);
	CHECK(parse_date("   ") == FEED_NO_DATE);

	TEST("date rfc822");
	CHECK_INT(parse_date("Sun, 11 Jan 2004 01:20:06 GMT"),
		  utc(2004, 1, 11, 1, 20, 6));
	CHECK_INT(parse_date("Thu, 01 Jan 2004 19:48:21 +0100"),
		  utc(2004, 1, 1, 18, 48, 21));
	CHECK_INT(parse_date("Thu, 01 Jan 2004 19:48:21 -05:00"),
		  utc(2004, 1, 2, 0, 48, 21));
	CHECK_INT(parse_date("Thu, 01 Jan 2004 19:48:21 EST"),
		  utc(2004, 1, 2, 0, 48, 21));
	CHECK_INT(parse_date("Thu, 01 Jan 2004 19:48:21 PDT"),
		  utc(2004, 1, 2, 2, 48, 21));
	CHECK_INT(parse_date("Thu, 01 Jan 04 19:48 GMT"),
		  utc(2004, 1, 1, 19, 48, 0));
	CHECK_INT(parse_date("01 Jan 99 19:48:21 GMT"),
		  utc(1999, 1, 1, 19, 48, 21));

	TEST("date rfc822 misspellings");
	CHECK_INT(parse_date("Thursday, 01 January 2004 19:48:21 GMT"),
		  utc(2004, 1, 1, 19, 48, 21));
	CHECK_INT(parse_date("Thu,01 Jan 2004 19:48:21 GMT"),
		  utc(2004, 1, 1, 19, 48, 21));
	CHECK_INT(parse_date("Thu, Jan 01 2004 19:48:21 GMT"),
		  utc(2004, 1, 1, 19, 48, 21));
	CHECK_INT(parse_date("Thu, 01 Jan 2004"), utc(2004, 1, 1, 0, 0, 0));
	CHECK_INT(parse_date("Thu, 01 Jan 2004 19:48:21 GMT+02:00"),
		  utc(2004, 1, 1, 17, 48, 21));
	CHECK_INT(parse_date("Thu, 01 Jan 2004 19:48:21 Etc/GMT"),
		  utc(2004, 1, 1, 19, 48, 21));
	CHECK_INT(parse_date("Sun Jan  4 16:29:06 PST 2004"),
		  utc(2004, 1, 5, 0, 29, 6));

	TEST("date iso8601");
	CHECK_INT(parse_date("2003-12-31T10:14:55Z"),
		  utc(2003, 12, 31, 10, 14, 55));
	CHECK_INT(parse_date("2003-12-31T10:14:55.123-08:00"),
		  utc(2003, 12, 31, 18, 14, 55));
	CHECK_INT(parse_date("2003-12-31T10:14:55+0130"),
		  utc(2003, 12, 31, 8, 44, 55));
	CHECK_INT(parse_date("2003-12-31T10:14Z"), utc(2003, 12, 31, 10, 14, 0));
	CHECK_INT(parse_date("2003-12-31"), utc(2003, 12, 31, 0, 0, 0));
	CHECK_INT(parse_date("2003-12"), utc(2003, 12, 1, 0, 0, 0));
	CHECK_INT(parse_date("2003"), utc(2003, 1, 1, 0, 0, 0));
	CHECK_INT(parse_date("20031231T101455Z"), utc(2003, 12, 31, 10, 14, 55));
	CHECK_INT(parse_date("2003-12-31 10:14:55"), utc(2003, 12, 31, 10, 14, 55));
	CHECK_INT(parse_date("2004-02-29T00:00:00Z"), utc(2004, 2, 29, 0, 0, 0));

	TEST("date edges");
	CHECK_INT(parse_date("1900-01-01T00:00:00Z"), utc(1900, 1, 1, 0, 0, 0));
	CHECK(parse_date("1900-01-01T00:00:00Z") < 0);
	CHECK_INT(parse_date("9999-12-31T23:59:59Z"),
		  utc(9999, 12, 31, 23, 59, 59));
	CHECK_INT(parse_date("Mon, 01 Jan 1900 00:00:00 GMT"),
		  utc(1900, 1, 1, 0, 0, 0));

	TEST("date junk");
	CHECK(parse_date("yesterday") == FEED_NO_DATE);
	CHECK(parse_date("2003-13-01") == FEED_NO_DATE);
	CHECK(parse_date("2003-02-30") == FEED_NO_DATE);
	CHECK(parse_date("2003-12-31T25:00:00Z") == FEED_NO_DATE);
	CHECK(parse_date("Thu, 32 Jan 2004 19:48:21 GMT") == FEED_NO_DATE);
	CHECK(parse_date("Thu, 01 Foo 2004 19:48:21 GMT") == FEED_NO_DATE);
	CHECK(parse_date("12345678901234567890") == FEED_NO_DATE);
}

static void
check_url(const char *base, const char *ref, const char *want)
{
	char *got = url_resolve(base, ref);

	CHECK_STR(got, want);
	free(got);
}

/* URLs from documents are stored with their controls percent-encoded
 * and other characters (é, ›) kept; one over URL_MAX_BYTES is dropped. */
static void
test_url_store_safe(void)
{
	char *u, *big;

	TEST("url_store_safe percent-encodes controls, keeps the rest");
	u = url_store_safe("https://a/\xC3\xA9 x\x01\x7f\xC2\x9B"
			   "\xE2\x80\xAE\xE2\x81\xA9\xE2\x80\xA8\xE2\x80\xBA\xFFz");
	CHECK_STR(u, "https://a/\xC3\xA9%20x%01%7F%C2%9B%E2%80%AE%E2%81%A9"
		     "%E2%80%A8\xE2\x80\xBA%FFz");
	free(u);
	CHECK(url_store_safe(NULL) == NULL);
	CHECK(url_has_control("https://a/\xE2\x80\x8F"));
	CHECK(!url_has_control("https://a/\xC3\xA9?q=1#f"));

	TEST("url_store_safe drops a URL over URL_MAX_BYTES");
	big = xmalloc(URL_MAX_BYTES + 2);
	memset(big, 'x', URL_MAX_BYTES + 1);
	big[URL_MAX_BYTES + 1] = '\0';
	CHECK(url_store_safe(big) == NULL);
	big[URL_MAX_BYTES] = '\0';
	u = url_store_safe(big);
	CHECK(u && strlen(u) == URL_MAX_BYTES);
	free(u);
	big[URL_MAX_BYTES - 2] = ' '; /* encoding makes it 2 bytes too long */
	CHECK(url_store_safe(big) == NULL);
	free(big);
}

static void
test_urls(void)
{
	const char *b = "http://a/b/c/d;p?q";

	TEST("url rfc3986 normal");
	check_url(b, "g:h", "g:h");
	check_url(b, "g", "http://a/b/c/g");
	check_url(b, "./g", "http://a/b/c/g");
	check_url(b, "g/", "http://a/b/c/g/");
	check_url(b, "/g", "http://a/g");
	check_url(b, "//g", "http://g");
	check_url(b, "?y", "http://a/b/c/d;p?y");
	check_url(b, "g?y", "http://a/b/c/g?y");
	check_url(b, "#s", "http://a/b/c/d;p?q#s");
	check_url(b, "", "http://a/b/c/d;p?q");
	check_url(b, ".", "http://a/b/c/");
	check_url(b, "..", "http://a/b/");
	check_url(b, "../g", "http://a/b/g");
	check_url(b, "../..", "http://a/");
	check_url(b, "../../g", "http://a/g");

	TEST("url rfc3986 abnormal");
	check_url(b, "../../../g", "http://a/g");
	check_url(b, "/./g", "http://a/g");
	check_url(b, "/../g", "http://a/g");
	check_url(b, "g.", "http://a/b/c/g.");
	check_url(b, "..g", "http://a/b/c/..g");
	check_url(b, "./../g", "http://a/b/g");
	check_url(b, "g/./h", "http://a/b/c/g/h");
	check_url(b, "g/../h", "http://a/b/c/h");

	TEST("url no base");
	check_url(NULL, "rel/x", "rel/x");
	check_url("", "/x", "/x");
	check_url("http://example.com", "x", "http://example.com/x");
	/* remove_dots' shortcut: only a "/." or a leading '.' needs work */
	check_url("http://a/b/", "/x/.y/../z", "http://a/x/z");
	check_url("http://a/b/", "/x/y.z/w", "http://a/x/y.z/w");
	check_url("http://a/b/", "https://h/p.q/r?s=./t", "https://h/p.q/r?s=./t");
	check_url("http://example.com/a/", " x ", "http://example.com/a/x ");
}

static void
parse_str(const char *s, const struct parse_opts *o, struct feed_doc *doc)
{
	struct err e = { 0 };

	parse_feed(s, strlen(s), o, doc, &e);
}

static void
test_rss(void)
{
	struct feed_doc d;
	struct parse_opts o = { .url = "http://example.com/feed/" };

	TEST("rss 2.0");
	parse_str("<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
		  "<title>T &amp; C</title><link>http://example.com/</link>"
		  "<description>D</description><language>en</language>"
		  "<item><title>One</title><link>/one</link>"
		  "<guid isPermaLink=\"false\">g1</guid>"
		  "<description>&lt;b&gt;bold&lt;/b&gt;</description>"
		  "<pubDate>Sun, 11 Jan 2004 01:20:06 GMT</pubDate>"
		  "<author>me@example.com (Me)</author>"
		  "<category domain=\"http://s\">Cat</category>"
		  "<enclosure url=\"a.mp3\" length=\"42\" type=\"audio/mpeg\"/>"
		  "</item></channel></rss>",
		  &o, &d);
	CHECK(!d.bozo);
	CHECK_STR(d.version, "rss20");
	CHECK_STR(d.encoding, "utf-8");
	CHECK_STR(d.feed.title, "T & C");
	CHECK_STR(d.feed.link, "http://example.com/");
	CHECK_STR(d.description, "D");
	CHECK_STR(d.language, "en");
	CHECK_INT(d.nentries, 1);
	if (d.nentries == 1) {
		struct feed_entry *en = &d.entries[0];

		CHECK_STR(en->c.title, "One");
		CHECK_STR(en->c.link, "http://example.com/one");
		CHECK_STR(en->c.id, "g1");
		CHECK_STR(en->summary, "<b>bold</b>");
		CHECK_INT(en->c.published, utc(2004, 1, 11, 1, 20, 6));
		CHECK_STR(en->c.published_raw, "Sun, 11 Jan 2004 01:20:06 GMT");
		CHECK_INT(en->c.nauthors, 1);
		if (en->c.nauthors) {
			CHECK_STR(en->c.authors[0].name, "Me");
			CHECK_STR(en->c.authors[0].email, "me@example.com");
		}
		CHECK_INT(en->c.ncategories, 1);
		if (en->c.ncategories) {
			CHECK_STR(en->c.categories[0].term, "Cat");
			CHECK_STR(en->c.categories[0].scheme, "http://s");
		}
		CHECK_INT(en->nenclosures, 1);
		if (en->nenclosures) {
			CHECK_STR(en->enclosures[0].url,
				  "http://example.com/feed/a.mp3");
			CHECK_INT(en->enclosures[0].length, 42);
		}
	}
	feed_doc_release(&d);

	TEST("rss 1.0");
	parse_str("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
		  " xmlns=\"http://purl.org/rss/1.0/\""
		  " xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
		  "<channel rdf:about=\"x\"><title>R</title></channel>"
		  "<item rdf:about=\"http://e/1\"><title>I</title>"
		  "<dc:date>2003-12-31T10:14:55Z</dc:date>"
		  "<dc:creator>Someone</dc:creator></item></rdf:RDF>",
		  NULL, &d);
	CHECK(!d.bozo);
	CHECK_STR(d.version, "rss10");
	CHECK_STR(d.feed.title, "R");
	CHECK_INT(d.nentries, 1);
	if (d.nentries) {
		CHECK_STR(d.entries[0].c.id, "http://e/1");
		CHECK_INT(d.entries[0].c.updated, utc(2003, 12, 31, 10, 14, 55));
		CHECK(d.entries[0].c.nauthors == 1 &&
		      strcmp(d.entries[0].c.authors[0].name, "Someone") == 0);
	}
	feed_doc_release(&d);
}

static void
test_atom(void)
{
	struct feed_doc d;
	struct parse_opts o = { .url = "http://example.com/a/feed.xml" };

	TEST("atom 1.0");
	parse_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" "
		  "xml:base=\"http://example.org/base/\">"
		  "<title type=\"html\">A &lt;b&gt;B&lt;/b&gt;</title>"
		  "<link rel=\"alternate\" href=\"index.html\"/>"
		  "<author><name>N</name><email>n@example.org</email></author>"
		  "<entry><title>E</title><id>urn:x</id>"
		  "<updated>2005-07-31T12:29:29Z</updated>"
		  "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
		  "<p>Hi <a href=\"rel\">x</a></p></div></content>"
		  "<content type=\"text\">second</content>"
		  "</entry></feed>",
		  &o, &d);
	CHECK(!d.bozo);
	CHECK_STR(d.version, "atom10");
	CHECK_STR(d.feed.title, "A <b>B</b>");
	CHECK_STR(d.feed.link, "http://example.org/base/index.html");
	CHECK(d.feed.nauthors == 1 &&
	      strcmp(d.feed.authors[0].email, "n@example.org") == 0);
	CHECK_INT(d.nentries, 1);
	if (d.nentries) {
		struct feed_entry *en = &d.entries[0];

		CHECK_STR(en->c.id, "urn:x");
		CHECK_STR(en->content,
			  "<p>Hi <a href=\"http://example.org/base/rel\">x</a></p>");
		CHECK_STR(en->content_type, "application/xhtml+xml");
		CHECK_INT(en->c.updated, utc(2005, 7, 31, 12, 29, 29));
	}
	feed_doc_release(&d);

	TEST("atom base64 and script");
	parse_str("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>"
		  "<content type=\"text/html\" mode=\"base64\">"
		  "PHA+aGk8L3A+PHNjcmlwdD54PC9zY3JpcHQ+</content></entry></feed>",
		  NULL, &d);
	CHECK(d.nentries == 1 && d.entries[0].content &&
	      strcmp(d.entries[0].content, "<p>hi</p>") == 0);
	feed_doc_release(&d);
}

static void
test_json(void)
{
	struct feed_doc d;
	struct sbuf sb = SBUF_INIT;

	TEST("json feed");
	parse_str("{\"version\": \"https://jsonfeed.org/version/1.1\","
		  "\"title\": \"J\", \"home_page_url\": \"https://j.example/\","
		  "\"items\": [{\"id\": 7, \"url\": \"https://j.example/7\","
		  "\"content_html\": \"<p>x</p>\", \"tags\": [\"a\", \"b\"],"
		  "\"date_published\": \"2019-10-12T07:20:50.52Z\","
		  "\"authors\": [{\"name\": \"A\"}]}]}",
		  NULL, &d);
	CHECK(!d.bozo);
	CHECK_STR(d.version, "json11");
	CHECK_STR(d.feed.title, "J");
	CHECK_STR(d.feed.link, "https://j.example/");
	CHECK_INT(d.nentries, 1);
	if (d.nentries) {
		CHECK_STR(d.entries[0].c.id, "7");
		CHECK_STR(d.entries[0].content, "<p>x</p>");
		CHECK_INT(d.entries[0].c.ncategories, 2);
		CHECK_INT(d.entries[0].c.published, utc(2019, 10, 12, 7, 20, 50));
	}
	parse_dump_json(&d, &sb);
	CHECK(strstr(sb.buf, "\"version\":\"json11\"") != NULL);
	CHECK(strstr(sb.buf, "\"published\":\"2019-10-12T07:20:50Z\"") != NULL);
	sbuf_release(&sb);
	feed_doc_release(&d);

	TEST("json invalid");
	CHECK(parse_feed("{\"items\": [", 11, NULL, &d, NULL) == -1);
	CHECK(d.bozo);
	feed_doc_release(&d);
}

/* The shortcuts of the fast path (cached name spellings, borrowed base
 * URIs, attribute buffer, HTML cleaned in place) give the same answers
 * as the long way. */
static void
test_fast_paths(void)
{
	struct feed_doc d;
	struct sbuf sb = SBUF_INIT;
	size_t i;

	TEST("xml:base nests and does not leak to siblings");
	parse_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" "
		  "xml:base=\"http://a.example/x/\"><title>t</title>"
		  "<entry xml:base=\"sub/\"><title>e1</title>"
		  "<link href=\"p1\"/><content type=\"html\">"
		  "&lt;a href=\"q\"&gt;q&lt;/a&gt;</content></entry>"
		  "<entry><title>e2</title><link href=\"p2\"/></entry>"
		  "</feed>", NULL, &d);
	CHECK_INT(d.nentries, 2);
	if (d.nentries == 2) {
		CHECK_STR(d.entries[0].c.link, "http://a.example/x/sub/p1");
		CHECK_STR(d.entries[0].content,
			  "<a href=\"http://a.example/x/sub/q\">q</a>");
		CHECK_STR(d.entries[1].c.link, "http://a.example/x/p2");
	}
	feed_doc_release(&d);

	TEST("same local name, different namespaces; attribute values");
	parse_str("<rss version=\"2.0\" "
		  "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
		  "xmlns:foo=\"http://foo.example/\"><channel><title>t</title>"
		  "<item><title>i</title><dc:subject>S</dc:subject>"
		  "<foo:subject>F</foo:subject><category>C</category>"
		  "<enclosure url=\"http://e.example/a?x=1&amp;y=2\" "
		  "type=\"Audio/MPEG\" length=\"5\"/><description>  "
		  "&lt;p&gt;x &amp;amp; y&lt;/p&gt;  </description></item>"
		  "<item><title>j</title><description>&lt;p&gt;\xc2\x93q"
		  "\xc2\x94&lt;/p&gt;</description></item></channel></rss>",
		  NULL, &d);
	CHECK_INT(d.nentries, 2);
	if (d.nentries == 2) {
		struct feed_entry *en = &d.entries[0];

		CHECK_INT(en->c.ncategories, 2);
		if (en->c.ncategories == 2) {
			CHECK_STR(en->c.categories[0].term, "S");
			CHECK_STR(en->c.categories[1].term, "C");
		}
		CHECK_INT(en->nenclosures, 1);
		if (en->nenclosures == 1) {
			CHECK_STR(en->enclosures[0].url,
				  "http://e.example/a?x=1&y=2");
			CHECK_STR(en->enclosures[0].type, "audio/mpeg");
			CHECK_INT(en->enclosures[0].length, 5);
		}
		CHECK_STR(en->summary, "<p>x &amp; y</p>");
		/* C1 bytes take the long way through demoronize */
		CHECK_STR(d.entries[1].summary,
			  "<p>\xe2\x80\x9cq\xe2\x80\x9d</p>");
	}
	feed_doc_release(&d);

	TEST("the caller's bytes are read up to len only");
	{
		/* UTF-8 with a plain declaration is parsed in place */
		const char *doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
				  "<rss version=\"2.0\"><channel><title>caf\xc3\xa9"
				  "</title></channel></rss><!-- and then -->"
				  "<item><title>beyond len</title></item>";
		size_t n = (size_t)(strstr(doc, "<!--") - doc);

		parse_feed(doc, n, NULL, &d, NULL);
		CHECK(!d.bozo);
		CHECK_STR(d.feed.title, "caf\xc3\xa9");
		CHECK_INT(d.nentries, 0);
		feed_doc_release(&d);
	}

	TEST("more distinct names than the name cache holds");
	sbuf_adds(&sb, "<rss version=\"2.0\"><channel>");
	for (i = 0; i < 3000; i++)
		sbuf_addf(&sb, "<x%zu a%zu=\"v\">v</x%zu>", i, i, i);
	sbuf_adds(&sb, "<title>after</title><item><title>i</title>"
		       "<link>http://l.example/</link></item></channel></rss>");
	parse_str(sb.buf, NULL, &d);
	CHECK(!d.bozo);
	CHECK_STR(d.feed.title, "after");
	CHECK_INT(d.nentries, 1);
	if (d.nentries == 1)
		CHECK_STR(d.entries[0].c.link, "http://l.example/");
	feed_doc_release(&d);
	sbuf_release(&sb);
}

static void
test_bozo(void)
{
	struct feed_doc d;
	struct err e = { 0 };

	TEST("illformed html entities");
	parse_str("<rss><channel><title>caf&eacute; &amp; &foo; & bar</title>"
		  "<item><title>x</title></item></channel></rss",
		  NULL, &d);
	CHECK(d.bozo);
	CHECK_STR(d.feed.title, "caf\xc3\xa9 & &foo; & bar");
	CHECK_INT(d.nentries, 1);
	feed_doc_release(&d);

	TEST("illformed nesting");
	parse_str("<rss version=\"2.0\"><channel><title>t</title>"
		  "<item><title>a <b>b</title></item>"
		  "<item><title>second</title></item></channel></rss>",
		  NULL, &d);
	CHECK(d.bozo);
	CHECK(d.nentries >= 1);
	feed_doc_release(&d);

	TEST("not a feed");
	CHECK(parse_feed("hello", 5, NULL, &d, &e) == -1);
	CHECK(d.bozo);
	feed_doc_release(&d);
	CHECK(parse_feed("", 0, NULL, &d, &e) == -1);
	CHECK(d.bozo);
	feed_doc_release(&d);

	TEST("undeclared prefix");
	parse_str("<rss version=\"2.0\"><channel><x:y>1</x:y>"
		  "<title>t</title></channel></rss>", NULL, &d);
	CHECK(d.bozo);
	CHECK_STR(d.feed.title, "t");
	feed_doc_release(&d);
}

/* A document cut off: the entry left open is marked, with what of its
 * identity was closed before the end; NUL bytes are found (issue 15). */
static void
test_cut(void)
{
	static const char head[] =
		"<rss version=\"2.0\"><channel><title>t</title>"
		"<item><title>one</title><guid>urn:1</guid></item>";
	struct feed_doc d;
	char *s;

	TEST("a whole document is not cut");
	s = xasprintf("%s</channel></rss>", head);
	parse_str(s, NULL, &d);
	CHECK(!d.cut && d.cut_at == 0 && d.nul_at == 0);
	CHECK(d.nentries == 1 && !d.entries[0].cut);
	feed_doc_release(&d);
	free(s);

	TEST("ill-formed but complete is not cut");
	parse_str("<rss version=\"2.0\"><channel><title>t</title>"
		  "<item><title>a <b>b</title></item>"
		  "<item><title>second</title></item></channel></rss>",
		  NULL, &d);
	CHECK(d.bozo && !d.cut);
	feed_doc_release(&d);

	TEST("cut inside a link before the guid: no identity");
	s = xasprintf("%s<item><title>two</title><link>http://", head);
	parse_str(s, NULL, &d);
	CHECK(d.cut && d.cut_at == strlen(s));
	CHECK_INT(d.nentries, 2);
	CHECK(!d.entries[0].cut);
	CHECK(d.entries[1].cut && !d.entries[1].id_whole &&
	      !d.entries[1].link_whole);
	feed_doc_release(&d);
	free(s);

	TEST("cut after the guid: the guid is whole, the link is not");
	s = xasprintf("%s<item><guid isPermaLink=\"false\">urn:2</guid>"
		      "<link>http://exa", head);
	parse_str(s, NULL, &d);
	CHECK(d.cut && d.nentries == 2);
	CHECK(d.entries[1].cut && d.entries[1].id_whole &&
	      !d.entries[1].link_whole);
	feed_doc_release(&d);
	free(s);

	TEST("cut after the last entry: no entry is cut");
	s = xasprintf("%s</chan", head);
	parse_str(s, NULL, &d);
	CHECK(d.cut && d.nentries == 1 && !d.entries[0].cut);
	feed_doc_release(&d);
	free(s);

	TEST("an Atom link's href is whole at once");
	parse_str("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t"
		  "</title><entry><link href=\"http://e.org/1\"/><title>x",
		  NULL, &d);
	CHECK(d.cut && d.nentries == 1 && d.entries[0].cut &&
	      d.entries[0].link_whole && !d.entries[0].id_whole);
	feed_doc_release(&d);

	TEST("a NUL byte is found, at its offset");
	{
		char nul[] = "<rss version=\"2.0\"><channel><title>t"
			     "</title>\0<item><title>x</title></item>"
			     "</channel></rss>";

		parse_feed(nul, sizeof(nul) - 1, NULL, &d, NULL);
		CHECK_INT(d.nul_at, (size_t)(strchr(nul, '\0') - nul) + 1);
		feed_doc_release(&d);
	}

	TEST("a NUL byte is found by the UTF-8 check: ASCII, text above it, tail");
	{
		/* the check that reads every byte of a UTF-8 document
		 * also notes a NUL; parse_feed() relies on it, so one in
		 * each of its paths must still be found */
		static const char nhead[] =
			"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss "
			"version=\"2.0\"><channel><title>";
		static const char *const mid[] = {
			"plain ascii text here and more of it",
			"\xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac text after",
		};
		size_t m, at, pos;
		bool ok = true;

		for (m = 0; m < ARRAY_SIZE(mid); m++) {
			for (at = 0; at < 40; at += 3) {
				struct sbuf f = SBUF_INIT;

				sbuf_adds(&f, nhead);
				sbuf_adds(&f, mid[m]);
				sbuf_adds(&f, "</title></channel></rss>\n");
				/* a NUL in place of one byte of the tail,
				 * or of the title's text */
				pos = at < 20 ? strlen(nhead) + strlen(mid[m]) -
							at % strlen(mid[m]) - 1
					      : f.len - (at - 20) - 1;
				f.buf[pos] = '\0';
				parse_feed(f.buf, f.len, NULL, &d, NULL);
				if (d.nul_at != pos + 1) {
					fprintf(stderr, "  mid %zu at %zu: "
						"nul_at %zu\n", m, pos,
						d.nul_at);
					ok = false;
				}
				feed_doc_release(&d);
				sbuf_release(&f);
			}
		}
		CHECK(ok);
	}
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	size_t n;

	if (!fp)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(fp);
	return sbuf_detach(&sb, len);
}

static void
test_hostile(void)
{
	struct feed_doc d;
	struct parse_opts o = { 0 };
	struct sbuf sb = SBUF_INIT;
	char *s;
	size_t n, i;

	TEST("billion laughs");
	s = slurp("tests/data/parse/billion-laughs.xml", &n);
	CHECK(s != NULL);
	if (s) {
		parse_feed(s, n, NULL, &d, NULL);
		CHECK(d.feed.title && strlen(d.feed.title) < 100);
		CHECK(d.feed.title && !strstr(d.feed.title, "lollol"));
		CHECK_INT(d.nentries, 1);
		feed_doc_release(&d);
		free(s);
	}

	TEST("quadratic blowup: one big entity referenced 2000 times");
	s = slurp("tests/data/parse/quadratic-blowup.xml", &n);
	CHECK(s != NULL);
	if (s) {
		parse_feed(s, n, NULL, &d, NULL);
		CHECK(d.bozo);
		CHECK(d.bozo_reason && strstr(d.bozo_reason, "limit"));
		CHECK_INT(d.nentries, 1);
		CHECK(d.entries[0].summary &&
		      strstr(d.entries[0].summary, "xxxxxxxxxx") == NULL);
		feed_doc_release(&d);
		free(s);
	}

	TEST("entities that refer to each other");
	s = slurp("tests/data/parse/entity-loop.xml", &n);
	CHECK(s != NULL);
	if (s) {
		parse_feed(s, n, NULL, &d, NULL);
		CHECK(d.bozo);
		CHECK(d.feed.title && strstr(d.feed.title, "one") == NULL);
		CHECK_INT(d.nentries, 1);
		feed_doc_release(&d);
		free(s);
	}

	TEST("entity declarations behind a DOCTYPE with a stray quote");
	s = slurp("tests/data/parse/doctype-broken-quote.xml", &n);
	CHECK(s != NULL);
	if (s) {
		/* was a leak of libxml2's SAX-compat document (ASan) */
		parse_feed(s, n, NULL, &d, NULL);
		parse_dump_json(&d, &sb);
		CHECK(d.bozo);
		CHECK(strstr(sb.buf, "lollol") == NULL);
		sbuf_release(&sb);
		feed_doc_release(&d);
		free(s);
	}

	TEST("entities declared in the internal subset are expanded");
	s = slurp("tests/data/parse/internal-entities.xml", &n);
	CHECK(s != NULL);
	if (s) {
		parse_feed(s, n, NULL, &d, NULL);
		/* well-formed: nothing to be bozo about */
		CHECK(!d.bozo);
		CHECK_STR(d.feed.title, "Example & Co news");
		CHECK_INT(d.nentries, 2);
		CHECK_STR(d.entries[0].c.title, "Hello\xc2\xa0world from "
			  "Example & Co");
		CHECK_STR(d.entries[0].c.id, "tag:example.com,2024:1");
		CHECK_STR(d.entries[0].summary,
			  "<b>Signed</b> by Example &amp; Co");
		CHECK_STR(d.entries[1].c.title, "Attributes: \"quoted\"");
		CHECK_STR(d.entries[1].c.id, "tag:example.com,2024:2");
		CHECK(d.entries[1].c.ncategories == 1);
		CHECK_STR(d.entries[1].c.categories[0].scheme,
			  "\"quoted\" Example & Co");
		/* CDATA is not where references are */
		CHECK(d.entries[1].summary &&
		      strstr(d.entries[1].summary, "site") != NULL &&
		      strstr(d.entries[1].summary, "Example") == NULL);
		feed_doc_release(&d);
		free(s);
	}

	TEST("external entities");
	s = slurp("tests/data/parse/xxe.xml", &n);
	CHECK(s != NULL);
	if (s) {
		parse_feed(s, n, NULL, &d, NULL);
		parse_dump_json(&d, &sb);
		CHECK(strstr(sb.buf, "root:") == NULL);
		CHECK(d.feed.title && strncmp(d.feed.title, "x ", 2) == 0);
		sbuf_release(&sb);
		feed_doc_release(&d);
		free(s);
	}

	TEST("20 MB title is capped");
	{
		const char *head = "<rss><channel><title>";
		const char *tail = "</title></channel></rss>";
		size_t big = 20u << 20;

		s = xmalloc(strlen(head) + big + strlen(tail) + 1);
		memcpy(s, head, strlen(head));
		memset(s + strlen(head), 'a', big);
		memcpy(s + strlen(head) + big, tail, strlen(tail) + 1);
		parse_feed(s, strlen(s), &o, &d, NULL);
		CHECK(d.feed.title != NULL);
		CHECK(d.feed.title && strlen(d.feed.title) <= (1u << 20));
		feed_doc_release(&d);
		o.max_field = 100;
		parse_feed(s, strlen(s), &o, &d, NULL);
		CHECK(d.feed.title && strlen(d.feed.title) <= 100);
		feed_doc_release(&d);
		free(s);
	}

	TEST("invalid utf-8 becomes valid");
	{
		const char *bad = "<rss><channel><title>a\xff\xfe b \xc3</title>"
				  "</channel></rss>";

		parse_feed(bad, strlen(bad), NULL, &d, NULL);
		CHECK(d.bozo);
		CHECK(d.feed.title && utf8_valid(d.feed.title,
						 strlen(d.feed.title)));
		parse_dump_json(&d, &sb);
		CHECK(utf8_valid(sb.buf, sb.len));
		sbuf_release(&sb);
		feed_doc_release(&d);
	}

	TEST("deep nesting");
	{
		struct sbuf deep = SBUF_INIT;

		sbuf_adds(&deep, "<rss><channel><title>t</title><item><title>");
		for (i = 0; i < 5000; i++)
			sbuf_adds(&deep, "<x>");
		sbuf_adds(&deep, "deep");
		for (i = 0; i < 5000; i++)
			sbuf_adds(&deep, "</x>");
		sbuf_adds(&deep, "</title></item></channel></rss>");
		parse_feed(deep.buf, deep.len, NULL, &d, NULL);
		CHECK_STR(d.feed.title, "t");
		feed_doc_release(&d);
		sbuf_release(&deep);
	}
}

/* Issue 16's precedence, one rule each: BOM > HTTP charset > XML
 * declaration > detection (uchardet), detection also when what is
 * declared cannot decode the bytes, and valid UTF-8 never detected as
 * anything else. */
static void
test_encoding_precedence(void)
{
	struct feed_doc d;
	struct parse_opts o = { 0 };
	/* one Japanese sentence in Shift-JIS, one Russian in KOI8-R */
	static const char sjis[] =
		"\x8d\xa1\x93\xfa\x82\xcd\x93\x8c\x8b\x9e\x82\xc5\x90V\x82\xb5"
		"\x82\xa2\x90}\x8f\x91\x8a\xd9\x82\xaa\x8aJ\x8a\xd9\x82\xb5\x82"
		"\xdc\x82\xb5\x82\xbd\x81" "B\x91\xbd\x82\xad\x82\xcc\x8es\x96\xaf"
		"\x82\xaa\x96K\x82\xea\x81" "A\x96{\x82\xf0\x93\xc7\x82\xf1\x82\xbe"
		"\x82\xe8\x95\xd7\x8b\xad\x82\xb5\x82\xbd\x82\xe8\x82\xb5\x82\xc4"
		"\x82\xa2\x82\xdc\x82\xb5\x82\xbd\x81" "B";
	static const char koi8[] =
		"\xf3\xc5\xc7\xcf\xc4\xce\xd1 \xd7 \xed\xcf\xd3\xcb\xd7\xc5 \xcf"
		"\xd4\xcb\xd2\xd9\xcc\xc1\xd3\xd8 \xce\xcf\xd7\xc1\xd1 \xc2\xc9"
		"\xc2\xcc\xc9\xcf\xd4\xc5\xcb\xc1. \xf6\xc9\xd4\xc5\xcc\xc9 \xc7"
		"\xcf\xd2\xcf\xc4\xc1 \xcd\xcf\xc7\xd5\xd4 \xc2\xc5\xd3\xd0\xcc"
		"\xc1\xd4\xce\xcf \xc2\xd2\xc1\xd4\xd8 \xcb\xce\xc9\xc7\xc9 \xc9"
		" \xd6\xd5\xd2\xce\xc1\xcc\xd9.";
	const char *ru = "Сегодня в Москве открылась новая библиотека.";
	struct sbuf sb = SBUF_INIT;

	TEST("a BOM beats the HTTP charset");
	sbuf_adds(&sb, "\xef\xbb\xbf<rss><channel><title>Привет</title>"
		       "</channel></rss>");
	o.content_type = "application/rss+xml; charset=koi8-r";
	parse_feed(sb.buf, sb.len, &o, &d, NULL);
	CHECK_STR(d.encoding, "utf-8");
	CHECK_STR(d.feed.title, "Привет");
	feed_doc_release(&d);
	sbuf_release(&sb);

	TEST("the HTTP charset beats the XML declaration");
	sbuf_adds(&sb, "<?xml version='1.0' encoding='koi8-r'?><rss><channel>"
		       "<title>\xcf\xf0\xe8\xe2\xe5\xf2</title></channel></rss>");
	o.content_type = "application/xml; charset=windows-1251";
	parse_feed(sb.buf, sb.len, &o, &d, NULL);
	CHECK_STR(d.encoding, "windows-1251");
	CHECK_STR(d.feed.title, "Привет");
	feed_doc_release(&d);
	sbuf_release(&sb);

	TEST("the XML declaration beats detection");
	/* KOI8-R bytes said to be windows-1251 are read as windows-1251 */
	sbuf_adds(&sb, "<?xml version='1.0' encoding='windows-1251'?><rss>"
		       "<channel><title>");
	sbuf_adds(&sb, koi8);
	sbuf_adds(&sb, "</title></channel></rss>");
	parse_feed(sb.buf, sb.len, NULL, &d, NULL);
	CHECK(!d.bozo);
	CHECK_STR(d.encoding, "windows-1251");
	CHECK(d.feed.title && str_starts(d.feed.title, "уЕЗПДОС"));
	feed_doc_release(&d);
	sbuf_release(&sb);

	TEST("detection when nothing is declared");
	sbuf_adds(&sb, "<rss><channel><title>");
	sbuf_adds(&sb, koi8);
	sbuf_adds(&sb, "</title></channel></rss>");
	parse_feed(sb.buf, sb.len, NULL, &d, NULL);
	CHECK(d.bozo);
	CHECK_STR(d.bozo_reason, "no encoding declared and not UTF-8");
	CHECK_STR(d.encoding, "KOI8-R");
	CHECK(d.feed.title && str_starts(d.feed.title, ru));
	feed_doc_release(&d);
	/* over HTTP with no Content-Type at all (iso-8859-1 otherwise) */
	o.content_type = "";
	parse_feed(sb.buf, sb.len, &o, &d, NULL);
	CHECK_STR(d.encoding, "KOI8-R");
	CHECK(d.feed.title && str_starts(d.feed.title, ru));
	feed_doc_release(&d);
	sbuf_release(&sb);

	TEST("detection when the declaration cannot decode the bytes");
	sbuf_adds(&sb, "<?xml version='1.0' encoding='utf-8'?><rss><channel>"
		       "<title>");
	sbuf_adds(&sb, sjis);
	sbuf_adds(&sb, "</title></channel></rss>");
	parse_feed(sb.buf, sb.len, NULL, &d, NULL);
	CHECK(d.bozo);
	CHECK_STR(d.encoding, "SHIFT_JIS");
	CHECK(d.feed.title && str_starts(d.feed.title, "今日は東京で新しい図書館"));
	feed_doc_release(&d);
	o.content_type = "text/xml"; /* us-ascii by RFC 3023 */
	parse_feed(sb.buf, sb.len, &o, &d, NULL);
	CHECK_STR(d.encoding, "SHIFT_JIS");
	feed_doc_release(&d);
	sbuf_release(&sb);

	TEST("valid UTF-8 is never detected as anything else");
	sbuf_adds(&sb, "<rss><channel><title>");
	sbuf_adds(&sb, ru);
	sbuf_adds(&sb, "</title></channel></rss>");
	o.content_type = "text/xml";
	parse_feed(sb.buf, sb.len, &o, &d, NULL);
	CHECK_STR(d.encoding, "utf-8");
	CHECK_STR(d.feed.title, ru);
	feed_doc_release(&d);
	o.content_type = "";
	parse_feed(sb.buf, sb.len, &o, &d, NULL);
	CHECK_STR(d.encoding, "utf-8");
	CHECK_STR(d.feed.title, ru);
	feed_doc_release(&d);
	sbuf_release(&sb);

	TEST("a UTF-8 feed cut inside its last character stays UTF-8");
	sbuf_adds(&sb, "<rss><channel><title>");
	sbuf_adds(&sb, ru);
	sbuf_adds(&sb, "</title><item><title>");
	sbuf_adds(&sb, ru);
	sbuf_truncate(&sb, sb.len - 2); /* "а." → the first byte of 'а' */
	parse_feed(sb.buf, sb.len, NULL, &d, NULL);
	CHECK(d.bozo);
	CHECK_STR(d.encoding, "utf-8");
	CHECK_STR(d.feed.title, ru);
	feed_doc_release(&d);
	sbuf_release(&sb);
}

static void
test_encodings(void)
{
	struct feed_doc d;
	struct parse_opts o = { 0 };
	static const char u16[] = "\xff\xfe<\0r\0s\0s\0>\0<\0c\0h\0a\0n\0n\0e\0l\0"
				  ">\0<\0t\0i\0t\0l\0e\0>\0\xe9\0<\0/\0t\0i\0t\0"
				  "l\0e\0>\0<\0/\0c\0h\0a\0n\0n\0e\0l\0>\0<\0/\0"
				  "r\0s\0s\0>\0";
	const char *latin = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>"
			    "<rss><channel><title>caf\xe9</title></channel></rss>";

	TEST("utf-16le bom");
	parse_feed(u16, sizeof(u16) - 1, NULL, &d, NULL);
	/* no declaration: utf-8 was presumed, so feedparser calls it bozo */
	CHECK(d.bozo);
	CHECK_STR(d.encoding, "utf-16le");
	CHECK_STR(d.feed.title, "\xc3\xa9");
	feed_doc_release(&d);

	TEST("declared latin-1");
	parse_feed(latin, strlen(latin), NULL, &d, NULL);
	CHECK(!d.bozo);
	CHECK_STR(d.encoding, "iso-8859-1");
	CHECK_STR(d.feed.title, "caf\xc3\xa9");
	feed_doc_release(&d);

	TEST("utf-8 checked in blocks: every error class, at every offset");
	{
		/* declared UTF-8 stays UTF-8 only when the bytes are; the
		 * text above ASCII before them sends the check to its block
		 * path (SSSE3), the padding moves them across block edges */
		static const char *const good[] = {
			"\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf",
			"\xee\x80\x80", "\xef\xbf\xbd", "\xf0\x90\x80\x80",
			"\xf4\x8f\xbf\xbf", "\xe2\x82\xac\xf0\x9f\x98\x80",
		};
		static const char *const bad[] = {
			"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xc2\xc2",
			"\xe0\x80\x80", "\xe0\x9f\xbf", "\xed\xa0\x80",
			"\xed\xbf\xbf", "\xe2\x82", "\xf0\x80\x80\x80",
			"\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
			"\xf8\x88\x80\x80\x80", "\xff", "\xe2\x82\xac\x80",
			"\xf0\x9f\x98",
		};
		size_t pad, k;
		bool ok = true;

		for (pad = 0; pad < 20; pad++) {
			for (k = 0; k < ARRAY_SIZE(good) + ARRAY_SIZE(bad); k++) {
				bool isgood = k < ARRAY_SIZE(good);
				struct sbuf f = SBUF_INIT;

				sbuf_adds(&f, "<?xml version=\"1.0\" encoding="
					      "\"utf-8\"?><rss><channel><title>"
					      "\xc3\xa9t\xc3\xa9 ");
				sbuf_addf(&f, "%.*s", (int)pad,
					  "xxxxxxxxxxxxxxxxxxxx");
				sbuf_adds(&f, isgood ? good[k]
						     : bad[k - ARRAY_SIZE(good)]);
				sbuf_adds(&f, "</title></channel></rss>");
				parse_feed(f.buf, f.len, NULL, &d, NULL);
				/* bad bytes: another encoding is tried */
				if (isgood != (d.encoding &&
					       strcmp(d.encoding, "utf-8") == 0) ||
				    (isgood && d.bozo)) {
					fprintf(stderr, "  pad %zu, case %zu\n",
						pad, k);
					ok = false;
				}
				feed_doc_release(&d);
				sbuf_release(&f);
			}
		}
		CHECK(ok);
	}

	TEST("http charset wins");
	o.content_type = "application/xml; charset=windows-1252";
	parse_feed(latin, strlen(latin), &o, &d, NULL);
	CHECK_STR(d.encoding, "windows-1252");
	feed_doc_release(&d);

	TEST("text/xml without charset is us-ascii");
	o.content_type = "text/xml";
	parse_feed(latin, strlen(latin), &o, &d, NULL);
	CHECK(d.bozo);
	CHECK_STR(d.feed.title, "caf\xc3\xa9");
	feed_doc_release(&d);

	test_encoding_precedence();
}

/* HTML in a feed field, cleaned as feedparser does: names lower-cased,
 * attributes sorted, deduplicated (last wins) and filtered, URLs
 * resolved and unsafe ones emptied, script/style dropped with their
 * content, svg/math given their namespaces, void elements closed,
 * references kept as written. The expectation is what the cleaner
 * produced before it was made faster. */
static const char tricky_feed[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\""
		"2.0\"><channel><title>t</title><link>https://ex.org/</link"
		">\n<item><title>a</title><description><![CDATA[<P CLASS=x "
		"Id=\"y\" class=\"z\">Caf&eacute; &amp; &foo; &#150; &#X2F;"
		" & so</P><a HREF='../up/./x?q#f' rel=NoFollow title=\"a&qu"
		"ot;b\">l</a><a href=\"javascript:alert(1)\" onclick=\"x()\""
		">j</a><img src=i.png alt=\"a<b\"><br/><br><hr/><p/><script"
		">bad()</script><style>x{}</style>ok<svg><circle cx=1 CY=2 "
		"xlink:href=\"#a\"/><linearGradient gradientUnits=u></linea"
		"rGradient></svg><math><mi mathvariant=bold>x</mi></math><i"
		"nput disabled type=CHECKBOX><!-- c --><!x>< p><blockquote "
		"cite=\" /q \">q</blockquote><font color=red face=x size=2 "
		"bogus=1>f</font>]]></description></item>\n</channel></rss>"
		"\n";
static const char tricky_clean[] =
	"<p class=\"z\" id=\"y\">Caf&eacute; &amp; &amp;foo &#x2013"
		"; &#x2f; & so</p><a href=\"https://ex.org/up/x?q#f\" rel=\""
		"nofollow\" title=\"a&quot;b\">l</a><a href=\"\">j</a><img "
		"alt=\"a&lt;b\" src=\"https://ex.org/a/i.png\" /><br /><br "
		"/><hr /><p></p>ok<svg xmlns=\"http://www.w3.org/2000/svg\""
		"><circle cx=\"1\" cy=\"2\" xlink:href=\"#a\" xmlns:xlink=\""
		"http://www.w3.org/1999/xlink\"><linearGradient gradientUni"
		"ts=\"u\"></linearGradient></svg><math xmlns=\"http://www.w"
		"3.org/1998/Math/MathML\"><mi mathvariant=\"bold\">x</mi></"
		"math><input disabled=\"disabled\" type=\"checkbox\" />&lt;"
		"!x>< p><blockquote cite=\"https://ex.org/q\">q</blockquote"
		"><font color=\"red\" face=\"x\" size=\"2\">f</font>";

static char *
tricky_summary(void)
{
	struct parse_opts o = { 0 };
	struct feed_doc d;
	char *s = NULL;

	o.url = "https://ex.org/a/feed.xml";
	if (parse_feed(tricky_feed, sizeof(tricky_feed) - 1, &o, &d, NULL) ==
		    0 &&
	    d.nentries == 1 && d.entries[0].summary)
		s = xstrdup(d.entries[0].summary);
	feed_doc_release(&d);
	return s;
}

struct worker {
	pthread_t t;
	int rounds, bad;
	size_t graphemes;
};

/* What one thread does many times: parse (tables built on first use,
 * libxml2 set up once), count graphemes (a shared compiled pattern). */
static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < w->rounds; i++) {
		char *s = tricky_summary();

		if (!s || strcmp(s, tricky_clean) != 0)
			w->bad++;
		free(s);
		w->graphemes = rx_graphemes("e\xcc\x81x\xf0\x9f\x8e\x89", 8);
	}
	return NULL;
}

static void
test_threads(void)
{
	struct worker w[4];
	size_t i;
	char *s;

	/* first, so that the lazily built tables are built under a race */
	TEST("parse on several threads at once");
	memset(w, 0, sizeof(w));
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		w[i].rounds = 200;
		CHECK(pthread_create(&w[i].t, NULL, worker_run, &w[i]) == 0);
	}
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		pthread_join(w[i].t, NULL);
		CHECK_INT(w[i].bad, 0);
		CHECK_INT(w[i].graphemes, 3);
	}

	TEST("html in a field is cleaned");
	s = tricky_summary();
	CHECK_STR(s, tricky_clean);
	free(s);

	TEST("c1 controls in html fields are demoronized, latin-1 is kept");
	{
		struct feed_doc d;

		parse_str("<rss version=\"2.0\"><channel><title>t</title>"
			  "<item><description><![CDATA[<p>a\xc2\xa0" "b \xc2\xa9 "
			  "<b>x</b></p>]]></description></item>"
			  "<item><description><![CDATA[<p>a\xc2\x96"
			  "b\xc2\xa0<b>x</b></p>]]></description></item>"
			  "</channel></rss>", NULL, &d);
		CHECK_INT(d.nentries, 2);
		if (d.nentries == 2) {
			CHECK_STR(d.entries[0].summary,
				  "<p>a\xc2\xa0" "b \xc2\xa9 <b>x</b></p>");
			CHECK_STR(d.entries[1].summary,
				  "<p>a\xe2\x80\x93" "b\xc2\xa0<b>x</b></p>");
		}
		feed_doc_release(&d);
	}
}

/* The summary an RSS item's HTML description is cleaned into (base
 * https://ex.org/a/feed.xml); the caller frees. */
static char *
cleaned(const char *html)
{
	struct parse_opts o = { 0 };
	struct feed_doc d;
	struct sbuf f = SBUF_INIT;
	char *s = NULL;

	sbuf_addf(&f, "<rss version=\"2.0\"><channel><title>t</title><item>"
		  "<description><![CDATA[%s]]></description></item></channel>"
		  "</rss>", html);
	o.url = "https://ex.org/a/feed.xml";
	if (parse_feed(f.buf, f.len, &o, &d, NULL) == 0 && d.nentries == 1 &&
	    d.entries[0].summary)
		s = xstrdup(d.entries[0].summary);
	feed_doc_release(&d);
	sbuf_release(&f);
	return s;
}

static void
check_clean(const char *html, const char *want)
{
	char *s = cleaned(html);

	CHECK_STR(s, want);
	free(s);
}

/* The sanitiser's behaviour that tricky_clean does not pin down. */
static void
test_sanitiser(void)
{
	TEST("sanitiser: script, style, applet go with their content");
	check_clean("<p>a<script>x(\"<p>\")</script>b<STYLE>p{}</STYLE>c"
		    "<applet>d</applet>e</p>", "<p>abce</p>");
	TEST("sanitiser: comments, declarations, PIs and <> go");
	check_clean("<p>a<!-- c -->b<!DOCTYPE html>c<?pi x?>d<>e</p>",
		    "<p>abcde</p>");
	TEST("sanitiser: a bare <tag/> is expanded, with attributes it is not");
	check_clean("<b/>x<em class=c/>y</em>", "<b></b>x<em class=\"c/\">y</em>");
	TEST("sanitiser: names lower-cased, last duplicate wins, rel too");
	check_clean("<P CLASS=\"x\" id=a class='y'>t</P><a REL=NoFollow "
		    "rel=External href=x>r</a>",
		    "<p class=\"y\" id=\"a\">t</p><a href=\"https://ex.org/a/x\""
		    " rel=\"external\">r</a>");
	TEST("sanitiser: unsafe schemes are emptied, whatever their case");
	check_clean("<a href=\" JaVaScRiPt:alert(1)\">x</a><img src=\"data:x\""
		    " alt=d>", "<a href=\"\">x</a><img alt=\"d\" src=\"\" />");
	TEST("sanitiser: a quoted '>' stays in its attribute");
	check_clean("<a title=\"x>y\" href=b>t</a>",
		    "<a href=\"https://ex.org/a/b\" title=\"x&gt;y\">t</a>");
	TEST("sanitiser: references kept, windows-1252 mapped, ';' added");
	check_clean("&eacute; &#150; &#x96; &#X41; &#65 &#; &foo &apos;",
		    "&eacute; &#x2013; &#x2013; &#x41; &#65; &#; &amp;foo "
		    "&apos;");
	TEST("sanitiser: a '<' that starts nothing is text");
	check_clean("a < b <1> </ x> c", "a < b <1> </ x> c");
	TEST("sanitiser: a long unknown tag goes with its attributes");
	check_clean("<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa onmouseover="
		    "alert(1)>x</aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa>", "x");
	TEST("sanitiser: events and styles go, allowed attributes stay");
	check_clean("<div style=\"color:red\" onclick=x() lang=fr>s</div>",
		    "<div lang=\"fr\">s</div>");
	TEST("sanitiser: a dropped tag never joins a '<' into a live tag");
	check_clean("<</x>img src=x onerror=alert(1)>",
		    "&lt;img src=x onerror=alert(1)>");
	check_clean("a<<script>x</script>script>y", "a&lt;script>y");
	check_clean("<<!-- c -->b", "&lt;b");
	/* the cleaner keeps the commonest tokens as written without
	 * reading them the long way: these sit on either side of what it
	 * may keep (expectations: main's cleaner before that shortcut) */
	TEST("sanitiser: plain links kept, the others rewritten as before");
	check_clean("<a href=\"https://x.org/p/1\">a</a><a href=\"http://x.org/\">"
		    "b</a>", "<a href=\"https://x.org/p/1\">a</a>"
		    "<a href=\"http://x.org/\">b</a>");
	check_clean("<a href=\"https://x.org/a/./b\">d</a><a href=\"https://x.org"
		    "/a/../b\">e</a>", "<a href=\"https://x.org/a/b\">d</a>"
		    "<a href=\"https://x.org/b\">e</a>");
	check_clean("<a href=\"https://x.org/p \">t</a><a href=\"https://x.org/p"
		    "\tq\">u</a>", "<a href=\"https://x.org/p\">t</a>"
		    "<a href=\"https://x.org/p\tq\">u</a>");
	check_clean("<a href=\"https://x.org/?a=1&b=2\">q</a>",
		    "<a href=\"https://x.org/?a=1&amp;b=2\">q</a>");
	check_clean("<svg><a href=\"http://x.org/p\">s</a></svg>",
		    "<svg xmlns=\"http://www.w3.org/2000/svg\"><a>s</a></svg>");
	check_clean("a<<script><a href=\"http://x.org/p\">s</a></script>t",
		    "a&lt;t");
	check_clean("<a href=\"https://\">e</a><a href=\"HTTPS://X.ORG/p\">c</a>"
		    "<a href=\"https://x.org/p\"/>", "<a href=\"https://\">e</a>"
		    "<a href=\"HTTPS://X.ORG/p\">c</a><a href=\"https://x.org/p\">");
	TEST("sanitiser: references and tags kept as written, or normalised");
	check_clean("&eacute;&#8217;&#150;&#0150;&#12345678901234567;&#x41;"
		    "&apos;&eacute &Eacute;&zzz;", "&eacute;&#8217;&#x2013;"
		    "&#x2013;&#1234567890123456;&#x41;&apos;&eacute; &Eacute;"
		    "&amp;zzz");
	check_clean("<p><B>b</B><br><h1>x</h1><img src=\"/i.png\"></p>",
		    "<p><b>b</b><br /><h1>x</h1><img src=\"https://ex.org/i.png\""
		    " /></p>");
}

/* html_strip(): the plain text the search index gets. The expectations
 * are what it produced before it was made faster. */
static void
check_strip(const char *html, size_t max, const char *want)
{
	struct sbuf sb = SBUF_INIT;

	html_strip(html, strlen(html), max, &sb);
	CHECK_STR(sb.buf, want);
	sbuf_release(&sb);
}

static void
test_strip(void)
{
	TEST("strip: tags, entities, blocks become spaces");
	check_strip("<p>Caf&eacute; &amp; <b>bold</b> text</p><p>next&nbsp;"
		    "para</p><ul><li>one</li><li>two</li></ul>", 0,
		    "Caf\xc3\xa9 & bold text next\xc2\xa0" "para one two");
	TEST("strip: whitespace collapses");
	check_strip("  lots \n\t of   white\r\nspace  <br>here ", 0,
		    "lots of white space here");
	TEST("strip: script, style and comments go");
	check_strip("a<script>var x = '<p>';</script>b<STYLE>p{}</style>c"
		    "<!-- note -->d", 0, "abcd");
	TEST("strip: references, known and not");
	check_strip("it&apos;s &foo; &#8217; &#x1F389; & < 3 &#0; &#1114112;",
		    0, "it's &foo; \xe2\x80\x99 \xf0\x9f\x8e\x89 & < 3 "
		    "\xef\xbf\xbd \xef\xbf\xbd");
	TEST("strip: controls, bidi and bad bytes are sanitized");
	check_strip("x\xe2\x80\xaey\x01z\xc2\x85w\xff end", 0,
		    "xyzw\xef\xbf\xbd end");
	TEST("strip: the cap cuts");
	check_strip("one two three four five", 9, "one two t");
	TEST("strip: tags end where the sanitiser's do");
	check_strip("<img alt=\"a>b\" src=x>text <?pi x?>and<>more", 0,
		    "text andmore");
	check_strip("a<!bogus>b <1> </ x>", 0, "ab <1> </ x>");
	TEST("strip: text runs scanned 16 bytes at a time end where they did");
	{
		/* each thing that ends a run of text, at every offset of
		 * a block, in text long enough for the block scan; and
		 * the characters above ASCII the sanitiser keeps or drops
		 * beside them */
		static const struct {
			const char *in, *out;
		} cut[] = {
			{ "  ", " " }, { "\t", " " }, { " \n", " " },
			{ "\r\n", " " }, { "\f", " " }, { "\v", " " },
			{ "&amp;", "&" }, { "<b>", "" }, { "<p>", " " },
			{ " &lt; ", " < " }, { "\xc3\xa9", "\xc3\xa9" },
			{ "\xe2\x80\xae", "" }, { "\xc2\x85", "" },
			{ "\xef\xbf\xbe", "" }, { " \xc2\xa0 ", " \xc2\xa0 " },
		};
		static const char word[] = "abcdefghijklmnopqrstuvwxyz0123456789";
		size_t k, c;
		bool ok = true;

		for (c = 0; c < ARRAY_SIZE(cut); c++) {
			for (k = 1; k < 34; k++) {
				char in[128], want[128];
				struct sbuf sb = SBUF_INIT;

				snprintf(in, sizeof(in), "%.*s%s%s", (int)k, word,
					 cut[c].in, word);
				snprintf(want, sizeof(want), "%.*s%s%s", (int)k,
					 word, cut[c].out, word);
				html_strip(in, strlen(in), 0, &sb);
				if (strcmp(sb.buf, want) != 0) {
					fprintf(stderr, "  case %zu at %zu: "
						"\"%s\"\n", c, k, sb.buf);
					ok = false;
				}
				sbuf_release(&sb);
			}
		}
		CHECK(ok);
	}
}

/* The dump of s parsed as https://ex.org/feeds/all.xml. */
static char *
dump_of(const char *s, size_t n)
{
	struct parse_opts o = { 0 };
	struct sbuf out = SBUF_INIT;
	struct feed_doc d;

	o.url = "https://ex.org/feeds/all.xml";
	parse_feed(s, n, &o, &d, NULL);
	parse_dump_json(&d, &out);
	feed_doc_release(&d);
	return sbuf_detach(&out, NULL);
}

/* A feed with every way an entry's summary and content arrive: big and
 * small, a base per entry, values that lose to another (their tokens are
 * dropped), C1 controls (cleaned the long way), xhtml, entries' sources;
 * bozo adds a stray '&' so that the first pass is thrown away. */
static void
mixed_feed(struct sbuf *f, bool atom, bool bozo)
{
	int i, k;

	sbuf_adds(f, atom ? "<feed xmlns=\"http://www.w3.org/2005/Atom\""
			    " xml:base=\"https://ex.org/base/\"><title>t</title>"
			  : "<rss version=\"2.0\" xmlns:content=\"http://purl.org"
			    "/rss/1.0/modules/content/\"><channel><title>t"
			    "</title>");
	for (i = 0; i < 300; i++) {
		struct sbuf body = SBUF_INIT;

		for (k = 0; k < (i % 3 ? 12 : 1); k++)
			sbuf_addf(&body, "&lt;p&gt;para %d.%d with a &lt;a "
				  "href=\"rel/%d\"&gt;link&lt;/a&gt; and "
				  "&lt;script&gt;x()&lt;/script&gt;%s&lt;/p&gt;",
				  i, k, k, i % 11 == 0 ? "\xc2\x96" : "");
		if (atom) {
			sbuf_addf(f, "<entry xml:base=\"https://ex.org/e%d/\">"
				  "<id>e%d</id><title>e %d%s</title>", i % 5,
				  i, i, bozo && i == 150 ? " & co" : "");
			sbuf_addf(f, "<summary type=\"html\">%s</summary>",
				  body.buf);
			if (i % 7 == 0)
				sbuf_addf(f, "<summary type=\"html\">again "
					  "%s</summary>", body.buf);
			if (i % 13 == 0)
				sbuf_addf(f, "<content type=\"xhtml\"><div "
					  "xmlns=\"http://www.w3.org/1999/"
					  "xhtml\"><p>x <a href=\"y\">y</a></p>"
					  "</div></content>");
			else if (i % 2)
				sbuf_addf(f, "<content type=\"html\">c %s"
					  "</content>", body.buf);
			sbuf_adds(f, "</entry>");
		} else {
			sbuf_addf(f, "<item><guid>g%d</guid><title>i %d%s"
				  "</title><description>%s</description>", i,
				  i, bozo && i == 150 ? " & co" : "", body.buf);
			if (i % 7 == 0)
				sbuf_addf(f, "<description>again %s"
					  "</description>", body.buf);
			if (i % 2)
				sbuf_addf(f, "<content:encoded>c %s"
					  "</content:encoded>", body.buf);
			if (i % 17 == 0)
				sbuf_addf(f, "<source url=\"https://ex.org/s\">"
					  "s</source>");
			sbuf_adds(f, "</item>");
		}
		sbuf_release(&body);
	}
	sbuf_adds(f, atom ? "</feed>" : "</channel></rss>");
}

static void
test_mixed_entries(void)
{
	static const char *const what[] = { "rss", "atom", "ill-formed rss",
					    "ill-formed atom" };
	int v;

	for (v = 0; v < 4; v++) {
		struct sbuf f = SBUF_INIT;
		char *a, name[96];

		mixed_feed(&f, v & 1, v & 2);
		snprintf(name, sizeof(name), "%s: big entries cleaned, bases "
			 "resolved, bozo as expected", what[v]);
		TEST(name);
		a = dump_of(f.buf, f.len);
		CHECK(strlen(a) > 100000);
		CHECK(strstr(a, "https://ex.org/e") != NULL ||
		      strstr(a, "rel/1") != NULL);
		CHECK(strstr(a, "\\u0001") == NULL &&
		      strchr(a, '\001') == NULL);
		CHECK((strstr(a, "\"bozo\":true") != NULL) == !!(v & 2));
		free(a);
		sbuf_release(&f);
	}
}

int
main(void)
{
	RUN(test_threads);
	RUN(test_mixed_entries);
	RUN(test_strip);
	RUN(test_sanitiser);
	RUN(test_dates);
	RUN(test_cut);
	RUN(test_urls);
	RUN(test_url_store_safe);
	RUN(test_rss);
	RUN(test_atom);
	RUN(test_json);
	RUN(test_bozo);
	RUN(test_fast_paths);
	RUN(test_hostile);
	RUN(test_encodings);
	return check_done("test_parse");
}
