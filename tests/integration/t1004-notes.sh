#!/bin/sh
# Notes are editable: an option without its value, an empty note or an
# empty quote is a usage error and saves nothing; --edit N and --rm N
# change or remove note N (the id 'glean show' prints) and say so; a
# quote that is not in the item is saved with a warning.
. "$(dirname "$0")/../lib/lib.sh"

demo="$TEST_ROOT/tests/data/demo"

test_expect_success 'setup: two demo feeds fetched from file://' '
	glean add "file://$demo/civic-rss.xml" --tag civic &&
	glean add "file://$demo/research.json" &&
	glean fetch >/dev/null &&
	test -n "$(glean items --json | jq -r ".[] | select(.title | test(\"Participatory\")) | .id")"
'

# an item's id by its title, from the store (setup checked 'glean items'
# finds it; asking glean each time only cost seconds under valgrind)
id_of() { store_sql "SELECT id FROM item WHERE title LIKE '%$1%'"; }
nnotes() { store_sql "SELECT count(*) FROM note"; }

test_expect_success '--quote without a passage is a usage error, nothing saved' '
	id=$(id_of "Participatory") &&
	test_status 2 glean note $id --quote 2>err &&
	test_grep "quote" err &&
	test "$(nnotes)" = 0 &&
	test_status 2 glean note $id "a body" --quote 2>err &&
	test "$(nnotes)" = 0
'

test_expect_success 'an empty note or an empty quote is a usage error' '
	id=$(id_of "Participatory") &&
	test_status 2 glean note $id "" 2>err &&
	test_grep "empty" err &&
	test_status 2 glean note $id "   " 2>err &&
	test_status 2 glean note $id --quote "" "body" 2>err &&
	test_grep "empty" err &&
	test_status 2 glean note $id --bogus "body" 2>err &&
	test "$(nnotes)" = 0
'

test_expect_success 'a quote found in the item is saved quietly' '
	id=$(id_of "Participatory") &&
	glean note $id --quote "votes were   binding" "ward forums" >out 2>err &&
	test_grep "saved note" out &&
	test ! -s err &&
	test "$(nnotes)" = 1
'

test_expect_success 'a quote not in the item is saved with a warning' '
	id=$(id_of "Participatory") &&
	glean note $id --quote "words nobody wrote" "odd" >out 2>err &&
	test_grep "saved note" out &&
	test_grep "not found in item $id" err &&
	test "$(nnotes)" = 2
'

test_expect_success '--edit N replaces the body of note N and says so' '
	id=$(id_of "Participatory") &&
	n=$(store_sql "SELECT min(id) FROM note") &&
	glean note $id --edit $n "compare with our ward forums" >out &&
	test_grep "changed note $n on item $id" out &&
	test "$(store_sql "SELECT body FROM note WHERE id = $n")" = "compare with our ward forums" &&
	test "$(store_sql "SELECT quote FROM note WHERE id = $n")" = "votes were   binding" &&
	glean search compare ward --json | jq -e "length == 1 and .[0].id == $id" &&
	glean note $id --edit $n --quote "votes were binding" "kept" >out &&
	test "$(store_sql "SELECT quote || \"|\" || body FROM note WHERE id = $n")" = "votes were binding|kept"
'

test_expect_success '--edit with nothing to say is a usage error' '
	id=$(id_of "Participatory") &&
	n=$(store_sql "SELECT min(id) FROM note") &&
	test_status 2 glean note $id --edit $n 2>err &&
	test_status 2 glean note $id --edit 2>err &&
	test "$(store_sql "SELECT body FROM note WHERE id = $n")" = "kept"
'

test_expect_success 'a wrong N says which notes the item has' '
	id=$(id_of "Participatory") &&
	other=$(id_of "Open budgets") &&
	a=$(store_sql "SELECT min(id) FROM note") && b=$(store_sql "SELECT max(id) FROM note") &&
	test_status 1 glean note $id --edit 999 "x" 2>err &&
	test_grep "item $id has notes $a, $b" err &&
	test_status 1 glean note $other --rm $a 2>err &&
	test_grep "item $other has no notes" err &&
	test "$(nnotes)" = 2
'

test_expect_success '--rm N removes note N and says so' '
	id=$(id_of "Participatory") &&
	b=$(store_sql "SELECT max(id) FROM note") &&
	glean note $id --rm $b >out &&
	test_grep "removed note $b from item $id" out &&
	test "$(nnotes)" = 1 &&
	glean show $id >show.txt &&
	! grep -q "words nobody wrote" show.txt
'

test_done
