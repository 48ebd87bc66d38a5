#!/bin/sh
# glean share to Mastodon against a loopback fake: the thread (opening
# post, items packed within the instance's limit, replies chained),
# Idempotency-Key per post, visibility, and the outbox: a second run posts
# nothing, a failure on post 3 of 5 resumes at 3, a reply lost after the
# post was accepted is resolved with the same key, 401, 422 and 429.
. "$(dirname "$0")/../lib/lib.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"
. "$TEST_ROOT/tests/lib/share-week.sh"

site="$TRASH/site"
mkdir -p "$site"
# Each scenario gets its own fake instance under $HTTPD_URL/NAME, so the
# fake's per-path request counts start afresh. Each answers 422 to a
# status over the instance's 200 characters, counted as Mastodon does.
# statuses NAME META... : the answers to successive status POSTs
statuses() {
	name=$1
	shift
	mkdir -p "$site/$name/api/v1"
	cp -r "$TEST_ROOT/tests/data/share/mastodon/api" "$site/$name/"
	{
		printf '{"idempotency_header": "Idempotency-Key", '
		printf '"text_limit": {"field": "status", "max": 200, '
		printf '"unit": "graphemes", "url": 23}, "responses": ['
		sep=
		for m in "$@"; do printf '%s%s' "$sep" "$m"; sep=,; done
		printf ']}\n'
	} >"$site/$name/api/v1/statuses.meta.json"
	write_config "$HTTPD_URL/$name"
	SPATH=/$name/api/v1/statuses
}
ok() { echo "{\"status\": 200, \"headers\": {\"Content-Type\": \"application/json\"}, \"body\": \"{\\\"id\\\": \\\"$1\\\", \\\"url\\\": \\\"{{BASE}}/@me/$1\\\"}\"}"; }
write_config() {
	cat >"$GLEAN_HOME/config" <<EOC
[general]
user-agent = glean-test/1

[account "me"]
service = mastodon
url = $1
token-env = MASTODON_TOKEN

[target "team-mastodon"]
kind = mastodon
account = me
visibility = unlisted
title = Weekly links
EOC
}
httpd_start "$site" || exit 1
test_on_exit httpd_stop
export MASTODON_TOKEN=canary-token-c0ffee
statuses main "$(ok 101)" "$(ok 102)" "$(ok 103)" "$(ok 104)" "$(ok 105)" "$(ok 106)"
# Mark the week again at a later time (each scenario its own hour), so the
# window since the last share holds it again.
reshare() {
	GLEAN_NOW=$((1795428000 + $1 * 3600)) &&
	glean unmark 1 2 3 4 >/dev/null && glean mark 1 2 3 4 >/dev/null &&
	GLEAN_NOW=$((GLEAN_NOW + 60))
}
posts() { jq -c "select(.method == \"POST\" and .path == \"$SPATH\")" "$HTTPD_LOG"; }

test_expect_success 'a week of marked, tagged, annotated items' '
	share_week &&
	test "$(glean items is:marked --json | jq length)" = 4
'

test_expect_success 'dry run: each post with its length against the limit' '
	glean share team-mastodon --dry-run >out &&
	test_grep "dry run for target .team-mastodon.: 4 items" out &&
	test_grep "^--- post 1/[0-9]*: [0-9]*/200 characters ---" out &&
	! grep "too long" out &&
	test_grep "^Weekly links (2026-11-16 to 2026-11-23): 4 links" out &&
	test_grep "^https://notes.example/2026/11/hotspots" out &&
	! posts | grep . &&
	test "$(store_sql "SELECT count(*) FROM outbox")" = 0
'

