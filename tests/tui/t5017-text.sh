#!/bin/sh
# Text is text in the reader (issue 16): the item list and the item
# pane show a plain-text title as written ('<' and '&' included) and an
# HTML title rendered, the same strings 'glean items' prints.
. "$(dirname "$0")/setup.sh"
DATA="$TEST_ROOT/tests/data/text"

# a literal string as an extended regex
lit() {
	printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'
}

test_expect_success 'setup' '
	for f in titles-rss.xml titles-atom.xml titles.json; do
		glean add "file://$DATA/$f" >/dev/null || return 1
	done &&
	glean fetch >/dev/null &&
	glean items --json | jq -r ".[].title" >titles &&
	test "$(wc -l <titles)" = 14 &&
	tui_start 150 40 &&
	tui_wait "JSON the <blink> tag"
'

test_expect_success 'the list shows every title as glean items does' '
	while IFS= read -r t; do
		tui_wait "$(lit "$t")" 40 || return 1
	done <titles
'

test_expect_success 'the item pane heads the item with the same title' '
	t=$(sed -n 1p titles) &&
	tui_keys Enter &&
	tui_wait "Source: $(lit "JSON: Ünïcödé & <tags>")" &&
	tui_wait "│ $(lit "$t") *$"
'

test_expect_success 'and so does an HTML title, rendered' '
	tui_keys q && tui_wait_not "Source: " &&
	tui_keys j j j j && tui_keys Enter &&
	tui_wait "Source: $(lit "Atom: Ünïcödé & <tags>")" &&
	tui_wait "│ Atom html bold & <3 *$"
'

test_done
