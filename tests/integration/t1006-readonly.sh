#!/bin/sh
# A store that cannot be written (a read-only mount, a directory without
# write permission) opens read-only: every read works, every write says
# the store is read-only and why. The suite runs as root, which file
# modes do not stop, so a read-only bind mount in a private mount
# namespace (unshare -m) stands in; without unshare the test's trigger
# GLEAN_TEST_STORE_READONLY does (store.c), and the output says so.
. "$(dirname "$0")/../lib/lib.sh"

demo="$TEST_ROOT/tests/data/demo"

# Run glean with GLEAN_HOME mounted read-only.
ro_glean() {
	if [ -n "$ro_mount" ]; then
		unshare -m sh -c 'mount --bind "$GLEAN_HOME" "$GLEAN_HOME" &&
			mount -o remount,bind,ro "$GLEAN_HOME" &&
			exec ${GLEAN_WRAP:-} "$GLEAN" "$@"' ro-glean "$@"
	else
		GLEAN_TEST_STORE_READONLY="the test says so" glean "$@"
	fi
}

ro_mount=
if unshare -m sh -c 'mount --bind "$GLEAN_HOME" "$GLEAN_HOME" &&
	mount -o remount,bind,ro "$GLEAN_HOME" && ! touch "$GLEAN_HOME/x"' \
	2>/dev/null; then
	ro_mount=yes
	reason="cannot be written (Read-only file system)"
else
	echo "# no read-only mount here (unshare -m); using GLEAN_TEST_STORE_READONLY"
	reason="the test says so"
fi

test_expect_success 'setup: a store with items, a note and a star' '
	glean add "file://$demo/civic-rss.xml" --tag civic >/dev/null &&
	glean fetch >/dev/null &&
	glean note 1 "written before" >/dev/null &&
	glean star 2 >/dev/null
'

test_expect_success 'every read works on a read-only store' '
	ro_glean items >out 2>err &&
	test "$(wc -l <out)" -ge 3 &&
	ro_glean items tag:civic is:starred --json >j 2>err &&
	jq -e "length == 1 and .[0].id == 2" j &&
	ro_glean show 1 >out 2>err &&
	test_grep "written before" out &&
	ro_glean search budgets >out 2>err &&
	test_grep "Open budgets" out &&
	ro_glean sources >out 2>err &&
	test_grep "Civic Notes" out
'

test_expect_success 'every write says the store is read-only and why' '
	for c in "note 1 more" "tag 1 +x" "star 1" "mark 1" "read 1" \
		"unstar 2" "fetch --all" "add file:///dev/null"; do
		test_status 1 ro_glean $c 2>err &&
		test_grep "the store .*glean.db. is read-only: .*$reason" err ||
		{ echo "for: $c"; cat err; exit 1; }
	done &&
	test "$(store_sql "SELECT count(*) FROM note")" = 1 &&
	test "$(store_sql "SELECT starred FROM item WHERE id = 2")" = 1
'

test_expect_success 'check and backup work on a read-only store' '
	ro_glean check >out 2>err &&
	test_grep "is sound" out &&
	ro_glean backup "$TRASH/copy.db" >out 2>err &&
	glean --db "$TRASH/copy.db" check >out &&
	test "$(sqlite3 "$TRASH/copy.db" "SELECT count(*) FROM note")" = 1 &&
	if [ -n "$ro_mount" ]; then
		test_status 1 ro_glean check --repair >out 2>err &&
		test_grep "cannot repair .* read-only (Read-only file system)" err
	fi
'

# A change left in the -wal (a glean killed before its checkpoint): with
# the -shm beside it the read-only store reads it; without, glean reads
# the file alone and says its view may be out of date.
if [ -n "$ro_mount" ]; then
test_expect_success 'a read-only store with changes still in its -wal' '
	python3 -c "if True:
		import os, sqlite3
		c = sqlite3.connect(\"$GLEAN_HOME/glean.db\")
		c.execute(\"PRAGMA wal_autocheckpoint = 0\")
		c.execute(\"UPDATE item SET title = '"'in the wal'"' WHERE id = 1\")
		c.commit()
		os._exit(0)" &&
	test -s "$GLEAN_HOME/glean.db-wal" &&
	test -e "$GLEAN_HOME/glean.db-shm" &&
	ro_glean show 1 >out 2>err &&
	test_grep "in the wal" out &&
	! test -s err &&
	rm "$GLEAN_HOME/glean.db-shm" &&
	ro_glean show 1 >out 2>err &&
	test_grep "may be out of date" err &&
	glean show 1 >out &&
	test_grep "in the wal" out
'
fi

test_expect_success 'writable again, the same commands save' '
	glean note 1 "written after" >/dev/null &&
	test "$(store_sql "SELECT count(*) FROM note")" = 2
'

test_done
