#!/bin/sh
# Sync through the Google Reader API (FreshRSS, Miniflux, ...) against a
# loopback fake built from the published protocol (tests/lib/greader.py):
# two stores on one account; read, star, mark to share (the label
# glean-share) and tags (labels) go both ways, notes stay in glean, and a
# change made while the server is down reaches the other store later.
. "$(dirname "$0")/../lib/lib.sh"
# 'glean sync' is also the tt-rss tests' form: under make check's valgrind
# pass, the Google Reader code gets its own wrapped run (tests/lib/lib.sh)
GLEAN_WRAP_OWN=1

state="$TRASH/state.json"
cat >"$state" <<'EOF2'
{"user": "me", "password": "pw",
 "subscriptions": [{"id": "feed/http://news.example/civic.xml",
   "title": "Civic", "url": "http://news.example/civic.xml",
   "htmlUrl": "http://news.example/", "folder": "News"}],
 "labels": ["civic", "later"],
 "items": [
  {"id": 1001, "feed": "feed/http://news.example/civic.xml",
   "title": "Hotspots", "url": "http://news.example/hotspots",
   "content": "<p>Libraries lent hotspots.</p>", "published": 1795000000,
   "crawl": 1795000100, "tags": []},
  {"id": 1002, "feed": "feed/http://news.example/civic.xml",
   "title": "Budgets", "url": "http://news.example/budgets",
   "content": "<p>Open budgets.</p>", "published": 1795000200,
   "crawl": 1795000300, "tags": ["user/-/state/com.google/read"]},
  {"id": 1003, "feed": "feed/http://news.example/civic.xml",
   "title": "Transit", "url": "http://news.example/transit",
   "content": "<p>Night buses.</p>", "published": 1795000400,
   "crawl": 1795000500, "tags": []}]}
EOF2

GR_PORT=0
gr_start() {
	rm -f "$TRASH/port"
	python3 "$TEST_ROOT/tests/lib/greader.py" --state "$state" \
		--port-file "$TRASH/port" --port "$GR_PORT" \
		--log "$TRASH/requests.jsonl" 2>"$TRASH/gr.err" &
	echo $! >"$TRASH/gr.pid"
	i=0
	until [ -s "$TRASH/port" ]; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || { cat "$TRASH/gr.err"; return 1; }
		sleep 0.05
	done
	GR_PORT=$(cat "$TRASH/port")
}
gr_stop() {
	[ -s "$TRASH/gr.pid" ] || return 0
	kill "$(cat "$TRASH/gr.pid")" 2>/dev/null
	wait "$(cat "$TRASH/gr.pid")" 2>/dev/null
	rm -f "$TRASH/gr.pid"
}
gr_start || exit 1
test_on_exit gr_stop

export GR_PW=pw
for s in A B; do
	mkdir -p "$TRASH/$s"
	cat >"$TRASH/$s/config" <<EOC
[sync "fresh"]
service = greader
url = http://127.0.0.1:$GR_PORT/api/greader.php
user = me
password-env = GR_PW
EOC
done
on() {
	_s=$1
	shift
	GLEAN_HOME="$TRASH/$_s" glean "$@"
}
id_of() {
	on "$1" items --json --all | jq -r ".[] | select(.url == \"http://news.example/$2\") | .id"
}
# the fake's tags of item $1
tags_of() {
	jq -r ".items[] | select(.id == $1) | .tags | sort | join(\",\")" "$state"
}

test_expect_success 'A takes the subscriptions, folders and items' '
	on A sync >out && cat out &&
	test_grep "synced .fresh. (greader): 1 feed, 3 new items.* 4 requests" out &&
	on A items --json --all >items &&
	jq -e "length == 3" items &&
	jq -e ".[] | select(.url | endswith(\"budgets\")) | .read and (.source_tags == [\"News\"])" items
'

test_expect_success 'a star, a read, a mark and a tag on A reach the server; a note stays' '
	h=$(id_of A hotspots) && t=$(id_of A transit) &&
	on A star "$h" && on A tag "$h" +civic && on A note "$h" "local only" &&
	on A read "$t" && on A mark "$t" &&
	on A sync >out && cat out &&
	test "$(tags_of 1001)" = "user/-/label/civic,user/-/state/com.google/starred" &&
	test "$(tags_of 1003)" = "user/-/label/glean-share,user/-/state/com.google/read"
'

test_expect_success 'B has them (without the note)' '
	on B sync >out && cat out &&
	on B items --json --all >items &&
	h=$(id_of B hotspots) && t=$(id_of B transit) &&
	jq -e ".[] | select(.id == $h) | .starred and (.tags | index(\"civic\")) and (.notes | length == 0)" items &&
	jq -e ".[] | select(.id == $t) | .read and .marked" items
'

test_expect_success 'B takes them back; A follows' '
	h=$(id_of B hotspots) && t=$(id_of B transit) &&
	on B unread "$t" && on B tag "$h" -civic &&
	on B sync >out && cat out &&
	on A sync >out && cat out &&
	on A items --json --all >items &&
	h=$(id_of A hotspots) && t=$(id_of A transit) &&
	jq -e ".[] | select(.id == $t) | .read | not" items &&
	jq -e ".[] | select(.id == $h) | (.tags - .source_tags) == [] and (.notes | length == 1)" items
'

test_expect_success 'a change made while the server is down reaches B later' '
	gr_stop &&
	b=$(id_of A budgets) &&
	on A star "$b" &&
	test_status 1 on A sync >out 2>err && cat err &&
	test_grep "cannot reach the Google Reader API at" err &&
	test_grep "1 change made in glean stays queued" err &&
	gr_start &&
	on A sync >out && cat out &&
	test "$(tags_of 1002)" = "user/-/state/com.google/read,user/-/state/com.google/starred" &&
	on B sync >out &&
	on B items --json --all >items &&
	jq -e ".[] | select(.url | endswith(\"budgets\")) | .starred" items
'

test_expect_success 'glean rm unsubscribes on the server; the other store retires it' '
	on A rm 1 >out && cat out &&
	on A sync >out && cat out &&
	test "$(jq ".subscriptions | length" "$state")" = 0 &&
	on B sync >out && cat out &&
	test_grep "1 source unsubscribed on the server: retired here, items kept" out
'

test_expect_success 'glean add --sync subscribes on the server' '
	on A add --sync fresh http://news.example/more.xml >out && cat out &&
	test_grep "subscribed on the server of .fresh.: http://news.example/more.xml" out &&
	test "$(jq -r ".subscriptions[].id" "$state")" = "feed/http://news.example/more.xml" &&
	on A sources >src && test_grep "news.example/more.xml" src
'

test_expect_success 'a wrong password says so' '
	GR_PW=nope test_status 1 on A sync >out 2>err && cat err &&
	test_grep "refused user .me. (HTTP 401): wrong user or password" err &&
	test "$(wc -l <err)" = 1
'

test_done
