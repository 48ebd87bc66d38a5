#!/bin/sh
# A feed unsubscribed on a Google Reader API server (the loopback fake,
# tests/lib/greader.py, held with --hold) after glean read the
# subscription list and before it reads the items, in one sync: that
# sync completes (the feed's items are just not there); the next retires
# the source the way a `glean rm` elsewhere does; the note, star and tag
# made in glean on the gone feed's items stay, and their queued changes
# are not retried forever.
. "$(dirname "$0")/../lib/lib.sh"

state="$TRASH/state.json"
cat >"$state" <<'EOF2'
{"user": "me", "password": "pw",
 "subscriptions": [
  {"id": "feed/http://news.example/civic.xml", "title": "Civic",
   "url": "http://news.example/civic.xml", "htmlUrl": "http://news.example/"},
  {"id": "feed/http://news.example/health.xml", "title": "Health",
   "url": "http://news.example/health.xml", "htmlUrl": "http://news.example/"}],
 "labels": ["keep"],
 "items": [
  {"id": 1001, "feed": "feed/http://news.example/civic.xml",
   "title": "Hotspots", "url": "http://news.example/hotspots",
   "content": "<p>1</p>", "published": 1795000000, "crawl": 1795000100,
   "tags": []},
  {"id": 1002, "feed": "feed/http://news.example/civic.xml",
   "title": "Budgets", "url": "http://news.example/budgets",
   "content": "<p>2</p>", "published": 1795000200, "crawl": 1795000300,
   "tags": []},
  {"id": 1003, "feed": "feed/http://news.example/civic.xml",
   "title": "Transit", "url": "http://news.example/transit",
   "content": "<p>3</p>", "published": 1795000400, "crawl": 1795000500,
   "tags": []},
  {"id": 2001, "feed": "feed/http://news.example/health.xml",
   "title": "Clinics", "url": "http://news.example/clinics",
   "content": "<p>4</p>", "published": 1795000600, "crawl": 1795000700,
   "tags": []}]}
EOF2

hold="$TRASH/hold"
python3 "$TEST_ROOT/tests/lib/greader.py" --state "$state" \
	--port-file "$TRASH/port" --hold "$hold" \
	--log "$TRASH/requests.jsonl" 2>"$TRASH/gr.err" &
echo $! >"$TRASH/gr.pid"
gr_stop() {
	kill "$(cat "$TRASH/gr.pid")" 2>/dev/null
	wait "$(cat "$TRASH/gr.pid")" 2>/dev/null
}
test_on_exit gr_stop
i=0
until [ -s "$TRASH/port" ]; do
	i=$((i + 1))
	[ "$i" -lt 200 ] || { cat "$TRASH/gr.err"; exit 1; }
	sleep 0.05
done
URL=http://127.0.0.1:$(cat "$TRASH/port")/api/greader.php

cat >"$GLEAN_HOME/config" <<EOC
[sync "fresh"]
service = greader
url = $URL
user = me
password-env = GR_PW
EOC
export GR_PW=pw

id_of() {
	glean items --json --all | jq -r ".[] | select(.url == \"http://news.example/$1\") | .id"
}
# jq expression $2 holds for the item at news.example/$1
item_is() {
	glean items --json --all >items &&
	jq -e ".[] | select(.url == \"http://news.example/$1\") | $2" items >/dev/null ||
	{ jq ".[] | select(.url == \"http://news.example/$1\")" items; false; }
}

test_expect_success 'the first sync; a note, a star and a tag on Civic queued' '
	glean sync >out && cat out &&
	test_grep "4 new items" out &&
	glean note "$(id_of hotspots)" "mine" &&
	glean star "$(id_of budgets)" &&
	glean tag "$(id_of transit)" +keep
'

test_expect_success 'Civic unsubscribed on the server during the next sync' '
	: >"$hold" && : >"$TRASH/requests.jsonl" &&
	{ glean sync >out 2>err; echo $? >rc; } &
	i=0 &&
	# held at stream/contents: the subscription list was answered
	until grep -q "\"held\"" "$TRASH/requests.jsonl"; do
		i=$((i + 1)) && test $i -lt 400 && sleep 0.05 || exit 1
	done &&
	curl -s -H "Authorization: GoogleLogin auth=glean-fake-auth-token" \
		-d T=glean-fake-write-token -d ac=unsubscribe \
		-d s=feed/http://news.example/civic.xml \
		"$URL/reader/api/0/subscription/edit" &&
	rm "$hold" &&
	wait &&
	cat out err &&
	jq -e ".subscriptions | length == 1" "$state" &&
	grep -q "stream/contents" "$TRASH/requests.jsonl" &&
	test "$(cat rc)" = 0 &&
	! test -s err &&
	test_grep "synced .fresh. (greader): 2 feeds, 0 new items" out
'

test_expect_success 'the next sync completes: Civic retired, nothing lost' '
	glean sync >out 2>err && cat out err &&
	test_grep "1 source unsubscribed on the server: retired here, items kept" out &&
	item_is hotspots "[.notes[].body] == [\"mine\"]" &&
	item_is budgets ".starred" &&
	item_is transit ".tags | index(\"keep\")" &&
	item_is clinics ".id" &&
	for n in 1 2; do
		glean sync >out 2>err && cat out err || exit 1
	done &&
	test_grep "0 changes taken, 0 sent" out &&
	! test -s err &&
	item_is hotspots "(.notes | length) == 1" &&
	item_is budgets ".starred" &&
	item_is transit ".tags | index(\"keep\")"
'

test_done
