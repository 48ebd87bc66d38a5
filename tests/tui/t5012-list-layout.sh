#!/bin/sh
# The list reads well: at 120 columns the title gets the width before
# the source name, a source's own list leaves the source out, the title
# bar and the navigation pane agree on counts, and stored plain text is
# shown exactly as stored (a title "Use <b> for bold" is not decoded as
# HTML a second time) in the list, the item and glean items alike.
. "$(dirname "$0")/setup.sh"

test_expect_success 'setup' '
	tui_demo_store &&
	store_sql "UPDATE item SET title = '\''Use <b> &amp; <i> for bold'\'' WHERE title LIKE '\''Open budgets%'\''" &&
	glean items >items &&
	test_grep "Use <b> &amp; <i> for bold" items &&
	tui_start 120 30 &&
	tui_wait "Research Roundup +2"
'

test_expect_success 'a stored title shows exactly as stored in the list' '
	tui_wait "│N    2026-11-17 Civic Notes +Use <b> &amp; <i> for bold \[civic\]$"
'

test_expect_success 'at 120 columns the title gets the width; sources are cut' '
	tui_wait "Public Health… Vaccination clinics in libraries & community halls \[health\]$" &&
	tui_wait "Research Roun… Participatory budgeting: a meta-analysis$"
'

test_expect_success 'the same title in the item view' '
	tui_keys j j j Enter &&
	tui_wait "│ Use <b> &amp; <i> for bold" &&
	tui_wait "Source: Civic Notes"
'

test_expect_success 'a source list leaves the source column out' '
	tui_keys q J &&
	tui_wait "glean \| Civic Notes \(3, 2 unread\)" &&
	tui_wait "│N    2026-11-20 Library hotspots close the digital" &&
	tui_screen >screen &&
	! grep "2026-11-20 Civic Notes" screen
'

test_expect_success 'the title bar and the navigation pane agree' '
	tui_keys q g &&
	tui_wait "glean \| All \(7\)" &&
	tui_wait "All +7 │" &&
	tui_wait "Unread +6 │"
'

test_expect_success 'at 80 columns the list has the whole width' '
	tui_resize 80 24 &&
	tui_keys l &&
	tui_wait "2026-11-21 Public Health… Vaccination clinics in libraries & community hall"
'

test_done
