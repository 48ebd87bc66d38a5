#!/bin/sh
# Layout: three panes side by side when wide, one view at a time when
# narrow, live resizing, a message instead of garbage below 40x10, and
# wide (CJK, emoji) characters that keep the columns aligned.
. "$(dirname "$0")/setup.sh"

test_expect_success 'setup' '
	tui_demo_store &&
	tui_start 140 30 &&
	tui_wait "Research Roundup +2"
'

test_expect_success 'CJK titles and emoji keep the pane borders aligned' '
	tui_screen >screen &&
	test_grep "日本の自治体" screen &&
	python3 "$TEST_ROOT/tests/tui/colcheck.py" <screen &&
	tui_keys j j Enter &&
	tui_wait "Source: Research Roundup" &&
	tui_wait "😀" &&
	tui_screen >screen &&
	python3 "$TEST_ROOT/tests/tui/colcheck.py" <screen
'

test_expect_success 'resized to 60 columns the reader stacks its views' '
	tui_resize 60 20 &&
	tui_wait_not "Annotated" &&
	tui_wait "Source: Research Roundup" &&
	tui_keys q &&
	tui_wait "Participatory" &&
	tui_screen >screen &&
	! grep "│" screen &&
	! grep "Annotated" screen &&
	tui_keys q &&
	tui_wait "Annotated +0" &&
	tui_keys Enter &&
	tui_wait "Participatory"
'

test_expect_success 'below 40x10 it says so instead of drawing' '
	tui_resize 30 8 &&
	tui_wait "terminal too small" &&
	tui_screen >screen &&
	! grep "Participatory" screen
'

test_expect_success 'back at 140 columns all three panes return' '
	tui_resize 140 30 &&
	tui_wait "Annotated +0" &&
	tui_wait "Participatory" &&
	tui_keys Enter &&
	tui_wait "Source: Research Roundup" &&
	tui_screen >screen &&
	python3 "$TEST_ROOT/tests/tui/colcheck.py" <screen
'

test_expect_success 'the store saw only reading' '
	tui_keys Q && tui_wait "\[exit 0\]" &&
	test "$(store_sql "SELECT count(*) FROM item WHERE read = 1")" = 1 &&
	test "$(store_sql "SELECT count(*) FROM note")" = 0
'

test_done
