/* render: HTML/plain layout, links, widths, hostile input, discovery. */
#include <locale.h>
#include <stdlib.h>

#include "glean/base.h"
#include "glean/render.h"
#include "check.h"

#define BASE "https://ex.com/blog/post/index.html"

/* Render s at width w; returns the text (owned by a static out). */
static struct render_out ro;

static const char *
html(const char *s, int w)
{
	struct err e = { 0 };

	render_out_release(&ro);
	if (render_html(s, s ? strlen(s) : 0, BASE, w, &ro, &e) < 0)
		return "(error)";
	return ro.text.buf;
}

static const char *
plain(const char *s, int w)
{
	render_out_release(&ro);
	if (render_plain(s, strlen(s), w, &ro, NULL) < 0)
		return "(error)";
	return ro.text.buf;
}

/* Each test's teardown: the static out goes with its test. */
static void
release_out(void)
{
	render_out_release(&ro);
}

/* No terminal-active bytes: ESC, C1 (as UTF-8), bidi controls, bad UTF-8. */
static int
inert(const char *s)
{
	size_t i, n = strlen(s);

	if (!utf8_valid(s, n))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n') || c == 0x7F)
			return 0;
		if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9F)
			return 0;
	}
	return !strstr(s, "\xE2\x80\xAE") && !strstr(s, "\xE2\x81\xA6") &&
	       !strstr(s, "\xE2\x80\xAA") && !strstr(s, "\xD8\x9C") &&
	       !strstr(s, "\xE2\x80\x8F");
}

static void
test_empty(void)
{
	struct render_out o;
	struct err e = { 0 };
	char *s;

	TEST("empty input");
	CHECK_STR(html(NULL, 40), "");
	CHECK_STR(html("", 40), "");
	CHECK_STR(html("   \n\t ", 40), "");
	CHECK_STR(html("<p></p><div> </div>", 40), "");
	CHECK_INT(ro.nlinks, 0);
	CHECK(!ro.truncated);
	CHECK_STR(plain("", 40), "");
	CHECK(render_html("x", 1, NULL, 0, &o, &e) == 0);
	CHECK_STR(o.text.buf, "x\n");
	render_out_release(&o);
	render_out_release(&o); /* twice is fine */
	CHECK(o.text.buf != NULL && o.nlinks == 0);
	s = html_to_line(NULL, 0);
	CHECK_STR(s, "");
	free(s);
}

static void
test_paragraphs(void)
{
	TEST("paragraphs");
	CHECK_STR(html("<p>one</p><p>two</p>", 40), "one\n\ntwo\n");
	CHECK_STR(html("  lead <b>bold</b>  and\n\t<i>it</i>  ", 40),
		  "lead bold and it\n");
	CHECK_STR(html("<b>a</b><i>b</i> c", 40), "ab c\n");
	CHECK_STR(html("<div>a</div><div>b</div>", 40), "a\nb\n");
	CHECK_STR(html("<p>x</p><p></p><p></p><p>y</p>", 40), "x\n\ny\n");
	CHECK_STR(html("<p>The quick brown fox jumps over the lazy dog</p>",
		       20),
		  "The quick brown fox\njumps over the lazy\ndog\n");

	TEST("br");
	CHECK_STR(html("a<br>b<br/><br>c", 40), "a\nb\n\nc\n");
	CHECK_STR(html("<p>a<br></p><p>b</p>", 40), "a\n\nb\n");
	CHECK_STR(html("a <br> b", 40), "a\nb\n");

	TEST("nbsp and soft hyphen");
	CHECK_STR(html("a&nbsp;&nbsp;b c&shy;d", 40), "a  b cd\n");

	TEST("no wrapping at width 0");
	CHECK_STR(html("<p>The quick brown fox jumps over the lazy dog</p>",
		       0), "The quick brown fox jumps over the lazy dog\n");

	TEST("dropped elements");
	CHECK_STR(html("<html><head><title>T</title><style>p{}</style>"
		       "<script>alert(1)</script></head><body><p>shown</p>"
		       "<script>var x = '<p>no</p>';</script>"
		       "<template><p>no</p></template></body></html>", 40),
		  "shown\n");
	CHECK_STR(html("a<!-- comment -->b", 40), "ab\n");
}

