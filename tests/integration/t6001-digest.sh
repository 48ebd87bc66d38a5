#!/bin/sh
# glean digest: selection (marked in the window, --since, --last-share,
# a query), grouping by tag, notes and quotes, and the five formats:
# Markdown, text, HTML (escaped, CSP, allow-listed links), Atom 1.0
# (validated against RFC 4287's schema with xmllint) and JSON Feed 1.1.
. "$(dirname "$0")/../lib/lib.sh"
. "$TEST_ROOT/tests/lib/share-week.sh"
RNG="$TEST_ROOT/tests/data/atom.rng"

test_expect_success 'a week of marked, tagged, annotated items' '
	share_week
'

test_expect_success 'markdown: grouped by tag, with title, link, source, date, notes' '
	glean digest --title "Weekly links" --intro "Four things." >out &&
	test_grep "^# Weekly links$" out &&
	test_grep "^_2026-11-16 to 2026-11-23_$" out &&
	test_grep "^Four things.$" out &&
	test_grep "^## civic$" out && test_grep "^## health$" out &&
	test_grep "^## Other$" out &&
	test "$(grep -n "^## " out | cut -d: -f2 | tr "\n" " ")" = "## civic ## health ## Other " &&
	test_grep "^- \[Library hotspots close the digital divide\](https://notes.example/2026/11/hotspots) — Civic & Health Notes, 2026-11-16$" out &&
	test_grep "^  > hotspots you can borrow$" out &&
	test_grep "^  Worth copying in our branch libraries.$" out &&
	test_grep "Last line & \\\\<b\\\\>not bold\\\\</b\\\\>" out &&
	! grep "Not marked" out &&
	! grep "javascript:" out
'

test_expect_success 'an item sits under its first tag only' '
	test "$(grep -c "Library hotspots" out)" = 1
'

test_expect_success 'text format' '
	glean digest --format text >out &&
	test_grep "^Digest$" out && test_grep "^======$" out &&
	test_grep "^\* Open budgets & what councils publish$" out &&
	test_grep "^  https://notes.example/2026/11/budgets$" out &&
	test_grep "^  .a line that starts with a dot$" out
'

test_expect_success 'html: every value escaped, CSP, only http(s) links' '
	glean digest --format html --title "<i>T</i> & co" -o digest.html &&
	test_grep "Content-Security-Policy\" content=\"default-src .none.; img-src https:; style-src .unsafe-inline.\"" digest.html &&
	test_grep "<title>&lt;i&gt;T&lt;/i&gt; &amp; co</title>" digest.html &&
	test_grep "Last line &amp; &lt;b&gt;not bold&lt;/b&gt;" digest.html &&
	test_grep "Evil &amp; &quot;quoted&quot; title" digest.html &&
	! grep "javascript:" digest.html &&
	! grep -i "<script" digest.html &&
	tags=$(grep -o "<[a-zA-Z][a-zA-Z0-9]*" digest.html | sort -u | tr "\n" " ") &&
	test "$tags" = "<a <blockquote <body <br <em <h1 <h2 <head <html <li <meta <p <small <title <ul " &&
	xmllint --html --noout digest.html
'

test_expect_success 'html in headless Chromium: hostile notes stay text' '
	glean note 4 "<script>document.title=\"pwned\"</script><img src=x onerror=\"document.title=1\">" >/dev/null &&
	glean digest --format html --title "Weekly links" -o hostile.html &&
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--disable-background-networking --user-data-dir="$TRASH/chromium" \
		--dump-dom "file://$TRASH/hostile.html" >dom.html 2>chromium.err &&
	test_grep "<title>Weekly links</title>" dom.html &&
	test_grep "&lt;script&gt;document.title=\"pwned\"&lt;/script&gt;&lt;img src=x" dom.html &&
	! grep -i "<script" dom.html &&
	! grep -i "<img" dom.html &&
	test_grep "<h2>civic</h2>" dom.html &&
	test_grep "<a href=\"https://notes.example/2026/11/hotspots\">Library hotspots close the digital divide</a>" dom.html &&
	! grep "javascript:" dom.html
'

