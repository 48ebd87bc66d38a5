#!/bin/sh
# glean export --notes DIR (issue 19): one Markdown file per annotated
# item, with YAML front matter any YAML parser reads back whatever the
# title holds, file names safe on every filesystem (slashes, "..", a
# leading dot, newlines, controls, 1000 characters), and re-run safety:
# unchanged files are not touched, a file the person edited is left alone
# and reported, an item whose notes are gone is reported and its file
# kept, never deleted.
. "$(dirname "$0")/../lib/lib.sh"
GLEAN_NOW=1795428000
export GLEAN_NOW

# A JSON Feed of hostile titles (jq writes the escapes): each item is
# annotated below.
long=$(printf '%01000d' 0 | tr 0 x)
jq -n --arg long "$long" '{version: "https://jsonfeed.org/version/1.1",
	title: "Hostile / titles", home_page_url: "https://h.example/",
	items: [
	 {id: "1", url: "https://h.example/1", title: "a/b/../../etc/passwd",
	  content_text: "alpha beta gamma"},
	 {id: "2", url: "https://h.example/2", title: "../..",
	  content_text: "two"},
	 {id: "3", url: "https://h.example/3", title: ".hidden",
	  content_text: "three"},
	 {id: "4", url: "https://h.example/4",
	  title: "line one\nline two\r\n---\ntitle: injected",
	  content_text: "four"},
	 {id: "5", url: "https://h.example/5",
	  title: "- ? : # & * ! | > \u0027 \" % @ ` [x] {y} \\ \u2028 \u2029 end",
	  content_text: "five"},
	 {id: "6", url: "https://h.example/6", title: $long,
	  content_text: "six"},
	 {id: "7", url: "https://h.example/7", title: "日本語のタイトル",
	  content_text: "seven"},
	 {id: "8", url: "https://h.example/8", title: "esc \u001b[2J nul",
	  content_text: "eight"},
	 {id: "9", url: "https://h.example/ü b?q=(1)", content_text: "nine"}
	]}' >hostile.json

id_of() { store_sql "SELECT id FROM item WHERE guid = '$1'"; }
# the field of a file's front matter, as PyYAML reads it
fm() {
	python3 -c 'import sys, yaml
t = open(sys.argv[1], encoding="utf-8").read()
assert t.startswith("---\n"), "no front matter"
d = yaml.safe_load(t[4:t.index("\n---\n", 4)])
v = d.get(sys.argv[2])
print("" if v is None else v)' "$@"
}

test_expect_success 'setup: nine hostile items, each with a note' '
	glean add "file://$TRASH/hostile.json" >/dev/null &&
	glean fetch >/dev/null &&
	test "$(store_sql "SELECT count(*) FROM item")" = 9 &&
	# one process for the nine notes (seconds under valgrind)
	jq -n "[range(1; 10) | {type: \"Annotation\", bodyValue: \"note on \(.)\",
		target: \"https://h.example/\(.)\"}] |
		.[8].target = \"https://h.example/%C3%BC%20b?q=(1)\"" >notes.json &&
	glean import --annotations notes.json >out &&
	test_grep "9 notes added" out &&
	glean note "$(id_of 1)" --quote "beta" "quoted" >/dev/null &&
	glean note "$(id_of 3)" --quote "$(printf "a *quote*\n[on] two lines")" >/dev/null 2>&1
'

test_expect_success 'export writes one file per annotated item and says so' '
	glean export --notes kb >out 2>err &&
	test_grep "^notes: written 9, unchanged 0, left alone 0 (edited), removed-from-glean 0$" out &&
	test "$(ls kb | wc -l)" = 9 &&
	test -f kb/.glean-export.json &&
	jq -e ".files | length == 9" kb/.glean-export.json >/dev/null &&
	test_cmp /dev/null err
'

test_expect_success 'file names: a slug and the id, nothing a filesystem minds' '
	ls -A kb | grep -v "^\.glean-export\.json$" >names &&
	test "$(wc -l <names)" = 9 &&
	! grep -v -E "^[a-z0-9][a-z0-9-]*-[0-9]+\.md$" names &&
	! grep -E "^.{81,}" names &&
	test -f "kb/a-b-etc-passwd-$(id_of 1).md" &&
	test -f "kb/item-$(id_of 2).md" &&
	test -f "kb/hidden-$(id_of 3).md" &&
	test -f "kb/item-$(id_of 7).md" &&
	test -f "kb/nine-$(id_of 9).md" &&
	test ! -e etc && test ! -e ../etc && test ! -e kb/.hidden &&
	test "$(find "$TRASH" -name "*.md" | wc -l)" = 9
'

