#!/bin/sh
# Items: listing, the JSON shape scripts rely on, sensing actions that
# are committed before they are reported, and full-text search that
# finds words in notes.
. "$(dirname "$0")/../lib/lib.sh"

demo="$TEST_ROOT/tests/data/demo"

test_expect_success 'setup: three demo feeds fetched from file://' '
	glean add "file://$demo/civic-rss.xml" --tag civic &&
	glean add "file://$demo/health-atom.xml" &&
	glean add "file://$demo/research.json" &&
	glean fetch >out &&
	test_grep "fetched 3 sources" out &&
	test_grep "7 new items" out
'

test_expect_success 'items --json has the fields scripts rely on' '
	glean items --json >items.json &&
	jq -e "length == 7" items.json &&
	jq -e "all(.[]; has(\"id\") and has(\"source\") and has(\"title\") and has(\"url\")
		and has(\"author\") and has(\"published\") and has(\"read\") and has(\"starred\")
		and has(\"marked\") and has(\"tags\") and has(\"notes\"))" items.json &&
	jq -e ".[0].published | test(\"^2026-11-[0-9]{2}T[0-9:]{8}Z$\")" items.json
'

id_of() { glean items --json | jq -r ".[] | select(.title | test(\"$1\")) | .id"; }

test_expect_success 'items are newest first, with feed dates in UTC' '
	glean items --json | jq -r ".[].published" >dates &&
	sort -r dates >sorted && test_cmp sorted dates &&
	test "$(glean items --json | jq -r ".[] | select(.title|test(\"Heat plans\")) | .published")" = 2026-11-14T06:45:00Z
'

test_expect_success 'tag adds and removes tags, multi-word ones too' '
	id=$(id_of "Open budgets") &&
	glean tag $id +"open data" +later >out &&
	test_grep "tagged item $id" out &&
	glean tag $id -later &&
	test "$(glean show $id --json | jq -c .tags)" = "[\"open data\"]" &&
	test "$(store_sql "SELECT count(*) FROM tag WHERE name = \"later\"")" = 0
'

test_expect_success 'a note is stored, shown, and found by full-text search' '
	id=$(id_of "Participatory") &&
	glean note $id --quote "votes were binding" "Compare with our ward forums" >out &&
	test_grep "saved note" out &&
	glean show $id >show.txt &&
	test_grep "> votes were binding" show.txt &&
	test_grep "Compare with our ward forums" show.txt &&
	glean search ward forums --json | jq -e "length == 1 and .[0].id == $id" &&
	glean items "has:quote" --json | jq -e ".[0].id == $id"
'

test_expect_success 'search finds words in titles and text, every word must match' '
	glean search hotspots --json | jq -e "length == 1" &&
	glean search hotspots budgets --json | jq -e "length == 0" &&
	glean search digital --json | jq -e "length >= 2"
'

test_expect_success 'star, mark and read are committed before they are reported' '
	id=$(id_of "Library hotspots") &&
	glean star $id && glean mark $id && glean read $id &&
	test "$(store_sql "SELECT starred, marked, read FROM item WHERE id = $id")" = "1|1|1" &&
	glean items is:marked --json | jq -e "length == 1 and .[0].marked" &&
	glean unmark $id && glean unstar $id && glean unread $id &&
	test "$(store_sql "SELECT starred, marked, read FROM item WHERE id = $id")" = "0|0|0"
'

test_expect_success 'the query language: tags of sources, regex, negation, OR' '
	glean items "tag:civic" --json | jq -e "length == 3" &&
	glean items "title:/ageing|aging/i" --json | jq -e "length == 1" &&
	glean items "tag:civic -title:budgets" --json | jq -e "length == 2" &&
	glean items "tag:civic OR source:\"Research Roundup\"" --json | jq -e "length == 5" &&
	glean items "since:2026-11-18" --json | jq -e "length == 3"
'

test_expect_success 'a regex that does not compile says where it fails' '
	test_status 2 glean items "title:/(unclosed/" 2>err &&
	test_grep "missing closing parenthesis at offset" err
'

test_expect_success 'show renders HTML as wrapped text with numbered links' '
	id=$(id_of "Library hotspots") &&
	COLUMNS=60 glean show $id >show.txt &&
	test_grep "^\* Average loan: 3 weeks" show.txt &&
	test_grep "^\[1\]: https://data.example/hotspots" show.txt &&
	sed -n "/^Flags/,\$p" show.txt | awk "length > 60 { bad = 1 } END { exit bad }"
'

test_expect_success 'rm keeps items the user worked on, drops the rest' '
	id=$(id_of "Open budgets") &&
	sid=$(glean show $id --json | jq .source_id) &&
	glean rm $sid >out &&
	test_grep "kept 1 item" out &&
	glean items --all --json | jq -e "[.[] | select(.source_id == $sid)] | length == 1"
'

test_done
