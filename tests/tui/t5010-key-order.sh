#!/bin/sh
# Keys in an order nobody planned: open an item, go back, move, then ask
# for a note in $EDITOR. The item view builds its lines when an item is
# opened (not when it is drawn), so the draft always quotes the item the
# note is for, and no draft directory is left behind on any path.
. "$(dirname "$0")/setup.sh"

# an editor that keeps a copy of the draft and writes nothing
cat >"$TRASH/ed.sh" <<EOS
#!/bin/sh
cp "\$1" "$TRASH/draft"
EOS
chmod +x "$TRASH/ed.sh"
export TMPDIR="$TRASH/tmp" EDITOR="$TRASH/ed.sh"
mkdir -p "$TMPDIR"

test_expect_success 'setup' '
	tui_demo_store &&
	tui_start 120 30 &&
	tui_wait "Research Roundup +2"
'

test_expect_success 'Enter q j then the note editor does not crash' '
	tui_keys Enter && tui_wait "Flags: read" &&
	tui_keys q j &&
	tui_keys E &&
	tui_wait "note not saved: the editor left it empty" &&
	tui_screen >screen &&
	! grep "exit" screen &&
	test -z "$(ls -A "$TMPDIR")"
'

test_expect_success 'the draft quotes the item the note is for' '
	second=$(glean items --json | jq -r ".[1].title") &&
	test_grep "^# $second" "$TRASH/draft" &&
	test_grep "^# > " "$TRASH/draft"
'

test_expect_success 'the same at 80 columns, one pane at a time' '
	tui_resize 80 24 &&
	tui_keys q j E &&
	tui_wait "note not saved: the editor left it empty" &&
	third=$(glean items --json | jq -r ".[2].title") &&
	test_grep "^# $third" "$TRASH/draft" &&
	test -z "$(ls -A "$TMPDIR")"
'

test_expect_success 'Q quits cleanly' '
	tui_keys Q &&
	tui_wait "\[exit 0\]"
'

test_done
