#!/bin/sh
# Sensing in the reader: tags with completion, a note through the
# prompt and through $EDITOR (a scripted editor, and one that fails), a
# quoted passage with its context, star, mark and undo. Each is checked
# on the screen and in the store.
. "$(dirname "$0")/setup.sh"

cat >"$TRASH/ed.sh" <<'EOS'
#!/bin/sh
# scripted $EDITOR: one argument, the draft; fails on demand
[ "$#" -eq 1 ] || exit 9
if [ -f "$TRASH/ed.fail0" ]; then exit 4; fi
if [ -f "$TRASH/ed.fail" ]; then echo "typed before the crash" >>"$1"; exit 3; fi
if [ -f "$TRASH/ed.empty" ]; then exit 0; fi
{ echo "Editor note about the item"; cat "$1"; } >"$1.new" && mv "$1.new" "$1"
EOS
sed -i "s|\$TRASH|$TRASH|" "$TRASH/ed.sh"
chmod +x "$TRASH/ed.sh"
export EDITOR="$TRASH/ed.sh" TMPDIR="$TRASH/tmp"
mkdir -p "$TMPDIR"

# the item the tests work on: the top of the list (newest)
top="SELECT id FROM item ORDER BY date DESC LIMIT 1"

test_expect_success 'setup' '
	tui_demo_store &&
	glean tag 3 +civic-tech >/dev/null &&
	tui_start 140 30 &&
	tui_wait "Research Roundup +2"
'

test_expect_success 't edits tags; tab completes an existing tag' '
	tui_keys t &&
	tui_wait "^tags: health,$" &&
	tui_type "civic-" && tui_keys Tab &&
	tui_wait "^tags: health, civic-tech,$" &&
	tui_type "health data" && tui_keys Enter &&
	tui_wait "saved: tags health, civic-tech, health data" &&
	test "$(store_sql "SELECT group_concat(t.name, \",\") FROM item_tag x JOIN tag t ON t.id = x.tag_id WHERE x.item_id = ($top) ORDER BY t.name")" = "civic-tech,health data" &&
	tui_wait "health data +1"
'

test_expect_success 'the item shows its own tags and the source'"'"'s, marked' '
	tui_keys Enter &&
	tui_wait "Tags: civic-tech, health \(source\), health data" &&
	tui_keys q &&
	tui_wait_not "Tags: " &&
	tui_keys N &&
	tui_wait "saved: not read"
'

test_expect_success 'a adds a note through the prompt; the list marks it' '
	tui_keys a &&
	tui_wait "^note:" &&
	tui_type "Worth sharing with the working group" && tui_keys Enter &&
	tui_wait "saved: note" &&
	test "$(store_sql "SELECT body FROM note WHERE item_id = ($top)")" = "Worth sharing with the working group" &&
	tui_wait "│N  \+ 2026-11-21"
'

test_expect_success 's stars, u undoes it, m marks to share' '
	tui_keys s &&
	tui_wait "saved: starred" &&
	test "$(store_sql "SELECT starred FROM item WHERE id = ($top)")" = 1 &&
	tui_keys u &&
	tui_wait "undone" &&
	test "$(store_sql "SELECT starred FROM item WHERE id = ($top)")" = 0 &&
	tui_keys u &&
	tui_wait "nothing to undo" &&
	tui_keys m &&
	tui_wait "saved: marked to share" &&
	test "$(store_sql "SELECT marked FROM item WHERE id = ($top)")" = 1 &&
	tui_wait "To share +1"
'

test_expect_success 'u undoes a tag edit' '
	tui_keys t &&
	tui_wait "^tags: civic-tech, health, health data,$" &&
	tui_type "later" && tui_keys Enter &&
	tui_wait "saved: tags civic-tech, health, health data, later" &&
	tui_keys u && tui_wait "undone" &&
	test "$(store_sql "SELECT count(*) FROM item_tag WHERE item_id = ($top)")" = 2
'

test_expect_success 'E writes a note in $EDITOR; the quoted item is dropped' '
	tui_keys E &&
	tui_wait "saved: note" &&
	test "$(store_sql "SELECT body FROM note WHERE item_id = ($top) ORDER BY id DESC LIMIT 1")" = "Editor note about the item" &&
	tui_wait "@ Editor note about the item" &&
	test -z "$(ls "$TMPDIR")"
'

test_expect_success 'a failing $EDITOR keeps the draft and says where' '
	touch "$TRASH/ed.fail" &&
	tui_keys E &&
	tui_wait "note not saved: .* exited with status 3; the draft is in" &&
	ls "$TMPDIR"/glean-note-*/note-* >drafts &&
	test "$(wc -l <drafts)" = 1 &&
	test_grep "^# > What worked" "$(cat drafts)" &&
	test "$(store_sql "SELECT count(*) FROM note")" = 2 &&
	rm "$TRASH/ed.fail" "$(cat drafts)" && rmdir "$TMPDIR"/glean-note-*
'

test_expect_success 'a $EDITOR that fails before anything is written leaves no draft' '
	touch "$TRASH/ed.fail0" &&
	tui_keys E &&
	tui_wait "note not saved: .* exited with status 4 \(nothing was written\)" &&
	test -z "$(ls "$TMPDIR")" &&
	rm "$TRASH/ed.fail0"
'

test_expect_success 'an editor that writes nothing leaves no draft behind' '
	touch "$TRASH/ed.empty" &&
	tui_keys E &&
	tui_wait "note not saved: the editor left it empty" &&
	test -z "$(ls -A "$TMPDIR")" &&
	test "$(store_sql "SELECT count(*) FROM note")" = 2 &&
	rm "$TRASH/ed.empty"
'

test_expect_success 'a tag from the source cannot be taken off one item; it says where' '
	tui_keys t && tui_wait "^tags: civic-tech, health, health data,$" &&
	tui_keys C-u && tui_type "civic-tech" && tui_keys Enter &&
	tui_wait "tags not saved: tag .health. comes from source" &&
	test "$(store_sql "SELECT count(*) FROM item_tag WHERE item_id = ($top)")" = 2
'

test_expect_success 'tab with several matches lists them, source tags too' '
	glean tag 2 +civic-data >/dev/null &&
	tui_wait "civic-data +1" &&
	tui_keys t && tui_wait "^tags: civic-tech, health, health data,$" &&
	tui_keys C-u && tui_type "civ" && tui_keys Tab &&
	tui_wait "^tags: civic$" &&
	tui_wait "tags: civic civic-data civic-tech" &&
	tui_keys Escape && tui_wait_not "^tags:"
'

test_expect_success 'h quotes a passage with its context and a note' '
	tui_keys h &&
	tui_wait "quote: j/k move" &&
	tui_keys j j j Space Enter &&
	tui_wait "^note on the quote" &&
	tui_type "the key point" && tui_keys Enter &&
	tui_wait "saved: quote" &&
	test "$(store_sql "SELECT quote FROM note WHERE body = '\''the key point'\''")" = "1. Walk-in hours on market days" &&
	store_sql "SELECT suffix FROM note WHERE body = '\''the key point'\''" >suffix &&
	test_grep "^2. Volunteers who speak" suffix &&
	tui_wait "> 1. Walk-in hours on market days" &&
	tui_wait "@ the key point"
'

test_expect_success 'everything survives quitting' '
	tui_keys Q &&
	tui_wait "\[exit 0\]" &&
	test "$(store_sql "SELECT count(*) FROM note WHERE item_id = ($top)")" = 3 &&
	glean show "$(store_sql "$top")" >show &&
	test_grep "the key point" show
'

test_done
