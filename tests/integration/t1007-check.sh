#!/bin/sh
# Damage is caught and recoverable (issue 15): 'glean check' finds a
# damaged header, damaged interior pages, truncation, a damaged index and
# a damaged search file, and leaves the store's file exactly as it was;
# every command on a damaged store fails in one line naming 'glean
# check' and writes nothing; 'glean check --repair' rebuilds the indexes
# and the search file and says what it cannot rebuild; 'glean backup'
# copies the store while a fetch runs; an upgrade keeps a copy first.
. "$(dirname "$0")/../lib/lib.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"

db="$GLEAN_HOME/glean.db"

# A feed of 400 items, enough for the item table to have interior pages.
big_feed() {
	printf '<?xml version="1.0"?>\n<rss version="2.0"><channel>'
	printf '<title>Big</title><link>http://example.org/</link>\n'
	i=1
	while [ $i -le 400 ]; do
		printf '<item><title>Item %d budgets</title>' $i
		printf '<link>http://example.org/%d</link><guid>g%d</guid>' $i $i
		printf '<description>'
		j=0
		while [ $j -lt 40 ]; do printf 'word%d ' $((i + j)); j=$((j + 1)); done
		printf '</description></item>\n'
		i=$((i + 1))
	done
	printf '</channel></rss>\n'
}

sum() { sha256sum <"$1" | cut -d" " -f1; }
psz() { sqlite3 "$1" "PRAGMA page_size"; }
# A leaf page of the full-text index's data in the search file (its
# size depends on the index's format, so no fixed page number).
fts_page() {
	sqlite3 "$db-search" "SELECT max(pageno) FROM dbstat WHERE name ="\
" 'item_fts_data' AND pagetype = 'leaf'"
}

# Overwrite 64 bytes with byte $2 (octal, for tr) at offset $3 of page(s)
# $4... of file $1.
damage() {
	f=$1 byte=$2 off=$3
	shift 3
	psz=$(sqlite3 "$f" "PRAGMA page_size" 2>/dev/null || echo 32768)
	for p in "$@"; do
		printf '%064d' 0 | tr 0 "$byte" |
			dd of="$f" bs=1 seek=$(( (p - 1) * psz + off )) count=64 \
			conv=notrunc 2>/dev/null
	done
}

restore() {
	cp pristine.db "$db" &&
	rm -f "$db-wal" "$db-shm" "$db-search" "$db-search-wal" "$db-search-shm" &&
	cp pristine.search "$db-search"
}

# Each command "$@" on a damaged store: status 1, one line naming
# 'glean check', the file unchanged.
fails_naming_check() {
	before=$(sum "$db")
	for c in "$@"; do
		test_status 1 glean $c >out 2>err ||
			{ echo "for: $c"; cat err; return 1; }
		test_grep "glean check" err || { echo "for: $c"; return 1; }
		test "$(wc -l <err)" -le 2 || { echo "for: $c"; cat err; return 1; }
	done
	test "$(sum "$db")" = "$before"
}

test_expect_success 'setup: a store with 400 items and its search index' '
	big_feed >big.xml &&
	glean add "file://$TRASH/big.xml" >/dev/null &&
	glean fetch >/dev/null &&
	glean search budgets >out &&
	test "$(wc -l <out)" = 400 &&
	cp "$db" pristine.db &&
	cp "$db-search" pristine.search
'

test_expect_success 'check on a healthy store: status 0, file unchanged' '
	before=$(sum "$db") &&
	glean check >out 2>err &&
	test_grep "is sound" out &&
	test "$(sum "$db")" = "$before" &&
	glean check --help >out &&
	test_grep "Exit status" out
'

test_expect_success 'a damaged header: found, not repaired, file unchanged' '
	restore &&
	damage "$db" "\377" 0 1 &&
	before=$(sum "$db") &&
	test_status 1 glean check >out 2>err &&
	test_grep "header is damaged" out &&
	test "$(sum "$db")" = "$before" &&
	fails_naming_check "items" "show 1" "search budgets" "tag 1 +x" \
		"read --all" "star 1" "note 1 hello" "fetch --all" &&
	test_status 1 glean check --repair >out 2>err &&
	test_grep "cannot repair" out
'

