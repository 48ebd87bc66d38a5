#!/bin/sh
# Enclosures (podcasts, PDFs, images) are listed by glean show with the
# item's links: numbered after them, with type and size.
. "$(dirname "$0")/../lib/lib.sh"

cat >"$TRASH/pod.xml" <<'EOF2'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Pod</title><link>https://pod.example/</link>
<item>
  <title>Episode one</title>
  <guid>ep1</guid>
  <link>https://pod.example/ep1</link>
  <pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>
  <description>&lt;p&gt;Show &lt;a href="https://pod.example/notes"&gt;notes&lt;/a&gt;.&lt;/p&gt;</description>
  <enclosure url="https://pod.example/ep1.mp3" length="12345678" type="audio/mpeg"/>
</item>
<item>
  <title>Slides only</title>
  <guid>ep2</guid>
  <pubDate>Sun, 01 Nov 2026 10:00:00 GMT</pubDate>
  <enclosure url="https://pod.example/slides.pdf" type="application/pdf"/>
</item>
</channel></rss>
EOF2

test_expect_success 'setup' '
	glean add "file://$TRASH/pod.xml" >/dev/null &&
	glean fetch >/dev/null &&
	glean items --json >items.json &&
	jq -e "length == 2" items.json
'

test_expect_success 'show numbers an enclosure after the links, with type and size' '
	id=$(jq -r ".[] | select(.title == \"Episode one\") | .id" items.json) &&
	glean show "$id" >out &&
	test_grep "^\[1\]: https://pod.example/notes$" out &&
	test_grep "^\[2\]: https://pod.example/ep1.mp3 (enclosure, audio/mpeg, 11.8 MB)$" out
'

test_expect_success 'an item with no text still lists its enclosure' '
	id=$(jq -r ".[] | select(.title == \"Slides only\") | .id" items.json) &&
	glean show "$id" >out &&
	test_grep "^\[1\]: https://pod.example/slides.pdf (enclosure, application/pdf)$" out
'

test_done