test_expect_success 'share posts a thread: replies chained, keys, visibility' '
	glean share team-mastodon >out &&
	test_grep "shared digest 1 to .team-mastodon.: 5 sent" out &&
	posts >posts.jsonl &&
	test "$(wc -l <posts.jsonl)" = 5 &&
	jq -r ".body | fromjson | .in_reply_to_id // \"none\"" posts.jsonl >replies &&
	printf "none\n101\n102\n103\n104\n" >want && test_cmp want replies &&
	jq -r ".body | fromjson | .visibility" posts.jsonl | sort -u >vis &&
	echo unlisted >want && test_cmp want vis &&
	jq -r ".headers[\"Idempotency-Key\"]" posts.jsonl | sort -u >keys &&
	test "$(wc -l <keys)" = 5 &&
	! grep -v "^[0-9a-f]\{32\}$" keys &&
	jq -r ".headers.Authorization" posts.jsonl | sort -u >auth &&
	echo "Bearer canary-token-c0ffee" >want && test_cmp want auth &&
	jq -r ".headers[\"User-Agent\"]" posts.jsonl | sort -u >ua &&
	echo glean-test/1 >want && test_cmp want ua &&
	jq -r ".body | fromjson | .status" posts.jsonl >texts &&
	test_grep "Library hotspots close the digital divide" texts &&
	test_grep "> hotspots you can borrow" texts &&
	test "$(store_sql "SELECT group_concat(state) FROM outbox")" = "sent,sent,sent,sent,sent" &&
	test "$(store_sql "SELECT remote_id FROM outbox WHERE part = 5")" = 105
'

test_expect_success 'the status text never carries the hostile link or raw controls' '
	! grep "javascript:" texts &&
	test_grep "^Evil & \"quoted\" title$" texts
'

test_expect_success 'a second run posts nothing twice' '
	: >"$HTTPD_LOG" &&
	glean share team-mastodon >out &&
	test_grep "nothing to share" out &&
	! posts | grep . &&
	glean shares >out &&
	test_grep "^1 .* sent .*team-mastodon  4 items, 5/5 parts sent" out
'

test_expect_success 'the token never reaches the store, stdout or stderr' '
	! grep -r canary-token "$GLEAN_HOME"/glean.db* &&
	glean shares --json >out 2>&1 && ! grep canary out
'

test_expect_success 'fails on post 3 of 5: the re-run posts only 3 to 5' '
	statuses fail3 "$(ok 201)" "$(ok 202)" "{\"status\": 500, \"body\": \"{\\\"error\\\": \\\"boom\\\"}\"}" "$(ok 203)" "$(ok 204)" "$(ok 205)" &&
	: >"$HTTPD_LOG" &&
	reshare 1 &&
	test_status 1 glean share team-mastodon >out 2>err &&
	test_grep "2 sent, 0 already sent, 1 failed" out &&
	test_grep "part 3: mastodon: HTTP 500.*: boom" err &&
	test "$(posts | wc -l)" = 3 &&
	key3=$(posts | sed -n 3p | jq -r ".headers[\"Idempotency-Key\"]") &&
	: >"$HTTPD_LOG" &&
	glean share team-mastodon >out &&
	test_grep "resumed digest 2 .*: 3 sent, 2 already sent, 0 failed" out &&
	posts >again.jsonl &&
	test "$(wc -l <again.jsonl)" = 3 &&
	jq -r ".body | fromjson | .in_reply_to_id" again.jsonl >replies &&
	printf "202\n203\n204\n" >want && test_cmp want replies &&
	test "$(sed -n 1p again.jsonl | jq -r ".headers[\"Idempotency-Key\"]")" = "$key3"
'

test_expect_success 'a reply lost after the post was accepted: the re-run does not duplicate' '
	statuses lost "$(ok 301)" "{\"close\": true, \"status\": 200, \"body\": \"{\\\"id\\\": \\\"302\\\"}\"}" "$(ok 303)" "$(ok 304)" "$(ok 305)" &&
	: >"$HTTPD_LOG" &&
	reshare 2 &&
	test_status 1 glean share team-mastodon >out 2>err &&
	test_grep "1 sent, 0 already sent, 0 failed, 1 unknown" out &&
	test_grep "part 2: unknown" out &&
	test "$(store_sql "SELECT state FROM outbox WHERE digest_id = 3 AND part = 2")" = unknown &&
	: >"$HTTPD_LOG" &&
	glean share team-mastodon >out &&
	test_grep "resumed digest 3 .*: 4 sent, 1 already sent" out &&
	posts >again.jsonl &&
	test "$(sed -n 1p again.jsonl | jq -r .replayed)" = true &&
	test "$(store_sql "SELECT remote_id FROM outbox WHERE digest_id = 3 AND part = 2")" = 302 &&
	jq -r ".body | fromjson | .in_reply_to_id" again.jsonl >replies &&
	printf "301\n302\n303\n304\n" >want && test_cmp want replies &&
	jq -r "select(.replayed != true) | .headers[\"Idempotency-Key\"]" again.jsonl | sort | uniq -d >dups &&
	test ! -s dups