static void
test_headings(void)
{
	TEST("headings");
	CHECK_STR(html("<h1>Big news</h1><p>body</p>", 40),
		  "Big news\n========\n\nbody\n");
	CHECK_STR(html("<p>x</p><h2>Sub</h2>y", 40), "x\n\nSub\n---\n\ny\n");
	CHECK_STR(html("<h3>Third</h3><h6>Six</h6>", 40),
		  "### Third\n\n###### Six\n");
	/* The underline is as wide as the widest wrapped line. */
	CHECK_STR(html("<h1>aaaa bbbb cccc</h1>", 10),
		  "aaaa bbbb\ncccc\n=========\n");
}

static void
test_lists(void)
{
	TEST("unordered list");
	CHECK_STR(html("<p>Intro</p><ul><li>one</li><li>two</li></ul>"
		       "<p>after</p>", 40),
		  "Intro\n\n* one\n* two\n\nafter\n");
	CHECK_STR(html("<ul><li>a long item that wraps</li></ul>", 14),
		  "* a long item\n  that wraps\n");

	TEST("nested lists");
	CHECK_STR(html("<ul><li>a<ul><li>b<ul><li>c</li></ul></li>"
		       "<li>d</li></ul></li><li>e</li></ul>", 40),
		  "* a\n  - b\n    + c\n  - d\n* e\n");
	CHECK_STR(html("<ol><li>x<ul><li>y</li></ul></li></ol>", 40),
		  "1. x\n   - y\n");
	CHECK_STR(html("<ul><li><ul><li>deep</li></ul></li></ul>", 40),
		  "* - deep\n");

	TEST("ordered list");
	CHECK_STR(html("<ol><li>a</li><li>b</li></ol>", 40),
		  "1. a\n2. b\n");
	CHECK_STR(html("<ol start=\"9\"><li>nine</li><li>ten</li></ol>", 40),
		  " 9. nine\n10. ten\n");
	CHECK_STR(html("<ol start=\"junk\"><li>a</li><li value=\"5\">e</li>"
		       "<li>f</li></ol>", 40), "1. a\n5. e\n6. f\n");
	CHECK_STR(html("<li>stray</li>", 40), "* stray\n");

	TEST("definition list");
	CHECK_STR(html("<dl><dt>term</dt><dd>meaning</dd></dl>", 40),
		  "term\n    meaning\n");
}

static void
test_quote_pre(void)
{
	TEST("blockquote");
	CHECK_STR(html("<p>He said:</p><blockquote><p>one</p><p>two</p>"
		       "</blockquote><p>end</p>", 40),
		  "He said:\n\n> one\n>\n> two\n\nend\n");
	CHECK_STR(html("<blockquote>aaa bbb ccc</blockquote>", 9),
		  "> aaa bbb\n> ccc\n");
	CHECK_STR(html("<blockquote>a<blockquote>b</blockquote></blockquote>",
		       40), "> a\n>\n> > b\n");

	TEST("pre");
	CHECK_STR(html("<p>x</p><pre>\nint main(void)\n{\n\treturn 0;  "
		       "/* a very long line that is not wrapped */\n}\n"
		       "</pre><p>y</p>", 20),
		  "x\n\nint main(void)\n{\n        return 0;  /* a very long "
		  "line that is not wrapped */\n}\n\ny\n");
	CHECK_STR(html("<pre>a  <b>b</b>\n\n  c</pre>", 40),
		  "a  b\n\n  c\n");
	CHECK_STR(html("<blockquote><pre>q\n r</pre></blockquote>", 40),
		  "> q\n>  r\n");

	TEST("hr and images");
	CHECK_STR(html("a<hr>b", 10), "a\n\n----------\n\nb\n");
	CHECK_STR(html("<p>see <img src=x alt=\"a cat\"> here</p>", 40),
		  "see [image: a cat] here\n");
	CHECK_STR(html("<img src=x alt=\"\">x<img src=t width=1 height=1>"
		       "<img src=y>", 40), "x[image]\n");
}

