#!/bin/sh
# The schema checks the fake services apply to every body glean posts
# (tests/lib/bodycheck.py, used by httpd.py): they accept well-formed
# bodies and reject each way a body can break the services' rules, so a
# share test that passes has had every body validated. Bluesky against
# the lexicons in tests/data/bluesky-lexicons; X and Discourse by their
# API references.
. "$(dirname "$0")/../lib/lib.sh"
CHK="python3 $TEST_ROOT/tests/lib/bodycheck.py"

# rec FILE TEXT [REPLY-JSON] [FACETS-JSON] [CREATED]
rec() {
	jq -n --arg t "$2" --argjson r "${3:-null}" --argjson f "${4:-null}" \
		--arg c "${5:-2026-11-23T10:00:00.000Z}" '
	{repo: "did:plc:abc", collection: "app.bsky.feed.post",
	 rkey: "3n2xuo4lu22h4",
	 record: ({"$type": "app.bsky.feed.post", text: $t, createdAt: $c}
		  + (if $r then {reply: $r} else {} end)
		  + (if $f then {facets: $f} else {} end))}' >"$1"
}
REF='{"uri": "at://did:plc:abc/app.bsky.feed.post/3n2xuo4lu22h4", "cid": "bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"}'
link() { echo "[{\"index\": {\"byteStart\": $1, \"byteEnd\": $2}, \"features\": [{\"\$type\": \"app.bsky.richtext.facet#link\", \"uri\": \"$3\"}]}]"; }

test_expect_success 'bluesky: a post with a reply and a link facet is valid' '
	rec ok.json "Ça — see https://example.org/a, then" "{\"root\": $REF, \"parent\": $REF}" \
		"$(link 12 33 https://example.org/a)" &&
	test "$($CHK com.atproto.repo.createRecord ok.json)" = ok
'

test_expect_success 'bluesky: an empty parent strongRef is rejected' '
	rec r.json hi "{\"root\": $REF, \"parent\": {\"uri\": \"\", \"cid\": \"\"}}" &&
	test_status 1 $CHK com.atproto.repo.createRecord r.json >out &&
	test_grep "record.reply.parent.uri: not a valid at-uri" out &&
	rec r.json hi "{\"root\": $REF}" &&
	test_status 1 $CHK com.atproto.repo.createRecord r.json >out &&
	test_grep "missing required parent" out
'

test_expect_success 'bluesky: createdAt must be an RFC 3339 datetime with a zone' '
	rec r.json hi "" "" "2026-11-23 10:00:00" &&
	test_status 1 $CHK com.atproto.repo.createRecord r.json >out &&
	test_grep "createdAt: not a valid datetime" out &&
	rec r.json hi "" "" "2026-11-23T10:00:00" &&
	test_status 1 $CHK com.atproto.repo.createRecord r.json >out
'

test_expect_success 'bluesky: 300 graphemes pass, 301 do not; 3000 bytes at most' '
	rec r.json "$(printf "%0300d" 0 | sed "s/0/👵🏽/g")" &&
	test "$($CHK com.atproto.repo.createRecord r.json)" = ok &&
	rec r.json "$(printf "%0301d" 0 | sed "s/0/é/g")" &&
	test_status 1 $CHK com.atproto.repo.createRecord r.json >out &&
	test_grep "301 graphemes, over maxGraphemes 300" out &&
	rec r.json "$(printf "%0290d" 0 | sed "s/0/👨‍👩‍👧‍👦/g")" &&
	test_status 1 $CHK com.atproto.repo.createRecord r.json >out &&
	test_grep "over maxLength 3000" out
'

test_expect_success 'bluesky: a link facet must slice exactly its URI' '
	rec r.json "see https://example.org/a, then" "" "$(link 4 26 https://example.org/a)" &&
	test_status 1 $CHK com.atproto.repo.createRecord r.json >out &&
	test_grep "the range holds .https://example.org/a,." out &&
	rec r.json "see https://example.org/a" "" "$(link 4 40 https://example.org/a)" &&
	test_status 1 $CHK com.atproto.repo.createRecord r.json >out &&
	test_grep "outside the text" out &&
	rec r.json "é https://example.org/a" "" "$(link 1 24 https://example.org/a)" &&
	test_status 1 $CHK com.atproto.repo.createRecord r.json >out
'

test_expect_success 'bluesky: wrong types and missing fields in the request' '
	jq "del(.record)" ok.json >r.json &&
	test_status 1 $CHK com.atproto.repo.createRecord r.json >out &&
	test_grep "missing required record" out &&
	jq ".record.text = 5" ok.json >r.json &&
	test_status 1 $CHK com.atproto.repo.createRecord r.json >out &&
	test_grep "record.text: must be a string" out &&
	jq ".repo = \"not a did\"" ok.json >r.json &&
	test_status 1 $CHK com.atproto.repo.createRecord r.json >out &&
	echo "{\"identifier\": \"me.test\"}" >s.json &&
	test_status 1 $CHK com.atproto.server.createSession s.json >out &&
	test_grep "missing required password" out
'

test_expect_success 'x: a reply needs in_reply_to_tweet_id' '
	echo "{\"text\": \"hi\", \"reply\": {\"in_reply_to_tweet_id\": \"1860000000000000002\"}}" >x.json &&
	test "$($CHK /2/tweets x.json)" = ok &&
	echo "{\"text\": \"hi\", \"reply\": {}}" >x.json &&
	test_status 1 $CHK /2/tweets x.json >out &&
	test_grep "in_reply_to_tweet_id is required" out &&
	echo "{\"text\": \"hi\", \"reply\": {\"in_reply_to_tweet_id\": \"\"}}" >x.json &&
	test_status 1 $CHK /2/tweets x.json
'

test_expect_success 'discourse: category and topic_id are integers' '
	echo "{\"raw\": \"hi\", \"title\": \"t\", \"category\": 5}" >d.json &&
	test "$($CHK /posts.json d.json)" = ok &&
	echo "{\"raw\": \"hi\", \"title\": \"t\", \"category\": \"5\"}" >d.json &&
	test_status 1 $CHK /posts.json d.json >out &&
	test_grep "category must be an integer" out &&
	echo "{\"raw\": \"hi\", \"topic_id\": \"12\"}" >d.json &&
	test_status 1 $CHK /posts.json d.json >out &&
	test_grep "topic_id must be an integer" out
'

test_done
