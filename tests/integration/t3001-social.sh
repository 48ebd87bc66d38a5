#!/bin/sh
# Mastodon, Bluesky and X lists and a Discourse category beside an RSS
# feed, read from loopback fakes (tests/data/social: small fixtures in the
# shapes of ../shared/corpus/api). First run, paging, the second run
# asking only for what is new, the failure modes of each service, and a
# canary token that must never leave the request headers.
. "$(dirname "$0")/../lib/lib.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"

site="$TRASH/site"
cp -R "$TEST_ROOT/tests/data/social" "$site"
cp "$TEST_ROOT/tests/data/demo/civic-rss.xml" "$site/civic.xml"
httpd_start "$site" || exit 1
test_on_exit httpd_stop

CANARY=canary-7f3a9c-SECRET
printf '%s\n' "$CANARY" >"$TRASH/mastodon.token"
chmod 600 "$TRASH/mastodon.token"
export XTOK="$CANARY"
# 2029-12-31T23:00:00Z: an hour before the fakes' rate-limit reset
export GLEAN_NOW=1893452400
RESET=1893456000

cat >"$GLEAN_HOME/config" <<EOF
[general]
timeout = 5s
[account "home"]
service = mastodon
url = $HTTPD_URL
token-file = $TRASH/mastodon.token
[account "sky"]
service = bluesky
url = $HTTPD_URL
[account "xapi"]
service = x
url = $HTTPD_URL
token-env = XTOK
cost-per-post = 0.01
[account "forum"]
service = discourse
url = $HTTPD_URL
user = system
token-env = XTOK
EOF

# requests the fake saw, one "METHOD PATH?QUERY AUTH" line each
requests() {
	jq -r '[.method, .path + (if .query != "" then "?" + .query else "" end),
		(if .headers.Authorization then "auth=" + (.headers.Authorization | split(" ")[0])
		 elif .headers["Api-Key"] then "api-key"
		 else "no-auth" end)] | join(" ")' "$HTTPD_LOG"
}

test_expect_success 'add without the needed account says which config lines to add' '
	: >empty.conf &&
	test_status 1 glean --config empty.conf --db other.db add "https://social.example/lists/42" 2>err &&
	test_grep "needs a Mastodon account" err &&
	test_grep "^\[account \"mastodon\"\]$" err &&
	test_grep "^service = mastodon$" err &&
	test_grep "^url = https://social.example$" err &&
	test_grep "^token-cmd = " err &&
	test_status 1 glean --config empty.conf --db other.db add "https://twitter.com/i/lists/84839422" 2>err &&
	test_grep "^service = x$" err &&
	test_grep "^url = https://api.x.com$" err &&
	glean --config empty.conf --db other.db add "https://bsky.app/profile/alice.example/lists/good" >out &&
	test_grep "(bluesky, read through its API)" out
'

test_expect_success 'add a feed and the four API sources by their web URLs' '
	glean add "$HTTPD_URL/civic.xml" --tag civic >out &&
	test_grep "added source 1:" out &&
	glean add "$HTTPD_URL/lists/6" --tag people >out &&
	test_grep "added source 2: .*(mastodon, read through its API)" out &&
	glean add "https://bsky.app/profile/alice.example/lists/good" >out &&
	test_grep "added source 3: .*(bluesky" out &&
	glean add "https://x.com/i/lists/84839422" >out &&
	test_grep "added source 4: .*(x, read through its API)" out &&
	glean add "$HTTPD_URL/c/civic/5" >out &&
	test_grep "added source 5: .*(discourse" out &&
	test "$(store_sql "SELECT group_concat(kind || \":\" || ifnull(account, \"-\"), \" \") FROM source")" = \
		"feed:- mastodon:home bluesky:sky x:xapi discourse:forum"
'

