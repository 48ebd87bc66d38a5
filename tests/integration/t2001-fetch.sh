#!/bin/sh
# glean fetch over real HTTP on 127.0.0.1: conditional GET, redirects,
# 410, failures that keep old items, Retry-After, discovery on add.
. "$(dirname "$0")/../lib/lib.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"

demo="$TEST_ROOT/tests/data/demo"
site="$TRASH/site"
mkdir -p "$site"
cp "$demo/civic-rss.xml" "$site/civic.xml"
cp "$demo/health-atom.xml" "$site/health.atom"
cp "$demo/research.json" "$site/research.json"
cp "$demo/civic-rss.xml" "$site/breaks.xml"
cp "$demo/civic-rss.xml" "$site/new-home.xml"
echo '{"status": 301, "headers": {"Location": "{{BASE}}/new-home.xml"}}' >"$site/moved.xml.meta.json"
echo '{"status": 410, "body": "gone"}' >"$site/gone.xml.meta.json"
echo '{"responses": [{"status": 503, "headers": {"Retry-After": "7200"}, "body": "busy"}]}' >"$site/busy.xml.meta.json"
cat >"$site/page.html" <<'EOH'
<html><head><title>Civic</title>
<link rel="alternate" type="application/rss+xml" title="Posts" href="/civic.xml">
<link rel="alternate" type="application/atom+xml" title="Health" href="health.atom">
</head><body>hello</body></html>
EOH
cat >"$site/one.html" <<'EOH'
<html><head><link rel="alternate" type="application/feed+json" href="/research.json"></head></html>
EOH
httpd_start "$site" || exit 1
test_on_exit httpd_stop
printf '[general]\ntimeout = 5s\nuser-agent = glean-test/1\n' \
	>"$GLEAN_HOME/config"

test_expect_success 'add a feed URL, a page with one feed, and a page with two (--pick)' '
	glean add "$HTTPD_URL/health.atom" >out &&
	test_grep "added source 1: $HTTPD_URL/health.atom" out &&
	# add checks the URL with the fetch options of the config
	test_grep "\"User-Agent\":\"glean-test/1\".*\"path\":\"/health.atom\"" \
		"$HTTPD_LOG" &&
	glean add "$HTTPD_URL/one.html" >out &&
	test_grep "added source 2: $HTTPD_URL/research.json" out &&
	test_status 2 glean add "$HTTPD_URL/page.html" </dev/null 2>err &&
	test_grep "links to 2 feeds; choose one with --pick N" err &&
	test_grep "1. Posts  $HTTPD_URL/civic.xml" err &&
	glean add "$HTTPD_URL/page.html" --pick 1 >out &&
	test_grep "added source 3: $HTTPD_URL/civic.xml" out
'

test_expect_success 'a page without feeds and a 404 are refused with the reason' '
	echo "<html><body>no feeds</body></html>" >"$site/plain.html" &&
	test_status 1 glean add "$HTTPD_URL/plain.html" 2>err &&
	test_grep "no feed found at" err &&
	test_status 1 glean add "$HTTPD_URL/missing.xml" 2>err &&
	test_grep "HTTP 404" err
'

test_expect_success 'first fetch stores every item and the validators' '
	printf "%s\n" "$HTTPD_URL/moved.xml" "$HTTPD_URL/gone.xml" \
		"$HTTPD_URL/busy.xml" "$HTTPD_URL/breaks.xml" >urls &&
	glean import --newsboat urls >/dev/null &&
	test_status 3 glean fetch >out &&
	test_grep "fetched 7 sources" out &&
	test_grep "failed 5 .*410 Gone: the publisher removed this feed" out &&
	test_grep "failed 6 .*503" out &&
	test "$(store_sql "SELECT count(*) FROM source WHERE etag IS NOT NULL")" -ge 3
'

test_expect_success 'the fetch ends with the index the sort by title walks' '
	test "$(store_sql "SELECT count(*) FROM sqlite_master WHERE type = \"index\" AND name = \"item_title\"")" = 1 &&
	store_sql "EXPLAIN QUERY PLAN SELECT id FROM item INDEXED BY item_title ORDER BY coalesce(title, \"\") COLLATE NOCASE LIMIT 5" >plan &&
	test_grep "item_title" plan &&
	# a kill between the drop and the remake: the next fetch makes it
	store_sql "DROP INDEX item_title" &&
	glean fetch >out.title &&
	test_grep "nothing to fetch" out.title &&
	test "$(store_sql "SELECT count(*) FROM sqlite_master WHERE name = \"item_title\"")" = 1
'

test_expect_success '301 moved the stored URL; 410 retired the source' '
	test "$(store_sql "SELECT url FROM source WHERE id = 4")" = "$HTTPD_URL/new-home.xml" &&
	test_grep "source 4 moved permanently to $HTTPD_URL/new-home.xml" out &&
	test "$(store_sql "SELECT retired FROM source WHERE id = 5")" = 1
'