test_expect_success 'atom: valid by the RFC 4287 schema, an entry per item' '
	glean digest --format atom >feed.atom &&
	xmllint --noout --relaxng "$RNG" feed.atom 2>rng.err &&
	echo "feed.atom validates" >rng.want &&
	test_cmp rng.want rng.err &&
	test "$(grep -c "<entry>" feed.atom)" = 4 &&
	test_grep "<category term=\"digital inclusion\"/>" feed.atom &&
	! grep "javascript:" feed.atom
'

test_expect_success 'atom: global ids, kept from run to run; distinct updated' '
	test "$(grep -c "^<id>urn:uuid:[0-9a-f]\{8\}-[0-9a-f]\{4\}-4[0-9a-f]\{3\}-[89ab][0-9a-f]\{3\}-[0-9a-f]\{12\}</id>$" feed.atom)" = 1 &&
	feed_id=$(sed -n "s#^<id>\(urn:uuid:[^\#]*\)</id>\$#\1#p" feed.atom) &&
	test "$(store_sql "SELECT value FROM meta WHERE key = '"'"'digest.feed-id'"'"'")" = "${feed_id#urn:uuid:}" &&
	test_grep "^<id>https://notes.example/2026/11/hotspots</id>$" feed.atom &&
	test_grep "^<id>$feed_id#item-1-file:%2F%2F%2F.*n4</id>$" feed.atom &&
	! grep "urn:glean" feed.atom &&
	glean digest --format atom >again.atom &&
	test_cmp feed.atom again.atom &&
	sed "1,/<entry>/d" feed.atom | grep "<updated>" | sort | uniq -d >dups &&
	test_cmp /dev/null dups &&
	test_grep "^<updated>2026-11-23T10:00:00.00[1-4]Z</updated>$" feed.atom
'

test_expect_success 'the schema does catch a broken feed' '
	sed "/^<id>urn:uuid:[^#]*<\/id>$/d" feed.atom >bad.atom &&
	test "$(wc -l <bad.atom)" = $(($(wc -l <feed.atom) - 1)) &&
	! xmllint --noout --relaxng "$RNG" bad.atom 2>/dev/null
'

test_expect_success 'json feed 1.1: version, string ids, content, RFC 3339 dates' '
	glean digest --format json >feed.json &&
	jq -e ".version == \"https://jsonfeed.org/version/1.1\"" feed.json &&
	jq -e ".title | type == \"string\"" feed.json &&
	jq -e ".items | length == 4" feed.json &&
	jq -e "all(.items[]; (.id | type) == \"string\" and (.content_html | type) == \"string\")" feed.json &&
	jq -e "all(.items[]; .date_modified | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$\"))" feed.json &&
	jq -e "[.items[].date_modified] | unique | length == 4" feed.json &&
	jq -e "._glean.about | startswith(\"https://\")" feed.json &&
	jq -e "[.items[].id] == [\"https://notes.example/2026/11/hotspots\", \"https://notes.example/2026/11/budgets\", \"https://notes.example/2026/11/sensors\", \"$(sed -n "s#^<id>\(urn:uuid:.*n4\)</id>\$#\1#p" feed.atom)\"]" feed.json &&
	jq -e "has(\"feed_url\") or has(\"home_page_url\") | not" feed.json &&
	jq -e "[.items[] | select(.url)] | all(.url | startswith(\"https://\"))" feed.json &&
	jq -e ".items[0]._glean.notes[0].quote == \"hotspots you can borrow\"" feed.json
'

test_expect_success 'the window: --since, and nothing outside it' '
	GLEAN_NOW=$((GLEAN_NOW + 8 * 86400)) glean digest 2>err >out &&
	test_grep "nothing to share" err &&
	GLEAN_NOW=$((GLEAN_NOW + 8 * 86400)) glean digest --since 9d >out &&
	test_grep "Library hotspots" out
'

test_expect_success 'a query selects other items instead' '
	glean digest tag:health >out &&
	test_grep "Ageing well at home" out &&
	! grep "Library hotspots" out &&
	glean digest title:"Not marked" >out &&
	test_grep "Not marked" out &&
	test_status 2 glean digest "bogus:x" 2>err
'

