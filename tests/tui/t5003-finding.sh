#!/bin/sh
# Finding in the reader: '/' full-text search (notes included), 'F'
# filters with the query language and a pcre2 regex, errors that say
# where, saved searches from the config in the navigation pane, and the
# ':' command line running the same actions.
. "$(dirname "$0")/setup.sh"

test_expect_success 'setup' '
	tui_demo_store &&
	glean note 5 "remember the hydration rounds" >/dev/null &&
	cat >"$GLEAN_HOME/config" <<-\EOC &&
	[search "Civic unread"]
		query = title:/Open budget|Ageing|hotspots/ is:unread
	EOC
	tui_start 140 30 &&
	tui_wait "Research Roundup +2"
'

test_expect_success '/ searches the full text' '
	tui_keys / &&
	tui_wait "^search:" &&
	tui_type "hotspots" && tui_keys Enter &&
	tui_wait "search: hotspots" &&
	tui_wait "glean \| All \(1\)" &&
	tui_screen >screen &&
	test_grep "Library hotspot" screen &&
	! grep "Vaccination" screen
'

test_expect_success '/ finds words in notes too' '
	tui_keys / C-u && tui_type "hydration" && tui_keys Enter &&
	tui_wait "All \(1\) \| search: hydration" &&
	tui_wait "Heat plans"
'

test_expect_success 'F filters with a regex' '
	tui_keys / C-u Enter &&
	tui_wait "glean \| All \(7\)" &&
	tui_keys F && tui_wait "^filter:" &&
	tui_type "title:/ageing|aging/i" && tui_keys Enter &&
	tui_wait "filter: title:/ageing\|aging/i" &&
	tui_wait "All \(1\)" &&
	tui_screen >screen &&
	test_grep "Ageing well" screen
'

test_expect_success 'a regex that does not compile says where' '
	tui_keys F C-u && tui_type "title:/(/" && tui_keys Enter &&
	tui_wait "regex .\(.: missing closing parenthesis at offset 1" &&
	tui_wait "All \(1\)"
'

test_expect_success 'a query error gives the position' '
	tui_keys F C-u && tui_type "is:foo" && tui_keys Enter &&
	tui_wait "query .is:foo.: at [0-9]+: is: expects unread"
'

test_expect_success 'an empty filter clears it' '
	tui_keys F C-u Enter &&
	tui_wait "glean \| All \(7\)"
'

test_expect_success 'saved searches appear in the navigation pane' '
	tui_wait "Searches" &&
	tui_keys Left j j j j j &&
	tui_wait "glean \| Civic unread \(3\)" &&
	tui_screen >screen &&
	test_grep "Ageing well" screen &&
	! grep "Vaccination" screen
'

test_expect_success ': runs an action by name with its argument' '
	tui_keys : && tui_wait "^:" &&
	tui_type "filter title:/budget/" && tui_keys Enter &&
	tui_wait "Civic unread \(1\) \| filter: title:/budget/" &&
	tui_wait "Open budgets" &&
	tui_keys : && tui_type "frobnicate" && tui_keys Enter &&
	tui_wait "unknown command .frobnicate."
'

test_expect_success 'the store was only read' '
	tui_keys Q && tui_wait "\[exit 0\]" &&
	test "$(store_sql "SELECT count(*) FROM item WHERE read = 1")" = 0
'

test_done
