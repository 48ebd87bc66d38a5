#!/bin/sh
# A filter or search whose /regex/ hits a PCRE2 limit in the reader: the
# items it could not match count as no match, and the status line says
# so with the pattern (SECURITY.md), as 'glean items' does on stderr; a
# filter within the limits says nothing.
. "$(dirname "$0")/setup.sh"

a=$(head -c 30000 /dev/zero | tr '\0' a)
{
	echo '<rss version="2.0"><channel><title>A</title>'
	for i in 1 2 3 4 5 6; do
		echo "<item><title>long $i</title><guid>a$i</guid><description>${a}b</description></item>"
	done
	echo '<item><title>short one</title><guid>s</guid><description>aaab</description></item>'
	echo '</channel></rss>'
} >"$TRASH/a.xml"

test_expect_success 'setup' '
	glean add "file://$TRASH/a.xml" >/dev/null &&
	glean fetch >/dev/null 2>&1 &&
	tui_start 140 30 &&
	tui_wait "glean \| All \(7\)"
'

test_expect_success 'a filter hitting the match limit says so on the status line' '
	tui_keys F && tui_wait "^filter:" &&
	tui_type "text:/(a|aa)*\$/" && tui_keys Enter &&
	tui_wait "/\(a\|aa\)\*\\$/ hit the regex match limit on 6 items; they count as no match" &&
	tui_wait "glean \| All \(1\)" &&
	tui_screen >screen &&
	test_grep "short one" screen &&
	! grep -q "long [1-6]" screen
'

test_expect_success 'a filter within the limits says nothing of it' '
	tui_keys F C-u && tui_type "text:/b\$/" && tui_keys Enter &&
	tui_wait "glean \| All \(7\)" &&
	tui_screen >screen &&
	! grep -q "match limit" screen &&
	tui_keys Q && tui_wait "\[exit 0\]"
'

test_done
