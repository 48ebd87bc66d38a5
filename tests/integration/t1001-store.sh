#!/bin/sh
# The store: created and migrated from nothing, WAL, refuses a newer
# schema, many writers at once (SQLite orders them), the lock only for
# an upgrade.
. "$(dirname "$0")/../lib/lib.sh"

db="$GLEAN_HOME/glean.db"

test_expect_success 'a reader on a fresh machine creates and migrates the store' '
	glean items >out &&
	test -f "$db" &&
	test "$(store_sql "PRAGMA user_version")" -ge 1 &&
	test "$(store_sql "PRAGMA journal_mode")" = wal
'

test_expect_success 'an empty file is migrated to the current schema' '
	: >"$TRASH/empty.db" &&
	glean --db "$TRASH/empty.db" add http://127.0.0.1:9/x.xml &&
	sqlite3 "$TRASH/empty.db" ".tables" >tables &&
	for t in source item tag item_tag source_tag note digest outbox; do
		test_grep -qw "$t" tables || { echo "no table $t"; exit 1; }
	done
'

test_expect_success 'the search index is its own private file beside the store' '
	test -f "$db-search" &&
	test "$(stat -c %a "$db-search")" = 600 &&
	sqlite3 "$db-search" ".tables" | test_grep -qw item_fts &&
	! sqlite3 "$db" ".tables" | test_grep -qw item_fts &&
	rm -f "$db-search" "$db-search-wal" "$db-search-shm" &&
	glean search anything >out &&
	test -f "$db-search"
'

test_expect_success 'the schema has foreign keys that cascade' '
	store_sql "PRAGMA foreign_key_list(item)" | test_grep -q "source"
'

test_expect_success 'a store from a newer glean is refused with a clear message' '
	cp "$db" "$TRASH/newer.db" &&
	sqlite3 "$TRASH/newer.db" "PRAGMA user_version = 999" &&
	test_status 1 glean --db "$TRASH/newer.db" items 2>err &&
	test_grep "was written by a newer glean (schema 999" err
'

test_expect_success 'something that is not a database is refused' '
	echo "hello" >"$TRASH/text.db" &&
	test_status 1 glean --db "$TRASH/text.db" items 2>err &&
	test_grep "not a glean database\|damaged" err
'

test_expect_success 'a second writer is not refused while another glean writes' '
	mkfifo fifo &&
	(exec ${GLEAN_WRAP:-} "$GLEAN" import fifo >/dev/null 2>&1) &
	holder=$! &&
	glean add http://127.0.0.1:9/second.xml 2>err &&
	! test_grep -q "in use" err &&
	glean sources >out &&
	test_grep -q "second.xml" out &&
	echo "<opml><body/></opml>" >fifo &&
	wait $holder
'

test_expect_success 'creating a store waits for the lock another glean holds' '
	flock "$TRASH/new.db.lock" sleep 1 &
	sleep 0.2 &&
	glean --db "$TRASH/new.db" items >out 2>err &&
	! test_grep -q "in use\|upgraded" err &&
	test "$(sqlite3 "$TRASH/new.db" "PRAGMA user_version")" -ge 1
'

test_expect_success 'a failed command leaves nothing half-written' '
	before=$(store_sql "SELECT count(*) FROM source") &&
	printf "https://ok.example/a.xml\nnot-a-url\n" >urls &&
	glean import --newsboat urls 2>err &&
	after=$(store_sql "SELECT count(*) FROM source") &&
	test $after -eq $((before + 1))
'

test_done