test_expect_success 'front matter parses back to the titles, ids and links' '
	for g in 1 2 3 4 5 6 7 8 9; do
		id=$(id_of $g) &&
		f=$(ls kb/*-$id.md) &&
		test "$(fm $f glean_id)" = "$id" &&
		test "$(fm $f source)" = "Hostile / titles" || return 1
	done &&
	test "$(fm kb/*-$(id_of 1).md title)" = "a/b/../../etc/passwd" &&
	test "$(fm kb/*-$(id_of 4).md title)" = "line one line two --- title: injected" &&
	test "$(fm kb/*-$(id_of 5).md title)" = "- ? : # & * ! | > '\'' \" % @ \` [x] {y} \\ $(printf "\342\200\250 \342\200\251") end" &&
	test "$(fm kb/*-$(id_of 6).md title)" = "$long" &&
	test "$(fm kb/*-$(id_of 7).md title)" = "日本語のタイトル" &&
	test "$(fm kb/*-$(id_of 8).md title)" = "esc [2J nul" &&
	test "$(fm kb/*-$(id_of 1).md url)" = "https://h.example/1" &&
	! grep -l "$(printf "\033")" kb/*
'

test_expect_success 'notes are paragraphs, quotes blockquotes linking back' '
	f=$(ls kb/*-$(id_of 1).md) &&
	test_grep "^note on 1$" $f &&
	test_grep "^quoted$" $f &&
	test_grep "^> beta$" $f &&
	test_grep "^> — \[Hostile / titles\](https://h.example/1#:~:text=beta)$" $f &&
	f=$(ls kb/*-$(id_of 3).md) &&
	test_grep "^> a \\\\\*quote\\\\\*$" $f &&
	test_grep "^> \\\\\[on\\\\\] two lines$" $f &&
	f=$(ls kb/*-$(id_of 5).md) &&
	test_grep "^# - ? : \\\\# \\\\& \\\\\* \\\\! \\\\| \\\\>" $f
'

test_expect_success 'a second export touches nothing' '
	touch -d "2001-01-01 00:00" kb/*.md kb/.glean-export.json &&
	glean export --notes kb >out &&
	test_grep "^notes: written 0, unchanged 9, left alone 0 (edited), removed-from-glean 0$" out &&
	test -z "$(find kb -type f -newermt "2001-01-02")"
'

test_expect_success 'a file the person edited is left alone and reported' '
	f=$(ls kb/*-$(id_of 2).md) &&
	echo "my own thoughts" >>$f &&
	cp $f edited.md &&
	glean note "$(id_of 2)" "a later note" >/dev/null &&
	glean note "$(id_of 3)" "another later note" >/dev/null &&
	glean export --notes kb >out 2>err &&
	test_grep "^notes: written 1, unchanged 7, left alone 1 (edited), removed-from-glean 0$" out &&
	test_grep "left alone (edited since the last export): kb/$(basename $f)" err &&
	test_cmp edited.md $f &&
	test_grep "^another later note$" kb/*-$(id_of 3).md &&
	glean export --notes kb >out 2>err &&
	test_grep "left alone 1 (edited)" out &&
	test_cmp edited.md $f
'

test_expect_success 'removed notes: reported, the file kept' '
	id=$(id_of 4) &&
	f=$(ls kb/*-$id.md) && cp $f before.md &&
	n=$(store_sql "SELECT id FROM note WHERE item_id = $id") &&
	glean note $id --rm $n >/dev/null &&
	glean export --notes kb >out 2>err &&
	test_grep "removed-from-glean 1$" out &&
	test_grep "no notes in glean any more, file kept: kb/$(basename $f)" err &&
	test_cmp before.md $f
'

test_expect_success 'one note of several removed: the file is rewritten and the count says so' '
	id=$(id_of 1) &&
	n=$(store_sql "SELECT max(id) FROM note WHERE item_id = $id") &&
	glean note $id --rm $n >/dev/null &&
	glean export --notes kb >out &&
	test_grep "written 1, .*; 1 note removed from rewritten files$" out &&
	! grep "^quoted$" kb/*-$id.md &&
	test_grep "^note on 1$" kb/*-$id.md
'

test_expect_success 'a link or a foreign file in the way is left alone' '
	id=$(id_of 8) &&
	f=$(ls kb/*-$id.md) && rm $f &&
	echo "not glean" >elsewhere.txt &&
	ln -s "$TRASH/elsewhere.txt" $f &&
	glean note $id "more" >/dev/null &&
	glean export --notes kb >out 2>err &&
	test_grep "left alone (edited since the last export): kb/$(basename $f)" err &&
	test "$(cat elsewhere.txt)" = "not glean" && test -L $f &&
	test -z "$(ls -A kb | grep glean-tmp)"
'

test_expect_success 'a file the person renamed is followed, not written twice' '
	id=$(id_of 7) &&
	f=$(ls kb/*-$id.md) &&
	mv $f "kb/My Japanese note.md" &&
	glean export --notes kb >out &&
	test ! -e $f &&
	glean note $id "after the rename" >/dev/null &&
	glean export --notes kb >out &&
	test_grep "^after the rename$" "kb/My Japanese note.md" &&
	test ! -e $f &&
	jq -e ".files[] | select(.id == $id) | .file == \"My Japanese note.md\"" kb/.glean-export.json >/dev/null
'

test_expect_success 'a deleted file is written again; DIR must be a folder' '
	f=$(ls kb/*-$(id_of 9).md) && rm $f &&
	glean export --notes kb >out &&
	test -f $f &&
	echo x >afile &&
	test_status 1 glean export --notes afile 2>err &&
	test_grep "not a directory" err &&
	test_status 2 glean export --notes 2>err &&
	test_grep "folder" err
'

test_expect_success 'the hostile items as Web Annotations pass every assertion' '
	glean export --annotations h.jsonld 2>/dev/null &&
	n=$(store_sql "SELECT count(*) FROM note") &&
	musts=$(jq ".assertions | length" "$TEST_ROOT/tests/data/annotation/annotationMusts.test") &&
	python3 "$TEST_ROOT/tests/lib/annocheck.py" "$TEST_ROOT/tests/data/annotation" h.jsonld >out &&
	test_grep "^$n annotations, $((n * musts)) assertions passed, 0 failed" out &&
	jq -e ".first.items[] | select((.target | type) == \"string\" and (.target | test(\"h.example/%C3%BC%20b\")))" h.jsonld >/dev/null
'

test_done
