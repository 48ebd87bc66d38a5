#!/bin/sh
# The keys a newsboat user presses daily: q one level back, Q quits, A
# marks the list read, C marks everything read after a y/n, u undoes
# either (exactly the items that were unread), J/K move between sources,
# O cycles the sort.
. "$(dirname "$0")/setup.sh"

unread() {
	store_sql "SELECT count(*) FROM item WHERE read = 0 ${1:-}"
}
civic="AND source_id = (SELECT id FROM source WHERE title = 'Civic Notes')"

test_expect_success 'setup' '
	tui_demo_store &&
	tui_start 140 30 &&
	tui_wait "Research Roundup +2"
'

test_expect_success 'J and K move between sources and show their items' '
	tui_keys J &&
	tui_wait "glean \| Civic Notes \(3, 3 unread\)" &&
	tui_keys J &&
	tui_wait "glean \| Public Health Weekly" &&
	tui_keys K &&
	tui_wait "glean \| Civic Notes \(3, [0-9]+ unread\)" &&
	tui_keys K &&
	tui_wait "no previous source"
'

test_expect_success 'A marks this list read; u makes exactly those unread again' '
	store_sql "UPDATE item SET read = 1 WHERE title LIKE '\''Open budgets%'\''" &&
	tui_wait "Civic Notes +2" &&
	tui_keys A &&
	tui_wait "saved: 2 items read" &&
	test "$(unread "$civic")" = 0 &&
	test "$(unread)" = 4 &&
	tui_wait "Civic Notes +0" &&
	tui_keys u &&
	tui_wait "undone" &&
	test "$(unread "$civic")" = 2 &&
	test "$(store_sql "SELECT read FROM item WHERE title LIKE '\''Open budgets%'\''")" = 1 &&
	tui_wait "Civic Notes +2"
'

test_expect_success 'C asks first; n keeps everything unread' '
	tui_keys C &&
	tui_wait "mark all 6 unread items read\? \(y/n\)" &&
	tui_keys n &&
	tui_wait "nothing marked" &&
	test "$(unread)" = 6
'

test_expect_success 'C then y marks every item read, u undoes it' '
	tui_keys C &&
	tui_wait "mark all 6 unread items read" &&
	tui_keys y &&
	tui_wait "saved: 6 items read" &&
	test "$(unread)" = 0 &&
	tui_keys u &&
	tui_wait "undone" &&
	test "$(unread)" = 6
'

test_expect_success 'O cycles the sort order' '
	tui_wait "^ All +7 │N    2026-11-20 Library hotspots" &&
	tui_keys O && tui_wait "sorted by source" &&
	tui_keys O && tui_wait "sorted by title" &&
	tui_wait "^ All +7 │N    2026-11-09 Ageing well at home" &&
	tui_keys O && tui_wait "sorted by unread-first" &&
	tui_keys O && tui_wait "sorted by date"
'

test_expect_success 'q leaves a filter first, then the list, then quits' '
	tui_keys F && tui_wait "^filter:" &&
	tui_type "is:unread" && tui_keys Enter &&
	tui_wait "filter: is:unread" &&
	tui_keys q &&
	tui_wait "back to Civic Notes" &&
	tui_wait_not "filter: is:unread" &&
	tui_keys q j &&
	tui_wait "glean \| Public Health Weekly" &&
	tui_keys q &&
	tui_wait "\[exit 0\]"
'

test_expect_success 'Q quits at once, from an open item' '
	tui_stop &&
	tui_start 80 24 &&
	tui_wait "Vaccination" &&
	tui_keys Enter && tui_wait "Flags: read" &&
	tui_keys Q &&
	tui_wait "\[exit 0\]"
'

test_done
