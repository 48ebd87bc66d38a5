#!/bin/sh
# The digest preview in the reader: D shows what the next share would
# send (title and note); S asks for the target, previews that target's
# share, shows the dry run and asks y/n; 'n' writes nothing, 'y' writes
# the file target's file and records the share; after it D previews the
# next share; with nothing marked D says so.
. "$(dirname "$0")/setup.sh"

top="SELECT id FROM item ORDER BY date DESC LIMIT 1"

test_expect_success 'setup' '
	tui_demo_store &&
	cat >"$GLEAN_HOME/config" <<-EOC &&
	[target "out"]
	kind = file
	path = $TRASH/out.md
	format = md

	[target "archive"]
	kind = file
	path = $TRASH/archive.md
	format = md
	EOC
	tui_start 140 30 &&
	tui_wait "Research Roundup +2"
'

test_expect_success 'D with nothing marked says so' '
	tui_keys D &&
	tui_wait "nothing to share" &&
	tui_screen >screen &&
	! grep "digest preview" screen
'

test_expect_success 'D previews the marked item with its note' '
	tui_keys a && tui_wait "^note:" &&
	tui_type "Digest-worthy remark" && tui_keys Enter &&
	tui_wait "saved: note" &&
	tui_keys m && tui_wait "saved: marked to share" &&
	title=$(store_sql "SELECT title FROM item WHERE id = ($top)") &&
	tui_keys D &&
	tui_wait "digest preview for out: 1 item" &&
	tui_wait "$(printf "%s" "$title" | cut -c1-20)" &&
	tui_wait "Digest-worthy remark"
'

test_expect_success 'S then n shares nothing' '
	tui_keys S &&
	tui_wait "^share to:" &&
	tui_type "ou" && tui_keys Tab &&
	tui_wait "^share to: out$" && tui_keys Enter &&
	tui_wait "post 1 part to out\? \(y/n\)" &&
	tui_keys n &&
	tui_wait "not shared" &&
	test ! -e "$TRASH/out.md" && test ! -e "$TRASH/archive.md" &&
	test "$(store_sql "SELECT count(*) FROM digest")" = 0
'

test_expect_success 'S then y writes the file and glean shares lists it' '
	tui_keys S &&
	tui_wait "^share to:" &&
	tui_type "out" && tui_keys Enter &&
	tui_wait "post 1 part to out\? \(y/n\)" &&
	tui_screen >screen && test_grep "out: 1 item in 1 part" screen &&
	tui_keys y &&
	tui_wait "shared to out: 1 part sent" &&
	grep "Digest-worthy remark" "$TRASH/out.md" &&
	glean shares >out &&
	test_grep -E "sent +out" out &&
	test ! -e "$TRASH/archive.md"
'

test_expect_success 'D after a share previews the next one, as S would send it' '
	tui_keys q && tui_wait "glean \| All" &&
	tui_keys D && tui_wait "nothing to share to out" &&
	tui_keys j m && tui_wait "saved: marked to share" &&
	tui_keys D && tui_wait "digest preview for out: 1 item" &&
	tui_keys S && tui_wait "^share to:" &&
	tui_type "out" && tui_keys Enter &&
	tui_wait "post 1 part to out\? \(y/n\)" &&
	tui_screen >screen && test_grep "out: 1 item in 1 part" screen &&
	tui_keys n && tui_wait "not shared"
'

test_expect_success 'S to another target previews that target first' '
	tui_keys S && tui_wait "^share to:" &&
	tui_type "archive" && tui_keys Enter &&
	tui_wait "post 1 part to archive\? \(y/n\)" &&
	tui_wait "digest preview for archive: 2 items" &&
	tui_keys n && tui_wait "not shared"
'

test_expect_success 'a filtered list previews its own query' '
	tui_keys q && tui_wait "glean \| All" &&
	tui_keys F && tui_wait "^filter:" &&
	tui_type "source:\"Civic Notes\"" && tui_keys Enter &&
	tui_wait "glean \| All \(3\)" &&
	tui_keys D &&
	tui_wait "digest preview for out: 3 items \| \(source:" &&
	tui_wait "Library hotspot" &&
	tui_screen >screen &&
	! grep "Vaccination" screen
'

test_expect_success 'q closes the preview' '
	tui_keys q &&
	tui_wait "glean \| All" &&
	tui_keys Q &&
	tui_wait "\[exit 0\]"
'

test_done
