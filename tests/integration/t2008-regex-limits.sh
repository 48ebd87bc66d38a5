#!/bin/sh
# Regex limits are loud (issue 15): a /regex/ match that hits a PCRE2
# limit counts as no match and is reported once per command with its
# pattern; a [rule] hitting it on more than 3 items in a fetch is turned
# off for that fetch with a message naming it; a [rule] whose query or
# regex does not compile fails every command at load, as file:line.
. "$(dirname "$0")/../lib/lib.sh"

a=$(head -c 30000 /dev/zero | tr '\0' a)
{
	echo '<rss version="2.0"><channel><title>A</title>'
	for i in 1 2 3 4 5 6; do
		echo "<item><title>t$i</title><guid>a$i</guid><description>${a}b</description></item>"
	done
	echo '<item><title>short</title><guid>s</guid><description>aaab</description></item>'
	echo '</channel></rss>'
} >"$TRASH/a.xml"

test_expect_success 'setup' '
	glean add "file://$TRASH/a.xml" >/dev/null &&
	glean fetch >/dev/null 2>&1 &&
	test "$(store_sql "SELECT count(*) FROM item")" = 7
'

test_expect_success 'a query hitting the match limit says so, once, with the pattern' '
	glean items "text:/(a|aa)*\$/" >out 2>err &&
	test_grep "^glean: /(a|aa)\*\$/ hit the regex match limit on 6 items; they count as no match$" err &&
	test "$(wc -l <err)" = 1 &&
	test_grep "short" out &&
	! grep -q "t[1-6]" out
'

test_expect_success 'a query within the limits says nothing' '
	glean items "text:/b\$/" >out 2>err &&
	test_grep "t6" out &&
	test ! -s err
'

test_expect_success 'a rule hitting the limit on more than 3 items is off for the fetch' '
	cat >"$GLEAN_HOME/config" <<-\EOC &&
	[rule "slow"]
	match = text:/(a|aa)*$/
	tag = slow
	EOC
	sed "s/<guid>a/<guid>b/; s/<guid>s</<guid>s2</" a.xml >b.xml &&
	glean add "file://$TRASH/b.xml" >/dev/null &&
	glean fetch >out 2>err &&
	cat out err >all &&
	test_grep "config:1: rule .slow. is off for this fetch: its regex hit a match limit on 6 items" all &&
	test_grep "hit the regex match limit" err &&
	test "$(store_sql "SELECT count(*) FROM item_tag")" = 0
'

test_expect_success 'a rule whose regex does not compile fails every command at load' '
	cat >"$GLEAN_HOME/config" <<-\EOC &&
	[general]

	[rule "bad"]
	match = title:/(unclosed/
	tag = x
	EOC
	for cmd in items sources fetch tags; do
		test_status 1 glean $cmd >out 2>err &&
		test_grep "config:3: rule .bad.: query .title:/(unclosed/.: regex .(unclosed.: missing closing parenthesis at offset 9" err || return 1
	done
'

test_expect_success 'so does a rule tag over 256 bytes' '
	t=$(printf "t%.0s" $(seq 1 300)) &&
	printf "[rule \"long\"]\nmatch = title:x\ntag = %s\n" "$t" >"$GLEAN_HOME/config" &&
	test_status 1 glean items 2>err &&
	test_grep "config:1: rule .long.: a tag of 300 bytes is too long (at most 256)" err
'

test_done
