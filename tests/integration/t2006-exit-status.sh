#!/bin/sh
# fetch's exit status tells cron the truth (glean(1) EXIT STATUS): 0 when
# every source was fetched or unchanged, 3 when some failed, 1 when none
# could be fetched or the store could not be written; --quiet prints each
# failure as one line on stderr. A full disk says so.
. "$(dirname "$0")/../lib/lib.sh"

demo="$TEST_ROOT/tests/data/demo"
cp "$demo/civic-rss.xml" good.xml
cp "$demo/health-atom.xml" other.xml

# a feed of n items, each with a body, to need new pages in the store
big_feed() {
	{
		echo '<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
		i=0
		while [ $i -lt "$1" ]; do
			printf '<item><title>item %d</title><guid>big-%d</guid><link>https://big.example/%d</link><description>' $i $i $i
			head -c 600 /dev/zero | tr '\0' 'x'
			echo '</description></item>'
			i=$((i + 1))
		done
		echo '</channel></rss>'
	} >"$2"
}

test_expect_success 'every source fetched: exit 0' '
	glean add "file://$TRASH/good.xml" >/dev/null &&
	glean add "file://$TRASH/other.xml" >/dev/null &&
	glean fetch --all >out 2>err &&
	test_grep "0 failed" out
'

test_expect_success 'unchanged sources are not failures: exit 0' '
	glean fetch --all >out 2>err &&
	glean fetch --all --quiet >out 2>err &&
	test ! -s out && test ! -s err
'

test_expect_success 'some sources failed: exit 3, each named' '
	rm other.xml &&
	test_status 3 glean fetch --all >out 2>err &&
	test_grep "1 failed" out &&
	test_grep "failed 2 " out
'

test_expect_success '--quiet: exit 3, one line per failure on stderr' '
	test_status 3 glean fetch --all --quiet >out 2>err &&
	test ! -s out &&
	test "$(wc -l <err)" = 1 &&
	test_grep "^glean: source 2 .* failed: " err
'

test_expect_success 'no source could be fetched: exit 1' '
	rm good.xml &&
	test_status 1 glean fetch --all --quiet >out 2>err &&
	test "$(wc -l <err)" = 2
'

test_expect_success 'nothing due is not a failure: exit 0' '
	glean fetch >out 2>err &&
	test_grep "nothing to fetch" out
'

full=
if unshare -m sh -c 'mount -t tmpfs -o size=1m tmpfs "$TRASH/home"' 2>/dev/null; then
	full=yes
else
	echo "# no tmpfs mount here (unshare -m); skipping the full-disk test"
fi

# In a private mount namespace: a 4 MiB filesystem under GLEAN_HOME, a
# store on it with one source, all but 128 KiB filled up (the store still
# opens), then a fetch that brings 400 new items (~280 KiB).
full_fetch() {
	TRASH=$TRASH unshare -m sh -c '
		mount -t tmpfs -o size=4m tmpfs "$GLEAN_HOME" &&
		"$GLEAN" add "file://$TRASH/big.xml" >/dev/null &&
		"$GLEAN" fetch >/dev/null &&
		{ dd if=/dev/zero of="$GLEAN_HOME/fill" bs=4k 2>/dev/null || :; } &&
		truncate -s -128k "$GLEAN_HOME/fill" &&
		cp "$TRASH/big400.xml" "$TRASH/big.xml" &&
		touch -d "@$(($(date +%s) + 60))" "$TRASH/big.xml" &&
		"$GLEAN" fetch --all "$@"' full-fetch "$@"
}

test_expect_success 'a full disk: exit 1 and "the disk is full", even --quiet' '
	if test -n "$full"; then
		big_feed 3 big.xml &&
		big_feed 400 big400.xml &&
		test_status 1 full_fetch --quiet >out 2>err &&
		cat err &&
		test ! -s out &&
		test_grep "^glean: the fetch could not be stored: .*the disk is full" err
	fi
'

test_expect_success 'a file written on a full disk says the disk is full' '
	if test -n "$full"; then
		glean mark 1 >/dev/null &&
		mkdir fulldir &&
		test_status 1 unshare -m sh -c "
			mount -t tmpfs -o size=64k tmpfs fulldir &&
			{ dd if=/dev/zero of=fulldir/fill bs=4k 2>/dev/null || :; } &&
			exec \"\$GLEAN\" digest -o fulldir/digest.md" >out 2>err &&
		cat err &&
		test_grep "^glean: cannot write .*digest.md.: the disk is full" err
	fi
'

test_done