'

test_expect_success '401: says to re-authenticate, no retry loop' '
	statuses s401 "{\"status\": 401, \"body\": \"{\\\"error\\\": \\\"The access token is invalid\\\"}\"}" &&
	: >"$HTTPD_LOG" && reshare 3 &&
	test_status 1 glean share team-mastodon >out 2>err &&
	test_grep "refused the credentials of account .me. (HTTP 401).*re-authenticate" err &&
	test "$(posts | wc -l)" = 1 &&
	! grep canary err out
'

test_expect_success '422 too long: the service error is shown and the part stays failed' '
	statuses s422 "{\"status\": 422, \"body\": \"{\\\"error\\\": \\\"Validation failed: Text character limit of 200 exceeded\\\"}\"}" &&
	: >"$HTTPD_LOG" && GLEAN_NOW=$((1795428000 + 3 * 3600 + 120)) &&
	test_status 1 glean share team-mastodon >out 2>err &&
	test_grep "HTTP 422.*character limit of 200 exceeded" err &&
	glean shares >out &&
	test_grep ":1 failed .*character limit" out
'

test_expect_success '429: rate limited, with the reset time' '
	statuses s429 "{\"status\": 429, \"headers\": {\"X-RateLimit-Reset\": \"2026-11-23T11:30:00.000Z\"}, \"body\": \"{\\\"error\\\": \\\"Too many requests\\\"}\"}" &&
	GLEAN_NOW=$((1795428000 + 3 * 3600 + 180)) &&
	test_status 1 glean share team-mastodon >out 2>err &&
	test_grep "rate limited (HTTP 429); try again after 2026-11-23T11:30:00Z" err
'

test_expect_success 'a share the service keeps refusing can be abandoned' '
	test_grep "glean shares abandon 4. to give up" err &&
	glean shares abandon 4 >out &&
	test_grep "digest 4 abandoned" out &&
	glean shares >out &&
	test_grep "^4 .* abandoned .*team-mastodon" out &&
	statuses again "$(ok 501)" "$(ok 502)" "$(ok 503)" "$(ok 504)" "$(ok 505)" &&
	: >"$HTTPD_LOG" &&
	GLEAN_NOW=$((1795428000 + 3 * 3600 + 240)) &&
	glean share team-mastodon >out &&
	test_grep "shared digest 5 to .team-mastodon.: 5 sent" out &&
	test "$(posts | wc -l)" = 5 &&
	test_status 2 glean shares --abandon 5 2>err &&
	test_grep "was sent in full" err &&
	test_status 2 glean shares abandon 2>err &&
	test_grep "abandon wants a DIGEST id" err &&
	test_status 2 glean shares abandon 5 6 2>err &&
	test_grep "abandon wants a DIGEST id" err
'

# Issue 14, what was seen: a part of 569 characters went to Mastodon.
long_title() {
	python3 -c 'print(("A very long headline about absolutely everything " * 12)[:569].strip())'
}
long_feed() {
	cat >"$TRASH/long.xml" <<-EOF
	<?xml version="1.0" encoding="utf-8"?>
	<rss version="2.0"><channel><title>Long</title>
	<link>https://example.org/</link>
	<item><title>$(long_title)</title>
	<link>https://example.org/long-read</link>
	<guid>https://example.org/long-read</guid></item>
	</channel></rss>
	EOF
}
# The part bodies of a dry run, one file per part, as the share sends them.
dry_bodies() {
	awk -v dir="$2" '/^--- post [0-9]+\/[0-9]+: / { n++; f = dir "/" n; next }
		f { print > f }' "$1"
}

