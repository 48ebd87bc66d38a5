#!/bin/sh
# A secret command that never finishes (a pass/gpg prompt under cron, a
# hung helper) is stopped at [general] secret-timeout with its whole
# process group, and the fetch says which account and key it was.
. "$(dirname "$0")/../lib/lib.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"

site="$TRASH/site"
cp -R "$TEST_ROOT/tests/data/social" "$site"
cp "$TEST_ROOT/tests/data/demo/civic-rss.xml" "$site/civic.xml"
httpd_start "$site" || exit 1
test_on_exit httpd_stop

# a child in the background and one in front: both must go at the limit
cat >"$GLEAN_HOME/config" <<EOF
[general]
timeout = 5s
secret-timeout = 1s
[account "home"]
service = mastodon
url = $HTTPD_URL
token-cmd = sh -c "sleep 617 & exec sleep 618"
[account "second"]
service = mastodon
url = http://localhost:$HTTPD_PORT
token-cmd = sh -c "sqlite3 -cmd '.timeout 0' '$GLEAN_HOME/glean.db' 'BEGIN IMMEDIATE; ROLLBACK;' && echo token"
EOF

sleepers() {
	pgrep -u "$(id -u)" -f "^sleep 61[78]$" || true
}

test_expect_success 'a hung token-cmd fails its source within the limit' '
	glean add "$HTTPD_URL/civic.xml" >out &&
	glean add "$HTTPD_URL/lists/6" >out &&
	start=$(date +%s) &&
	test_status 3 glean fetch >out 2>err &&
	end=$(date +%s) &&
	cat out err &&
	test $((end - start)) -lt 10 &&
	test_grep "fetched 2 sources" out &&
	test_grep "account .home.: token-cmd did not finish within 1s" out &&
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = 1")" -gt 0
'

test_expect_success 'nothing the command started is left running' '
	sleep 0.2 &&
	test -z "$(sleepers)"
'

test_expect_success '--quiet still names the account and the key, on stderr' '
	test_status 3 glean fetch --all --quiet >out 2>err &&
	test ! -s out &&
	test_grep "account .home.: token-cmd did not finish within 1s" err &&
	test -z "$(sleepers)"
'

# The first account's failure is stored before the second account starts;
# the second's token-cmd must not run while that write is held open.
test_expect_success 'no secret command runs while the store is being written' '
	glean add "http://localhost:$HTTPD_PORT/lists/6" >out &&
	test_grep "added source 3" out &&
	test "$(store_sql "SELECT account FROM source WHERE id = 3")" = second &&
	test_status 3 glean fetch --all >out 2>err &&
	cat out err &&
	test_grep "failed 2 " out &&
	! grep "failed 3 " out
'

test_done
