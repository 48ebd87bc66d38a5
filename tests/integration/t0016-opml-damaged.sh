#!/bin/sh
# OPML as reader apps export it (issue 16): files that are not
# well-formed XML, one kind of damage each in tests/data/opml-damaged,
# import every outline whose xmlUrl can be recovered, keep folders as
# tags and titles as written, and report each outline that cannot be
# imported with its line.
. "$(dirname "$0")/../lib/lib.sh"

data=$TEST_ROOT/tests/data/opml-damaged

# imp FILE: import into a store of its own, sources as "url|title|tags"
imp() {
	glean --db "$TRASH/$1.db" import "$data/$1" >out 2>err &&
	glean --db "$TRASH/$1.db" sources --json |
		jq -r '.[] | "\(.url)|\(.title)|\(.tags | join(","))"' | sort >got
}

test_expect_success 'a bare & and HTML entities in attributes' '
	imp ampersand.opml &&
	test_grep "not well-formed" err &&
	test_grep "imported 5 sources" out &&
	cat >want <<-\EOF &&
	https://att.example/blog/feed|AT&T Tech Blog|
	https://cafe.example/rss|Café Society|News & Politics
	https://qa.example/feed?a=1&b=2|Q&A Weekly|News & Politics
	https://rd.example/atom.xml|R&D – Notes weekly|
	https://salt.example/feed.xml|Salt & Pepper|
	EOF
	test_cmp want got
'

test_expect_success 'raw <br>, < and > inside attribute values' '
	imp br-in-attributes.opml &&
	test_grep "imported 3 sources" out &&
	cat >want <<-\EOF &&
	https://compilers.example/rss|Compilers > Interpreters|Tech
	https://garden.example/feed.rss|Gardening<br>Weekly|
	https://kernel.example/feed|Kernel Notes|Tech
	EOF
	test_cmp want got
'

test_expect_success 'quotes inside attribute values' '
	imp quotes-in-attributes.opml &&
	test_grep "imported 5 sources" out &&
	cat >want <<-\EOF &&
	https://best.example/feed|The "Best" Blog|
	https://bob.example/rss|Bob'"'"'s Kitchen|
	https://endquote.example/feed|Ends with a quote""|
	https://tips.example/atom.xml|Tips "n" tricks|
	https://unclosed.example/feed|Unclosed title xmlUrl="https://unclosed.example/feed|
	EOF
	test_cmp want got
'

test_expect_success 'unquoted, repeated, upper-case and unspaced attributes' '
	imp unquoted-and-repeated.opml &&
	test_grep "imported 4 sources" out &&
	cat >want <<-\EOF &&
	https://chem.example/rss|Chemistry|Science
	https://nospace.example/feed|No space|
	https://physics.example/feed.xml|Physics Today|Science
	https://shout.example/feed|Shouting|
	EOF
	test_cmp want got
'

test_expect_success 'windows-1252 bytes with no declared encoding' '
	imp latin1-undeclared.opml &&
	test_grep "imported 3 sources" out &&
	cat >want <<-\EOF &&
	https://cafe-ville.example/rss|Le Café & la Ville|Actualités
	https://eco.example/feed|Économie – l’année|Actualités
	https://ueber.example/feed|Über uns|
	EOF
	test_cmp want got
'

test_expect_success 'junk before the declaration, comments, unclosed outlines' '
	imp junk-and-unclosed.opml &&
	test_grep "imported 3 sources" out &&
	! grep -q comment.example got &&
	cat >want <<-\EOF &&
	https://first.example/feed|First|Blogs
	https://second.example/feed|Second|Blogs
	https://top.example/feed|Top level|
	EOF
	test_cmp want got
'

test_expect_success 'outlines that cannot be imported are reported by line' '
	imp unreadable-outlines.opml &&
	test_grep "imported 2 sources, 4 skipped" out &&
	test_grep "unreadable-outlines.opml:7: outline whose xmlUrl cannot be read" err &&
	test_grep "unreadable-outlines.opml:8: outline whose xmlUrl cannot be read" err &&
	test_grep "unreadable-outlines.opml:10: .file:///etc/passwd. is not an http(s) URL" err &&
	test_grep "unreadable-outlines.opml:12: the file ends inside this outline" err &&
	cat >want <<-\EOF &&
	https://good.example/feed|Good one|Folder & Co
	https://good2.example/rss|Another good one|
	EOF
	test_cmp want got
'

test_expect_success 'a damaged file that is not OPML at all says so' '
	printf "<html><body>a & b<p>not opml\n" >page.html &&
	test_status 1 glean --db "$TRASH/n.db" import page.html 2>err &&
	test_grep "not an OPML file" err
'

test_done
