#!/bin/sh
# No key sequence crashes the reader (issue 12): the short seeded run of
# the key fuzzer (tests/lib/keyfuzz.c) against build-asan/glean when it
# is built, over a store of every kind of item with loopback sources,
# with $EDITOR that writes a note, fails, is missing and is 'true'.
# 'make fuzz-ui' is the long run. First, the fuzzer itself must see a
# crash and a temp file left behind, or its passes would mean nothing.
. "$(dirname "$0")/../lib/lib.sh"
. "$TEST_ROOT/tests/lib/keyfuzz.sh"

# A stand-in for glean: reads keys raw; named fake-crash it segfaults on
# the byte A, named fake-leak it leaves an empty draft directory on the
# byte a; q quits.
fake() { # FILE
	cat >"$1" <<-'EOF'
	#!/usr/bin/env python3
	import os, signal, sys, tty
	tty.setraw(0)
	os.write(1, b"ready")
	crash = sys.argv[0].endswith("crash")
	while True:
	    for c in os.read(0, 4096):
	        if c == ord("A") and crash:
	            os.kill(os.getpid(), signal.SIGSEGV)
	        if c == ord("a") and not crash:
	            os.makedirs(os.environ["TMPDIR"] + "/glean-note-fake%d"
	                        % os.getpid(), exist_ok=True)
	        if c == ord("q"):
	            sys.exit(0)
	EOF
	chmod +x "$1"
}

keyfuzz_init || exit 1
test_expect_success 'setup: the store of every kind of item' '
	fuzz_store "$TRASH/site" &&
	test "$(store_sql "SELECT count(*) FROM item")" -gt 130 &&
	test "$(store_sql "SELECT count(*) FROM note")" = 5 &&
	huge=$(store_sql "SELECT id FROM item WHERE title = '"'"'A 1.2 MB body'"'"'") &&
	test "$(glean show --json "$huge" | jq -r .content | wc -c)" -gt 1000000
'

test_expect_success 'the fuzzer reports a crash with the keys that made it' '
	fake "$TRASH/bin/fake-crash" &&
	fake "$TRASH/bin/fake-leak" &&
	mkdir -p f1/tmp f1/log &&
	test_status 1 "$KEYFUZZ" --glean "$TRASH/bin/fake-crash" --home "$HOME" \
		--tmpdir f1/tmp --logdir f1/log --seed 7 --keys 3000 >f1.out &&
	test_grep "glean died of signal 11" f1.out &&
	sed -n "/^# glean died/,/^# end of events/p" f1.out |
		grep -v "^#" >f1.script &&
	test_grep "^w [0-9]*x[0-9]*$" f1.script &&
	grep "^k .*A" f1.script &&
	test_grep " 1 crashes" f1.out
'

test_expect_success 'a --replay of those keys crashes it again' '
	mkdir -p f2/tmp f2/log &&
	test_status 1 "$KEYFUZZ" --glean "$TRASH/bin/fake-crash" --home "$HOME" \
		--tmpdir f2/tmp --logdir f2/log --replay f1.script >f2.out &&
	test_grep "glean died of signal 11" f2.out
'

test_expect_success 'the fuzzer counts temp files left behind and goes on' '
	mkdir -p f3/tmp f3/log &&
	test_status 1 "$KEYFUZZ" --glean "$TRASH/bin/fake-leak" --home "$HOME" \
		--tmpdir f3/tmp --logdir f3/log --seed 3 --keys 300 \
		--continue >f3.out &&
	test_grep "leaked temp dir: .*glean-note-fake" f3.out &&
	tail -n 1 f3.out >totals &&
	test_grep " 3[0-9][0-9] keys" totals &&
	! test_grep " 0 leaked files" totals
'

# The short run: four EDITORs, a seed each, 520 keys each (2,080 keys),
# going on after a crash so that one crash does not hide the next.
total=0
for run in ok:11 fail:12 missing:13 true:14; do
	v=${run%%:*} s=${run#*:}
	test_expect_success "seed $s, EDITOR $v: no crash, no sanitizer report, no temp file left" '
		if ! keyfuzz_run "$v" "$s" 520 --continue; then
			keyfuzz_save "$v" "$s"
			grep -E "^# (glean|temp|leaked|sanitizer|  +(#[0-3] |SUMMARY))" "$run.out" | head -n 30
			tail -n 1 "$run.out"
			exit 1
		fi &&
		tail -n 1 "$run.out" >totals &&
		cat totals &&
		test_grep " 0 crashes, 0 sanitizer reports, 0 leaked files" totals &&
		test_grep "keys, [1-9][0-9]* starts" totals &&
		! test_grep " 0 resizes" totals &&
		! test_grep " 0 prompts" totals
	'
	n=$(tail -n 1 "$TRASH/fuzz-$v-$s.out" 2>/dev/null |
		sed -n "s/.*: \([0-9]*\) keys,.*/\1/p")
	total=$((total + ${n:-0}))
done

test_expect_success "at least 2,000 keys in all ($total)" '
	test "$total" -ge 2000
'

test_done