test_expect_success 'first fetch: every source, paging to the end' '
	: >"$HTTPD_LOG" &&
	glean fetch >out 2>err &&
	test_grep "fetched 5 sources" out &&
	test_grep "0 failed" out &&
	test_grep "X (source 4): 4 posts read in 2 requests, about \$0.040" out &&
	test_grep "source 2: skipped 1 post with a field of the wrong type" out &&
	requests | sort >first.txt &&
	cat first.txt &&
	test_grep "^GET /api/v1/timelines/list/6?limit=40 auth=Bearer$" first.txt &&
	test_grep "^GET /api/v1/timelines/list/6?max_id=110000000000000102 auth=Bearer$" first.txt &&
	test_grep "^GET /xrpc/com.atproto.identity.resolveHandle?handle=alice.example no-auth$" first.txt &&
	test_grep "^GET /xrpc/app.bsky.feed.getListFeed?list=at%3A%2F%2Fdid%3Aplc%3Aalice%2Fapp.bsky.graph.list%2Fgood&limit=50 no-auth$" first.txt &&
	test_grep "getListFeed?.*&cursor=cursor-page-2 no-auth$" first.txt &&
	test_grep "^GET /2/lists/84839422/tweets?max_results=100&.* auth=Bearer$" first.txt &&
	test_grep "^GET /2/lists/84839422/tweets?.*&pagination_token=7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i auth=Bearer$" first.txt &&
	test_grep "^GET /c/civic/5.json api-key$" first.txt &&
	test_grep "^GET /c/civic/5/l/latest.json?page=1 api-key$" first.txt &&
	test "$(wc -l <first.txt)" = 10 &&
	jq -s -e "[.[] | select(.path == \"/c/civic/5.json\")][0].headers[\"Api-Username\"] == \"system\"" "$HTTPD_LOG" &&
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = 2")" = 3 &&
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = 3")" = 3 &&
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = 4")" = 3 &&
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = 5")" = 4
'

test_expect_success 'items --json: the lists and the forum beside the feed' '
	glean items --json >items.json &&
	jq -e "[.[].source_id] | unique == [1,2,3,4,5]" items.json &&
	jq -e "[.[] | select(.source_id == 2 and .author == \"Alice Liddell (@alice)\")] | length == 1" items.json &&
	jq -e "[.[] | select(.source_id == 3 and .url == \"https://bsky.app/profile/alice.example/post/3kali2\")] | length == 1" items.json &&
	jq -e "[.[] | select(.source_id == 4 and .author == \"X API (@XAPI)\")] | length == 1" items.json &&
	jq -e "[.[] | select(.source_id == 5 and .title == \"Open data meetup notes\")] | length == 1" items.json
'

test_expect_success 'Mastodon: a boost shows the original author, with media and card' '
	id=$(store_sql "SELECT id FROM item WHERE source_id = 2 AND guid LIKE \"%/110000000000000103/activity\"") &&
	glean show $id --json >it.json &&
	jq -e ".author == \"Alice Liddell (@alice)\"" it.json &&
	jq -e ".title == \"Hello from the fediverse!\"" it.json &&
	jq -e ".content | test(\"Boosted by <a href=\\\"https://social.example/@bob\\\">Bob \\\\(@bob\\\\)</a>\")" it.json &&
	jq -e ".enclosures[0].url == \"https://files.social.example/media/walk.jpg\" and .enclosures[0].type == \"image/jpeg\"" it.json &&
	jq -e ".content | test(\"https://example.org/civic-report\")" it.json &&
	jq -e ".url == \"https://social.example/@alice/110000000000000090\"" it.json &&
	test "$(store_sql "SELECT published FROM item WHERE id = $id")" = "$(date -u -d 2026-11-25T10:00:00Z +%s)"
'

test_expect_success 'Mastodon: quotes and content warnings' '
	glean items --json >items.json &&
	jq -e "[.[] | select(.title == \"CW: politics\" and .author == \"@dave\")] | length == 1" items.json &&
	id=$(store_sql "SELECT id FROM item WHERE guid LIKE \"%/carol/statuses/110000000000000102\"") &&
	glean show $id --json | jq -e ".content | test(\"Quoting <a href=[^>]*>@dave</a>\")"
