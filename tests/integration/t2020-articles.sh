#!/bin/sh
# The article in the loop (issue 19): a source set to fetch articles gets
# each new item's article during glean fetch (from a loopback server),
# kept with the item and searchable; glean show --article shows it and
# never fetches it twice; a page with no article, or a link that fails,
# keeps the summary and records the reason.
. "$(dirname "$0")/../lib/lib.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"

site="$TRASH/site"
mkdir -p "$site"
para='<p>The committee met on Tuesday, after a long delay, to discuss the budget, the roads, the schools and the library, and it agreed on most of it.</p>'
cat >"$site/story1.html" <<EOH
<html><head><title>Council approves the zanzibarian budget | Town</title></head>
<body><nav class="menu"><a href="/">Home</a></nav><article>
<h1>Council approves the zanzibarian budget</h1>$para$para
<p>Only the article says quixotically, in this sentence, with commas, here.</p>$para
</article><div class="comments">first!</div></body></html>
EOH
printf '<html><body><img src="x.png"></body></html>' >"$site/empty.html"
cat >"$site/feed.xml" <<EOX
<?xml version="1.0"?><rss version="2.0"><channel><title>Town</title>
<item><title>Budget</title><guid>s1</guid><link>{{BASE}}/story1.html</link>
<description>A short summary.</description></item>
<item><title>Nothing</title><guid>s2</guid><link>{{BASE}}/empty.html</link>
<description>Summary two.</description></item>
<item><title>Gone</title><guid>s3</guid><link>{{BASE}}/missing.html</link>
<description>Summary three.</description></item>
</channel></rss>
EOX
echo '{"status": 200, "file": "feed.xml"}' >"$site/feed.rss.meta.json"
echo '{"status": 404, "body": "no"}' >"$site/missing.html.meta.json"
httpd_start "$site" || exit 1
test_on_exit httpd_stop
printf '[general]\ntimeout = 5s\n' >"$GLEAN_HOME/config"

# the id of the item titled $1
item_id() {
	glean items --json | python3 -c "import json, sys; print([i['id'] for i in json.load(sys.stdin) if i['title'] == sys.argv[1]][0])" "$1"
}

test_expect_success 'source-articles turns the setting on' '
	glean add "$HTTPD_URL/feed.rss" >/dev/null &&
	glean source-articles 1 on >out &&
	test_grep "source 1: articles on" out &&
	test_status 2 glean source-articles 1 maybe 2>err
'

test_expect_success 'fetch takes the new items articles, searchable' '
	glean fetch >out 2>err &&
	test_grep "articles: 1 fetched, 2 without one" out &&
	test_grep "\"path\":\"/story1.html\"" "$HTTPD_LOG" &&
	test_grep "\"path\":\"/empty.html\"" "$HTTPD_LOG" &&
	test_grep "\"path\":\"/missing.html\"" "$HTTPD_LOG" &&
	glean search quixotically >out &&
	test_grep "Budget" out
'

test_expect_success 'show --article prints the stored article, no new fetch' '
	n=$(grep -c "/story1.html" "$HTTPD_LOG") &&
	id=$(item_id Budget) &&
	glean show --article "$id" >out &&
	test_grep "Council approves the zanzibarian budget" out &&
	test_grep "quixotically" out &&
	! grep -q "first!" out &&
	! grep -q "Home" out &&
	test "$(grep -c "/story1.html" "$HTTPD_LOG")" = "$n"
'

test_expect_success 'a quote from the article is found in it (no warning)' '
	id=$(item_id Budget) &&
	glean note "$id" --quote "says quixotically, in this sentence" "odd word" 2>err >out &&
	test_grep "saved note" out &&
	test ! -s err &&
	glean note "$id" --quote "words on no page at all" "x" 2>err >out &&
	test_grep "not found in item" err
'

test_expect_success 'no article, or a failed fetch: the reason, and the summary stays' '
	id=$(item_id Nothing) &&
	test_status 1 glean show --article "$id" 2>err &&
	test_grep "no article found: the page has no text.*keeps its summary" err &&
	glean show "$id" >out &&
	test_grep "Summary two" out &&
	id=$(item_id Gone) &&
	test_status 1 glean show --article "$id" 2>err &&
	test_grep "cannot fetch the article.*keeps its summary" err &&
	glean show "$id" >out &&
	test_grep "Summary three" out
'

test_expect_success 'show --article fetches an item whose source does not, once' '
	glean source-articles 1 off >/dev/null &&
	sed "s/s1</s9</; s/Budget</Again</" "$site/feed.xml" >"$site/feed2.xml" &&
	echo "{\"status\": 200, \"file\": \"feed2.xml\"}" >"$site/feed2.rss.meta.json" &&
	glean add "$HTTPD_URL/feed2.rss" >/dev/null &&
	glean fetch >/dev/null 2>&1 &&
	n=$(grep -c "/story1.html" "$HTTPD_LOG") &&
	id=$(item_id Again) &&
	glean show --article "$id" >out &&
	test_grep "quixotically" out &&
	test "$(grep -c "/story1.html" "$HTTPD_LOG")" = "$((n + 1))" &&
	glean show --article "$id" >out &&
	test "$(grep -c "/story1.html" "$HTTPD_LOG")" = "$((n + 1))"
'

test_expect_success 'a link to another server may not lead into the own network' '
	sed "s/s1</s10</; s/Budget</Elsewhere</; s|{{BASE}}/story1|http://localhost:$HTTPD_PORT/story1|" \
		"$site/feed.xml" >"$site/feed3.xml" &&
	echo "{\"status\": 200, \"file\": \"feed3.xml\"}" >"$site/feed3.rss.meta.json" &&
	glean add "$HTTPD_URL/feed3.rss" >/dev/null &&
	glean fetch >/dev/null 2>&1 &&
	n=$(grep -c "/story1.html" "$HTTPD_LOG") &&
	id=$(item_id Elsewhere) &&
	test_status 1 glean show --article "$id" 2>err &&
	test_grep "private address" err &&
	test "$(grep -c "/story1.html" "$HTTPD_LOG")" = "$n"
'

test_done
