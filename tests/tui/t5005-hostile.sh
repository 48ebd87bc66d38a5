#!/bin/sh
# Nothing from a feed reaches the terminal as a control: titles, authors,
# content and links with escape sequences (OSC title, clear screen,
# cursor moves, colours), C1 controls and bidi overrides are drawn inert,
# and the layout around them stays where it was.
. "$(dirname "$0")/setup.sh"

cat >"$TRASH/evil.json" <<'EOF_FEED'
{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Evil\u001b]0;pwned-title\u0007 Source",
  "items": [
    {
      "id": "evil-1",
      "url": "https://evil.example/a\u001b[2J",
      "title": "Hostile\u001b]0;pwned-title\u0007 \u001b[2J\u001b[H\u001b[31mred\u001b[0m \u202eevil\u202c \u009b31m title \u001b[10;10Hend",
      "authors": [{ "name": "Mallory\u001b[5m\u2067" }],
      "content_html": "<p>Body \u001b[2J\u001b[1;1Hmoved \u202eRTL\u202c and \u001b]52;c;cGF5bG9hZA==\u0007clip</p>",
      "date_published": "2026-11-22T10:00:00Z"
    }
  ]
}
EOF_FEED

test_expect_success 'setup' '
	tui_demo_store &&
	glean add "file://$TRASH/evil.json" >/dev/null &&
	glean fetch >/dev/null &&
	tmx_title_before=x &&
	tui_start 140 30 &&
	tui_wait "Hostile"
'

test_expect_success 'the hostile title is drawn as plain text in its row' '
	tui_screen >screen &&
	test_grep "glean | All (8)" screen &&
	test_grep -F "│N    2026-11-22 Evil]0;pwned-… Hostile]0;pwned-title [2J[" screen &&
	test_grep -E "^   Evil\]0;pwned-title.* 1 │" screen &&
	! grep "$(printf "\342\200\256")" screen &&
	tui_screen_esc >esc &&
	test_grep -F "Hostile]0;pwned-title [2J[H[31mred[0m evil 31m title [10;10Hend" esc &&
	python3 "$TEST_ROOT/tests/tui/colcheck.py" <screen
'

test_expect_success 'the screen was not cleared, moved or retitled' '
	tui_screen >screen &&
	test_grep -E "^ All +8" screen &&
	test_grep "Vaccination" screen &&
	test "$(tmx display -p -t t "#{pane_title}")" != "pwned-title" &&
	tui_screen_esc >esc &&
	test_grep -F "Evil]0;pwned-" esc
'

test_expect_success 'the item view shows the content inert too' '
	tui_keys Enter &&
	tui_wait "Author: Mallory\[5m" &&
	tui_wait "Body \[2J\[1;1Hmoved RTL and" &&
	tui_wait "\]52;c;cGF5bG9hZA==clip" &&
	tui_screen >screen &&
	test_grep -E "^ All +8" screen &&
	tui_screen_esc >esc &&
	test_grep -F "Author: Mallory[5m" esc &&
	test_grep -F "Body [2J[1;1Hmoved RTL and" esc &&
	! grep "$(printf "\033")\[[0-9;]*5m" esc &&
	python3 "$TEST_ROOT/tests/tui/colcheck.py" <screen
'

# Since issue 15 a link's controls are percent-encoded when it is stored,
# so what the reader shows and would open is inert.
test_expect_success 'a link with control characters is stored percent-encoded' '
	tui_wait "Link: https://evil.example/a%1B\[2J" &&
	test "$(store_sql "SELECT url FROM item WHERE guid = '\''evil-1'\''")" = "https://evil.example/a%1B[2J" &&
	tui_keys Q && tui_wait "\[exit 0\]"
'

test_done
