#!/bin/sh
# R in the reader syncs the [sync] accounts before it fetches; while the
# sync waits on the server the status line says which account, what it
# is doing and how many requests it has made, then what the sync did
# (or why it failed) beside what the fetch did.
# The server is the Google Reader API fake (tests/lib/greader.py), held
# on its item stream by a file.
. "$(dirname "$0")/setup.sh"

state="$TRASH/state.json"
cat >"$state" <<'EOF2'
{"user": "me", "password": "pw",
 "subscriptions": [{"id": "feed/http://news.example/civic.xml",
   "title": "Civic", "url": "http://news.example/civic.xml",
   "htmlUrl": "http://news.example/", "folder": "News"}],
 "labels": [],
 "items": [
  {"id": 1001, "feed": "feed/http://news.example/civic.xml",
   "title": "Hotspots", "url": "http://news.example/hotspots",
   "content": "<p>Libraries lent hotspots.</p>", "published": 1795000000,
   "crawl": 1795000100, "tags": []}]}
EOF2
hold="$TRASH/hold"
python3 "$TEST_ROOT/tests/lib/greader.py" --state "$state" \
	--port-file "$TRASH/port" --hold "$hold" 2>"$TRASH/gr.err" &
echo $! >"$TRASH/gr.pid"
gr_stop() {
	rm -f "$hold"
	kill "$(cat "$TRASH/gr.pid")" 2>/dev/null
	wait "$(cat "$TRASH/gr.pid")" 2>/dev/null
	return 0
}
test_on_exit gr_stop
i=0
until [ -s "$TRASH/port" ]; do
	i=$((i + 1))
	[ "$i" -lt 200 ] || { cat "$TRASH/gr.err"; exit 1; }
	sleep 0.05
done
printf 'pw\n' >"$TRASH/pw"
chmod 600 "$TRASH/pw"
cat >"$GLEAN_HOME/config" <<EOC
[sync "fresh"]
service = greader
url = http://127.0.0.1:$(cat "$TRASH/port")/api/greader.php
user = me
password-file = $TRASH/pw
EOC

test_expect_success 'setup' '
	glean sync >out && cat out &&
	test_grep "1 new item" out &&
	tui_start 140 30 &&
	tui_wait "Hotspots"
'

test_expect_success 'R shows the sync in progress on the status line, then its result' '
	: >"$hold" &&
	tui_keys R &&
	tui_wait "syncing .fresh.: reading what changed on the server, [0-9]+ requests" &&
	rm "$hold" &&
	tui_wait "synced: 0 new, 0 changes taken, 0 sent; fetched 0 sources"
'

test_expect_success 'a failed sync stays on the status line beside the fetch' '
	gr_stop &&
	tui_keys R &&
	tui_wait "sync .fresh.: cannot reach .*; fetched 0" &&
	tui_keys Q && tui_wait "\[exit 0\]"
'

test_done
