#!/bin/sh
# Bodies packed at rest (issue 18, disk; schema 15): a body of 256 bytes
# or more is stored as a zstd frame (a BLOB), a shorter one as TEXT, and
# every reader sees the body as the feed gave it: show, search, text:
# and /regex/ terms. An unchanged feed fetched again leaves
# its items alone; a damaged frame reads as empty, and the log and
# 'glean check' name its item.
. "$(dirname "$0")/../lib/lib.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"

site="$TRASH/site"
mkdir -p "$site"
{
	echo '<?xml version="1.0"?>'
	echo '<rss version="2.0"><channel><title>Bodies</title>'
	echo '<link>https://bodies.example/</link>'
	echo '<item><guid>long</guid><title>Long one</title>'
	echo '<link>https://bodies.example/1</link><description>'
	for n in one two three four five six; do
		echo "&lt;p&gt;The &lt;b&gt;heliotrope&lt;/b&gt; report, part $n, on pigments &amp;amp; their makers.&lt;/p&gt;"
	done
	echo '&lt;p&gt;It ends with vermilion.&lt;/p&gt;</description></item>'
	echo '<item><guid>short</guid><title>Short one</title>'
	echo '<link>https://bodies.example/2</link>'
	echo '<description>&lt;p&gt;A little saffron.&lt;/p&gt;</description></item>'
	echo '</channel></rss>'
} >"$site/f.xml"
httpd_start "$site" || exit 1
test_on_exit httpd_stop

# python3's sqlite3: the storage class and first bytes of each body
classes() {
	python3 - "$GLEAN_HOME/glean.db" <<-'EOF'
	import sqlite3, sys
	db = sqlite3.connect(sys.argv[1])
	for title, kind, head in db.execute(
	        "SELECT title, typeof(content), hex(substr(content, 1, 4))"
	        " FROM item ORDER BY title"):
	    print(title, kind, head if kind == "blob" else "-")
	EOF
}

test_expect_success 'setup: the feed fetched over HTTP' '
	glean add "$HTTPD_URL/f.xml" >/dev/null &&
	glean fetch >out &&
	test_grep "2 new items" out
'

long=$(store_sql "SELECT id FROM item WHERE title = 'Long one'")

test_expect_success 'a long body is a zstd frame, a short one TEXT' '
	test -n "$long" &&
	classes >got &&
	printf "%s\n" "Long one blob 28B52FFD" "Short one text -" >want &&
	test_cmp want got
'

test_expect_success 'show, search, text: and /regex/ see the body' '
	glean show "$long" --json >show.json &&
	jq -r .content show.json >content &&
	test_grep "^<p>The <b>heliotrope</b> report, part one, on pigments &amp; their makers.</p>$" content &&
	test_grep "^<p>It ends with vermilion.</p>$" content &&
	test "$(jq -r .text show.json)" != "" &&
	glean show "$long" >show &&
	test_grep "It ends with vermilion." show &&
	test "$(glean search vermilion | wc -l)" = 1 &&
	test "$(glean search saffron | wc -l)" = 1 &&
	test "$(glean items --json text:pigments | jq length)" = 1 &&
	test "$(glean items --json "text:/part six, on pigments & their/" | jq ".[0].id")" = "$long" &&
	test "$(glean items --json "text:/<b>/" | jq length)" = 0
'

test_expect_success 'the digest lists the packed item' '
	glean mark "$long" >/dev/null &&
	glean digest --format json >digest.json &&
	test "$(jq -r ".items[0].title" digest.json)" = "Long one"
'

test_expect_success 'an unchanged feed fetched again rewrites nothing' '
	before=$(store_sql "SELECT group_concat(content_hash || hex(content)) FROM item") &&
	glean fetch --all >out &&
	test_grep "0 new items, 0 updated" out &&
	test "$(store_sql "SELECT group_concat(content_hash || hex(content)) FROM item")" = "$before"
'

test_expect_success 'a damaged frame: shown empty, the log and check name it' '
	glean check >out &&
	# a frame that declares 4 GiB
	python3 -c "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute(\"UPDATE item SET content = ? WHERE id = ?\", (bytes.fromhex(\"28b52ffda0ffffffff010000\"), int(sys.argv[2]))); db.commit()" "$GLEAN_HOME/glean.db" "$long" &&
	glean -v show "$long" >show &&
	test_grep "Long one" show &&
	test_grep "warn.*item $long.s body is damaged" "$GLEAN_HOME/glean.log" &&
	test_status 1 glean check >out 2>&1 &&
	test_grep "item $long: its body is damaged" out &&
	test "$(glean search saffron | wc -l)" = 1
'

test_done
