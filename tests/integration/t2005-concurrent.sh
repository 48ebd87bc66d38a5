#!/bin/sh
# A fetch does not lock the person out: while 'glean fetch' runs in
# another process, note, tag, star, mark and read land at once; a second
# fetch at the same time skips the sources the first is fetching (the
# server sees each once), and says so.
. "$(dirname "$0")/../lib/lib.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"

demo="$TEST_ROOT/tests/data/demo"
site="$TRASH/site"
mkdir -p "$site"
cp "$demo/civic-rss.xml" "$site/civic.xml"
cp "$demo/health-atom.xml" "$site/health.atom"
cp "$demo/civic-rss.xml" "$site/slow.xml"
# The slow feed keeps a fetch running while $site/slow.hold exists (hold;
# release), so a test has a fetch running for as long as it needs one,
# under valgrind too, and no longer; a new ETag each time so a
# conditional GET is held too.
printf '{"responses": [%s]}\n' "$(for t in a b c d e f; do
	printf '{"hold_while": "slow.hold", "headers": {"ETag": "\\"%s\\""}},' $t
done | sed 's/,$//')" >"$site/slow.xml.meta.json"
httpd_start "$site" || exit 1
test_on_exit httpd_stop
printf "[general]\ntimeout = 150s\n" >"$GLEAN_HOME/config"

hold() { : >"$site/slow.hold"; }
release() { rm -f "$site/slow.hold"; }

# requests the server has had for PATH
requests() {
	jq -s "[.[] | select(.path == \"$1\")] | length" "$HTTPD_LOG"
}

# Start 'glean fetch' in the background and wait until the slow feed is
# being served and the fast ones are stored.
start_fetch() {
	hold
	(exec ${GLEAN_WRAP:-} "$GLEAN" fetch "$@" >fetch1.out 2>&1) &
	fetcher=$!
	echo $fetcher >fetcher.pid
	i=0
	while test "$(requests /slow.xml)" -lt 1 && test $i -lt 200; do
		i=$((i+1)); sleep 0.05
	done
	i=0
	while test "$(store_sql "SELECT count(*) FROM source WHERE last_success > 0")" -lt 2 &&
	      test $i -lt 200; do
		i=$((i+1)); sleep 0.05
	done
	kill -0 $fetcher
}

# the background fetch (started by another test's subshell) still runs
fetching() {
	kill -0 "$(cat fetcher.pid)" 2>/dev/null
}

wait_fetch() {
	while fetching; do sleep 0.1; done
}

test_expect_success 'setup: three sources, one slow, a first item to work on' '
	printf "%s\n" "$HTTPD_URL/civic.xml" "$HTTPD_URL/health.atom" \
		"$HTTPD_URL/slow.xml" >urls &&
	glean import --newsboat urls >/dev/null &&
	start_fetch &&
	item=$(store_sql "SELECT min(id) FROM item") &&
	test -n "$item" &&
	echo $item >item-id
'

test_expect_success 'while the fetch runs, note, tag, star, mark and read all land' '
	item=$(cat item-id) &&
	fetching &&
	glean note $item "written during a fetch" >out 2>err &&
	glean note $item --quote "a" "quoted during a fetch" >>out 2>>err &&
	glean tag $item +during >>out 2>>err &&
	glean star $item >>out 2>>err &&
	glean mark $item >>out 2>>err &&
	glean read $item >>out 2>>err &&
	fetching &&
	! test_grep -q "in use\|cannot save\|busy" err &&
	test "$(store_sql "SELECT count(*) FROM note WHERE item_id = $item")" = 2 &&
	test "$(store_sql "SELECT starred || marked || read FROM item WHERE id = $item")" = 111 &&
	glean items tag:during --json | jq -e "length == 1" &&
	glean unread $item 2>>err &&
	test "$(store_sql "SELECT read FROM item WHERE id = $item")" = 0 &&
	fetching
'

test_expect_success 'a second fetch meanwhile skips what the first is fetching' '
	fetching &&
	glean fetch --all >out2 2>err2 &&
	test_grep "3 sources skipped: another glean is fetching them" out2 ||
	test_grep "nothing fetched: 3 due sources are being fetched by another glean" out2
'

test_expect_success 'asking for one claimed source says so' '
	glean fetch 3 >out3 2>err3 &&
	test_grep "source 3 (.*) is being fetched by another glean just now" out3 &&
	test_grep "nothing fetched: 1 due source is being fetched" out3
'

test_expect_success 'the first fetch finishes; the server saw each feed once' '
	release &&
	wait_fetch &&
	test_grep "fetched 3 sources" fetch1.out &&
	test "$(requests /slow.xml)" = 1 &&
	test "$(requests /civic.xml)" = 1 &&
	test "$(requests /health.atom)" = 1 &&
	item=$(cat item-id) &&
	test "$(store_sql "SELECT count(*) FROM note WHERE item_id = $item")" = 2
'

test_expect_success 'two fetches started together share the work' '
	: >"$HTTPD_LOG"
	hold
	(exec ${GLEAN_WRAP:-} "$GLEAN" fetch --all >a.out 2>&1) &
	a=$!
	(exec ${GLEAN_WRAP:-} "$GLEAN" fetch --all >b.out 2>&1) &
	b=$!
	# the one that claimed the slow feed waits for it until the other
	# has ended
	i=0
	while kill -0 $a 2>/dev/null && kill -0 $b 2>/dev/null && test $i -lt 2400; do
		i=$((i+1)); sleep 0.05
	done
	release
	wait $a && wait $b &&
	test "$(requests /slow.xml)" = 1 &&
	test "$(requests /civic.xml)" = 1 &&
	test "$(requests /health.atom)" = 1
'

test_expect_success 'a killed fetch leaves no claim behind' '
	: >"$HTTPD_LOG" &&
	start_fetch --all &&
	kill -KILL $fetcher && { wait $fetcher || :; } &&
	! fetching &&
	release &&
	glean fetch 3 >out4 2>err4 &&
	test_grep "fetched 1 source" out4 &&
	test "$(requests /slow.xml)" = 2
'

test_done