test_expect_success '--last-share TARGET: only what was marked after the last share' '
	cat >"$GLEAN_HOME/config" <<-EOC &&
	[target "site"]
	kind = file
	path = $TRASH/site.md
	EOC
	glean share site >/dev/null &&
	GLEAN_NOW=$((GLEAN_NOW + 60)) glean digest --last-share site 2>err >out &&
	test_grep "nothing to share" err &&
	GLEAN_NOW=$((GLEAN_NOW + 120)) glean mark 5 >/dev/null &&
	GLEAN_NOW=$((GLEAN_NOW + 180)) glean digest --last-share site >out &&
	test_grep "Not marked" out && ! grep "Library hotspots" out &&
	test_status 1 glean digest --last-share nope 2>err &&
	test_grep "no target .nope." err
'

test_expect_success '--edit takes the introduction from $EDITOR' '
	cat >ed.sh <<-\EOS &&
	#!/bin/sh
	printf "Written in the editor.\n" >"$1"
	EOS
	chmod +x ed.sh &&
	EDITOR="$TRASH/ed.sh" glean digest --since 30d --edit >out &&
	test_grep "^Written in the editor.$" out
'

test_expect_success 'usage errors' '
	test_status 2 glean digest --format pdf 2>err &&
	test_grep "unknown format .pdf." err &&
	test_status 2 glean digest --since 7d --last-share x 2>err
'

test_expect_success 'grouping uses the tags an item has from its source' '
	glean tag-source 1 +weekly >/dev/null &&
	glean digest --since 30d >out &&
	glean tag-source 1 -weekly >/dev/null &&
	test "$(grep -n "^## " out | cut -d: -f2 | tr "\n" " ")" = "## civic ## health ## weekly " &&
	! grep "^## Other$" out
'

test_expect_success 'a target with a public url: tag URI, self link, JSON Feed urls' '
	cat >"$GLEAN_HOME/config" <<-EOC &&
	[target "pub"]
	kind = file
	format = atom
	path = $TRASH/pub.atom
	url = https://Me@Example.ORG:8443/feeds/week.atom?x=1#top
	EOC
	glean digest --since 30d --format atom >pub.atom &&
	xmllint --noout --relaxng "$RNG" pub.atom 2>rng.err &&
	echo "pub.atom validates" >rng.want &&
	test_cmp rng.want rng.err &&
	test_grep "^<id>tag:example.org,2026-11-23:/feeds/week.atom?x=1</id>$" pub.atom &&
	test_grep "^<link rel=\"self\" href=\"https://Me@Example.ORG:8443/feeds/week.atom?x=1#top\"/>$" pub.atom &&
	test_grep "^<id>tag:example.org,2026-11-23:/feeds/week.atom?x=1#item-1-file:%2F%2F%2F.*n4</id>$" pub.atom &&
	glean digest --since 30d --format json >pub.json &&
	jq -e ".feed_url == \"https://Me@Example.ORG:8443/feeds/week.atom?x=1#top\"" pub.json &&
	jq -e ".home_page_url == \"https://Me@Example.ORG:8443/\"" pub.json &&
	jq -e "._glean.id == \"tag:example.org,2026-11-23:/feeds/week.atom?x=1\"" pub.json
'

test_expect_success 'the tag date is the day the store first used the url' '
	GLEAN_NOW=$((GLEAN_NOW + 40 * 86400)) glean digest --since 60d --format atom >later.atom &&
	test_grep "^<id>tag:example.org,2026-11-23:/feeds/week.atom?x=1</id>$" later.atom
'

test_expect_success 'a share to the file target keeps the id; two targets, two ids' '
	glean share pub >/dev/null &&
	test_grep "^<id>tag:example.org,2026-11-23:/feeds/week.atom?x=1</id>$" pub.atom &&
	xmllint --noout --relaxng "$RNG" pub.atom &&
	cat >>"$GLEAN_HOME/config" <<-EOC &&
	[target "a"]
	kind = file
	path = $TRASH/a.json
	format = json
	[target "b"]
	kind = file
	path = $TRASH/b.json
	format = json
	EOC
	glean digest --last-share a --format json >a.json &&
	glean digest --last-share b --format json >b.json &&
	a=$(jq -r "._glean.id" a.json) && b=$(jq -r "._glean.id" b.json) &&
	case "$a" in urn:uuid:*) ;; *) false ;; esac &&
	test "$a" != "$b" &&
	test "$(glean digest --last-share a --format json | jq -r "._glean.id")" = "$a"
'

test_done