static void
test_links(void)
{
	TEST("numbered links");
	CHECK_STR(html("<p>A <a href=\"../x?q=1#f\">link</a>, "
		       "<a href=\"https://o.org/\">other</a> and "
		       "<a href=\"../x?q=1#f\">again</a>.</p>", 40),
		  "A link[1], other[2] and again[1].\n\n"
		  "[1]: https://ex.com/blog/x?q=1#f\n"
		  "[2]: https://o.org/\n");
	CHECK_INT(ro.nlinks, 2);
	CHECK_STR(ro.links[0].url, "https://ex.com/blog/x?q=1#f");
	CHECK_INT(ro.body_len, strlen("A link[1], other[2] and again[1].\n"));
	CHECK_STR(html("<a href=\"/a\"><b>bold</b> </a>x", 40),
		  "bold[1] x\n\n[1]: https://ex.com/a\n");

	TEST("links not numbered");
	CHECK_STR(html("<a href=\"javascript:alert(1)\">js</a> "
		       "<a href=\"data:text/html,x\">d</a> "
		       "<a href=\"#fn1\">1</a> <a name=\"x\">n</a> "
		       "<a href=\"/empty\"></a>", 40), "js d 1 n\n");
	CHECK_INT(ro.nlinks, 0);

	TEST("RFC 3986 resolution");
	{
		static const char *const cases[][2] = {
			{ "g", "http://a/b/c/g" },
			{ "./g", "http://a/b/c/g" },
			{ "g/", "http://a/b/c/g/" },
			{ "/g", "http://a/g" },
			{ "//g", "http://g" },
			{ "?y", "http://a/b/c/d;p?y" },
			{ "g?y", "http://a/b/c/g?y" },
			{ "g#s", "http://a/b/c/g#s" },
			{ ";x", "http://a/b/c/;x" },
			{ "", "http://a/b/c/d;p?q" },
			{ ".", "http://a/b/c/" },
			{ "..", "http://a/b/" },
			{ "../g", "http://a/b/g" },
			{ "../..", "http://a/" },
			{ "../../../g", "http://a/g" },
			{ "/./g", "http://a/g" },
			{ "g.", "http://a/b/c/g." },
			{ "..g", "http://a/b/c/..g" },
			{ "./g/.", "http://a/b/c/g/" },
			{ "g;x=1/../y", "http://a/b/c/y" },
			{ " \tHTTPS://x.org/a/../b\n ", "HTTPS://x.org/b" },
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			struct render_out o;
			char *doc = xasprintf("<a href=\"%s\">t</a>",
					      cases[i][0]);

			render_html(doc, strlen(doc), "http://a/b/c/d;p?q", 40,
				    &o, NULL);
			CHECK(o.nlinks == 1);
			if (o.nlinks == 1)
				CHECK_STR(o.links[0].url, cases[i][1]);
			render_out_release(&o);
			free(doc);
		}
	}
	TEST("no base");
	{
		struct render_out o;

		render_html("<a href=\"rel/x\">t</a>", 21, NULL, 40, &o, NULL);
		CHECK_STR(o.text.buf, "t[1]\n\n[1]: rel/x\n");
		render_out_release(&o);
	}
	TEST("iframe");
	CHECK_STR(html("<iframe src=\"https://v.example/e/1\">x</iframe>", 40),
		  "[embed][1]\n\n[1]: https://v.example/e/1\n");
}

static void
test_entities(void)
{
	char *s;

	TEST("entities");
	CHECK_STR(html("<p>a &amp; b &eacute; &#8217; &lt;tag&gt; &quot;"
		       "</p>", 40), "a & b \xC3\xA9 \xE2\x80\x99 <tag> \"\n");
	CHECK_STR(html("AT&T &unknown; &#x41;", 40), "AT&T &unknown; A\n");

	TEST("html_to_line");
	s = html_to_line("Foo &amp; <b>Bar</b>\n  baz", 0);
	CHECK_STR(s, "Foo & Bar baz");
	free(s);
	s = html_to_line("<p>one</p><p>two<br>three</p><script>x</script>"
			 "<img alt=\"pic\">", 0);
	CHECK_STR(s, "one two three pic");
	free(s);
	s = html_to_line("plain  title\twith\ttabs", 0);
	CHECK_STR(s, "plain title with tabs");
	free(s);
	s = html_to_line("\xC3\xA9\xC3\xA9\xC3\xA9", 5);
	CHECK_STR(s, "\xC3\xA9\xC3\xA9");
	free(s);
	s = html_to_line("a&#27;[2Jb&#x9b;c\xE2\x80\xAE" "d\x1b]0;t\x07", 0);
	CHECK_STR(s, "a[2Jbcd]0;t");
	free(s);

	TEST("render_content");
	{
		struct render_out o;

		render_content("<b>x</b>", 8, "text/plain; charset=utf-8",
			       NULL, 40, &o, NULL);
		CHECK_STR(o.text.buf, "<b>x</b>\n");
		render_out_release(&o);
		render_content("<b>x</b>", 8, "text/html", NULL, 40, &o, NULL);
		CHECK_STR(o.text.buf, "x\n");
		render_out_release(&o);
		render_content("<b>x</b>", 8, NULL, NULL, 40, &o, NULL);
		CHECK_STR(o.text.buf, "x\n");
		render_out_release(&o);
	}
}

