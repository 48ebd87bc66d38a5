#!/bin/sh
# A large view is read lazily: the first screen reads one page of the
# order (the title says "+" while more exists), paging reads ahead, G
# reads the rest; rows on screen come from the store as they are shown.
. "$(dirname "$0")/setup.sh"

test_expect_success 'setup: 3000 items through direct SQL' '
	glean sources >/dev/null &&
	store_sql "INSERT INTO source (id, url, title, added) VALUES (1, '\''https://lazy.example/feed'\'', '\''Lazy'\'', 0);
		WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000)
		INSERT INTO item (id, source_id, guid, title, fetched, date, read)
		SELECT i, 1, '\''g'\'' || i, '\''Row '\'' || i, 0, 1700000000 + i, i % 2 FROM c;" &&
	glean check --repair >/dev/null &&
	tui_start 100 30 &&
	tui_wait "Row 3000"
'

test_expect_success 'the title bar counts the whole view, not the page read' '
	tui_wait "glean \| All \(3000\)" &&
	tui_wait "Lazy +1500"
'

test_expect_success 'paging down reads ahead' '
	tui_keys PgDn PgDn PgDn &&
	tui_wait "glean \| All \(3000\)" &&
	tui_wait "Row 2919$"
'

test_expect_success 'G reads the rest and shows the last row' '
	tui_keys G &&
	tui_wait "glean \| All \(3000\)" &&
	tui_wait "Row 1$" &&
	tui_keys g && tui_wait "Row 3000"
'

test_expect_success 'another process marks 1000 read; n finds the next unread past the page' '
	tui_keys Left Enter &&
	tui_wait "glean \| All \(3000\)" &&
	store_sql "UPDATE item SET read = 1 WHERE id > 2000" &&
	tui_wait "Unread +1000" &&
	tui_keys n &&
	tui_wait "│ Row 2000$" &&
	tui_wait "Flags: read" &&
	tui_screen >screen &&
	! grep "glean | All (94+)" screen &&
	test "$(store_sql "SELECT read FROM item WHERE id = 2000")" = 1 &&
	tui_keys Q && tui_wait "\[exit 0\]"
'

test_done
