#!/bin/sh
# Fetching from the reader: R and r fetch in the background over
# loopback HTTP while reading goes on, new items appear without a
# restart, and commits by another glean process (a cron 'glean fetch',
# 'glean star') show up too: the reader holds the writer lock only while
# it writes.
. "$(dirname "$0")/setup.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"

site="$TRASH/site"
mkdir -p "$site"
feed() { # titles...
	{
		echo '<?xml version="1.0"?><rss version="2.0"><channel>'
		echo '<title>Loop Feed</title><link>https://loop.example/</link>'
		n=0
		for t in "$@"; do
			n=$((n + 1))
			echo "<item><title>$t</title><guid>loop-$n</guid>"
			echo "<link>https://loop.example/$n</link>"
			echo "<pubDate>Mon, 0$n Nov 2026 10:00:00 GMT</pubDate>"
			echo "<description>&lt;p&gt;Text of $t.&lt;/p&gt;</description></item>"
		done
		echo '</channel></rss>'
	} >"$site/feed.xml"
}
feed "First post"
httpd_start "$site" || exit 1
test_on_exit httpd_stop
printf '[general]\ntimeout = 10s\n' >"$GLEAN_HOME/config"

test_expect_success 'setup' '
	glean add "$HTTPD_URL/feed.xml" >/dev/null &&
	glean fetch >/dev/null &&
	tui_start 140 30 &&
	tui_wait "Loop Feed +1"
'

test_expect_success 'R fetches in the background while reading goes on' '
	feed "First post" "Second post" &&
	: >"$site/feed.hold" &&
	echo "{\"hold_while\": \"feed.hold\"}" >"$site/feed.xml.meta.json" &&
	tui_keys R &&
	tui_wait "fetching 0/1" &&
	tui_keys Enter &&
	tui_wait "Source: Loop Feed" &&
	tui_screen >screen &&
	test_grep "fetching 0/1" screen &&
	rm "$site/feed.hold" &&
	tui_wait "fetched 1 sources: 1 new" &&
	tui_wait "Second post" &&
	tui_wait "Loop Feed +1" &&
	test "$(store_sql "SELECT count(*) FROM item")" = 2 &&
	test_grep "feed.xml" "$HTTPD_LOG"
'

test_expect_success 'r fetches the selected source' '
	rm "$site/feed.xml.meta.json" &&
	feed "First post" "Second post" "Third post" &&
	tui_keys r &&
	tui_wait "fetched 1 sources: 1 new" &&
	tui_wait "Third post" &&
	tui_wait "glean \| All \(3\)"
'

test_expect_success 'a cron glean fetch runs beside the reader and its items appear' '
	feed "First post" "Second post" "Third post" "Fourth post" &&
	glean fetch --all >out &&
	test_grep "1 new item" out &&
	tui_wait "Fourth post" &&
	tui_wait "glean \| All \(4\)"
'

test_expect_success 'changes by another glean show up' '
	id=$(store_sql "SELECT id FROM item WHERE title = '\''Fourth post'\''") &&
	glean star "$id" >/dev/null &&
	tui_wait "Starred +1" &&
	tui_keys Q && tui_wait "\[exit 0\]"
'

test_done