test_expect_success 'Retry-After pushes the next attempt back' '
	next=$(store_sql "SELECT next_due - last_attempt FROM source WHERE id = 6") &&
	test "$next" -ge 7200
'

test_expect_success 'a re-fetch sends validators and gets 304s' '
	: >"$HTTPD_LOG" &&
	test_status 3 glean fetch --all >out &&
	test_grep "unchanged" out &&
	jq -s "[.[] | select(.path == \"/health.atom\")][0].headers" "$HTTPD_LOG" >h.json &&
	jq -e "has(\"If-None-Match\") or has(\"if-none-match\")" h.json &&
	test "$(glean items --json | jq length)" -ge 7
'

test_expect_success 'the retired source is not fetched again' '
	: >"$HTTPD_LOG" &&
	test_status 3 glean fetch --all >/dev/null &&
	! grep -q "/gone.xml" "$HTTPD_LOG"
'

test_expect_success 'a feed that breaks keeps its items and shows why' '
	before=$(store_sql "SELECT count(*) FROM item WHERE source_id = 7") &&
	test "$before" = 3 &&
	echo "<html><body>Oops, our CMS broke</body></html>" >"$site/breaks.xml" &&
	test_status 1 glean fetch 7 >out &&
	test_grep "failed 7 .*not a feed" out &&
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = 7")" = 3 &&
	glean sources -l >src &&
	test_grep "last error: not a feed" src
'

test_expect_success 'an updated entry replaces its copy and keeps the user'"'"'s tags, notes, stars and read state' '
	cp "$demo/civic-rss.xml" "$site/breaks.xml" &&
	glean fetch 7 >/dev/null &&
	id=$(store_sql "SELECT id FROM item WHERE source_id = 7 AND title LIKE \"Library%\"") &&
	glean tag $id +kept && glean note $id "my note" && glean star $id && glean read $id &&
	sed "s/doubled/tripled/" "$demo/civic-rss.xml" >"$site/breaks.xml" &&
	glean fetch 7 >out &&
	test_grep "1 updated" out &&
	test "$(store_sql "SELECT count(*) FROM item WHERE source_id = 7")" = 3 &&
	glean show $id --json >it.json &&
	jq -e ".content | test(\"tripled\")" it.json &&
	jq -e ".starred and .read and (.tags == [\"kept\"]) and (.notes | length == 1)" it.json &&
	glean search tripled --json | jq -e "length == 1" &&
	glean search doubled --json | jq -e "[.[] | select(.source_id == 7)] | length == 0"
'

test_expect_success 'an identical body is not parsed again' '
	store_sql "UPDATE source SET etag = NULL, last_modified = NULL WHERE id = 7" &&
	glean fetch 7 >out &&
	test_grep "0 updated, 1 unchanged" out
'

test_expect_success 'fetch --quiet prints only the failure, one line on stderr' '
	test_status 3 glean fetch --all --quiet >out 2>err &&
	test ! -s out &&
	test "$(wc -l <err)" = 1 &&
	test_grep "^glean: source 6 .* failed: .*503" err
'

test_expect_success 'sources -l shows last success, last error and next fetch' '
	glean sources -l >src &&
	test_grep "last success 20" src &&
	test_grep "next fetch 20" src
'

# feed_copies DIR N: N copies of the demo RSS feed in $site/DIR, each
# item title prefixed with DIR's first letter and the copy's number; their
# URLs on stdout
feed_copies() {
	mkdir -p "$site/$1" &&
	fc_i=1 &&
	while [ $fc_i -le "$2" ]; do
		sed "s|<title>|<title>$(printf %.1s "$1")$fc_i |g" "$demo/civic-rss.xml" >"$site/$1/f$fc_i.xml" &&
		echo "$HTTPD_URL/$1/f$fc_i.xml" &&
		fc_i=$((fc_i + 1)) || return 1
	done
}

test_expect_success 'many feeds at once: parsed beside the fetch, each stored whole, a broken one failed alone' '
	# more bodies than the parse pipe holds (8), so both the worker and
	# the main thread parse; each feed has its own item titles
	feed_copies many 30 >many-urls &&
	printf "<rss><channel><item><title>cut" >"$site/many/f17.xml" &&
	echo "<html><body>not a feed</body></html>" >"$site/many/f23.xml" &&
	glean import --newsboat many-urls >/dev/null &&
	test_status 3 glean fetch --all >out &&
	n=$(grep -c "<item>" "$demo/civic-rss.xml") &&
	test "$(store_sql "SELECT count(*) FROM item i JOIN source s ON s.id = i.source_id WHERE s.url LIKE '"'"'%/many/%'"'"'")" = $((n * 28)) &&
	test "$(store_sql "SELECT count(DISTINCT source_id) FROM item i JOIN source s ON s.id = i.source_id WHERE s.url LIKE '"'"'%/many/%'"'"' AND i.title LIKE '"'"'m%'"'"'")" = 28 &&
	store_sql "SELECT url FROM source WHERE last_error LIKE '"'"'not a feed%'"'"'" >failed &&
	test "$(wc -l <failed)" = 1 &&
	test_grep "/many/f23.xml" failed &&
	test "$(store_sql "SELECT last_error FROM source WHERE url LIKE '"'"'%/many/f23.xml'"'"'")" = "not a feed: no RSS, RDF or Atom root" &&
	# cut off before any entry was whole: nothing to keep, a failure
	store_sql "SELECT last_error FROM source WHERE url LIKE '"'"'%/many/f17.xml'"'"'" |
		test_grep "^partial document: cut off at byte 30 before any whole entry" - &&
	test "$(store_sql "SELECT count(*) FROM source WHERE url LIKE '"'"'%/many/%'"'"' AND next_due IS NULL")" = 0 &&
	glean search m29 --json | jq -e "length == $n"