'

test_expect_success 'Bluesky: facets become full links, reposts and quotes are shown' '
	id=$(store_sql "SELECT id FROM item WHERE guid = \"at://did:plc:alice/app.bsky.feed.post/3kali2\"") &&
	glean show $id --json >it.json &&
	jq -e ".content | test(\"<a href=\\\"https://example.org/a-long-article-about-inclusion\\\">https://example.org/a-long-article-about-inclusion</a>\")" it.json &&
	jq -e ".content | test(\"<a href=\\\"https://bsky.app/profile/did:plc:bob\\\">@bob.example</a>\")" it.json &&
	jq -e ".content | test(\"https://bsky.app/hashtag/civic\")" it.json &&
	jq -e ".title == \"See https://example.org/a-long-article-about-inclusion for the whole story.\"" it.json &&
	id=$(store_sql "SELECT id FROM item WHERE source_id = 3 AND guid LIKE \"%3kbob1#repost-by-alice.example\"") &&
	glean show $id --json >it.json &&
	jq -e ".author == \"Bob B (@bob.example)\" and (.content | test(\"Reposted by Alice \\\\(@alice.example\\\\)\"))" it.json &&
	id=$(store_sql "SELECT id FROM item WHERE guid = \"at://did:plc:alice/app.bsky.feed.post/3kali1\"") &&
	glean show $id --json >it.json &&
	jq -e ".enclosures[0].url == \"https://cdn.bsky.example/img/fullsize/meetup.jpg\"" it.json &&
	jq -e ".content | test(\"Quoting <a href=\\\"https://bsky.app/profile/bob.example/post/3kbob0\\\">Bob B\")" it.json
'

