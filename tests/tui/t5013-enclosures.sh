#!/bin/sh
# Enclosures in the item pane: listed with type and size, numbered with
# the links, and opened by 'o' and their number.
. "$(dirname "$0")/setup.sh"

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
</channel></rss>
EOF2
# a browser that writes down what it was asked to open
cat >"$TRASH/browser.sh" <<EOS
#!/bin/sh
printf '%s\n' "\$@" >"$TRASH/opened"
EOS
chmod +x "$TRASH/browser.sh"
export BROWSER="$TRASH/browser.sh"

test_expect_success 'setup' '
	glean add "file://$TRASH/pod.xml" >/dev/null &&
	glean fetch >/dev/null &&
	tui_start 120 30 &&
	tui_wait "Episode one"
'

test_expect_success 'the item pane lists the enclosure after the links' '
	tui_keys Enter &&
	tui_wait "\[1\]: https://pod.example/notes" &&
	tui_wait "│ \[2\]: https://pod.example/ep1.mp3 *$" &&
	tui_wait "│     \(enclosure, audio/mpeg, 11.8 MB\) *$"
'

test_expect_success 'o and its number open the enclosure' '
	tui_keys o &&
	tui_wait "open link or enclosure \(1-2" &&
	tui_type "2" && tui_keys Enter &&
	tui_wait "opened https://pod.example/ep1.mp3" &&
	test "$(cat "$TRASH/opened")" = "https://pod.example/ep1.mp3"
'

test_expect_success 'o and 3 says which numbers there are' '
	tui_keys o && tui_wait "open link or enclosure" &&
	tui_type "3" && tui_keys Enter &&
	tui_wait "no link .3.; give a number from 1 to 2"
'

test_done
