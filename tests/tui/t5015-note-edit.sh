#!/bin/sh
# Notes are editable in the reader: e edits the note of the open item
# (prefilled), x removes it after a y/n, u puts back exactly what was
# there (same id, dates and body). With several notes j/k pick one. An
# empty edit saves nothing, as 'glean note --edit' refuses it. Checked
# on the screen and in the store.
. "$(dirname "$0")/setup.sh"

top="SELECT id FROM item ORDER BY date DESC LIMIT 1"
note_row() { store_sql "SELECT id || '|' || created || '|' || updated || '|' || body FROM note WHERE id = $1"; }

test_expect_success 'setup: the top item has one note' '
	tui_demo_store &&
	glean note "$(store_sql "$top")" "First thought" >out &&
	n1=$(store_sql "SELECT max(id) FROM note") &&
	echo "$n1" >n1 &&
	store_sql "UPDATE note SET created = 1000, updated = 2000 WHERE id = $n1" &&
	tui_start 140 30 &&
	tui_wait "Research Roundup +2" &&
	tui_keys Enter &&
	tui_wait "@ First thought"
'

test_expect_success 'e opens the prompt with the note; enter saves the new text' '
	n1=$(cat n1) &&
	tui_keys e &&
	tui_wait "^edit note $n1: First thought$" &&
	tui_keys C-u && tui_type "Second thought" && tui_keys Enter &&
	tui_wait "changed note $n1" &&
	tui_wait "@ Second thought" &&
	tui_wait_not "@ First thought" &&
	test "$(store_sql "SELECT body FROM note WHERE id = $n1")" = "Second thought" &&
	test "$(store_sql "SELECT count(*) FROM note")" = 1 &&
	glean search "Second thought" --json | jq -e "length == 1"
'

test_expect_success 'u puts the old body back, with its dates' '
	n1=$(cat n1) &&
	tui_keys u &&
	tui_wait "undone" &&
	tui_wait "@ First thought" &&
	test "$(note_row $n1)" = "$n1|1000|2000|First thought" &&
	glean search "Second thought" --json | jq -e "length == 0"
'

test_expect_success 'an empty edit saves nothing and says how to remove; esc keeps it' '
	n1=$(cat n1) &&
	tui_keys e &&
	tui_wait "^edit note $n1: First thought$" &&
	tui_keys C-u && tui_type "   " && tui_keys Enter &&
	tui_wait "empty note not saved; x removes it" &&
	tui_keys e &&
	tui_wait "^edit note $n1: " &&
	tui_type " more" && tui_keys Escape &&
	tui_wait "note $n1 not changed" &&
	tui_keys e && tui_wait "^edit note $n1: " && tui_keys Enter &&
	tui_wait "note $n1 unchanged" &&
	test "$(note_row $n1)" = "$n1|1000|2000|First thought"
'

test_expect_success 'x asks first; n keeps the note, y removes it' '
	n1=$(cat n1) &&
	tui_keys x &&
	tui_wait "remove note $n1 \"First thought\"\? \(y/n\)" &&
	tui_keys n &&
	tui_wait "note $n1 kept" &&
	test "$(store_sql "SELECT count(*) FROM note")" = 1 &&
	tui_keys x &&
	tui_wait "remove note $n1 " &&
	tui_keys y &&
	tui_wait "removed note $n1" &&
	tui_wait_not "@ First thought" &&
	test "$(store_sql "SELECT count(*) FROM note")" = 0
'

test_expect_success 'u brings the removed note back with the same id and dates' '
	n1=$(cat n1) &&
	tui_keys u &&
	tui_wait "undone" &&
	tui_wait "@ First thought" &&
	test "$(note_row $n1)" = "$n1|1000|2000|First thought" &&
	glean search "First thought" --json | jq -e "length == 1" &&
	tui_keys u &&
	tui_wait "nothing to undo"
'

