#!/bin/sh
# Moving in and out: OPML with folders as tags, newsboat urls files.
. "$(dirname "$0")/../lib/lib.sh"

data="$TEST_ROOT/tests/data"

test_expect_success 'OPML import: folders become tags, bad outlines reported by line' '
	glean import "$data/subscriptions.opml" >out 2>err &&
	test_grep "imported 3 sources, 2 skipped" out &&
	test_grep "subscriptions.opml:12: .file:///etc/passwd. is not an http(s) URL" err &&
	test_grep "subscriptions.opml:14: .javascript:alert(1). is not an http(s) URL" err &&
	glean sources --json >src.json &&
	test "$(jq -r ".[] | select(.url==\"https://data.example/atom.xml\") | .tags | join(\",\")" src.json)" = "Local government,Open data" &&
	test "$(jq -r ".[] | select(.url==\"https://health.example/feed\") | .tags | join(\",\")" src.json)" = "care,health" &&
	test "$(jq -r ".[] | select(.url==\"https://council.example/rss\") | .title" src.json)" = "Council Watch"
'

test_expect_success 'importing the same file again adds nothing' '
	glean import "$data/subscriptions.opml" >out 2>/dev/null &&
	test_grep "imported 0 sources, 3 already subscribed, 2 skipped" out
'

test_expect_success 'OPML written by glean reads back into an empty store identically' '
	glean export >exported.opml &&
	xmllint --noout exported.opml &&
	glean sources --json | jq -S "[.[] | {url, title, tags}] | sort_by(.url)" >before.json &&
	glean --db "$TRASH/round.db" import exported.opml >out &&
	test_grep "imported 3 sources" out &&
	glean --db "$TRASH/round.db" sources --json | jq -S "[.[] | {url, title, tags}] | sort_by(.url)" >after.json &&
	test_cmp before.json after.json
'

test_expect_success 'newsboat urls: tags, ~title, ! hidden, comments, skipped lines with positions' '
	glean --db "$TRASH/nb.db" import --newsboat "$data/newsboat-urls" >out 2>err &&
	test_grep "imported 4 sources, 1 already subscribed, 5 skipped" out &&
	test_grep "newsboat-urls:8: query feeds are not imported" err &&
	test_grep "newsboat-urls:9: exec: and filter: sources run commands" err &&
	test_grep "newsboat-urls:10: exec: and filter:" err &&
	test_grep "newsboat-urls:11: unterminated quote" err &&
	test_grep "newsboat-urls:12: .file:///etc/passwd.: file:// sources can only be added by hand" err &&
	glean --db "$TRASH/nb.db" sources --json >nb.json &&
	test "$(jq -r ".[] | select(.url==\"https://civic.example/feed.xml\") | .title" nb.json)" = "Civic Notes" &&
	test "$(jq -r ".[] | select(.url==\"https://civic.example/feed.xml\") | .tags | join(\",\")" nb.json)" = "civic,digital inclusion" &&
	test "$(jq -r ".[] | select(.url==\"http://research.example/rss\") | .hidden" nb.json)" = true &&
	test "$(jq -r ".[] | select(.url==\"https://blog.example.org/index.rss\") | .title" nb.json)" = "Some Blog" &&
	test "$(jq -r ".[] | select(.url==\"https://health.example/feed.atom\") | .hidden" nb.json)" = false
'

test_expect_success 'a file that is not OPML says so and adds nothing' '
	echo "<html><body>hi</body></html>" >page.html &&
	test_status 1 glean --db "$TRASH/x.db" import page.html 2>err &&
	test_grep "not an OPML file" err &&
	test "$(sqlite3 "$TRASH/x.db" "SELECT count(*) FROM source")" = 0
'

test_expect_success 'a truncated OPML imports what it can and says it was broken' '
	head -c 400 "$data/subscriptions.opml" >cut.opml &&
	glean --db "$TRASH/cut.db" import cut.opml >out 2>err &&
	test_grep "not well-formed" err &&
	test_grep "imported 1 source" out
'

test_expect_success 'a missing file names the path' '
	test_status 1 glean import nope.opml 2>err &&
	test_grep "cannot read .nope.opml.: No such file" err
'

test_expect_success 'export --json is one JSON document' '
	glean export --json | jq -e "length == 3"
'

test_done