static void
test_hostile(void)
{
	const char *t;

	TEST("hostile: escapes and C1 from entities");
	t = html("<p>a&#27;[31mred&#x1b;]0;title&#7;b&#x9b;1;31m&#155;c</p>",
		 80);
	CHECK(inert(t));
	CHECK(strstr(t, "[31mred") != NULL);

	TEST("hostile: bidi raw and as entities");
	t = html("<p>x\xE2\x80\xAEy&#x202E;z&#8238;w&#x2066;v\xE2\x81\xA6u"
		 "&#x61C;&lrm;&rlm;</p>", 80);
	CHECK(inert(t));
	CHECK_STR(t, "xyzwvu\n");

	TEST("hostile: raw controls and invalid UTF-8");
	t = html("<p>a\x1b[2Jb\x01\x7f" "c\xff\xfe" "d\xC0\xAF" "e\xED\xA0\x80"
		 "f\xC2\x9B" "g\x00h</p>", 80);
	CHECK(inert(t));
	CHECK(strstr(t, "[2Jb") != NULL);
	CHECK(strstr(t, "\xEF\xBF\xBD") != NULL);

	TEST("hostile: in attributes and pre");
	t = html("<a href=\"https://e.com/&#27;[31m\xE2\x80\xAE\">l</a>"
		 "<img alt=\"&#x9b;x&#x202e;\"><pre>\x1b[1m&#27;p\xE2\x81\xA6"
		 "</pre>", 80);
	CHECK(inert(t));
	CHECK(ro.nlinks == 1 && inert(ro.links[0].url));

	TEST("hostile: plain text");
	t = plain("a\x1b[31m\xC2\x9B\xE2\x80\xAE\xff\r\nb", 80);
	CHECK(inert(t));
	CHECK_STR(t, "a[31m\xEF\xBF\xBD\nb\n");

	TEST("hostile: meta charset cannot switch decoding");
	t = html("<meta charset=\"iso-8859-1\"><p>\xC3\xA9</p>", 80);
	CHECK_STR(t, "\xC3\xA9\n");
}

