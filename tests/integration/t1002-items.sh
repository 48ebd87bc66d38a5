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

# an item's id by its title, from the store ('glean items --json' is
# checked on its own; asking it for each id only cost time under valgrind)
id_of() { store_sql "SELECT id FROM item WHERE title LIKE '%$1%'"; }

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
	test "$(glean show $id --json | jq -c .tags)" = "[\"civic\",\"open data\"]" &&
	test "$(store_sql "SELECT count(*) FROM tag WHERE name = \"later\"")" = 0
'

test_expect_success 'tag says what it changed, never a no-op as a change' '
	id=$(id_of "Open budgets") &&
	glean tag $id +"open data" -nosuch >out &&
	test_grep "item $id already has the tag: open data" out &&
	test_grep "item $id has no such tag: nosuch" out &&
	! grep "^tagged" out
'

test_expect_success 'source tags are on every item of the source: show, --json, rows' '
	id=$(id_of "Open budgets") &&
	sid=$(glean show $id --json | jq .source_id) &&
	glean show $id --json | jq -e ".source_tags == [\"civic\"]" &&
	glean show $id >show.txt &&
	test_grep "^Tags:   civic (source), open data$" show.txt &&
	glean items "tag:civic" --json >civic.json &&
	jq -e "length == 3 and all(.[]; .source_tags == [\"civic\"])" civic.json &&
	glean items --json | jq -e "[.[] | select(.source_id != $sid) | .source_tags[]] == []" &&
	glean items has:tag --json | jq -e "length == 3"
'

test_expect_success 'removing an inherited tag from an item says where it comes from' '
	id=$(id_of "Open budgets") &&
	sid=$(glean show $id --json | jq .source_id) &&
	test_status 2 glean tag $id -civic 2>err &&
	test_grep "tag .civic. comes from source $sid" err &&
	test_grep "glean tag-source $sid -civic" err &&
	glean show $id --json | jq -e ".tags | index(\"civic\")" &&
	glean tag-source $sid -civic &&
	glean show $id --json | jq -e ".tags == [\"open data\"] and .source_tags == []" &&
	glean tag-source $sid +civic
'

test_expect_success 'a tag both own and inherited: removing it drops the own one only' '
	id=$(glean items tag:civic -title:budgets --json | jq ".[0].id") &&
	store_sql "INSERT INTO item_tag SELECT $id, id FROM tag WHERE name = \"civic\"" &&
	glean tag $id -civic >out &&
	test_grep "untagged item $id: civic" out &&
	glean show $id --json | jq -e ".tags == [\"civic\"] and .source_tags == [\"civic\"]"
'

test_expect_success 'tags lists every tag with item and unread counts, inherited too' '
	glean tags >tags.txt &&
	test_grep "^    3/3     civic$" tags.txt &&
	test_grep "^    1/1     open data$" tags.txt &&
	glean tags --json | jq -e "map(select(.name == \"civic\"))[0] == {\"name\":\"civic\",\"items\":3,\"unread\":3}" &&
	glean tags --help | test_grep "unread/items" &&
	glean --help | test_grep "^  tags "
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

test_expect_success 'each way of asking the index finds the same rows, a few or all' '
	for q in digital "digital -title:budgets" "\"digital inclusion\"" \
		"digital OR hotspots"; do
		for lim in 2 0; do
			glean items "$q" --limit $lim >want.$lim &&
			test -s want.$lim || return 1
			for f in 0 1 2 4; do
				GLEAN_TEST_FTS_FORM=$f glean items "$q" \
					--limit $lim >got &&
				test_cmp want.$lim got || return 1
			done
			# glean_hold() reading each chunk at its first probe
			GLEAN_TEST_FTS_FORM=2 GLEAN_TEST_HOLD_READ=1 \
				glean items "$q" --limit $lim >got &&
			test_cmp want.$lim got || return 1
		done
	done
'

test_expect_success 'star, mark and read are committed before they are reported' '
	id=$(id_of "Library hotspots") &&
	glean star $id && glean mark $id && glean read $id &&
	test "$(store_sql "SELECT starred, marked, read FROM item WHERE id = $id")" = "1|1|1" &&
	glean items is:marked --json | jq -e "length == 1 and .[0].marked" &&
	glean unmark $id && glean unstar $id && glean unread $id &&
	test "$(store_sql "SELECT starred, marked, read FROM item WHERE id = $id")" = "0|0|0"
'

test_expect_success 'read QUERY marks every matching item read in one step; --unread undoes' '
	glean read "tag:civic" >out &&
	test_grep "^marked 3 items read$" out &&
	glean items "tag:civic is:unread" --json | jq -e "length == 0" &&
	glean items "is:unread" --json | jq -e "length == 4" &&
	glean tags --json | jq -e "map(select(.name == \"civic\"))[0].unread == 0" &&
	glean read "tag:civic" >out &&
	test_grep "^marked 0 items read$" out &&
	glean read --unread tag:civic -title:budgets >out &&
	test_grep "^marked 2 items unread$" out &&
	glean unread tag:civic >out &&
	test_grep "^marked 1 item unread$" out &&
	glean items "is:unread" --json | jq -e "length == 7" &&
	test_status 2 glean read "tag:" 2>err &&
	test_grep "expected a value" err
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
