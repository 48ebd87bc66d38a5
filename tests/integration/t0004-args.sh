#!/bin/sh
# Commands are all-or-nothing on their arguments (a wrong one changes
# nothing and is named), an option without its value says so, and every
# command that prints fails (exit 1, with a message) when its output
# cannot be written.
. "$(dirname "$0")/../lib/lib.sh"

demo="$TEST_ROOT/tests/data/demo"

flags() {
	store_sql "SELECT group_concat(id || ':' || marked || starred || read, ' ') FROM (SELECT * FROM item WHERE id <= 3 ORDER BY id)"
}

test_expect_success 'setup: a store with items' '
	glean add "file://$demo/civic-rss.xml" >/dev/null &&
	glean fetch >/dev/null &&
	glean unread 1 2 3 >/dev/null &&
	test "$(flags)" = "1:000 2:000 3:000"
'

test_expect_success 'mark 1 2 abc changes nothing and names abc' '
	test_status 2 glean mark 1 2 abc >out 2>err &&
	test ! -s out &&
	test_grep "^glean: .abc. is not an item id" err &&
	test "$(flags)" = "1:000 2:000 3:000"
'

test_expect_success 'mark 1 2 999 changes nothing: there is no item 999' '
	test_status 1 glean mark 1 2 999 >out 2>err &&
	test ! -s out &&
	test_grep "no item 999" err &&
	test "$(flags)" = "1:000 2:000 3:000"
'

test_expect_success 'star, unmark and read: the same' '
	test_status 2 glean star 1 x 2 >out 2>err &&
	test_grep "^glean: .x. is not an item id" err &&
	test_status 1 glean star 1 999 >out 2>err &&
	test_status 2 glean read 1 2 abc >out 2>err &&
	test_grep "^glean: .abc. is not an item id" err &&
	test_status 1 glean read 1 999 >out 2>err &&
	test "$(flags)" = "1:000 2:000 3:000" &&
	glean mark 1 2 >out &&
	test_status 1 glean unmark 1 999 >out 2>err &&
	test "$(flags)" = "1:100 2:100 3:000" &&
	glean unmark 1 2 >out &&
	test "$(flags)" = "1:000 2:000 3:000"
'

test_expect_success 'a query that starts with a word still marks its items read' '
	glean read "library hotspots" >out &&
	test_grep "^marked [0-9]* items* read" out &&
	glean unread 1 2 3 >/dev/null
'

test_expect_success 'tag: one empty tag or a missing item changes nothing' '
	test_status 2 glean tag 1 +kept "+ " >out 2>err &&
	test_grep "^glean: empty tag" err &&
	test_status 1 glean tag 999 +kept >out 2>err &&
	test_grep "no item 999" err &&
	test "$(store_sql "SELECT count(*) FROM item_tag")" = 0 &&
	glean tag 1 +kept +also >out &&
	test "$(store_sql "SELECT count(*) FROM item_tag")" = 2
'

test_expect_success 'rm and tag-source: a wrong source or tag changes nothing' '
	glean add "file://$demo/health-atom.xml" >/dev/null &&
	test_status 1 glean rm 2 abc >out 2>err &&
	test ! -s out &&
	test_grep "no source .abc." err &&
	test "$(store_sql "SELECT count(*) FROM source")" = 2 &&
	test_status 2 glean tag-source 2 +a "+ " >out 2>err &&
	test_grep "^glean: empty tag" err &&
	test "$(store_sql "SELECT count(*) FROM source_tag")" = 0 &&
	glean rm 2 >out &&
	test "$(store_sql "SELECT count(*) FROM source")" = 1
'

test_expect_success 'fetch 999 says there is no source 999' '
	test_status 1 glean fetch 999 >out 2>err &&
	test ! -s out &&
	test_grep "^glean: there is no source 999" err &&
	test_status 1 glean fetch 1 999 >out 2>err &&
	test_grep "no source 999" err
'

test_expect_success 'an option missing its value says so' '
	test_status 2 glean items --limit 2>err &&
	test_grep "^glean: option .--limit. needs a value" err &&
	test_status 2 glean search x -n 2>err &&
	test_grep "^glean: option .-n. needs a value" err &&
	test_status 2 glean add --tag 2>err &&
	test_grep "^glean: option .--tag. needs a value" err &&
	test_status 2 glean import --newsboat --cache 2>err &&
	test_grep "^glean: option .--cache. needs a value" err &&
	test_status 2 glean digest --since 2>err &&
	test_grep "^glean: option .--since. needs a value" err &&
	test_status 2 glean items --frob 2>err &&
	test_grep "^glean: unknown option .--frob." err
'

# Every command that prints, with its output going to a full device.
test_expect_success 'output to /dev/full: exit 1 and "the disk is full", for every command' '
	test -w /dev/full || { echo "# no /dev/full here"; exit 0; }
	glean mark 1 >/dev/null &&
	for c in "items" "items --json" "search library" "search library --json" \
		"show 1" "show 1 --json" "export" "export --json" "sources" \
		"sources -l" "sources --json" "tags" "tags --json" "shares" \
		"digest" "version" "--version" "--help" "items --help" \
		"parse --json $demo/civic-rss.xml" "fetch --all" "star 2" \
		"note 1 written" "tag 1 +x"; do
		set +e
		glean $c >/dev/full 2>err
		rc=$?
		set -e
		if [ "$rc" != 1 ]; then echo "glean $c > /dev/full: exit $rc"; exit 1; fi
		grep -q "^glean: cannot write output: the disk is full" err ||
			{ echo "glean $c > /dev/full:"; cat err; exit 1; }
	done
'

test_expect_success 'output cut short by a pipe that closes is not an error message loop' '
	glean items | head -n 1 >out &&
	test "$(wc -l <out)" = 1
'

test_done
