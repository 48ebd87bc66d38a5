#!/bin/sh
# Partial documents are honest and identity holds across guid churn
# (issue 15): a feed cut off mid-entry keeps its whole entries, and the
# cut one only when its guid or link was read whole, and the source says
# the document was partial; NUL bytes fail the source, the old items
# kept; 'glean add' refuses either in one line; a feed with a new guid
# at every fetch (same link, same title) keeps one item. Served from the
# loopback test server.
. "$(dirname "$0")/../lib/lib.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"

www="$TRASH/www"
mkdir -p "$www"
httpd_start "$www" || exit 1
test_on_exit httpd_stop

# feed N [GUID-PREFIX]: an RSS document of N items
feed() {
	echo '<?xml version="1.0"?>'
	echo '<rss version="2.0"><channel><title>Cut</title><link>http://example.org/</link>'
	i=1
	while [ $i -le "$1" ]; do
		printf '<item><title>Item %d</title><link>http://example.org/%d</link>' $i $i
		printf '<guid>%s%d</guid><description>body %d</description></item>\n' "${2:-urn:item:}" $i $i
		i=$((i + 1))
	done
	echo '</channel></rss>'
}

# serve FILE NAME [SECS]: the server's NAME becomes FILE, with a new mtime
serve() {
	cp "$1" "$www/$2"
	touch -d "@$(($(date +%s) + ${3:-60}))" "$www/$2"
}

# cut_before FILE TEXT: FILE up to (not including) the first TEXT
cut_before() {
	n=$(grep -bo -- "$2" "$1" | head -n 1 | cut -d: -f1)
	head -c "$n" "$1"
}

feed 4 >full.xml
feed 3 >three.xml
# the fourth item's link cut off at "http://", before its guid
cut_before full.xml 'example.org/4</link>' >cut-link.xml
# the fourth item cut inside its description: guid and link are whole
cut_before full.xml 'body 4' >cut-body.xml

test_expect_success 'the documents are what the tests think' '
	tail -c 40 cut-link.xml | test_grep "<link>http://\$" - &&
	! grep -q "urn:item:4" cut-link.xml &&
	tail -c 60 cut-body.xml | test_grep "urn:item:4</guid>" -
'

test_expect_success 'a document cut inside an entry: the whole ones kept' '
	serve three.xml feed.xml &&
	glean add "$HTTPD_URL/feed.xml" >/dev/null &&
	glean fetch --all >out 2>err &&
	test "$(store_sql "SELECT count(*) FROM item")" = 3 &&
	serve cut-link.xml feed.xml 120 &&
	glean fetch --all >out 2>err &&
	test "$(store_sql "SELECT count(*) FROM item")" = 3 &&
	test "$(store_sql "SELECT count(*) FROM item WHERE url = '"'"'http://'"'"' OR guid = '"'"'http://'"'"'")" = 0
'

test_expect_success 'the source and the summary say the document was partial' '
	size=$(wc -c <cut-link.xml | tr -d " ") &&
	test_grep "partial document: cut off at byte $size (inside an entry); 3 whole entries kept" out &&
	store_sql "SELECT last_error FROM source" >le &&
	test_grep "partial document: cut off at byte $size" le &&
	glean sources --long >src &&
	test_grep "partial document" src &&
	# no validator kept: the next fetch is no 304 that hides the rest
	test "$(store_sql "SELECT etag IS NULL AND last_modified IS NULL FROM source")" = 1
'

test_expect_success 'the whole entry arrives later once, not as a duplicate' '
	serve full.xml feed.xml 180 &&
	glean fetch --all >out 2>err &&
	test "$(store_sql "SELECT count(*) FROM item")" = 4 &&
	test "$(store_sql "SELECT guid FROM item WHERE title = '"'"'Item 4'"'"'")" = urn:item:4 &&
	test "$(store_sql "SELECT count(*) FROM source WHERE last_error IS NULL")" = 1
'

test_expect_success 'a cut entry whose guid was read whole is kept' '
	glean rm 1 >/dev/null &&
	serve three.xml feed.xml 240 &&
	glean add "$HTTPD_URL/feed.xml" >/dev/null &&
	glean fetch --all >out 2>err &&
	serve cut-body.xml feed.xml 300 &&
	glean fetch --all >out 2>err &&
	test "$(store_sql "SELECT count(*) FROM item")" = 4 &&
	test "$(store_sql "SELECT url FROM item WHERE guid = '"'"'urn:item:4'"'"'")" = http://example.org/4 &&
	test_grep "3 whole entries kept, and the one cut off after its guid or link" out &&
	serve full.xml feed.xml 360 &&
	glean fetch --all >out 2>err &&
	test "$(store_sql "SELECT count(*) FROM item")" = 4 &&
	test "$(store_sql "SELECT count(*) FROM item WHERE content LIKE '"'"'%body 4%'"'"'")" = 1
