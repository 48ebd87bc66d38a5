#!/bin/sh
# Threads hold across a part the user settled by hand: after 'glean shares
# resolve D:P sent', the next part of a Mastodon, X or Bluesky thread
# still replies to P. Mastodon and X need P's id (--remote, a number or
# the post's URL); Bluesky finds the record by its key (getRecord). A
# reply is never sent with an empty parent: the part fails, stays
# retryable, and the message says what to do.
. "$(dirname "$0")/../lib/lib.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"
. "$TEST_ROOT/tests/lib/share-week.sh"

site="$TRASH/site"
J='"headers": {"Content-Type": "application/json"}'
mkdir -p "$site/m/api/v1" "$site/m2/api/v1" "$site/x/2" "$site/x2/2" \
	"$site/bsky/xrpc" "$site/bsky2/xrpc"
cp -r "$TEST_ROOT/tests/data/share/mastodon/api" "$site/m/"
cp -r "$TEST_ROOT/tests/data/share/mastodon/api" "$site/m2/"
ok() { echo "{\"status\": 200, $J, \"body\": \"{\\\"id\\\": \\\"$1\\\", \\\"url\\\": \\\"{{BASE}}/@me/$1\\\"}\"}"; }
tw() { echo "{\"status\": 201, $J, \"body\": \"{\\\"data\\\": {\\\"id\\\": \\\"18600000000000000$1\\\", \\\"text\\\": \\\"x\\\"}}\"}"; }
rec() { echo "{\"status\": 200, $J, \"body\": \"{\\\"uri\\\": \\\"at://did:plc:abc/app.bsky.feed.post/r$1\\\", \\\"cid\\\": \\\"bafyreicid$1\\\"}\"}"; }
lost='{"close": true}'
cat >"$site/m/api/v1/statuses.meta.json" <<EOF
{"idempotency_header": "Idempotency-Key", "responses": [$(ok 101), $lost, $(ok 103), $(ok 104), $(ok 105)]}
EOF
cat >"$site/m2/api/v1/statuses.meta.json" <<EOF
{"responses": [$(ok 201), $(ok 202), $(ok 203), $(ok 204), $(ok 205)]}
EOF
cat >"$site/x/2/tweets.meta.json" <<EOF
{"responses": [$(tw 01), $lost, $(tw 03), $(tw 04)]}
EOF
cat >"$site/x2/2/tweets.meta.json" <<EOF
{"responses": [$(tw 11), $(tw 12), $lost]}
EOF
for b in bsky bsky2; do
cat >"$site/$b/xrpc/com.atproto.server.createSession.meta.json" <<EOF
{"status": 200, $J, "body": "{\"accessJwt\": \"acc1\", \"refreshJwt\": \"ref1\", \"did\": \"did:plc:abc\", \"handle\": \"me.test\"}"}
EOF
cat >"$site/$b/xrpc/com.atproto.repo.createRecord.meta.json" <<EOF
{"responses": [$(rec 1), $lost, $(rec 3), $(rec 4)]}
EOF
done
# bsky: getRecord cannot tell at first (500), later finds part 2
cat >"$site/bsky/xrpc/com.atproto.repo.getRecord.meta.json" <<EOF
{"responses": [{"status": 500, "body": "busy"}, {"status": 200, $J, "body": "{\"uri\": \"at://did:plc:abc/app.bsky.feed.post/r2\", \"cid\": \"bafyreicid2\", \"value\": {}}"}]}
EOF
# bsky2: the record is not there (the user was wrong, or posted it by hand)
cat >"$site/bsky2/xrpc/com.atproto.repo.getRecord.meta.json" <<EOF
{"responses": [{"status": 500, "body": "busy"}, {"status": 400, $J, "body": "{\"error\": \"RecordNotFound\", \"message\": \"Could not locate record\"}"}]}
EOF
httpd_start "$site" || exit 1
test_on_exit httpd_stop

export MASTODON_TOKEN=canary-token BSKY_PASSWORD=canary-pw XCK=ck XCS=cs \
	XAT=at XAS=as
cat >"$GLEAN_HOME/config" <<EOC
[account "m"]
service = mastodon
url = $HTTPD_URL/m
token-env = MASTODON_TOKEN

[account "m2"]
service = mastodon
url = $HTTPD_URL/m2
token-env = MASTODON_TOKEN

