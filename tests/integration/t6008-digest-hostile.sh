#!/bin/sh
# Digests from hostile text (issue 14): feed and item titles, tags, notes
# and quotes with Unicode noncharacters (U+FFFE, U+FFFF, U+FDD0, U+1FFFF),
# C0/C1 controls, bidi overrides, lone continuation bytes, "]]>", "<" and
# "&". Every format must come out well-formed: Atom for xmllint and
# RFC 4287's RELAX NG schema, HTML for the HTML parser with no error,
# JSON for jq, and Markdown and text with none of those characters.
. "$(dirname "$0")/../lib/lib.sh"
GLEAN_NOW=1795428000
export GLEAN_NOW
RNG="$TEST_ROOT/tests/data/atom.rng"
DATA="$TEST_ROOT/tests/data/share"

# The bytes no digest may contain: U+FFFE, U+FFFF, U+FDD0, U+1FFFF,
# U+10FFFE, ESC, DEL, U+0085, U+202E, and a byte that is not UTF-8.
bad_bytes() {
	LC_ALL=C grep -c "$(printf '\357\277\276\|\357\277\277\|\357\267\220\|\360\237\277\277\|\364\217\277\276\|\033\|\177\|\302\205\|\342\200\256')" "$1"
}

all_formats_ok() {
	for f in md text html atom json; do
		glean digest --since 30d --format $f -o "d.$f" || return 1
	done &&
	xmllint --noout d.atom &&
	xmllint --noout --relaxng "$RNG" d.atom 2>rng.err &&
	test_grep "d.atom validates" rng.err &&
	xmllint --html --noout d.html 2>html.err &&
	test_cmp /dev/null html.err &&
	jq . d.json >/dev/null &&
	for f in md text html atom json; do
		test "$(bad_bytes d.$f)" = 0 || { echo "bad bytes in d.$f"; return 1; }
		iconv -f UTF-8 -t UTF-8 "d.$f" >/dev/null ||
			{ echo "d.$f is not UTF-8"; return 1; }
	done
}

test_expect_success 'a store of hostile feeds, tags and notes' '
	glean add "file://$DATA/hostile.xml" >/dev/null &&
	glean add "file://$DATA/hostile.json" >/dev/null &&
	glean add "file://$DATA/hostile-bytes.xml" >/dev/null &&
	glean fetch >/dev/null &&
	test "$(store_sql "SELECT count(*) FROM item")" = 4 &&
	glean mark 1 2 3 4 >/dev/null &&
	glean tag 1 +"$(printf "t\357\277\276g ]]> <&>")" >/dev/null &&
	glean note 1 --quote "$(printf "q\357\277\277 \033[1m ]]> &amp; <q>")" \
		"$(printf "body\357\267\220 \302\205 \342\200\256rtl\n\n<script>x</script> ]]> &")" >/dev/null &&
	glean note 2 "$(printf "lone \200 byte, DEL \177, BEL \007")" >/dev/null
'

test_expect_success 'the sanitiser stored no noncharacter or control' '
	store_sql "SELECT title FROM source UNION ALL SELECT title FROM item
		UNION ALL SELECT title_html FROM item" >stored &&
	test "$(bad_bytes stored)" = 0 &&
	test_grep "^Hostile feed title$" stored &&
	test_grep "^Nonchar and title \]\]> &$" stored &&
	test_grep "^Nonchar  and  title \]\]> <b> &amp;$" stored &&
	test_grep "^JSON feed" stored
'

test_expect_success 'every digest format is well-formed' '
	all_formats_ok &&
	test_grep "<small>Hostile feed title, 2026-11-16</small>" d.html &&
	test_grep "<title type=\"html\">Nonchar  and  title \]\]&gt; &lt;b&gt; &amp;amp;</title>" d.atom &&
	jq -e ".items | length == 4" d.json
'

# Defence in depth: text that reached the store before the sanitiser
# knew better (or by any other way) is dropped by the digest writers.
test_expect_success 'the writers drop what an older store still holds' '
	store_sql "UPDATE source SET title = CAST(X'"'"'4F6C64EFBFBE20EFBFBF2001207F20C285'"'"' AS TEXT);
		UPDATE item SET title = CAST(X'"'"'4F6C6420F09FBFBF20EFB79020E280AE2080'"'"' AS TEXT) WHERE id = 2" &&
	all_formats_ok &&
	test_grep "Old  " d.html
'

test_done
