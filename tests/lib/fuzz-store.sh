# Sourced by the key fuzzer's scripts (tests/tui/t5099-keyfuzz.sh,
# tests/fuzz-ui) after lib.sh and httpd.sh: a store with every kind of
# item the reader must draw, its sources served by tests/lib/httpd.py on
# 127.0.0.1 so 'r' and 'R' in the reader really fetch (some slowly, some
# with new items each time, some failing).
#
#   fuzz_store SITE     SITE is the directory httpd serves; needs
#                       HTTPD_URL and a GLEAN_HOME (lib.sh)
#
# Items: an empty body, a 1.2 MB body, CJK, Arabic and Hebrew with bidi
# controls, enclosures (podcast, PDF, image, JSON attachments), no date,
# a bad date, the year 9999, entities and HTML in titles, control
# characters and escapes, no title; 30 more sources over 8 tags; notes,
# quotes, item tags, stars, marks and read items.

fuzz_feed() { # FILE TITLE PREFIX N [DAY]: an RSS feed of N items
	{
		echo '<?xml version="1.0"?><rss version="2.0"><channel>'
		echo "<title>$2</title><link>https://$3.example/</link>"
		i=1
		while [ "$i" -le "$4" ]; do
			echo "<item><title>$2 post $i</title><guid>$3-$i</guid>"
			echo "<link>https://$3.example/$i</link>"
			echo "<pubDate>Sun, $(printf %02d $((${5:-1} + i % 20))) Nov 2026 10:00:00 GMT</pubDate>"
			echo "<description>&lt;p&gt;Text $i of $2, with a passage to quote.&lt;/p&gt;</description></item>"
			i=$((i + 1))
		done
		echo '</channel></rss>'
	} >"$1"
}

fuzz_huge() { # FILE: one item with a body over 1 MB, one with a long CJK body
	{
		echo '<?xml version="1.0"?><rss version="2.0"><channel>'
		echo '<title>Huge bodies</title><link>https://huge.example/</link>'
		echo '<item><title>A 1.2 MB body</title><guid>huge-1</guid>'
		echo '<link>https://huge.example/1</link>'
		echo '<pubDate>Mon, 09 Nov 2026 10:00:00 GMT</pubDate><description>'
		awk 'BEGIN { for (i = 0; i < 6000; i++) printf "&lt;p&gt;Paragraph %d of a body that is far too long to read in one sitting, with a &lt;a href=\"https://huge.example/p%d\"&gt;link&lt;/a&gt; and some words after it to fill the line.&lt;/p&gt;\n", i, i }'
		echo '</description></item>'
		echo '<item><title>長い本文</title><guid>huge-2</guid>'
		echo '<link>https://huge.example/2</link>'
		echo '<pubDate>Mon, 09 Nov 2026 11:00:00 GMT</pubDate><description>'
		awk 'BEGIN { for (i = 0; i < 3000; i++) printf "日本語の段落%dです。中文的段落。한국어 단락。مرحبا %d שלום\n", i, i }'
		echo '</description></item>'
		echo '</channel></rss>'
	} >"$1"
}

fuzz_store() {
	site=$1
	cp "$TEST_ROOT"/tests/data/fuzz/* "$site"/ || return 1
	fuzz_huge "$site/huge.xml"
	printf '[general]\ntimeout = 5s\n' >"$GLEAN_HOME/config"
	glean add "$HTTPD_URL/kinds-rss.xml" --tag kinds --tag 'with space' \
		>/dev/null || return 1
	glean add "$HTTPD_URL/kinds.json" --tag kinds --tag 日本 >/dev/null ||
		return 1
	glean add "$HTTPD_URL/huge.xml" --tag huge >/dev/null || return 1
	tags="civic health research tech 日本 عربي long-tag-name-that-goes-on x"
	n=1
	while [ "$n" -le 30 ]; do
		fuzz_feed "$site/src-$n.xml" "Source $n" "s$n" $((n % 7 + 1)) "$n"
		t=$(echo "$tags" | cut -d' ' -f$((n % 8 + 1)))
		glean add "$HTTPD_URL/src-$n.xml" --tag "$t" >/dev/null || return 1
		n=$((n + 1))
	done
	glean fetch >/dev/null || return 1

	id() {
		store_sql "SELECT id FROM item WHERE guid = '$1' OR guid LIKE '%/$1'"
	}
	glean note "$(id k-entity)" 'A note on entities' >/dev/null &&
	glean note "$(id k-entity)" --quote 'real bold' 'Quoted bold' >/dev/null &&
	glean note "$(id k-cjk)" '日本語のメモ：とても長いメモ' >/dev/null &&
	glean note "$(id k-ar)" 'ملاحظة بالعربية' >/dev/null &&
	glean note "$(id huge-1)" --quote 'Paragraph 17' 'deep in the body' \
		>/dev/null &&
	glean tag "$(id k-pod)" +podcast +'two words' +日本語 >/dev/null &&
	glean star "$(id k-cjk)" "$(id k-9999)" "$(id s3-1)" >/dev/null &&
	glean mark "$(id k-entity)" "$(id k-pdf)" "$(id s5-2)" >/dev/null &&
	glean read "$(id s1-1)" "$(id s2-1)" "$(id k-empty)" >/dev/null ||
		return 1

	# After the first fetch: slow sources, sources with a new item on
	# each fetch (so fetches end with news mid-sequence), failing ones.
	for n in 2 4 6 8; do
		fuzz_feed "$site/src-$n-more.xml" "Source $n" "s$n" 12 "$n"
		echo "{\"delay_ms\": $((n * 400)), \"file\": \"src-$n-more.xml\"}" \
			>"$site/src-$n.xml.meta.json"
	done
	for n in 10 11; do
		echo '{"status": 500, "body": "down\n"}' \
			>"$site/src-$n.xml.meta.json"
	done
	echo '{"delay_ms": 7000}' >"$site/src-12.xml.meta.json"
	resp=
	k=1
	while [ "$k" -le 20 ]; do
		fuzz_feed "$site/src-13-v$k.xml" "Source 13" "s13" $((k + 5)) 1
		resp="$resp${resp:+,}{\"file\": \"src-13-v$k.xml\", \"delay_ms\": 300}"
		k=$((k + 1))
	done
	echo "{\"responses\": [$resp]}" >"$site/src-13.xml.meta.json"
}