'

test_expect_success 'a store error mid-batch undoes the batch, counts agree, and the next fetch gets it all' '
	# a trigger stands in for a failing disk: it aborts one item insert
	feed_copies lost 5 >lost-urls &&
	printf "<rss><channel><title>b</title><item><guid>b1</guid><title>boom</title></item></channel></rss>" >"$site/lost/f4.xml" &&
	glean import --newsboat lost-urls >/dev/null &&
	store_sql "CREATE TRIGGER boom BEFORE INSERT ON item WHEN NEW.title = '"'"'boom'"'"' BEGIN SELECT RAISE(ABORT, '"'"'disk on fire'"'"'); END" &&
	test_status 1 glean fetch --all >out 2>err &&
	test_grep "cannot store items: .*disk on fire" out &&
	test_grep "^glean: the fetch could not be stored: .*disk on fire" err &&
	# whether other sources shared its batch (and the summary says "the
	# next fetch gets them again") depends on timing: a batch ends when
	# a step has nothing more to write; the counts agree either way
	stored=$(store_sql "SELECT count(*) FROM item i JOIN source s ON s.id = i.source_id WHERE s.url LIKE '"'"'%/lost/%'"'"'") &&
	new=$(sed -n "s/^fetched .*): \([0-9]*\) new item.*/\1/p" out) &&
	test "$new" = "$stored" &&
	test "$(store_sql "PRAGMA integrity_check")" = ok &&
	store_sql "DROP TRIGGER boom" &&
	test_status 3 glean fetch --all >out2 &&
	n=$(grep -c "<item>" "$demo/civic-rss.xml") &&
	test "$(store_sql "SELECT count(*) FROM item i JOIN source s ON s.id = i.source_id WHERE s.url LIKE '"'"'%/lost/%'"'"'")" = $((n * 4 + 1)) &&
	test "$(store_sql "SELECT count(*) FROM (SELECT source_id, guid FROM item GROUP BY 1, 2 HAVING count(*) > 1)")" = 0
'


search_sql() {
	sqlite3 -batch -noheader -cmd ".timeout 5000" "$GLEAN_HOME/glean.db-search" "$1"
}

test_expect_success 'GLEAN_BENCH_NO_INDEX: the fetch leaves the index behind, a search catches it up' '
	feed_copies unindexed 2 >unindexed-urls &&
	glean import --newsboat unindexed-urls >/dev/null &&
	ids=$(store_sql "SELECT id FROM source WHERE url LIKE '"'"'%/unindexed/%'"'"'") &&
	GLEAN_BENCH_NO_INDEX=1 glean fetch $ids >out &&
	n=$(grep -c "<item>" "$demo/civic-rss.xml") &&
	test_grep "): $((n * 2)) new items" out &&
	top=$(store_sql "SELECT max(id) FROM item") &&
	test "$(search_sql "SELECT indexed_id FROM state")" -lt "$top" &&
	glean search u2 --json | jq -e "length == $n" &&
	test "$(search_sql "SELECT indexed_id FROM state")" = "$top"
'

test_expect_success 'GLEAN_BENCH_HASHSIZE: that fetch indexes with it, the next writer sets the default back' '
	feed_copies hashed 1 >hashed-urls &&
	glean import --newsboat hashed-urls >/dev/null &&
	ids=$(store_sql "SELECT id FROM source WHERE url LIKE '"'"'%/hashed/%'"'"'") &&
	GLEAN_BENCH_HASHSIZE=1048576 glean fetch $ids >out &&
	test "$(search_sql "SELECT v FROM item_fts_config WHERE k = '"'"'hashsize'"'"'")" = 1048576 &&
	test "$(search_sql "SELECT indexed_id FROM state")" = "$(store_sql "SELECT max(id) FROM item")" &&
	n=$(grep -c "<item>" "$demo/civic-rss.xml") &&
	glean search h1 --json | jq -e "length == $n" &&
	glean fetch --all $ids >out &&
	test "$(search_sql "SELECT v FROM item_fts_config WHERE k = '"'"'hashsize'"'"'")" = 524288
'

test_done
