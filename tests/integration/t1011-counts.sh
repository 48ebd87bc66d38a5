#!/bin/sh
# Flat at a million items (issue 18): the per-source counts the reader's
# navigation pane shows are kept in the same transaction as the rows,
# by every path that changes items, and equal a real count after each
# kind of change; 'glean check' says so and --repair counts again.
# 'glean items' and 'glean search' stream their rows: the first comes
# without the rest being collected, in memory that does not grow with
# the number of matches.
. "$(dirname "$0")/../lib/lib.sh"

demo="$TEST_ROOT/tests/data/demo"
cat >"$GLEAN_HOME/config" <<'EOC'
[rule "no heat"]
match = title:/^heat/i
hide = true
EOC

# The sources whose kept counts differ from count(*) over their items
# (hidden items not counted), or that have no counts row: must be none.
counts_wrong() {
	store_sql "SELECT s.id || ': kept ' || coalesce(c.items, '-') || '/'
		|| coalesce(c.unread, '-') || '/' || coalesce(c.starred, '-')
		|| '/' || coalesce(c.marked, '-') || ', real ' || coalesce(x.n, 0)
		|| '/' || coalesce(x.u, 0) || '/' || coalesce(x.st, 0) || '/'
		|| coalesce(x.m, 0)
		FROM source s LEFT JOIN source_count c ON c.source_id = s.id
		LEFT JOIN (SELECT source_id, count(*) AS n, sum(read = 0) AS u,
		sum(starred = 1) AS st, sum(marked = 1) AS m FROM item
		WHERE hidden = 0 GROUP BY source_id) x ON x.source_id = s.id
		WHERE c.source_id IS NULL OR c.items IS NOT coalesce(x.n, 0)
		OR c.unread IS NOT coalesce(x.u, 0)
		OR c.starred IS NOT coalesce(x.st, 0)
		OR c.marked IS NOT coalesce(x.m, 0)" >wrong &&
	if test -s wrong; then cat wrong >&2; return 1; fi
}

# The reader's figures ('glean tags', 'glean sources --json') against
# the items: the unread count of each source as 'glean items' lists it.
test_expect_success 'a fetch keeps counts, hidden items not counted' '
	glean add "file://$demo/civic-rss.xml" --tag civic >/dev/null &&
	glean add "file://$demo/health-atom.xml" >/dev/null &&
	glean add "file://$demo/research.json" >/dev/null &&
	glean fetch >out &&
	test_grep "1 new item hidden by your rules" out &&
	counts_wrong &&
	test "$(store_sql "SELECT sum(items) FROM source_count")" = \
		"$(glean items --json | jq length)" &&
	test "$(store_sql "SELECT sum(items) FROM source_count")" -gt 0
'

test_expect_success 'read, unread, star, mark and their inverses keep counts' '
	id=$(glean items --json | jq ".[0].id") &&
	glean read $id >/dev/null && counts_wrong &&
	glean unread $id >/dev/null && counts_wrong &&
	glean star $id >/dev/null && counts_wrong &&
	glean mark $id >/dev/null && counts_wrong &&
	test "$(store_sql "SELECT sum(starred) || sum(marked) FROM source_count")" = 11 &&
	glean unstar $id >/dev/null && glean unmark $id >/dev/null &&
	counts_wrong &&
	test "$(store_sql "SELECT sum(starred) + sum(marked) FROM source_count")" = 0
'

test_expect_success 'catch-up of a query and of everything keeps counts' '
	glean read tag:civic >/dev/null && counts_wrong &&
	test "$(glean tags | grep civic)" != "" &&
	glean read --all >/dev/null &&
	counts_wrong &&
	test "$(store_sql "SELECT sum(unread) FROM source_count")" = 0
'

test_expect_success 'hiding and showing an item keeps counts' '
	id=$(glean items --json | jq ".[0].id") &&
	store_sql "UPDATE item SET hidden = 1 WHERE id = $id" && counts_wrong &&
	store_sql "UPDATE item SET hidden = 0, read = 0 WHERE id = $id" &&
	counts_wrong
'

test_expect_success 'a refetch that updates items, and new items, keep counts' '
	store_sql "UPDATE source SET next_due = 0, body_hash = NULL, etag = NULL,
		last_modified = NULL" &&
	store_sql "UPDATE item SET content_hash = NULL" &&
	glean fetch >/dev/null && counts_wrong
'