[account "x"]
service = x
url = $HTTPD_URL/x
consumer-key-env = XCK
consumer-secret-env = XCS
access-token-env = XAT
access-secret-env = XAS
max-posts-per-run = 9

[account "x2"]
service = x
url = $HTTPD_URL/x2
consumer-key-env = XCK
consumer-secret-env = XCS
access-token-env = XAT
access-secret-env = XAS
max-posts-per-run = 9

[account "sky"]
service = bluesky
url = $HTTPD_URL/bsky
user = me.test
password-env = BSKY_PASSWORD

[account "sky2"]
service = bluesky
url = $HTTPD_URL/bsky2
user = me.test
password-env = BSKY_PASSWORD

[target "m"]
kind = mastodon
account = m

[target "m2"]
kind = mastodon
account = m2

[target "x"]
kind = x
account = x

[target "x2"]
kind = x
account = x2

[target "sky"]
kind = bluesky
account = sky

[target "sky2"]
kind = bluesky
account = sky2
EOC
body() { jq -c "select(.method == \"POST\" and .path == \"$1\") | .body | fromjson" "$HTTPD_LOG"; }
digest() { glean shares "$1" --json | jq -r ".[0].id"; }
LATER=$((GLEAN_NOW + 2 * 3600))

test_expect_success 'a week of marked, tagged, annotated items' '
	share_week
'

test_expect_success 'mastodon: a lost reply, unknown once its key expired' '
	test_status 1 glean share m >out &&
	test_grep "1 sent, 0 already sent, 0 failed, 1 unknown" out &&
	GLEAN_NOW=$LATER test_status 1 glean share m 2>err &&
	test_grep "Idempotency-Key may have expired" err &&
	test "$(body /m/api/v1/statuses | wc -l)" = 2
'

test_expect_success 'mastodon: resolve sent asks for the id a later part replies to' '
	d=$(digest m) &&
	GLEAN_NOW=$LATER test_status 2 glean shares resolve "$d:2" sent 2>err &&
	test_grep "part 3 replies to part $d:2" err &&
	test_grep "\-\-remote" err &&
	glean shares --parts m >out && test_grep ":2 unknown" out &&
	GLEAN_NOW=$LATER test_status 2 glean shares resolve "$d:2" sent --remote "not an id" 2>err &&
	test_grep "status id" err &&
	GLEAN_NOW=$LATER glean shares resolve "$d:2" sent --remote "$HTTPD_URL/@me/102" >out &&
	test_grep "part $d:2 is now sent" out
'

test_expect_success 'mastodon: the next part replies to the resolved one' '
	GLEAN_NOW=$LATER glean share m >out &&
	test_grep "already sent" out &&
	body /m/api/v1/statuses >b.jsonl &&
	test "$(sed -n 3p b.jsonl | jq -r .in_reply_to_id)" = 102 &&
	test "$(sed -n 4p b.jsonl | jq -r .in_reply_to_id)" = 103 &&
	glean shares --parts m >out && test_grep ":2 sent .*102" out
'

test_expect_success 'a resolved part with its id takes no other; failed takes none' '
	d=$(digest m) &&
	test_status 2 glean shares resolve "$d:2" sent --remote 999 2>err &&
	test_grep "is sent, not unknown" err &&
	test_status 2 glean shares resolve "$d:2" failed --remote 999 2>err &&
	test_grep "a failed part has none" err &&
	test_status 2 glean shares resolve "$d:2" sent --remote 2>err &&
	test_grep "resolve wants" err
'

test_expect_success 'mastodon: a sent part with no id is never replied to blindly' '
	glean share m2 >out && test_grep "sent" out &&
	d=$(digest m2) &&
	store_sql "UPDATE outbox SET state = '\''sent'\'', remote_id = NULL WHERE digest_id = $d AND part = 2; UPDATE outbox SET state = '\''failed'\'' WHERE digest_id = $d AND part > 2; UPDATE digest SET state = '\''partial'\'' WHERE id = $d" &&
	n=$(body /m2/api/v1/statuses | wc -l) &&
	test_status 1 glean share m2 2>err &&
	test_grep "part 2 .*no remote id" err &&
	test_grep "glean shares resolve $d:2 sent --remote" err &&
	test "$(body /m2/api/v1/statuses | wc -l)" = "$n" &&
	glean shares --parts m2 >out && test_grep ":3 failed" out &&
	glean shares --resolve "$d:2" sent --remote 202 >out &&
	test_grep "part $d:2 is now sent" out &&
	glean share m2 >out &&
	test "$(body /m2/api/v1/statuses | sed -n "$((n + 1))p" | jq -r .in_reply_to_id)" = 202