test_expect_success 'a 569-character title: cut with an ellipsis, its link whole, dry run = share' '
	GLEAN_NOW=$((1795428000 + 4 * 3600)) &&
	long_feed &&
	glean add "file://$TRASH/long.xml" >/dev/null &&
	glean fetch >/dev/null &&
	id=$(glean items --json | jq ".[] | select(.title | startswith(\"A very\")) | .id") &&
	test -n "$id" &&
	glean mark "$id" >/dev/null &&
	GLEAN_NOW=$((GLEAN_NOW + 60)) &&
	statuses long "$(ok 601)" "$(ok 602)" "$(ok 603)" &&
	: >"$HTTPD_LOG" &&
	glean share team-mastodon --dry-run >dry &&
	! grep "too long" dry &&
	test_grep "^--- post 2/2: 2[0-9][0-9]/200\|^--- post 2/2: 1[0-9][0-9]/200" dry &&
	test_grep "…$" dry &&
	test_grep "^https://example.org/long-read$" dry &&
	glean share team-mastodon >out &&
	test_grep "2 sent" out &&
	! jq -e "select(.over_limit)" "$HTTPD_LOG" | grep . &&
	mkdir -p dry.d sent.d &&
	dry_bodies dry dry.d &&
	n=0 && for f in dry.d/*; do
		n=$((n + 1)) &&
		posts | sed -n "${n}p" | jq -r ".body | fromjson | .status" >"sent.d/$n" &&
		test_cmp "$f" "sent.d/$n" || return 1
	done &&
	test "$n" = 2
'

# An instance before Mastodon 4.0 has no /api/v2/instance (404): the
# limit comes from /api/v1/instance (configuration.statuses, or the forks'
# max_toot_chars), else it is 500.
old_config() {
	cat >"$GLEAN_HOME/config" <<EOC
[account "old"]
service = mastodon
url = $1
token-env = MASTODON_TOKEN

[target "old-mastodon"]
kind = mastodon
account = old
title = Weekly links
EOC
}
mkdir -p "$site/v1only" "$site/pleroma/api/v1" "$site/none"
cp -r "$TEST_ROOT/tests/data/share/mastodon-v1/api" "$site/v1only/"
echo '{"uri": "pl.example", "title": "Pl", "version": "2.7.2 (compatible; Pleroma 2.5.0)", "max_toot_chars": 250}' \
	>"$site/pleroma/api/v1/instance"

test_expect_success 'Mastodon < 4.0: the limit from /api/v1/instance' '
	old_config "$HTTPD_URL/v1only" &&
	: >"$HTTPD_LOG" &&
	glean share old-mastodon --dry-run >out &&
	test_grep "^--- post 1/[0-9]*: [0-9]*/300 characters ---" out &&
	! grep "/500 characters" out &&
	jq -r "select(.method == \"GET\") | \"\(.path)\"" "$HTTPD_LOG" >got &&
	printf "/v1only/api/v2/instance\n/v1only/api/v1/instance\n" >want &&
	test_cmp want got
'

test_expect_success 'max_toot_chars where the instance has no configuration' '
	old_config "$HTTPD_URL/pleroma" &&
	glean share old-mastodon --dry-run >out &&
	test_grep "^--- post 1/[0-9]*: [0-9]*/250 characters ---" out
'

test_expect_success 'no instance document at all: 500' '
	old_config "$HTTPD_URL/none" &&
	glean share old-mastodon --dry-run >out &&
	test_grep "^--- post 1/[0-9]*: [0-9]*/500 characters ---" out &&
	! grep "cannot read" out
'

test_expect_success 'dry run with no network: warns, plans with 500; a share stops' '
	port=$(python3 -c "import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])") &&
	old_config "http://127.0.0.1:$port" &&
	glean share old-mastodon --dry-run >out 2>err &&
	test_grep "mastodon: cannot read the instance.s limits from http://127.0.0.1:$port/api/v2/instance: .*; this dry run assumes a limit of 500" out &&
	test_grep "^--- post 1/[0-9]*: [0-9]*/500 characters ---" out &&
	test "$(store_sql "SELECT count(*) FROM outbox WHERE target = \"old-mastodon\"")" = 0 &&
	test_status 1 glean share old-mastodon >out 2>err &&
	test_grep "mastodon: cannot read the instance.s limits" err &&
	! grep "assumes" err
'

test_done
