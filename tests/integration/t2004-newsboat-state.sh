#!/bin/sh
# Moving in from newsboat keeps the read state: import --newsboat with
# --cache reads newsboat's cache.db (built here with the sqlite3 CLI)
# and marks read and starred (flag 's') the items matched by guid or
# link when their source is first fetched, over HTTP on 127.0.0.1.
. "$(dirname "$0")/../lib/lib.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"

site="$TRASH/site"
mkdir -p "$site"
cat >"$site/a.xml" <<'EOX'
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Feed A</title><link>{{BASE}}/</link>
<item><title>A one</title><link>{{BASE}}/a/1</link><guid>a1</guid></item>
<item><title>A two</title><link>{{BASE}}/a/2</link><guid>a2</guid></item>
<item><title>A three</title><link>{{BASE}}/a/3</link><guid>a3</guid></item>
<item><title>A four</title><link>{{BASE}}/a/4</link><guid>a4</guid></item>
</channel></rss>
EOX
cat >"$site/b.xml" <<'EOX'
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Feed B</title><link>{{BASE}}/</link>
<item><title>B one</title><link>{{BASE}}/b/1</link></item>
<item><title>B two</title><link>{{BASE}}/b/2</link></item>
</channel></rss>
EOX
httpd_start "$site" || exit 1
test_on_exit httpd_stop
printf '[general]\ntimeout = 5s\n' >"$GLEAN_HOME/config"

cache="$TRASH/cache.db"

# newsboat's rss_item as its cache.db declares it; each further argument
# is one item, "guid|url|feedurl|unread|flags" (flags - for NULL)
mkcache() {
	db=$1 && shift &&
	rm -f "$db" &&
	sqlite3 "$db" "CREATE TABLE rss_item (
		id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
		guid VARCHAR(64) NOT NULL, title VARCHAR(1024) NOT NULL,
		author VARCHAR(1024) NOT NULL, url VARCHAR(1024) NOT NULL,
		feedurl VARCHAR(1024) NOT NULL, pubDate INTEGER NOT NULL,
		content VARCHAR(65535) NOT NULL, unread INTEGER(1) NOT NULL,
		enclosure_url VARCHAR(1024), enclosure_type VARCHAR(1024),
		enqueued INTEGER(1) NOT NULL DEFAULT 0, flags VARCHAR(52),
		deleted INTEGER(1) NOT NULL DEFAULT 0);" &&
	for row in "$@"; do
		echo "$row" | awk -F"|" -v q="'" '
		function sq(x) { return q x q }
		{
			f = $5 == "-" ? "NULL" : sq($5)
			printf "INSERT INTO rss_item (guid, title, author, url,"
			printf " feedurl, pubDate, content, unread, flags) VALUES"
			printf " (%s, %s, %s, %s, %s, 0, %s, %s, %s);\n", sq($1),
				sq(""), sq(""), sq($2), sq($3), sq(""), $4, f
		}' | sqlite3 "$db" || return 1
	done
}

state() {
	store_sql "SELECT i.read || i.starred FROM item i WHERE i.title = '$1'"
}

test_expect_success 'a urls file given to plain import gets a hint to use --newsboat' '
	printf "# mine\n%s/a.xml civic\n" "$HTTPD_URL" >urls &&
	test_status 2 glean import urls 2>err &&
	test_grep "looks like a newsboat urls file" err &&
	test_grep "glean import --newsboat urls" err &&
	test "$(store_sql "SELECT count(*) FROM source")" = 0 &&
	test_status 2 glean import urls --cache x.db 2>err &&
	test_grep "cache goes with --newsboat" err
'

test_expect_success 'import --cache keeps read and starred state until the first fetch' '
	A="$HTTPD_URL/a.xml" &&
	mkcache "$cache" \
		"a1|$HTTPD_URL/a/1|$A|0|-" \
		"other-guid|$HTTPD_URL/a/2|$A|0|" \
		"a3|$HTTPD_URL/a/3|$A|1|rs" \
		"a4|$HTTPD_URL/a/4|$A|1|x" \
		"gone|$HTTPD_URL/a/0|$A|0|-" \
		"e1|https://elsewhere.example/1|https://elsewhere.example/feed|0|-" &&
	glean import --newsboat urls --cache "$cache" >out &&
	test_grep "imported 1 source" out &&
	test_grep "newsboat cache: 4 read or starred items kept (1 of feeds not subscribed skipped)" out &&
	test_grep "first fetched" out &&
	test "$(store_sql "SELECT count(*) FROM import_state")" = 4 &&
	glean fetch >out &&
	test "$(state "A one")" = 10 &&
	test "$(state "A two")" = 10 &&
	test "$(state "A three")" = 01 &&
	test "$(state "A four")" = 00 &&
	test "$(store_sql "SELECT count(*) FROM import_state")" = 0 &&
	glean items tag:civic is:unread --json | jq -e "length == 2"
'

test_expect_success 'a source fetched before the import is matched at once, by link too' '
	B="$HTTPD_URL/b.xml" &&
	glean add "$B" >/dev/null && glean fetch >/dev/null &&
	printf "%s\n" "$B" >urls2 &&
	mkcache "$cache" "nb-b2|$HTTPD_URL/b/2|$B|0|s" &&
	glean import --newsboat urls2 --cache "$cache" >out &&
	test_grep "1 already subscribed" out &&
	test_grep "1 item already here updated" out &&
	! grep "first fetched" out &&
	test "$(state "B two")" = 11 &&
	test "$(state "B one")" = 00
'

test_expect_success 'a file that is not a newsboat cache is refused clearly' '
	echo "not a database" >bad.db &&
	test_status 2 glean import --newsboat urls2 --cache bad.db 2>err &&
	test_grep "is not a newsboat cache.db" err &&
	sqlite3 empty.db "CREATE TABLE t (x)" &&
	test_status 2 glean import --newsboat urls2 --cache empty.db 2>err &&
	test_grep "no such table: rss_item" err &&
	test_status 1 glean import --newsboat urls2 --cache nosuch.db 2>err &&
	test_grep "cannot open newsboat cache" err
'

test_done
