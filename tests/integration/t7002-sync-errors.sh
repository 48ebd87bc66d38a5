#!/bin/sh
# What glean says when a sync server answers badly (a fake on loopback,
# tests/data/sync-errors): an HTML page, a 500, a wrong url (404), an old
# API level, a half answer, a session that ends at once (logged in again
# once, then a clear error). One line each, naming what to do.
. "$(dirname "$0")/../lib/lib.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"

httpd_start "$TEST_ROOT/tests/data/sync-errors" || exit 1
test_on_exit httpd_stop
export PW=secret

# sync against the fake's folder $1; stderr in err
sync_at() {
	cat >"$GLEAN_HOME/config" <<EOC
[sync "s"]
service = ttrss
url = $HTTPD_URL/$1
user = me
password-env = PW
EOC
	test_status 1 glean sync >out 2>err
	cat err
	test "$(wc -l <err)" = 1
}

test_expect_success 'an HTML page instead of the API' '
	sync_at html &&
	test_grep "sync .s.: tt-rss at .*/html. did not answer with its API.s JSON.*check .url. under \[sync \"s\"\]" err
'

test_expect_success 'a server error' '
	sync_at h500 &&
	test_grep "answered HTTP 500; try again later" err
'

test_expect_success 'a wrong url' '
	sync_at nothing-here &&
	test_grep "answered HTTP 404: check .url. under \[sync \"s\"\] (the tt-rss folder" err
'

test_expect_success 'an old API level' '
	sync_at old &&
	test_grep "speaks API level 8; glean needs level 14 or later.*upgrade the server" err
'

test_expect_success 'a half answer' '
	sync_at half &&
	test_grep "did not answer with its API.s JSON (a web page? a half answer?)" err
'

test_expect_success 'a session that ends is renewed once, then a clear error' '
	sync_at expired &&
	test_grep "ended the session again at once; try again later" err &&
	test "$(grep -c "\"path\":\"/expired/api/\"" "$HTTPD_LOG")" = 4 &&
	# the call is tried again once, with the new session
	test "$(grep -F s2 "$HTTPD_LOG" | grep -c getCategories)" = 1
'

test_done
