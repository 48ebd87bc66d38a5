#!/bin/sh
# glean ui outside a terminal: --help, --keys (the man page's key table
# is generated from the same action table and must match it), and a
# clear refusal without a terminal.
. "$(dirname "$0")/../lib/lib.sh"

test_expect_success 'ui --help' '
	glean ui --help >out &&
	test_grep "usage: glean \[ui\]" out
'

test_expect_success 'the man page key table is the one glean ui --keys prints' '
	glean ui --keys >keys &&
	test_grep "^next\\\\-unread: next unread item" keys &&
	sed -n "/BEGIN KEYS/,/END KEYS/p" "$TEST_ROOT/man/glean.1" | sed "1d;\$d" >man &&
	test_cmp keys man
'

test_expect_success 'without a terminal the reader refuses and says what to use' '
	test_status 1 glean </dev/null >out 2>err &&
	test_grep "glean: the reader needs a terminal; in scripts use .glean items." err &&
	test_status 1 glean ui </dev/null >out 2>err
'

test_expect_success 'an unexpected argument is a usage error' '
	test_status 2 glean ui extra 2>err &&
	test_grep "unexpected argument .extra." err
'

test_done
