#!/bin/sh
# One copy of a body (issue 18): the store keeps an item's content and
# derives its plain text when it is needed (glean_text(), schema 13).
# Search, text: terms, /regex/ terms and show see the derived text, on
# items stored now and on items of a store upgraded from schema 12, whose
# full-text index is rebuilt from the derived text (it was fed the old
# copy), so a later change deletes exactly what was indexed.
. "$(dirname "$0")/../lib/lib.sh"

feed() { # $1: the word in the second item's body
	cat >"$TRASH/f.xml" <<-EOF
	<?xml version="1.0"?>
	<rss version="2.0"><channel><title>Rocks</title>
	<link>https://rocks.example/</link>
	<item><guid>r1</guid><title>First rock</title>
	<link>https://rocks.example/1</link>
	<description>&lt;p&gt;The &lt;b&gt;quartz&lt;/b&gt; &amp;amp; basalt
	&lt;a href="https://rocks.example/z" title="zircon"&gt;shelf&lt;/a&gt;&lt;/p&gt;</description>
	</item>
	<item><guid>r2</guid><title>Second rock</title>
	<link>https://rocks.example/2</link>
	<description>&lt;p&gt;A $1 and granite&lt;/p&gt;</description>
	</item>
	</channel></rss>
	EOF
}

ids() { glean items --json "$@" | jq -r '[.[].id] | sort | join(",")'; }

test_expect_success 'setup: a feed with HTML bodies' '
	feed gneiss &&
	glean add "file://$TRASH/f.xml" >/dev/null &&
	glean fetch >out &&
	test_grep "2 new items" out
'

test_expect_success 'the store keeps no second copy of a body' '
	test "$(store_sql "SELECT count(*) FROM pragma_table_info(\"item\") WHERE name = \"text\"")" = 0 &&
	test "$(store_sql "PRAGMA user_version")" -ge 13 &&
	store_sql "SELECT content FROM item WHERE title = \"First rock\"" | grep -q "<b>quartz</b>"
'

test_expect_success 'search, text:, /regex/ and show see the text, not markup' '
	r1=$(store_sql "SELECT id FROM item WHERE title = \"First rock\"") &&
	r2=$(store_sql "SELECT id FROM item WHERE title = \"Second rock\"") &&
	test "$(glean search quartz | wc -l)" = 1 &&
	test "$(glean search zircon | wc -l)" = 0 &&
	test "$(ids text:basalt)" = "$r1" &&
	test "$(ids "text:\"quartz & basalt\"")" = "$r1" &&
	test "$(ids "text:/^The quartz & basalt shelf$/")" = "$r1" &&
	test "$(ids "/a gneiss and/i")" = "$r2" &&
	test "$(ids "text:/<b>/")" = "" &&
	glean show "$r1" >show &&
	test_grep "The quartz & basalt shelf" show
'

test_expect_success 'a changed body: the index drops the old words' '
	feed schist &&
	# same size as before: a later mtime, or a file: feed reads as unchanged
	touch -d "@$(($(date +%s) + 60))" "$TRASH/f.xml" &&
	glean fetch --all >out &&
	test_grep "1 updated" out &&
	test "$(glean search gneiss | wc -l)" = 0 &&
	test "$(glean search schist | wc -l)" = 1 &&
	test "$(ids text:schist)" = "$(store_sql "SELECT id FROM item WHERE title = \"Second rock\"")"
'

old_sql() { sqlite3 -batch -noheader "$TRASH/old.db" "$1"; }

test_expect_success 'a store from schema 12: upgraded, compacted, its index rebuilt' '
	feed gneiss &&
	glean --db "$TRASH/old.db" add "file://$TRASH/f.xml" >/dev/null &&
	glean --db "$TRASH/old.db" fetch >/dev/null &&
	glean --db "$TRASH/old.db" search quartz >/dev/null &&
	old_sql "$(schema_undo_to 12)" &&
	# the old glean fed its index from the stored copy; this one says
	# "obsidian", which the body does not
	old_sql "UPDATE item SET text = \"The quartz obsidian\" WHERE title = \"First rock\";
		ATTACH \"$TRASH/old.db-search\" AS s;
		INSERT INTO s.item_fts (item_fts) VALUES (\"delete-all\");
		INSERT INTO s.item_fts (rowid, title, author, text, notes_text)
			SELECT id, title, author, text, notes_text FROM item;" &&
	test "$(old_sql "SELECT count(*) FROM pragma_table_info(\"item\") WHERE name = \"text\"")" = 1 &&
	glean --db "$TRASH/old.db" search quartz >out 2>err &&
	test "$(wc -l <out)" = 1 &&
	test "$(old_sql "PRAGMA user_version")" -ge 13 &&
	test "$(old_sql "SELECT count(*) FROM pragma_table_info(\"item\") WHERE name = \"text\"")" = 0 &&
	test "$(old_sql "PRAGMA freelist_count")" = 0 &&
	test "$(glean --db "$TRASH/old.db" search obsidian | wc -l)" = 0 &&
	r1=$(old_sql "SELECT id FROM item WHERE title = \"First rock\"") &&
	test "$(glean --db "$TRASH/old.db" items --json text:basalt | jq -r ".[].id")" = "$r1" &&
	test "$(glean --db "$TRASH/old.db" items --json "/quartz & basalt/" | jq -r ".[].id")" = "$r1" &&
	glean --db "$TRASH/old.db" show "$r1" >show &&
	test_grep "The quartz & basalt shelf" show &&
	feed schist &&
	touch -d "@$(($(date +%s) + 60))" "$TRASH/f.xml" &&
	glean --db "$TRASH/old.db" fetch --all >/dev/null &&
	test "$(glean --db "$TRASH/old.db" search gneiss | wc -l)" = 0 &&
	test "$(glean --db "$TRASH/old.db" search schist | wc -l)" = 1 &&
	glean --db "$TRASH/old.db" check >check 2>&1
'

test_done