static void
test_widths(void)
{
	char *s;

	TEST("text_width");
	CHECK_INT(text_width(NULL), 0);
	CHECK_INT(text_width(""), 0);
	CHECK_INT(text_width("abc"), 3);
	CHECK_INT(text_width("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"), 6);
	CHECK_INT(text_width("e\xCC\x81"), 1);          /* e + U+0301 */
	CHECK_INT(text_width("\xF0\x9F\x98\x80"), 2);   /* U+1F600 */
	CHECK_INT(text_width("\xff" "a"), 2);           /* U+FFFD + a */
	CHECK_INT(text_width("\x1b"), 0);
	CHECK_INT(text_width_n("abc", 2), 2);

	TEST("text_cut");
	CHECK_INT(text_cut_len("abcdef", 3), 3);
	CHECK_INT(text_cut_len("ab", 5), 2);
	CHECK_INT(text_cut_len("\xE6\x97\xA5\xE6\x9C\xAC", 3), 3);
	CHECK_INT(text_cut_len("ae\xCC\x81x", 2), 4); /* keeps the accent */
	CHECK_INT(text_cut_len(NULL, 3), 0);
	s = text_cut("abcdef", 4, true);
	CHECK_STR(s, "abc\xE2\x80\xA6");
	free(s);
	s = text_cut("abcdef", 4, false);
	CHECK_STR(s, "abcd");
	free(s);
	s = text_cut("abc", 4, true);
	CHECK_STR(s, "abc");
	free(s);
	s = text_cut("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 5, true);
	CHECK_STR(s, "\xE6\x97\xA5\xE6\x9C\xAC\xE2\x80\xA6");
	CHECK_INT(text_width(s), 5);
	free(s);

	TEST("wide wrapping");
	/* 日本語 is 6 columns: two fit in 13, not in 12. */
	CHECK_STR(html("日本語 日本語 日本語", 13),
		  "日本語 日本語\n日本語\n");
	CHECK_STR(html("日本語 日本語 日本語", 12),
		  "日本語\n日本語\n日本語\n");
	/* A word wider than the line breaks between characters; a wide
	 * character never straddles the edge. */
	CHECK_STR(html("日本語日本語", 5), "日本\n語日\n本語\n");
	CHECK_STR(html("abcdefghij", 4), "abcd\nefgh\nij\n");
	CHECK_STR(html("ab cdefghij", 4), "ab\ncdef\nghij\n");
	CHECK_STR(html("e\xCC\x81" "e\xCC\x81" "e\xCC\x81", 2),
		  "e\xCC\x81" "e\xCC\x81\ne\xCC\x81\n");
	CHECK_STR(html("\xF0\x9F\x98\x80\xF0\x9F\x98\x80 x", 4),
		  "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\nx\n");

	TEST("plain text");
	CHECK_STR(plain("short line\n\n\nlong line to be wrapped here\n"
			"\ttab\n\n", 12),
		  "short line\n\n\nlong line to\nbe wrapped\nhere\n"
		  "        tab\n");
	CHECK_STR(plain("\n\nlead", 12), "lead\n");
	CHECK_STR(plain("keep  two  spaces", 40), "keep  two  spaces\n");
}

static void
test_caps(void)
{
	struct render_out o;
	struct err e = { 0 };
	struct sbuf big = SBUF_INIT;
	size_t i;
	char *p;

	TEST("5 MB input is capped");
	for (i = 0; big.len < 5 * 1000 * 1000; i++)
		sbuf_adds(&big, i % 50 ? "word " : "<p>para</p>");
	CHECK(render_html(big.buf, big.len, NULL, 72, &o, &e) == 0);
	CHECK(o.truncated);
	CHECK(o.text.len <= RENDER_MAX_OUTPUT + 64);
	CHECK(str_ends(o.text.buf, "[truncated]\n"));
	render_out_release(&o);

	TEST("input over the cap");
	sbuf_reset(&big);
	p = xmalloc(RENDER_MAX_INPUT + 100);
	memset(p, 'a', RENDER_MAX_INPUT + 100);
	CHECK(render_plain(p, RENDER_MAX_INPUT + 100, 0, &o, &e) == 0);
	CHECK(o.truncated);
	render_out_release(&o);
	free(p);

	TEST("many links are capped");
	for (i = 0; i < RENDER_MAX_LINKS + 50; i++)
		sbuf_addf(&big, "<a href=\"/l%zu\">x</a> ", i);
	CHECK(render_html(big.buf, big.len, BASE, 72, &o, &e) == 0);
	CHECK_INT(o.nlinks, RENDER_MAX_LINKS);
	render_out_release(&o);

	TEST("100000 nested divs");
	sbuf_reset(&big);
	for (i = 0; i < 100000; i++)
		sbuf_adds(&big, "<div>");
	sbuf_adds(&big, "deep text");
	for (i = 0; i < 100000; i++)
		sbuf_adds(&big, "</div>");
	CHECK(render_html(big.buf, big.len, NULL, 40, &o, &e) == 0);
	render_out_release(&o);

	TEST("deep blockquotes and lists stay bounded");
	sbuf_reset(&big);
	/* libxml2 keeps 256 levels; this is 240, past our 48 frames. */
	for (i = 0; i < 80; i++)
		sbuf_adds(&big, "<blockquote><ul><li>");
	sbuf_adds(&big, "end");
	CHECK(render_html(big.buf, big.len, NULL, 40, &o, &e) == 0);
	CHECK(strstr(o.text.buf, "end") != NULL);
	CHECK(inert(o.text.buf));
	render_out_release(&o);
	sbuf_release(&big);
}

/* The tree htree.c builds: the repairs libxml2's HTML parser made. */
static void
test_repairs(void)
{
	TEST("repairs: implied end tags");
	CHECK_STR(html("<ul><li>a<li>b</ul>after", 40), "* a\n* b\n\nafter\n");
	CHECK_STR(html("<p>a<p>b", 40), "a\n\nb\n");
	CHECK_STR(html("<dl><dt>t<dd>d<dt>u<dd>e</dl>", 40),
		  "t\n    d\nu\n    e\n");
	CHECK_STR(html("<table><tr><td>a<td>b<tr><td>c</table>", 40),
		  "a b\nc\n");
	/* as libxml2 2.9: <ol> closes an open <ul> and the other way */
	CHECK_STR(html("<ul>x<ol><li>y</ol>", 40), "x\n\n1. y\n");

	TEST("repairs: misnested and stray end tags");
	CHECK_STR(html("<div>x<b>y</div>z</b>w", 40), "xy\nzw\n");
	CHECK_STR(html("<b><div>x</b>y</div>z", 40), "xy\nz\n");
	CHECK_STR(html("<o:p>a</o:p>b", 40), "a\n\nb\n");

	TEST("repairs: references, raw text, PIs");
	CHECK_STR(html("a &amp b &ampx; &#65;&#0;&#x110000; &nbsp c &apos;", 40),
		  "a &amp b &ampx; A &nbsp c '\n");
	CHECK_STR(html("x<script>if (a<b) document.write('<p>no</p>')"
		       "</script>y", 40), "xy\n");
	CHECK_STR(html("a<?php echo 1 ?>b<!-- x --!>c</ p>d", 40),
		  "abc p>d\n");
	CHECK_STR(html("<a href=\"/x?a=1&amp;b=2\">l</a>", 40),
		  "l[1]\n\n[1]: https://ex.com/x?a=1&b=2\n");
}

static void
test_discover(void)
{
	struct discover_list l;
	struct err e = { 0 };
	const char *page;

	TEST("discover: several feeds");
	page = "<!DOCTYPE html><html><head><title>Blog</title>"
	       "<link rel=\"stylesheet\" href=\"/s.css\" type=\"text/css\">"
	       "<link rel=\"alternate\" type=\"application/rss+xml\" "
	       "title=\"RSS &amp; more\" href=\"/feed.xml\">"
	       "<link rel=\"Alternate Feed\" type=\"application/atom+xml; "
	       "charset=utf-8\" title=\" Atom\n feed \" href=\"atom.xml\">"
	       "<link rel=\"alternate\" type=\"application/feed+json\" "
	       "href=\"https://other.org/feed.json\">"
	       "<link rel=\"alternate\" type=\"application/rss+xml\" "
	       "href=\"https://ex.com/feed.xml\" title=\"dup\">"
	       "<link rel=\"alternate\" type=\"text/html\" hreflang=\"fr\" "
	       "href=\"/fr/\">"
	       "<link rel=\"alternate\" type=\"application/json\" "
	       "href=\"/wp-json/wp/v2/posts/1\">"
	       "<link rel=\"alternate\" type=\"application/rdf+xml\" "
	       "href=\"../rdf\">"
	       "<link rel=\"alternate\" type=\"application/rss+xml\" "
	       "href=\"javascript:alert(1)\">"
	       "<link rel=\"alternate\" type=\"application/rss+xml\" "
	       "href=\"file:///etc/passwd\">"
	       "<link rel=\"alternate\" type=\"application/rss+xml\">"
	       "</head><body><p>hi</p>"
	       "<link rel=\"alternate\" type=\"application/json\" "
	       "href=\"/feed.json\" title=\"x&#27;[2J\xE2\x80\xAEy\">"
	       "</body></html>";
	CHECK(discover_feeds(page, strlen(page), "https://ex.com/a/b.html",
			     &l, &e) == 0);
	CHECK_INT(l.n, 5);
	if (l.n == 5) {
		CHECK_STR(l.v[0].url, "https://ex.com/feed.xml");
		CHECK_STR(l.v[0].title, "RSS & more");
		CHECK_STR(l.v[0].type, "application/rss+xml");
		CHECK_STR(l.v[1].url, "https://ex.com/a/atom.xml");
		CHECK_STR(l.v[1].title, "Atom feed");
		CHECK_STR(l.v[1].type, "application/atom+xml");
		CHECK_STR(l.v[2].url, "https://other.org/feed.json");
		CHECK(l.v[2].title == NULL);
		CHECK_STR(l.v[3].url, "https://ex.com/rdf");
		CHECK_STR(l.v[4].url, "https://ex.com/feed.json");
		/* libxml2 ends the value at the invalid &#27;. */
		CHECK(l.v[4].title && str_starts(l.v[4].title, "x") &&
		      inert(l.v[4].title));
		CHECK_STR(l.v[4].type, "application/json");
	}
	discover_list_release(&l);
	discover_list_release(&l);

	TEST("discover: C1 and bidi in titles");
	page = "<link rel=alternate type=application/rss+xml href=/f "
	       "title=\"a&#x9b;[2Jb\xE2\x80\xAE" "c&#x2066;d\">";
	CHECK(discover_feeds(page, strlen(page), "https://ex.com/", &l,
			     &e) == 0);
	CHECK(l.n == 1 && l.v[0].title &&
	      strcmp(l.v[0].title, "a[2Jbcd") == 0);
	discover_list_release(&l);

	TEST("discover: base href");
	page = "<html><head><base href=\"https://cdn.ex.org/site/\">"
	       "<link rel=alternate type=application/rss+xml href=rss>"
	       "</head></html>";
	CHECK(discover_feeds(page, strlen(page), "https://ex.com/", &l,
			     &e) == 0);
	CHECK(l.n == 1 && strcmp(l.v[0].url, "https://cdn.ex.org/site/rss")
			      == 0);
	discover_list_release(&l);

	TEST("discover: none, empty");
	page = "<html><body><a href=\"/feed\">feed</a></body></html>";
	CHECK(discover_feeds(page, strlen(page), "https://ex.com/", &l,
			     &e) == 0);
	CHECK_INT(l.n, 0);
	discover_list_release(&l);
	CHECK(discover_feeds("", 0, "https://ex.com/", &l, &e) == -1);
	CHECK(e.code == ERR_PARSE);
	discover_list_release(&l);

	TEST("discover: file page may list file feeds");
	page = "<link rel=alternate type=application/atom+xml href=a.xml>";
	CHECK(discover_feeds(page, strlen(page), "file:///tmp/x/p.html", &l,
			     &e) == 0);
	CHECK(l.n == 1 && strcmp(l.v[0].url, "file:///tmp/x/a.xml") == 0);
	discover_list_release(&l);
}

static void
test_enclosures(void)
{
	struct render_out eo;
	struct err e = { 0 };

	TEST("enclosures numbered after the links, type and size");
	CHECK(render_html("<p><a href='https://x.example/a'>a</a></p>", 40,
			  NULL, 80, &eo, &e) == 0);
	CHECK_INT(render_enclosures("[{\"url\":\"https://x.example/e.mp3\","
				    "\"type\":\"audio/mpeg\",\"length\":"
				    "2048},{\"url\":\"https://x.example/p"
				    "\\u001b[2J.pdf\"}]", &eo), 2);
	CHECK_INT(eo.nlinks, 3);
	CHECK_STR(eo.links[1].url, "https://x.example/e.mp3");
	CHECK(strstr(eo.text.buf, "[1]: https://x.example/a\n"
		     "[2]: https://x.example/e.mp3 (enclosure, audio/mpeg, "
		     "2.0 KB)\n[3]: https://x.example/p[2J.pdf (enclosure)\n")
	      != NULL);
	CHECK(!strchr(eo.text.buf, '\033'));
	render_out_release(&eo);

	TEST("enclosures: none, bad JSON, no links before");
	render_out_init(&eo);
	CHECK_INT(render_enclosures(NULL, &eo), 0);
	CHECK_INT(render_enclosures("[{", &eo), 0);
	CHECK_INT(render_enclosures("[{\"type\":\"x\"}]", &eo), 0);
	CHECK_INT(render_enclosures("[{\"url\":\"https://x.example/i.png\","
				    "\"length\":5}]", &eo), 1);
	CHECK_STR(eo.text.buf, "\n[1]: https://x.example/i.png (enclosure, 5 "
		  "B)\n");
	render_out_release(&eo);
}

int
main(void)
{
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "C.utf8");
	FIXTURE(NULL, release_out);
	RUN(test_empty);
	RUN(test_paragraphs);
	RUN(test_headings);
	RUN(test_lists);
	RUN(test_quote_pre);
	RUN(test_links);
	RUN(test_entities);
	RUN(test_hostile);
	RUN(test_widths);
	RUN(test_caps);
	RUN(test_repairs);
	RUN(test_discover);
	RUN(test_enclosures);
	return check_done("test_render");
}
