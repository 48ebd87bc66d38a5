#!/bin/sh
# A killed glean leaves a consistent store: kill -9 a fetch at varying
# moments, again and again, and check the database each time.
. "$(dirname "$0")/../lib/lib.sh"

feeds="$TRASH/feeds"
mkdir -p "$feeds"
python3 - "$feeds" <<'EOP'
import random, sys
random.seed(7)
words = "civic data council open budget health care library digital inclusion".split()
for f in range(60):
    items = []
    for i in range(50):
        body = " ".join(random.choice(words) for _ in range(200))
        rare = " zephyr" if (f * 50 + i) % 7 == 0 else ""
        items.append("<item><title>Item %d-%d%s</title><guid>g-%d-%d</guid>"
                     "<description>&lt;p&gt;%s&lt;/p&gt;</description></item>" % (f, i, rare, f, i, body))
    open("%s/f%d.xml" % (sys.argv[1], f), "w").write(
        "<rss version='2.0'><channel><title>Feed %d</title>%s</channel></rss>" % (f, "".join(items)))
EOP
# Setup, not under GLEAN_WRAP: 60 adds cost over a minute under
# valgrind, and other tests run 'glean add' under it.
for f in "$feeds"/*.xml; do "$GLEAN" add "file://$f" >/dev/null; done
# Under valgrind (GLEAN_WRAP) three rounds: a killed process reports
# nothing to valgrind, so more rounds there only cost minutes; the plain
# and ASan passes run all 25.
if [ -n "${GLEAN_WRAP:-}" ]; then
	rounds=${GLEAN_CRASH_ROUNDS:-3}
else
	rounds=${GLEAN_CRASH_ROUNDS:-25}
fi

test_expect_success "kill -9 during fetch, $rounds times: the store stays consistent" '
	r=0 &&
	while [ $r -lt $rounds ]; do
		r=$((r + 1))
		store_sql "UPDATE source SET next_due = 0, body_hash = NULL, etag = NULL, last_modified = NULL" &&
		(exec ${GLEAN_WRAP:-} "$GLEAN" fetch --quiet) &
		pid=$! &&
		sleep "0.0$(( (r * 37) % 10 ))" &&
		kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
		test "$(store_sql "PRAGMA integrity_check")" = ok ||
			{ echo "round $r: integrity check failed"; exit 1; }
		# The index lags (a separate file, written by a thread) but
		# the search catches up: every stored item with the word.
		n=$(store_sql "SELECT count(*) FROM item WHERE title LIKE \"%zephyr%\"") &&
		m=$(glean search zephyr | wc -l) &&
		test "$m" -eq "$n" || { echo "round $r: search found $m of $n"; exit 1; }
		# (bodies may be zstd frames: text: reads them unpacked, by a
		# scan of the items, not by the index)
		n=$(glean items text:civic | wc -l) &&
		m=$(glean search civic | wc -l) &&
		test "$m" -eq "$n" || { echo "round $r: search found $m of $n"; exit 1; }
		sqlite3 "$GLEAN_HOME/glean.db-search" "INSERT INTO item_fts(item_fts) VALUES (\"integrity-check\")" ||
			{ echo "round $r: search index damaged"; exit 1; }
	done
'

test_expect_success 'after the crashes a normal fetch completes the store' '
	glean fetch --all >out &&
	test_grep "0 failed" out &&
	test "$(store_sql "SELECT count(*) FROM item")" = 3000 &&
	test "$(glean search zephyr | wc -l)" = 429 &&
	sqlite3 "$GLEAN_HOME/glean.db-search" "INSERT INTO item_fts(item_fts) VALUES (\"integrity-check\")"
'

test_expect_success 'every source is consistent: items per source never exceed the feed' '
	test "$(store_sql "SELECT max(c) FROM (SELECT count(*) c FROM item GROUP BY source_id)")" = 50
'

test_done
