#!/bin/sh
# What gets shared: glean digest, glean share --dry-run and glean share
# take one selection, so the preview is what is sent; the next share to a
# target takes what was marked after the last one by an increasing mark
# sequence, not a timestamp, so an item marked in the very second a share
# completes is shared next time, exactly once; a share that fails skips
# nothing and posts nothing twice.
. "$(dirname "$0")/../lib/lib.sh"
. "$TEST_ROOT/tests/lib/share-week.sh"

titles() { grep -E '^- ' "$1" | sort; }

test_expect_success 'a week of marked items and one file target' '
	share_week &&
	cat >"$GLEAN_HOME/config" <<-EOC
	[target "site"]
	kind = file
	path = $TRASH/site.md
	EOC
'

test_expect_success 'glean digest and share --dry-run list the same items' '
	glean digest >digest.md &&
	glean share site --dry-run >dry &&
	test_grep "4 items, 1 part" dry &&
	titles digest.md >a && titles dry >b &&
	test "$(wc -l <a)" = 4 &&
	test_cmp a b &&
	glean digest --last-share site >digest2.md &&
	titles digest2.md >c && test_cmp a c
'

test_expect_success 'an item marked in the second a share completes goes next time' '
	glean share site >out &&
	test_grep "shared digest 1" out &&
	glean mark 5 >/dev/null &&
	glean share site --dry-run >dry &&
	test_grep "1 item, 1 part" dry &&
	test_grep "Not marked" dry &&
	glean digest >digest.md 2>err &&
	titles digest.md >a && titles dry >b && test_cmp a b &&
	GLEAN_NOW=$((GLEAN_NOW + 60)) glean share site >out &&
	test_grep "shared digest 2" out &&
	test_grep "Not marked" site.md &&
	! grep "Library hotspots" site.md &&
	test "$(store_sql "SELECT count(*) FROM digest_item WHERE item_id = 5")" = 1
'

test_expect_success '... exactly once: the next share has nothing' '
	GLEAN_NOW=$((GLEAN_NOW + 120)) glean share site >out &&
	test_grep "nothing to share" out &&
	GLEAN_NOW=$((GLEAN_NOW + 120)) glean digest 2>err >/dev/null &&
	test_grep "nothing to share" err &&
	test "$(store_sql "SELECT count(*) FROM digest")" = 2
'

test_expect_success 'a failed share is resumed; what was marked meanwhile goes after it' '
	glean unmark 1 >/dev/null && glean mark 1 >/dev/null &&
	: >pub &&
	cat >"$GLEAN_HOME/config" <<-EOC &&
	[target "site"]
	kind = file
	path = $TRASH/pub/site.md
	EOC
	test_status 1 glean share site >out 2>err &&
	glean unmark 2 >/dev/null && glean mark 2 >/dev/null &&
	glean share site --dry-run >dry &&
	test_grep "still to send" dry &&
	glean digest >digest.md 2>err &&
	test_grep "Library hotspots" digest.md &&
	! grep "Open budgets" digest.md &&
	rm pub && mkdir pub &&
	glean share site >out &&
	test_grep "resumed digest 3" out &&
	test_grep "Library hotspots" pub/site.md &&
	! grep "Open budgets" pub/site.md &&
	glean share site >out &&
	test_grep "shared digest 4" out &&
	test_grep "Open budgets" pub/site.md &&
	! grep "Library hotspots" pub/site.md &&
	test "$(store_sql "SELECT count(*) FROM digest_item WHERE item_id = 2")" = 2 &&
	glean share site >out && test_grep "nothing to share" out
'

test_expect_success 'an abandoned share gives its items back to the next one' '
	glean unmark 3 >/dev/null && glean mark 3 >/dev/null &&
	mv pub pub.ok && : >pub &&
	test_status 1 glean share site >/dev/null 2>&1 &&
	glean shares --abandon 5 >/dev/null &&
	rm pub && mv pub.ok pub &&
	glean share site --dry-run >dry &&
	test_grep "1 item, 1 part" dry && test_grep "Ageing well" dry &&
	glean share site >out && test_grep "shared digest 6" out &&
	test_grep "Ageing well" pub/site.md
'

old_sql() { sqlite3 -batch -noheader "$TRASH/old.db" "$1"; }

test_expect_success 'a store from before the mark sequence: nothing twice, nothing lost' '
	test "$(store_sql "SELECT count(*) FROM item WHERE marked = 1 AND mark_seq IS NULL")" = 0 &&
	cat >"$GLEAN_HOME/config" <<-EOC &&
	[target "old"]
	kind = file
	path = $TRASH/old.md
	EOC
	glean --db "$TRASH/old.db" add "file://$TEST_ROOT/tests/data/share/week.xml" >/dev/null &&
	glean --db "$TRASH/old.db" fetch >/dev/null &&
	glean --db "$TRASH/old.db" mark 1 2 >/dev/null &&
	glean --db "$TRASH/old.db" share old >/dev/null &&
	glean --db "$TRASH/old.db" mark 3 >/dev/null &&
	GLEAN_NOW=$((GLEAN_NOW - 60)) glean --db "$TRASH/old.db" mark 4 >/dev/null &&
	old_sql "$(schema_undo_to 7)" &&
	glean --db "$TRASH/old.db" share old --dry-run >dry &&
	test "$(old_sql "PRAGMA user_version")" -ge 8 &&
	test_grep "1 item, 1 part" dry &&
	test_grep "Ageing well" dry &&
	test "$(old_sql "SELECT group_concat(id) FROM (SELECT id FROM item WHERE marked = 1 ORDER BY mark_seq)")" = "4,1,2,3" &&
	glean --db "$TRASH/old.db" mark 5 >/dev/null &&
	test "$(old_sql "SELECT mark_seq FROM item WHERE id = 5")" = 5
'

test_done