test_expect_success 'with several notes j/k pick which one; esc cancels' '
	n1=$(cat n1) &&
	glean note "$(store_sql "$top")" "Another angle" >out &&
	n2=$(store_sql "SELECT max(id) FROM note") &&
	tui_wait "@ Another angle" &&
	tui_keys e &&
	tui_wait "edit which note: j/k move, enter takes it, esc cancels" &&
	tui_keys j Enter &&
	tui_wait "^edit note $n2: Another angle$" &&
	tui_type " too" && tui_keys Enter &&
	tui_wait "changed note $n2" &&
	test "$(store_sql "SELECT body FROM note WHERE id = $n2")" = "Another angle too" &&
	tui_keys x &&
	tui_wait "remove which note" &&
	tui_keys j k Enter &&
	tui_wait "remove note $n1 \"First thought\"" &&
	tui_keys y &&
	tui_wait "removed note $n1" &&
	test "$(store_sql "SELECT group_concat(id) FROM note")" = "$n2" &&
	tui_keys e &&
	tui_wait "^edit note $n2: " && tui_keys Escape &&
	tui_keys u && tui_wait "undone" &&
	test "$(store_sql "SELECT count(*) FROM note")" = 2 &&
	tui_keys x && tui_wait "remove which note" &&
	tui_keys Escape && tui_wait "cancelled" &&
	tui_keys j &&
	test "$(store_sql "SELECT count(*) FROM note")" = 2
'

test_expect_success 'an item without notes says how to add one' '
	tui_keys q j Enter &&
	tui_wait "Source: " &&
	tui_keys e &&
	tui_wait "this item has no notes; a adds one" &&
	tui_keys x &&
	tui_wait "this item has no notes; a adds one"
'

test_expect_success 'a quote may lose its words: the passage stays' '
	id=$(store_sql "SELECT id FROM item ORDER BY date DESC LIMIT 1 OFFSET 1") &&
	glean note $id --quote "a passage" "my words" >out 2>err &&
	n3=$(store_sql "SELECT max(id) FROM note") &&
	tui_wait "@ my words" &&
	tui_keys e &&
	tui_wait "^edit note $n3: my words$" &&
	tui_keys C-u Enter &&
	tui_wait "changed note $n3" &&
	tui_wait_not "@ my words" &&
	tui_wait "> a passage" &&
	test "$(store_sql "SELECT quote || \"|\" || body FROM note WHERE id = $n3")" = "a passage|" &&
	tui_keys u && tui_wait "@ my words" &&
	test "$(store_sql "SELECT quote || \"|\" || body FROM note WHERE id = $n3")" = "a passage|my words"
'

test_expect_success 'while another glean writes, e still opens its prompt first' '
	n3=$(store_sql "SELECT max(id) FROM note") &&
	{ flock -x "$GLEAN_HOME/glean.db.lock" sh -c "touch \"$TRASH/held\"; while [ -d \"$TRASH\" ] && [ ! -f \"$TRASH/release\" ]; do sleep 0.05; done" & } &&
	n=200 && while [ ! -f "$TRASH/held" ] && [ $n -gt 0 ]; do sleep 0.05; n=$((n - 1)); done &&
	tui_keys e &&
	tui_wait "^edit note $n3: my words$" &&
	tui_keys C-u && tui_type "q Q j x y" && tui_keys Enter &&
	tui_wait "changed note $n3|your text: q Q j x y$" &&
	touch "$TRASH/release" &&
	tui_screen >screen &&
	! grep "exit" screen &&
	test "$(store_sql "SELECT count(*) FROM note WHERE id = $n3")" = 1
'

test_expect_success '? lists the new actions with their keys' '
	tui_keys "?" &&
	tui_wait "e +edit-note" &&
	tui_keys G &&
	tui_wait "x +remove-note +remove a note" &&
	tui_keys q Q && tui_wait "\[exit 0\]"
'

test_done