test_expect_success 'damaged interior pages: found, commands stop, unchanged' '
	restore &&
	pages=$(sqlite3 "$db" "SELECT pageno FROM dbstat WHERE name = '"'item'"'
		AND pagetype = '"'leaf'"' ORDER BY pageno" | sed -n "2p;4p;\$p") &&
	test -n "$pages" &&
	damage "$db" "\377" 0 $pages &&
	before=$(sum "$db") &&
	test_status 1 glean check >out 2>err &&
	for p in $pages; do test_grep "Page $p" out || exit 1; done &&
	test_grep "problem(s) found; .glean check --repair." out &&
	test "$(sum "$db")" = "$before" &&
	fails_naming_check "items" "read --all" "items --json" &&
	test_status 1 glean check --repair >out 2>err &&
	test_grep "cannot repair the store.s tables" out &&
	test_grep "glean backup" out
'

test_expect_success 'a truncated store: found, file unchanged' '
	restore &&
	truncate -s $(( $(stat -c %s "$db") / 2 )) "$db" &&
	before=$(sum "$db") &&
	test_status 1 glean check >out 2>err &&
	test_grep "^damage: " out &&
	test "$(sum "$db")" = "$before" &&
	test_status 1 glean items >out 2>err &&
	test_grep "glean check" err &&
	test "$(sum "$db")" = "$before"
'

test_expect_success 'a damaged index: found, then rebuilt by --repair' '
	restore &&
	page=$(sqlite3 "$db" "SELECT rootpage FROM sqlite_master WHERE name = '"'item_date'"'") &&
	damage "$db" "\000" 32000 $page &&
	before=$(sum "$db") &&
	test_status 1 glean check >out 2>err &&
	test_grep "missing from index item_date\|item_date" out &&
	test "$(sum "$db")" = "$before" &&
	glean check --repair >out 2>err &&
	test_grep "repaired: .*REINDEX" out &&
	glean check >out &&
	test_grep "is sound" out &&
	test "$(glean items | wc -l)" = 400
'

test_expect_success 'a damaged search file: found, then rebuilt by --repair' '
	restore &&
	damage "$db-search" "\000" 0 $(fts_page) &&
	test_status 1 glean check >out 2>err &&
	test_grep "search index" out &&
	glean check --repair >out 2>err &&
	test_grep "repaired: the search index was .* rebuilt" out &&
	glean check >out &&
	glean search budgets >out &&
	test "$(wc -l <out)" = 400
'

test_expect_success 'an inconsistent full-text index: FTS5 check, rebuilt' '
	restore &&
	damage "$db-search" "\000" $(( $(psz "$db-search") - 100 )) \
		$(fts_page) &&
	test_status 1 glean check >out 2>err &&
	test_grep "full-text index is inconsistent" out &&
	glean check --repair >out 2>err &&
	test_grep "repaired: the search index was emptied and rebuilt" out &&
	glean check >out &&
	glean search budgets >out &&
	test "$(wc -l <out)" = 400
'

test_expect_success 'a schema version of -5 says so, never "not an error"' '
	restore &&
	sqlite3 "$db" "PRAGMA user_version = -5" &&
	test_status 1 glean items >out 2>err &&
	test_grep "schema version -5.*glean check" err &&
	! grep -i "not an error" err &&
	test_status 1 glean check >out &&
	test_grep "schema version is -5" out
'

test_expect_success 'backup: a copy that passes check; usage errors' '
	restore &&
	glean backup copy.db >out 2>err &&
	test ! -e copy.db.tmp &&
	glean --db copy.db check >out &&
	test "$(sqlite3 copy.db "SELECT count(*) FROM item")" = 400 &&
	test_status 2 glean backup 2>err &&
	test_grep "name one FILE" err &&
	test_status 2 glean backup "$db" 2>err &&
	test_grep "is the store itself" err
'

test_expect_success 'an upgrade keeps a copy of the store first' '
	restore &&
	glean --db fresh.db items >/dev/null &&
	latest=$(sqlite3 fresh.db "PRAGMA user_version") &&
	sqlite3 "$db" "$(schema_undo_to 8)" &&
	glean items >/dev/null &&
	test "$(sqlite3 "$db.before-v$latest" "PRAGMA user_version")" = 8 &&
	test "$(sqlite3 "$db.before-v$latest" "SELECT count(*) FROM item")" = 400 &&
	test "$(store_sql "PRAGMA user_version")" = "$latest" &&
	store_sql "SELECT count(title_html) FROM item" >/dev/null
'

site="$TRASH/site"
mkdir -p "$site"
cp big.xml "$site/fast.xml"
sed "s/<guid>g/<guid>slow/" big.xml >"$site/slow.xml"
# slow.xml is held while $site/slow.hold exists
printf '{"responses": [%s]}\n' "$(for t in a b c d; do
	printf '{"hold_while": "slow.hold", "headers": {"ETag": "\\"%s\\""}},' $t
done | sed 's/,$//')" >"$site/slow.xml.meta.json"
httpd_start "$site" || exit 1
test_on_exit httpd_stop

test_expect_success 'backup while a fetch runs yields a store that passes check' '
	restore &&
	glean add "$HTTPD_URL/fast.xml" >/dev/null &&
	glean add "$HTTPD_URL/slow.xml" >/dev/null &&
	store_sql "UPDATE source SET next_due = 0, etag = NULL, body_hash = NULL" &&
	: >"$site/slow.hold" &&
	{ (exec "$GLEAN" fetch --all >fetch.out 2>&1) & } &&
	fetcher=$! &&
	i=0 &&
	while [ $i -lt 200 ] &&
	      [ "$(jq -s "[.[] | select(.path == \"/slow.xml\")] | length" \
		"$HTTPD_LOG")" -lt 2 ]; do
		i=$((i + 1)); sleep 0.05
	done &&
	kill -0 $fetcher &&
	glean backup during.db >out 2>err &&
	rm -f "$site/slow.hold" &&
	wait $fetcher &&
	glean --db during.db check >out &&
	test_grep "is sound" out &&
	test "$(sqlite3 during.db "SELECT count(*) FROM item")" -ge 400
'

test_done