'

test_expect_success 'x: resolve sent with the post URL; the reply carries its id' '
	test_status 1 glean share x >out &&
	test_grep "1 unknown" out &&
	d=$(digest x) &&
	test_status 2 glean shares resolve "$d:2" sent 2>err &&
	test_grep "\-\-remote" err &&
	test_status 2 glean shares resolve "$d:2" sent --remote https://x.com/me/status/abc 2>err &&
	test_grep "post id (a number)" err &&
	glean shares resolve "$d:2" sent --remote "https://x.com/me/status/1860000000000000002?s=20" >out &&
	glean share x >out &&
	body /x/2/tweets >b.jsonl &&
	test "$(sed -n 3p b.jsonl | jq -r .reply.in_reply_to_tweet_id)" = 1860000000000000002 &&
	jq -e "has(\"reply\") | not" b.jsonl | head -1 | grep -q true &&
	! jq -e "select(has(\"reply\")) | .reply.in_reply_to_tweet_id | select(. == null or . == \"\")" b.jsonl
'

test_expect_success 'x: the last part of a thread needs no id' '
	n=$(glean share x2 --dry-run | grep -c "^--- post ") &&
	test "$n" -ge 2 && test "$n" -le 9 &&
	resp= && i=1 &&
	while [ $i -lt $n ]; do resp="$resp$(tw 1$i), "; i=$((i + 1)); done &&
	echo "{\"responses\": [$resp$lost]}" >"$site/x2/2/tweets.meta.json" &&
	test_status 1 glean share x2 >out &&
	test_grep "$((n - 1)) sent, 0 already sent, 0 failed, 1 unknown" out &&
	d=$(digest x2) &&
	test "$(glean shares x2 --json | jq ".[0].parts | length")" = "$n" &&
	glean shares resolve "$d:$n" sent >out &&
	test_grep "part $d:$n is now sent" out
'

test_expect_success 'bluesky: resolve sent needs no --remote; the record is looked up' '
	test_status 1 glean share sky >out &&
	test_grep "1 unknown" out &&
	test_status 1 glean share sky 2>err &&
	test_grep "cannot tell\|HTTP 500" err &&
	d=$(digest sky) &&
	glean shares resolve "$d:2" sent >out &&
	glean share sky >out &&
	body /bsky/xrpc/com.atproto.repo.createRecord >b.jsonl &&
	test "$(sed -n 3p b.jsonl | jq -r .record.reply.parent.uri)" = at://did:plc:abc/app.bsky.feed.post/r2 &&
	test "$(sed -n 3p b.jsonl | jq -r .record.reply.parent.cid)" = bafyreicid2 &&
	test "$(sed -n 3p b.jsonl | jq -r .record.reply.root.cid)" = bafyreicid1 &&
	! jq -e ".record.reply | select(.) | .parent.uri, .parent.cid, .root.uri, .root.cid | select(. == \"\")" b.jsonl
'

test_expect_success 'bluesky: a part the service does not have is not replied to' '
	test_status 1 glean share sky2 >out &&
	test_status 1 glean share sky2 2>err &&
	d=$(digest sky2) &&
	glean shares resolve "$d:2" sent >out &&
	n=$(body /bsky2/xrpc/com.atproto.repo.createRecord | wc -l) &&
	test_status 1 glean share sky2 2>err &&
	test_grep "part 2 .*no remote id" err &&
	test "$(body /bsky2/xrpc/com.atproto.repo.createRecord | wc -l)" = "$n" &&
	glean shares resolve "$d:2" sent --remote "at://did:plc:abc/app.bsky.feed.post/r2 bafyreicid2" >out &&
	glean share sky2 >out &&
	test "$(body /bsky2/xrpc/com.atproto.repo.createRecord | sed -n "$((n + 1))p" | jq -r .record.reply.parent.cid)" = bafyreicid2
'

test_done
