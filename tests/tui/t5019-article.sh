#!/bin/sh
# The article in the reader (issue 19): 'f' fetches the item's link,
# finds the article and shows it in the item pane (kept: searchable, and
# never fetched twice); 'f' again shows the item's own text; a page
# with no article says why and keeps the summary.
. "$(dirname "$0")/setup.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"

site="$TRASH/site"
mkdir -p "$site"
para='<p>The committee met on Tuesday, after a long delay, to discuss the budget, the roads, the schools and the library, and it agreed on most of it.</p>'
cat >"$site/story.html" <<EOH
<html><head><title>Council approves the budget | Town</title></head>
<body><nav class="menu"><a href="/">Homepage link</a></nav><article>
<h1>Council approves the budget</h1>$para$para
<p>Only the article says quixotically, in this sentence, with commas, here.</p>$para
</article></body></html>
EOH
printf '<html><body><img src="x.png"></body></html>' >"$site/empty.html"
cat >"$site/feed.xml" <<EOX
<?xml version="1.0"?><rss version="2.0"><channel><title>Town</title>
<item><title>Budget story</title><guid>s1</guid><link>{{BASE}}/story.html</link>
<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>
<description>A short summary.</description></item>
<item><title>Empty story</title><guid>s2</guid><link>{{BASE}}/empty.html</link>
<pubDate>Sun, 01 Nov 2026 10:00:00 GMT</pubDate>
<description>Summary two.</description></item>
</channel></rss>
EOX
echo '{"status": 200, "file": "feed.xml"}' >"$site/feed.rss.meta.json"
httpd_start "$site" || exit 1
test_on_exit httpd_stop

test_expect_success 'setup' '
	glean add "$HTTPD_URL/feed.rss" >/dev/null &&
	glean fetch >/dev/null &&
	tui_start 120 30 &&
	tui_wait "Budget story"
'

test_expect_success 'f shows the article in the item pane' '
	tui_keys Enter &&
	tui_wait "A short summary" &&
	tui_keys f &&
	tui_wait "quixotically" &&
	tui_wait "Article: http://127.0.0.1" &&
	! tui_screen | grep -q "Homepage link" &&
	test "$(grep -c "/story.html" "$HTTPD_LOG")" = 1
'

test_expect_success 'f again: the item text; and again: the stored article' '
	tui_keys f &&
	tui_wait "A short summary" &&
	tui_keys f &&
	tui_wait "quixotically" &&
	test "$(grep -c "/story.html" "$HTTPD_LOG")" = 1 &&
	glean search quixotically >out &&
	test_grep "Budget story" out
'

test_expect_success 'h quotes a passage of the article, and the article stays up' '
	tui_keys h &&
	tui_wait "quote: j/k move" &&
	tui_keys Space Enter &&
	tui_wait "^note on the quote" &&
	tui_type "from the article" && tui_keys Enter &&
	tui_wait "saved: quote" &&
	store_sql "SELECT quote FROM note WHERE body = '\''from the article'\''" >q &&
	test_grep "The committee met on Tuesday" q &&
	tui_wait "quixotically"
'

test_expect_success 'no article: the reason, the summary stays' '
	tui_keys q && tui_keys j && tui_keys Enter &&
	tui_wait "Summary two" &&
	tui_keys f &&
	tui_wait "no article found" &&
	tui_wait "Summary two"
'

test_done
