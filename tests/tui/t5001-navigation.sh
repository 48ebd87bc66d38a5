#!/bin/sh
# The reader's layout and navigation: three panes, counts, moving through
# the navigation pane, opening items (read follows reading), n for the
# next unread, q back and quit.
. "$(dirname "$0")/setup.sh"

test_expect_success 'setup' 'tui_demo_store'

test_expect_success 'the first screen shows the three panes with counts' '
	tui_start 140 30 &&
	tui_wait "Research Roundup +2" &&
	tui_screen >screen &&
	test_grep "glean | All (7)" screen &&
	test_grep -E "Unread +7" screen &&
	test_grep -E "To share +0" screen &&
	test_grep -E "Civic Notes +3" screen &&
	test_grep "Vaccination cli" screen
'

test_expect_success 'moving in the navigation pane selects a source tag, a source' '
	tui_keys Left j j j j j &&
	tui_wait "glean \| civic \(3, 3 unread\)" &&
	tui_keys j j &&
	tui_wait "glean \| Civic Notes \(3, 3 unread\)" &&
	tui_screen >screen &&
	test_grep "Library hotspot" screen &&
	! grep "Vaccination" screen
'

test_expect_success 'opening an item shows it and marks it read' '
	tui_keys Enter Enter &&
	tui_wait "Source: Civic Notes" &&
	tui_wait "Flags: read" &&
	test "$(store_sql "SELECT read FROM item WHERE title LIKE '\''Library hotspots%'\''")" = 1 &&
	tui_wait "Civic Notes +2"
'

test_expect_success 'n opens the next unread item' '
	tui_keys n &&
	tui_wait "│ Open budgets: what the council publishes" &&
	tui_wait "Flags: read" &&
	test "$(store_sql "SELECT read FROM item WHERE title LIKE '\''Open budgets%'\''")" = 1
'

test_expect_success 'n past the last unread of a source continues in Unread' '
	tui_keys n n &&
	tui_wait "glean \| Unread" &&
	test "$(store_sql "SELECT count(*) FROM item WHERE read = 1")" -ge 4
'

test_expect_success 'N toggles read and the help screen lists the actions' '
	tui_keys N &&
	tui_wait "saved: not read" &&
	tui_keys "?" &&
	tui_wait "next-unread" &&
	tui_screen >screen &&
	test_grep "open-link" screen &&
	tui_keys G &&
	tui_wait "digest +preview what the next share sends" &&
	tui_keys q &&
	tui_wait_not "next-unread"
'

test_expect_success 'q goes back one level at a time, then quits and restores the terminal' '
	tui_wait "glean \| Unread" &&
	tui_keys q q j &&
	tui_wait "glean \| Starred" &&
	tui_keys q &&
	tui_wait "\[exit 0\]" &&
	tui_screen >screen &&
	! grep "Research Roundup" screen
'

test_done
