#!/bin/sh
# A note typed while the store cannot be written is never read as keys
# and never lost: 'a' opens its prompt first, a refused save says so and
# keeps the text, and the next 'a' offers it again. Another glean (even a
# fetch) no longer refuses a save; another program holding SQLite's write
# lock past the busy timeout (5 s) still can, so one stands in here.
. "$(dirname "$0")/setup.sh"

# hold_store TAG: sqlite3 holds the store's write lock until $TRASH/TAG.release
hold_store() {
	{ printf "BEGIN IMMEDIATE;\nDELETE FROM meta WHERE 0;\n.system touch '%s'\n" "$TRASH/$1.held"
	  while [ -d "$TRASH" ] && [ ! -f "$TRASH/$1.release" ]; do sleep 0.05; done
	  printf "COMMIT;\n.system touch '%s'\n" "$TRASH/$1.done"; } |
		sqlite3 -batch "$GLEAN_HOME/glean.db" >/dev/null 2>&1 &
	n=200 && while [ ! -f "$TRASH/$1.held" ] && [ $n -gt 0 ]; do sleep 0.05; n=$((n - 1)); done &&
	test -f "$TRASH/$1.held"
}

release_store() {
	touch "$TRASH/$1.release" &&
	n=200 && while [ ! -f "$TRASH/$1.done" ] && [ $n -gt 0 ]; do sleep 0.05; n=$((n - 1)); done &&
	test -f "$TRASH/$1.done"
}

top="SELECT id FROM item ORDER BY date DESC LIMIT 1"

test_expect_success 'setup' '
	tui_demo_store &&
	tui_start 250 30 &&
	tui_wait "Research Roundup +2"
'

test_expect_success 'another program holds the store'"'"'s write lock' '
	hold_store one
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
	release_store one &&
	tui_keys a &&
	tui_wait "^note: quit\? j k q Q and o$" &&
	tui_keys Enter &&
	tui_wait "saved: note" &&
	test "$(store_sql "SELECT body FROM note WHERE item_id = ($top)")" = "quit? j k q Q and o"
'

test_expect_success 'a quote refused the same way keeps its note for the next a' '
	hold_store two &&
	tui_keys h &&
	tui_wait "quote: j/k move" &&
	tui_keys Enter &&
	tui_wait "^note on the quote" &&
	tui_type "kept words" && tui_keys Enter &&
	tui_wait "your note is kept for the next a" &&
	release_store two &&
	tui_keys a &&
	tui_wait "^note: kept words$" &&
	tui_keys Escape &&
	tui_wait_not "^note:"
'

test_done
