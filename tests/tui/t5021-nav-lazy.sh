#!/bin/sh
# Many sources: the navigation pane reads a screen's worth of them
# before the first draw and the rest between keys (view_nav.c); G, page
# down and J reach the last source at once, a reload keeps a selection
# far down the list, and the counts are right on every page.
. "$(dirname "$0")/setup.sh"

test_expect_success 'setup: 600 sources, each with items' '
	glean sources >/dev/null &&
	store_sql "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 600)
		INSERT INTO source (id, url, title, added)
		SELECT i, '\''https://s.example/'\'' || i, printf('\''Src %03d'\'', i), 0 FROM c;
		WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1800)
		INSERT INTO item (source_id, guid, title, fetched, date, read)
		SELECT (i - 1) / 3 + 1, '\''g'\'' || i, '\''Item '\'' || i, 0,
		       1700000000 + i, i % 3 = 0 FROM c;
		UPDATE source SET hidden = 1 WHERE id = 599;" &&
	glean check --repair >/dev/null &&
	tui_start 100 30 &&
	tui_wait "Src 001 +2"
'

test_expect_success 'G in the navigation pane reaches the last source' '
	tui_keys q && tui_keys G &&
	tui_wait "glean \| Src 600 \(3, 2 unread\)" &&
	tui_wait "Src 600 +2" &&
	tui_wait_not "Src 599" &&
	tui_wait "Src 598 +2"
'

test_expect_success 'a reload keeps a source far down selected' '
	tui_keys k k &&
	tui_wait "glean \| Src 597 \(3, 2 unread\)" &&
	store_sql "UPDATE item SET read = 1 WHERE source_id = 597" &&
	tui_wait "glean \| Src 597 \(3, 0 unread\)" &&
	tui_wait "Src 597 +0"
'

test_expect_success 'J goes from source to source past the first screen' '
	tui_keys g && tui_keys Enter &&
	tui_wait "glean \| All" &&
	tui_keys q && tui_keys g &&
	n=0 && while [ $n -lt 130 ]; do tui_keys J; n=$((n + 1)); done &&
	tui_wait "glean \| Src 130 \(3, 2 unread\)"
'

test_done
