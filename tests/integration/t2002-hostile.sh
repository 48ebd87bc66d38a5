#!/bin/sh
# Hostile servers and documents. A source that was fine goes bad in every
# way a server or a feed can; each fetch must leave the store consistent,
# the old items intact and a one-line reason on the source.
. "$(dirname "$0")/../lib/lib.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"

demo="$TEST_ROOT/tests/data/demo"
site="$TRASH/site"
mkdir -p "$site/ok" "$site/bad"

# Documents that are hostile or broken in their bytes.
head -c 1500 "$demo/civic-rss.xml" >"$site/bad/truncated.xml"
cp "$demo/research.json" "$site/bad/page.html"
printf '<html><head><title>Not a feed</title></head><body><p>Sorry</p></body></html>' >"$site/bad/page.html"
cat >"$site/bad/laughs.xml" <<'EOX'
<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughs</title>
<item><title>&lol9;</title><guid>laugh-1</guid><description>&lol9;</description></item>
</channel></rss>
EOX
cat >"$site/bad/xxe.xml" <<'EOX'
<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> <!ENTITY % dtd SYSTEM "http://127.0.0.1:9/evil.dtd"> %dtd; ]>
<rss version="2.0"><channel><title>XXE</title>
<item><title>secret: &xxe;</title><guid>xxe-1</guid></item>
</channel></rss>
EOX
printf '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Bytes</title><item><title>caf\351 \377\376 ok</title><guid>u-1</guid></item></channel></rss>\n' >"$site/bad/badutf8.xml"
cat >"$site/bad/dupes.xml" <<'EOX'
<rss version="2.0"><channel><title>Dupes</title>
<item><title>First copy</title><guid>same</guid></item>
<item><title>Second copy</title><guid>same</guid></item>
<item><title>Far future</title><guid>future</guid><pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate></item>
<item><title>Long ago</title><guid>past</guid><pubDate>Mon, 01 Jan 1900 00:00:00 GMT</pubDate></item>
</channel></rss>
EOX

# Sixteen good sources first; then each one's URL starts serving harm.
cases="hostile/404 hostile/500 hostile/timeout hostile/slow-drip?bytes=100000&interval_ms=200
hostile/endless hostile/gzip-bomb?mb=64 hostile/redirect-loop hostile/redirect-file
hostile/truncated hostile/close hostile/huge-title?mb=20 hostile/many-headers?n=5000
bad/truncated.xml bad/page.html bad/laughs.xml bad/xxe.xml"
n=0
for c in $cases; do
	n=$((n + 1))
	sed "s/<guid isPermaLink=\"false\">civic-/<guid isPermaLink=\"false\">s$n-civic-/" \
		"$demo/civic-rss.xml" >"$site/ok/$n.xml"
done
echo "$cases" | tr ' ' '\n' | grep -v '^$' >cases.txt
httpd_start "$site" || exit 1
test_on_exit httpd_stop
printf '[general]\ntimeout = 3s\n' >"$GLEAN_HOME/config"

test_expect_success 'setup: every source fetched fine once' '
	i=0 &&
	while [ $i -lt $n ]; do i=$((i + 1)); echo "$HTTPD_URL/ok/$i.xml"; done >urls &&
	glean import --newsboat urls >/dev/null &&
	glean fetch >out &&
	test_grep "fetched $n sources" out &&
	test_grep "0 failed" out &&
	test "$(store_sql "SELECT count(*) FROM item")" = $((n * 3))
'

test_expect_success 'then every URL turns hostile and a fetch survives all of them' '
	i=0 &&
	while read c; do
		i=$((i + 1))
		store_sql "UPDATE source SET url = \"$HTTPD_URL/$c\", body_hash = NULL, etag = NULL, last_modified = NULL WHERE id = $i"
	done <cases.txt &&
	test_status 3 glean fetch --all >out 2>err &&
	cat out &&
	test "$(store_sql "PRAGMA integrity_check")" = ok
'

test_expect_success 'the old items are all still there' '
	for i in $(seq 1 $n); do
		# by link: an entry with a new guid, its link and title
		# those of an old item, is that item (bad/truncated.xml)
		c=$(store_sql "SELECT count(*) FROM item WHERE source_id = $i AND url LIKE \"https://civic.example/2026/%\"")
		test "$c" = 3 || { echo "source $i lost items ($c)"; exit 1; }
	done
'

reason() { store_sql "SELECT coalesce(last_error, \"\") FROM source WHERE url LIKE \"%/$1%\""; }

test_expect_success 'server failures leave a one-line reason on the source' '
	reason hostile/404 | grep -q "HTTP 404" &&
	reason hostile/500 | grep -q "HTTP 500" &&
	reason hostile/timeout | grep -q "timed out" &&
	reason hostile/slow-drip | grep -q "timed out" &&
	reason hostile/endless | grep -q "larger than" &&
	reason hostile/gzip-bomb | grep -q "larger than" &&
	reason hostile/redirect-loop | grep -qi "redirect" &&
	reason hostile/redirect-file | grep -q "not http" &&
	test -n "$(reason hostile/truncated)" &&
	test -n "$(reason hostile/close)" &&
	test -n "$(reason hostile/many-headers)" &&
	test -n "$(reason hostile/huge-title)" &&
	test "$(store_sql "SELECT count(*) FROM source WHERE instr(last_error, char(10)) > 0")" = 0
'

test_expect_success 'HTML served as a feed is "not a feed"; a truncated feed is recovered, said partial' '
	reason bad/page.html | grep -q "not a feed" &&
	reason bad/truncated.xml | grep -q "^partial document: cut off at byte 1500 "
'

test_expect_success 'entity expansion and external entities never happen' '
	test -z "$(reason bad/laughs.xml)" &&
	len=$(store_sql "SELECT max(length(title)) FROM item WHERE guid LIKE \"%laugh-1\"") &&
	test "$len" -lt 1000 &&
	! store_sql "SELECT title FROM item" | grep -q "root:" &&
	! grep -q "evil.dtd" "$HTTPD_LOG"
'

test_expect_success 'invalid UTF-8 is stored as valid text' '
	printf "%s\n" "$HTTPD_URL/bad/badutf8.xml" >u2 &&
	glean import --newsboat u2 >/dev/null &&
	glean fetch >/dev/null &&
	title=$(glean items --json | jq -r ".[] | select(.title | startswith(\"caf\")) | .title") &&
	test -n "$title" &&
	printf "%s" "$title" | iconv -f UTF-8 -t UTF-8 >/dev/null
'

test_expect_success 'duplicate guids collapse; dates in 9999 and 1900 are kept' '
	printf "%s\n" "$HTTPD_URL/bad/dupes.xml" >u3 &&
	glean import --newsboat u3 >/dev/null &&
	glean fetch >/dev/null &&
	sid=$(store_sql "SELECT id FROM source WHERE url LIKE \"%dupes.xml\"") &&
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = $sid")" = 3 &&
	glean items "source:$sid" --json >d.json &&
	jq -e ".[] | select(.title == \"Far future\") | .published == \"9999-12-31T23:59:59Z\"" d.json &&
	jq -e ".[] | select(.title == \"Long ago\") | .published == \"1900-01-01T00:00:00Z\"" d.json
'

test_expect_success 'a failed source backs off instead of being retried at once' '
	glean fetch >out &&
	! test_grep -q "hostile/404" out &&
	test "$(store_sql "SELECT count(*) FROM source WHERE failures > 0 AND next_due <= strftime(\"%s\",\"now\")")" = 0
'

test_done