'

test_expect_success 'cut before any whole entry: the source failed, old items kept' '
	cut_before full.xml "<item><title>Item 1" >cut-head.xml &&
	serve cut-head.xml feed.xml 420 &&
	test_status 1 glean fetch --all --quiet >out 2>err &&
	test_grep "^glean: source .*partial document: cut off at byte .* before any whole entry" err &&
	test "$(store_sql "SELECT count(*) FROM item")" = 4
'

test_expect_success 'NUL bytes: a failure line, the source failed, old items kept' '
	{ head -c 200 full.xml; printf "\\000\\000"; tail -c +201 full.xml; } >nul.xml &&
	test "$(tr -d "\\000" <nul.xml | wc -c)" = "$(wc -c <full.xml)" &&
	serve nul.xml feed.xml 480 &&
	test_status 1 glean fetch --all --quiet >out 2>err &&
	cat err &&
	test_grep "^glean: source .*NUL byte at byte 200" err &&
	test "$(store_sql "SELECT count(*) FROM item")" = 4 &&
	test "$(store_sql "SELECT failures FROM source")" -ge 1 &&
	store_sql "SELECT last_error FROM source" | test_grep "NUL byte" -
'

test_expect_success 'NUL bytes early: 0 items is no success either' '
	{ head -c 30 full.xml; printf "\\000"; tail -c +31 full.xml; } >nul0.xml &&
	serve nul0.xml feed.xml 540 &&
	test_status 1 glean fetch --all --quiet >out 2>err &&
	test_grep "NUL byte at byte 30" err &&
	test "$(store_sql "SELECT count(*) FROM item")" = 4
'

test_expect_success 'glean add refuses a cut-off or NUL document in one line' '
	n=$(store_sql "SELECT count(*) FROM source") &&
	serve cut-body.xml add-cut.xml &&
	test_status 1 glean add "$HTTPD_URL/add-cut.xml" >out 2>err &&
	cat err &&
	test_grep "^glean: cannot add .*add-cut.xml.: partial document: cut off at byte [0-9]*; not subscribed" err &&
	test "$(wc -l <err)" = 1 &&
	serve nul.xml add-nul.xml &&
	test_status 1 glean add "$HTTPD_URL/add-nul.xml" >out 2>err &&
	cat err &&
	test_grep "^glean: cannot add .*add-nul.xml.: damaged document: a NUL byte at byte 200; not subscribed" err &&
	test "$(wc -l <err)" = 1 &&
	test "$(store_sql "SELECT count(*) FROM source")" = "$n" &&
	serve full.xml add-cut.xml 60 &&
	glean add "$HTTPD_URL/add-cut.xml" >out &&
	test "$(store_sql "SELECT count(*) FROM source")" = $((n + 1))
'

test_expect_success 'a new guid at every fetch, same link and title: one item' '
	feed 1 urn:a: >churn.xml &&
	serve churn.xml churn.xml &&
	glean add "$HTTPD_URL/churn.xml" >/dev/null &&
	sid=$(store_sql "SELECT id FROM source WHERE url LIKE '"'"'%churn.xml'"'"'") &&
	glean fetch "$sid" >out 2>err &&
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = $sid")" = 1 &&
	id=$(store_sql "SELECT id FROM item WHERE source_id = $sid") &&
	glean note "$id" "kept across guids" >/dev/null &&
	feed 1 urn:b: >churn.xml && serve churn.xml churn.xml 120 &&
	glean fetch "$sid" >out 2>err &&
	feed 1 urn:c: >churn.xml && serve churn.xml churn.xml 180 &&
	glean fetch "$sid" >out 2>err &&
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = $sid")" = 1 &&
	test "$(store_sql "SELECT guid FROM item WHERE source_id = $sid")" = urn:c:1 &&
	test "$(store_sql "SELECT count(*) FROM note WHERE item_id = $id")" = 1 &&
	glean show "$id" >show &&
	test_grep "kept across guids" show
'

test_done
