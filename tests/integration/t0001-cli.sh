#!/bin/sh
# The command line: every command answers --help, exit statuses 0/1/2,
# errors as "glean: ..." on stderr.
. "$(dirname "$0")/../lib/lib.sh"

test_expect_success 'glean --help lists the commands' '
	glean --help >out &&
	test_grep "^  add " out &&
	test_grep "^  items " out &&
	test_grep "^  version " out
'

test_expect_success 'every listed command answers --help with usage and exit 0' '
	glean --help | sed -n "s/^  \([a-z-]*\) .*/\1/p" >cmds &&
	test $(wc -l <cmds) -ge 15 &&
	while read c; do
		glean "$c" --help >h 2>&1 || { echo "$c --help failed"; exit 1; }
		grep -q "usage: glean" h || { echo "$c --help has no usage"; exit 1; }
	done <cmds
'

test_expect_success 'version prints the version' '
	glean version >out &&
	test_grep "^glean [0-9]" out
'

test_expect_success 'an unknown command is a usage error (exit 2) on stderr' '
	test_status 2 glean frobnicate >out 2>err &&
	test ! -s out &&
	test_grep "^glean: .frobnicate. is not a glean command" err
'

test_expect_success 'an unknown option is a usage error' '
	test_status 2 glean items --frob 2>err &&
	test_grep "^glean: unknown option" err
'

test_expect_success 'a missing item is a failure (exit 1) that says what to do' '
	glean add http://127.0.0.1:9/feed.xml >/dev/null &&
	test_status 1 glean show 999 2>err &&
	test_grep "no item 999" err
'

test_expect_success 'hostile argv echoed in errors is sanitized' '
	test_status 2 glean "$(printf "x\033]0;pwned\007")" 2>err &&
	test_grep -F "x]0;pwned" err &&
	! grep -q "$(printf "\033")" err &&
	! grep -q "$(printf "\007")" err
'

test_expect_success 'GLEAN_HOME holds the store' '
	test -f "$GLEAN_HOME/glean.db"
'

test_expect_success 'XDG paths are used without GLEAN_HOME' '
	(unset GLEAN_HOME; glean add http://127.0.0.1:9/a.xml >/dev/null) &&
	test -f "$XDG_DATA_HOME/glean/glean.db"
'

test_expect_success '--db and --config override the paths' '
	glean --db "$TRASH/other.db" --config "$TRASH/none" add http://127.0.0.1:9/b.xml >/dev/null &&
	test -f "$TRASH/other.db" &&
	glean --db "$TRASH/other.db" sources >out &&
	test_grep "127.0.0.1:9/b.xml" out &&
	! glean sources | grep -q "b.xml"
'

test_expect_success 'man pages render without warnings' '
	for m in "$TEST_ROOT/man/glean.1" "$TEST_ROOT/man/glean-config.5"; do
		groff -ww -man -z "$m" 2>warn && test ! -s warn &&
		MANWIDTH=80 man -l "$m" >/dev/null 2>warn && test ! -s warn ||
		{ echo "$m:"; cat warn; exit 1; }
	done
'

test_expect_success 'every command in the table is documented in glean(1)' '
	glean --help | sed -n "s/^  \([a-z-]*\) .*/\1/p" >cmds &&
	sed "s/\\\\-/-/g" "$TEST_ROOT/man/glean.1" >man.txt &&
	while read c; do
		grep -qE "^\.B[IR]? \"?$c( |\"|\$)" man.txt ||
		{ echo "$c missing from glean.1"; exit 1; }
	done <cmds
'

# src/base/lazy.c: libcurl, libxml2, libcrypto and uchardet are loaded
# when first called, so a command that calls none of them starts sooner
test_expect_success 'a listing loads no parser, TLS or network library' '
	glean items >/dev/null &&
	LD_DEBUG=files glean items 2>dbg >/dev/null &&
	test_grep "libsqlite3" dbg &&
	for l in libxml2 libcrypto libuchardet libcurl libicu; do
		! grep -q "file=$l" dbg || { echo "items loaded $l"; exit 1; }
	done
'

test_expect_success 'a parse loads libxml2 and uchardet when it needs them' '
	printf "<rss version=\"2.0\"><channel><title>Caf\351 \351t\351 na\357ve \340 la cr\350me br\373l\351e</title></channel></rss>" \
		>latin1.xml &&
	LD_DEBUG=files glean parse --json latin1.xml 2>dbg >dump &&
	test_grep "file=libxml2" dbg &&
	test_grep "file=libuchardet" dbg &&
	test_grep "Caf\\u00e9\|Café" dump
'

test_expect_success 'make demo installs only what building and running need' '
	sh "$TEST_ROOT/.ci/deps" --list >demo &&
	sh "$TEST_ROOT/.ci/deps" test --list >check &&
	test_grep libcurl4-openssl-dev demo &&
	for p in chromium valgrind python3-aiosmtpd tmux; do
		! grep -qw "$p" demo || { echo "demo installs $p"; exit 1; }
		grep -qw "$p" check || { echo "check misses $p"; exit 1; }
	done &&
	sed -n "/^demo:/p" "$TEST_ROOT/Makefile" | grep -q "demo: deps$" &&
	sed -n "/^check:/p" "$TEST_ROOT/Makefile" | grep -q "check: test-deps$"
'

test_done
