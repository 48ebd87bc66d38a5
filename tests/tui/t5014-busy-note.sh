#!/bin/sh
# A note typed while the store cannot be written is never read as keys
# and never lost: 'a' opens its prompt first, a refused save says so and
# keeps the text, and the next 'a' offers it again.
. "$(dirname "$0")/setup.sh"

top="SELECT id FROM item ORDER BY date DESC LIMIT 1"

test_expect_success 'setup' '
	tui_demo_store &&
	tui_start 140 30 &&
	tui_wait "Research Roundup +2"
'

test_expect_success 'another process holds the writer lock' '
	flock -x "$GLEAN_HOME/glean.db.lock" sh -c "touch \"$TRASH/held\"; while [ -d \"$TRASH\" ] && [ ! -f \"$TRASH/release\" ]; do sleep 0.05; done" &
	n=200 && while [ ! -f "$TRASH/held" ] && [ $n -gt 0 ]; do sleep 0.05; n=$((n - 1)); done &&
	test -f "$TRASH/held"
'

test_expect_success 'a opens its prompt; what is typed is the note, not keys' '
	tui_keys a &&
	tui_wait "^note:" &&
	tui_type "quit? j k q Q and o" && tui_keys Enter &&
	tui_wait "the note is kept: press a to try again" &&
	tui_screen >screen &&
	! grep "exit" screen &&
	test "$(store_sql "SELECT count(*) FROM note")" = 0
'

test_expect_success 'once the store is free, a offers the kept note again' '
	touch "$TRASH/release" &&
	n=200 && while flock -n -x "$GLEAN_HOME/glean.db.lock" true; [ $? -ne 0 ] && [ $n -gt 0 ]; do sleep 0.05; n=$((n - 1)); done &&
	tui_keys a &&
	tui_wait "^note: quit\? j k q Q and o$" &&
	tui_keys Enter &&
	tui_wait "saved: note" &&
	test "$(store_sql "SELECT body FROM note WHERE item_id = ($top)")" = "quit? j k q Q and o"
'

test_expect_success 'a quote refused the same way keeps its note for the next a' '
	flock -x "$GLEAN_HOME/glean.db.lock" sh -c "touch \"$TRASH/held2\"; while [ -d \"$TRASH\" ] && [ ! -f \"$TRASH/release2\" ]; do sleep 0.05; done" &
	n=200 && while [ ! -f "$TRASH/held2" ] && [ $n -gt 0 ]; do sleep 0.05; n=$((n - 1)); done &&
	tui_keys h &&
	tui_wait "quote: j/k move" &&
	tui_keys Enter &&
	tui_wait "^note on the quote" &&
	tui_type "kept words" && tui_keys Enter &&
	tui_wait "your note is kept for the next a" &&
	touch "$TRASH/release2" &&
	tui_keys a &&
	tui_wait "^note: kept words$" &&
	tui_keys Escape &&
	tui_wait_not "^note:"
'

test_done