test_expect_success 'rm of a source keeps counts, with kept items and without' '
	star=$(glean items "tag:civic" --json | jq ".[0].id") &&
	glean star $star >/dev/null &&
	sid=$(glean show $star --json | jq .source_id) &&
	glean rm $sid >out 2>&1 &&
	counts_wrong &&
	test "$(store_sql "SELECT items FROM source_count WHERE source_id = $sid")" = 1 &&
	other=$(store_sql "SELECT id FROM source WHERE id <> $sid LIMIT 1") &&
	glean rm $other >/dev/null 2>&1 &&
	counts_wrong &&
	test "$(store_sql "SELECT count(*) FROM source_count WHERE source_id = $other")" = 0
'

test_expect_success 'sources list the kept counts' '
	sid=$(store_sql "SELECT id FROM source WHERE retired = 0 LIMIT 1") &&
	want=$(store_sql "SELECT count(*) FROM item WHERE source_id = $sid
		AND hidden = 0 AND read = 0") &&
	glean sources --json >s.json &&
	test "$(jq ".[] | select(.id == $sid) | .unread" s.json)" = "$want"
'

test_expect_success 'glean check finds counts that drifted; --repair counts again' '
	store_sql "UPDATE source_count SET unread = unread + 5" &&
	test_status 1 glean check >out 2>&1 &&
	test_grep "item counts of .* source(s) differ" out &&
	glean check --repair >out 2>&1 &&
	test_grep "counted again" out &&
	counts_wrong &&
	glean check >out 2>&1
'

test_expect_success 'an upgrade counts what a store had before the counts' '
	store_sql "$(schema_undo_to 12)" &&
	glean items >/dev/null &&
	counts_wrong &&
	test "$(store_sql "SELECT count(*) FROM source_count")" = \
		"$(store_sql "SELECT count(*) FROM source")"
'

# Items inserted with raw SQL are not counted (glean counts the items it
# inserts itself, schema 16): check finds them and --repair counts them.
raw_one() {
	store_sql "INSERT INTO item (source_id, guid, url, title, fetched,
		date, content) SELECT min(id), 'raw-1', 'https://raw.example/1',
		'Raw', 1900000000, 1900000000, '<p>raw</p>' FROM source"
}
test_expect_success 'items inserted with raw SQL: check finds them, --repair counts' '
	raw_one &&
	! counts_wrong 2>/dev/null &&
	test_status 1 glean check >out 2>&1 &&
	test_grep "item counts of 1 source(s) differ" out &&
	glean check --repair >out 2>&1 &&
	counts_wrong &&
	glean check >out 2>&1
'

# ---- streaming ----
many() { # N more items in the first source, straight into the store,
	 # counted as anyone inserting with SQL must count them
	store_sql "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1
		FROM c WHERE i < $1) INSERT INTO item (source_id, guid, url,
		title, fetched, date, content, read) SELECT (SELECT min(id)
		FROM source), 'many-$1-' || i, 'https://many.example/' || i,
		'Many ' || i || ' bulkword ' || hex(randomblob(40)),
		1900000000, 1900000000 + i, '<p>bulk</p>', 0 FROM c;
		UPDATE source_count SET items = items + $1, unread = unread + $1
		WHERE source_id = (SELECT min(id) FROM source)"
}
rss_of_head() { # KiB of glean's peak RSS while head takes one line
	/usr/bin/time -o rss -f %M "$GLEAN" "$@" 2>/dev/null | head -n 1 >first
	tail -n 1 rss
}

test_expect_success 'items | head -1 shows the newest row, the list streams' '
	many 2000 &&
	glean items | head -n 1 >first &&
	glean items >all &&
	head -n 1 all >want && test_cmp want first &&
	test "$(wc -l <all)" -ge 2000 &&
	glean items --json | jq -e "length >= 2000 and (.[0].title | startswith(\"Many 2000 \"))" &&
	test_grep "Many 2000 " first &&
	counts_wrong
'

test_expect_success 'items and search keep the same memory for 10x the matches' '
	command -v /usr/bin/time >/dev/null || { echo "no GNU time: skipped"; exit 0; }
	small=$(rss_of_head items) &&
	small_json=$(rss_of_head items --json) &&
	many 200000 &&
	big=$(rss_of_head items) &&
	big_json=$(rss_of_head items --json) &&
	big_search=$(rss_of_head search bulkword) &&
	echo "items: $small -> $big KiB; --json $small_json -> $big_json; search $big_search" &&
	test "$big" -lt $((small + 16384)) &&
	test "$big_json" -lt $((small_json + 16384)) &&
	glean search bulkword | head -n 1 | grep -q "Many 200000 " &&
	counts_wrong
'

test_done
