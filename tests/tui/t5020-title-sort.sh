#!/bin/sh
# Sorted by title (O), each view shows its items in title order, case
# not counted, the newer first among equal titles. glean keeps no index
# in that order; a store that has one (item_title, made by hand: see
# store_item.c, title_index) has All and Unread walk it and Starred
# sort its few: the same orders. 9,000 items, 6,000 unread: enough for
# Unread to walk (inserted with SQL, which glean does not count since
# schema 16: 'glean check --repair' counts them).
. "$(dirname "$0")/setup.sh"

# the first 26 rows on screen: date and the title's number
shown() {
	tui_screen | sed -n 's/.* \([0-9-]\{10\}\) Titles *[iI][tT][eE][mM] \([0-9]\{4\}\)$/\1 \2/p' |
		head -n 26 | tr '\n' ' '
}
# the first 26 items matching $1 by the title's number (not by SQL's
# collation), the newer first on a tie
expect() {
	store_sql "SELECT strftime('%Y-%m-%d', date, 'unixepoch') || ' ' ||
		substr(title, 6) FROM item WHERE $1
		ORDER BY substr(title, 6), date DESC LIMIT 26" | tr '\n' ' '
}

test_expect_success 'setup: 9000 items, titles in mixed case, shuffled' '
	glean sources >/dev/null &&
	store_sql "INSERT INTO source (id, url, title, added) VALUES (1, '\''https://t.example/feed'\'', '\''Titles'\'', 0);
		WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 9000)
		INSERT INTO item (id, source_id, guid, title, fetched, date, read)
		SELECT i, 1, '\''g'\'' || i,
		       printf('\''%s %04d'\'', CASE i % 2 WHEN 0 THEN '\''ITEM'\'' ELSE '\''item'\'' END, (i * 37) % 9000),
		       0, 1700000000 + i, i % 3 = 0 FROM c;
		INSERT INTO item (id, source_id, guid, title, fetched, date, read) VALUES
		 (9001, 1, '\''g9001'\'', '\''ITEM 0000'\'', 0, 1800000000, 0),
		 (9002, 1, '\''g9002'\'', '\''item 0000'\'', 0, 1600000000, 0);
		UPDATE item SET starred = 1 WHERE id IN (5, 77, 1234, 4321, 8000);" &&
	glean check --repair >/dev/null &&
	tui_start 100 30 &&
	tui_wait "glean \| All \(9002\)"
'

test_expect_success 'All by title: case not counted, ties newest first' '
	tui_keys O && tui_wait "sorted by source" &&
	tui_keys O && tui_wait "sorted by title" &&
	tui_wait "2027-01-15 Titles +ITEM 0000" &&
	test "$(shown)" = "$(expect 1)" &&
	case "$(shown)" in "2027-01-15 0000 2023-11-15 0000 2020-09-13 0000 "*) ;; *) false ;; esac
'

test_expect_success 'Unread by title' '
	tui_keys q && tui_keys j &&
	tui_wait "glean \| Unread" &&
	tui_wait "2027-01-15 Titles +ITEM 0000" &&
	test "$(shown)" = "$(expect "read = 0")"
'

test_expect_success 'Starred by title' '
	tui_keys j &&
	tui_wait "glean \| Starred" &&
	tui_wait "item 0185" &&
	test "$(shown)" = "$(expect "starred = 1")"
'

test_expect_success 'the sort survives paging: the second page follows the first' '
	tui_keys k k Enter &&
	tui_wait "glean \| All" &&
	tui_keys PgDn PgDn PgDn PgDn PgDn &&
	n=200 ok= &&
	while [ $n -gt 0 ] && [ -z "$ok" ]; do
		first=$(shown | cut -d" " -f2) &&
		if [ "${first:-0}" -gt 100 ] &&
		   [ "$(shown)" = "$(expect "substr(title, 6) >= '\''$first'\''")" ]; then
			ok=1
		else
			sleep 0.05 && n=$((n - 1))
		fi
	done &&
	{ [ -n "$ok" ] || { tui_screen; false; }; }
'

test_expect_success 'with an index in title order, the same orders from its walk' '
	tui_stop &&
	store_sql "CREATE INDEX item_title ON item(coalesce(title, '\'''\'')
		COLLATE NOCASE, date DESC, id DESC, read, hidden)" &&
	tui_start 100 30 &&
	tui_wait "glean \| All \(9002\)" &&
	tui_keys O && tui_wait "sorted by source" &&
	tui_keys O && tui_wait "sorted by title" &&
	tui_wait "2027-01-15 Titles +ITEM 0000" &&
	test "$(shown)" = "$(expect 1)" &&
	tui_keys q && tui_keys j &&
	tui_wait "glean \| Unread" &&
	tui_wait "2027-01-15 Titles +ITEM 0000" &&
	test "$(shown)" = "$(expect "read = 0")"
'

test_done