test_expect_success 'X: no t.co left, retweets and quotes with their authors, media' '
	glean items --all --json --content >all.json &&
	test "$(jq "[.[] | select(.source_id == 4)] | length" all.json)" -gt 0 &&
	test "$(jq "[.[] | select(.source_id == 4) | select(((.content // \"\") + (.title // \"\")) | test(\"t\\\\.co/\"))] | length" all.json)" = 0 &&
	id=$(store_sql "SELECT id FROM item WHERE guid = \"https://x.com/i/web/status/1600000000000000030\"") &&
	glean show $id --json >it.json &&
	jq -e ".author == \"X (@X)\" and .url == \"https://x.com/X/status/1600000000000000010\"" it.json &&
	jq -e ".content | test(\"Reposted by X Dev \\\\(@XDevelopers\\\\)\")" it.json &&
	jq -e ".content | test(\"&amp; more: <a href=\\\"https://blog.x.com/en_us/topics/product/2026/announcement\\\">\")" it.json &&
	id=$(store_sql "SELECT id FROM item WHERE guid = \"https://x.com/i/web/status/1600000000000000020\"") &&
	glean show $id --json | jq -e ".content | test(\"Quoting <a href=\\\"https://x.com/XAPI/status/1600000000000000005\\\">X API\")" &&
	id=$(store_sql "SELECT id FROM item WHERE guid = \"https://x.com/i/web/status/1600000000000000015\"") &&
	glean show $id --json | jq -e ".enclosures[0].url == \"https://pbs.twimg.com/media/lab.jpg\"" &&
	test "$(store_sql "SELECT published FROM item WHERE id = $id")" = "$(date -u -d 2026-11-25T08:00:00Z +%s)"
'

test_expect_success 'social items are searchable and taggable like feed items' '
	glean search "digital inclusion" --json >s.json &&
	jq -e "length == 0" s.json &&
	glean search libraries --json >s.json &&
	jq -e "[.[].source_id] | index(3) != null" s.json &&
	id=$(store_sql "SELECT id FROM item WHERE guid = \"https://x.com/i/web/status/1600000000000000020\"") &&
	glean tag $id +to-read &&
	glean items "tag:to-read" --json | jq -e "length == 1 and .[0].source_id == 4"
'

test_expect_success 'second fetch asks each service only for what is new' '
	: >"$HTTPD_LOG" &&
	GLEAN_NOW=$((GLEAN_NOW + 7200)) glean fetch 2 3 4 5 >out &&
	test_grep "fetched 4 sources" out &&
	test_grep "4 new items" out &&
	test_grep "X (source 4): 3 posts read in 1 request" out &&
	requests | sort >second.txt &&
	cat second.txt &&
	test_grep "^GET /api/v1/timelines/list/6?limit=40&min_id=110000000000000103 auth=Bearer$" second.txt &&
	test_grep "^GET /xrpc/app.bsky.feed.getListFeed?list=.*good&limit=50 no-auth$" second.txt &&
	test_grep "^GET /2/lists/84839422/tweets?max_results=10&.* auth=Bearer$" second.txt &&
	test_grep "^GET /c/civic/5.json api-key$" second.txt &&
	test "$(wc -l <second.txt)" = 4 &&
	! grep -q "cursor=\|pagination_token=\|max_id=" second.txt &&
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = 2")" = 4 &&
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = 3")" = 4 &&
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = 4")" = 4 &&
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = 5")" = 5 &&
	test "$(store_sql "SELECT cursor FROM source WHERE id = 2")" = "{\"newest\":\"110000000000000104\"}" &&
	glean search "digital inclusion" --json >s.json &&
	jq -e "[.[].source_id] | index(2) != null and index(5) != null" s.json
'

test_expect_success 'third fetch: empty pages keep the state and add nothing' '
	: >"$HTTPD_LOG" &&
	GLEAN_NOW=$((GLEAN_NOW + 14400)) glean fetch 2 3 4 >out &&
	test_grep "0 new items" out &&
	requests >third.txt &&
	test_grep "min_id=110000000000000104" third.txt &&
	test "$(store_sql "SELECT cursor FROM source WHERE id = 2")" = "{\"newest\":\"110000000000000104\"}" &&
	test "$(store_sql "SELECT cursor FROM source WHERE id = 4")" = "{\"newest\":\"1600000000000000040\"}"
'

test_expect_success 'X sources wait at least six hours between regular fetches' '
	test "$(store_sql "SELECT next_due - last_attempt FROM source WHERE id = 4")" -ge 21600 &&
	test "$(store_sql "SELECT next_due - last_attempt FROM source WHERE id = 2")" = 3600
'

test_expect_success 'add the failing lists' '
	for l in 7 8 9 10 11; do glean add "$HTTPD_URL/lists/$l" >/dev/null || return 1; done &&
	for l in b401 b404 b429 bbad; do glean add "https://bsky.app/profile/alice.example/lists/$l" >/dev/null || return 1; done &&
	for l in 401 404 429 777; do glean add "https://x.com/i/lists/$l" >/dev/null || return 1; done &&
	glean add "$HTTPD_URL/c/locked/6" >/dev/null &&
	glean add "$HTTPD_URL/c/gone/7" >/dev/null &&
	glean add "$HTTPD_URL/c/busy/8" >/dev/null &&
	glean add "$HTTPD_URL/c/junk/9" >/dev/null &&
	test "$(store_sql "SELECT max(id) FROM source")" = 22
'

test_expect_success 'failures: 401 asks to re-authenticate, 404, 429 until the reset, bad JSON' '
	: >"$HTTPD_LOG" &&
	GLEAN_LOG="$TRASH/glean.log" test_status 3 glean -vv fetch >out 2>err &&
	cat out &&
	test_grep "failed 6 .*refused the credentials of account .home. (HTTP 401); re-authenticate" out &&
	test_grep "failed 7 .*list does not exist or is not visible.*(HTTP 404)" out &&
	test_grep "failed 8 .*rate limit reached (HTTP 429); glean waits until 2030-01-01T00:00:00Z" out &&
	test_grep "failed 9 .*Mastodon sent malformed JSON" out &&
	test_grep "failed 11 .*Bluesky refused the credentials.*(HTTP 401)" out &&
	test_grep "failed 12 .*Bluesky says the list does not exist" out &&
	test_grep "failed 13 .*Bluesky rate limit reached (HTTP 429); glean waits until 2030-01-01T00:00:00Z" out &&
	test_grep "failed 14 .*Bluesky sent malformed JSON" out &&
	test_grep "failed 15 .*X refused the credentials of account .xapi. (HTTP 401)" out &&
	test_grep "failed 16 .*X says the list does not exist" out &&
	test_grep "failed 17 .*X rate limit reached (HTTP 429); glean waits until 2030-01-01T00:00:00Z" out &&
	test_grep "failed 18 .*X sent malformed JSON" out &&
	test_grep "failed 19 .*Discourse refused the credentials.*(HTTP 401)" out &&
	test_grep "failed 20 .*Discourse says .*(HTTP 404)" out &&
	test_grep "failed 21 .*Discourse rate limit reached (HTTP 429); glean waits until 2029-12-31T23:10:00Z" out &&
	test_grep "failed 22 .*Discourse sent malformed JSON" out &&
	for s in 8 13 17; do
		test "$(store_sql "SELECT next_due FROM source WHERE id = $s")" = $RESET || return 1
	done &&
	test "$(store_sql "SELECT next_due - $GLEAN_NOW FROM source WHERE id = 21")" = 600 &&
	test "$(store_sql "SELECT next_due - $GLEAN_NOW FROM source WHERE id = 6")" -ge 2592000 &&
	test "$(store_sql "SELECT last_error FROM source WHERE id = 15")" != ""
'

test_expect_success 'a Link to another origin is not followed with the token' '
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = 10")" = 1 &&
	! grep -q "evil.invalid" "$HTTPD_LOG" &&
	test "$(jq -s "[.[] | select(.path == \"/api/v1/timelines/list/11\")] | length" "$HTTPD_LOG")" = 1
'

test_expect_success 'a 401 is not retried on the next fetch' '
	: >"$HTTPD_LOG" &&
	GLEAN_NOW=$((GLEAN_NOW + 86400)) test_status 3 glean fetch >/dev/null &&
	! grep -q "\"/api/v1/timelines/list/7\"\|\"/2/lists/401/tweets\"\|\"/c/locked/6.json\"" "$HTTPD_LOG" &&
	grep -q "\"/api/v1/timelines/list/9\"" "$HTTPD_LOG"
'

test_expect_success 'the canary token is nowhere but the request headers' '
	grep -q "Bearer $CANARY" "$HTTPD_LOG" &&
	test -s "$TRASH/glean.log" &&
	! grep -r -a -q "$CANARY" "$GLEAN_HOME" --exclude=config &&
	! grep -a -q "$CANARY" "$TRASH/glean.log" out err first.txt second.txt &&
	glean sources --json >src.json && ! grep -q "$CANARY" src.json &&
	glean sources -l >src.txt && ! grep -q "$CANARY" src.txt &&
	glean items --json >all.json && ! grep -q "$CANARY" all.json
'

test_expect_success 'a token that cannot be read is no 401: no request, backoff, not parked' '
	: >"$HTTPD_LOG" &&
	(unset XTOK; test_status 1 glean fetch 4 >out) &&
	test_grep "failed 4 .*environment variable XTOK is not set" out &&
	! grep -q "/2/lists/" "$HTTPD_LOG" &&
	test "$(store_sql "SELECT next_due - last_attempt FROM source WHERE id = 4")" -lt 86400
'

test_done
