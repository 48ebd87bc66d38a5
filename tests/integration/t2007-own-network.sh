#!/bin/sh
# A feed on a public address may not redirect glean into the user's own
# network (loopback, link-local, private ranges); a source the user added
# with such an address may. Two servers: 127.0.0.1 plays the user's
# network, 127.0.0.2 plays the public internet (GLEAN_TEST_PUBLIC).
. "$(dirname "$0")/../lib/lib.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"

demo="$TEST_ROOT/tests/data/demo"
lan="$TRASH/lan" pub="$TRASH/pub"
mkdir -p "$lan" "$pub"
cp "$demo/civic-rss.xml" "$lan/router.xml"
cp "$demo/civic-rss.xml" "$lan/direct.xml"
cp "$demo/health-atom.xml" "$pub/elsewhere.atom"
httpd_start "$lan" || exit 1
test_on_exit httpd_stop
LAN=$HTTPD_URL

# The "public" server, started by hand: httpd.sh runs one per shell.
PUB_DIR=$TRASH/pubsrv
mkdir -p "$PUB_DIR"
python3 "$HTTPD_PY" --dir "$pub" --port-file "$PUB_DIR/port" \
	--log "$PUB_DIR/log" --bind 127.0.0.2 2>"$PUB_DIR/stderr" &
PUB_PID=$!
test_on_exit 'kill $PUB_PID; wait $PUB_PID'
i=0
while [ ! -s "$PUB_DIR/port" ] && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.05; done
[ -s "$PUB_DIR/port" ] || { cat "$PUB_DIR/stderr"; exit 1; }
PUB=http://127.0.0.2:$(cat "$PUB_DIR/port")
LANPORT=${LAN##*:}

cat >"$pub/to-lan.xml.meta.json" <<EOF
{"status": 302, "headers": {"Location": "$LAN/router.xml"}}
EOF
# A name that resolves into the network is refused as well: the check
# is on the address connected to, not on the URL.
cat >"$pub/to-name.xml.meta.json" <<EOF
{"status": 301, "headers": {"Location": "http://localhost:$LANPORT/router.xml"}}
EOF
cat >"$pub/moved.atom.meta.json" <<EOF
{"status": 301, "headers": {"Location": "{{BASE}}/elsewhere.atom"}}
EOF
# Answers after the direct source is done, so its idle connection to
# 127.0.0.1 may be reused by the hop: refused there too.
cat >"$pub/slow-to-lan.xml.meta.json" <<EOF
{"status": 302, "delay_ms": 400, "headers": {"Location": "$LAN/direct.xml"}}
EOF
printf '[general]\ntimeout = 5s\n' >"$GLEAN_HOME/config"
# glean as seen from the internet: 127.0.0.2 counts as a public address.
public() { (export GLEAN_TEST_PUBLIC=127.0.0.2; glean "$@"); }
reason() { store_sql "SELECT coalesce(last_error, '') FROM source WHERE id = $1"; }
MSG="glean does not follow a feed into your own network"

test_expect_success 'add: a public feed redirecting into the network is refused with the reason' '
	test_status 1 public add "$PUB/to-lan.xml" 2>err &&
	test_grep "redirected to a private address 127.0.0.1; $MSG" err &&
	test_status 1 public add "$PUB/to-name.xml" 2>err &&
	test_grep "redirected to a private address .*; $MSG" err &&
	test "$(store_sql "SELECT count(*) FROM source")" = 0 &&
	! grep -q router.xml "$HTTPD_LOG"
'

test_expect_success 'a redirect from a public address to a public one is followed' '
	public add "$PUB/moved.atom" >out &&
	test_grep "added source 1" out
'

test_expect_success 'a source added with a private address may redirect anywhere' '
	glean add "$PUB/to-lan.xml" >out &&
	test_grep "added source 2" out &&
	glean add "$LAN/direct.xml" >out &&
	test_grep "added source 3" out &&
	glean add "$PUB/slow-to-lan.xml" >out &&
	test_grep "added source 4" out &&
	glean fetch --all >out &&
	test_grep "fetched 4 sources" out &&
	test_grep "0 failed" out &&
	n=$(store_sql "SELECT count(*) FROM item WHERE source_id = 2") &&
	test "$n" -gt 0 && echo "$n" >items2
'

test_expect_success 'fetch: the same feeds seen as public fail with the reason; old items stay' '
	GLEAN_LOG="$TRASH/glean.log" public -vv fetch --all >out 2>err || :
	cat out err &&
	test_grep "failed 2 .*redirected to a private address 127.0.0.1; $MSG" out &&
	test_grep "failed 4 .*redirected to a private address 127.0.0.1; $MSG" out &&
	! grep -q "failed [13] " out &&
	reason 2 | grep -q "redirected to a private address 127.0.0.1; $MSG" &&
	reason 4 | grep -q "redirected to a private address 127.0.0.1; $MSG" &&
	test -z "$(reason 1)" && test -z "$(reason 3)" &&
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = 2")" = "$(cat items2)" &&
	# the refused hops never reached the network server
	test "$(grep -c "\"path\": *\"/router.xml\"" "$HTTPD_LOG")" = 2
'

# A public page that links to a feed in the network is a redirect by
# other means (discovery), and is refused the same way; a page in the
# network may link anywhere, and a public page to a public feed is fine.
link_page() {
	printf '<html><head><link rel="alternate" type="application/rss+xml" href="%s"></head><body>x</body></html>\n' "$2" >"$1"
}
link_page "$pub/links-lan.html" "$LAN/router.xml"
cp "$demo/research.json" "$pub/other.json"
link_page "$pub/links-pub.html" "$PUB/other.json"
link_page "$lan/links-lan.html" "$LAN/router.xml"

test_expect_success 'add: a public page linking to a feed in the network is refused with the reason' '
	n0=$(store_sql "SELECT count(*) FROM source") &&
	test_status 1 public add "$PUB/links-lan.html" 2>err &&
	test_grep "a public page links to a private address 127.0.0.1; $MSG" err &&
	test "$(store_sql "SELECT count(*) FROM source")" = "$n0" &&
	public add "$PUB/links-pub.html" >out &&
	test_grep "added source" out &&
	public add "$LAN/links-lan.html" >out &&
	test_grep "added source" out &&
	test "$(store_sql "SELECT count(*) FROM source")" = $((n0 + 2))
'

test_done
