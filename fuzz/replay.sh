#!/bin/sh
# fuzz/replay.sh: replay the seed corpus through each fuzz target built
# against the ASan+UBSan library (build-asan/, as make check builds it),
# with a plain main() instead of libFuzzer; fast enough for make check.
# Every fuzz/fuzz_NAME.c is a target.
# Ends with "fuzz-replay: N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
B=build-asan
SAN='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all'
PKGS="ncursesw libcurl sqlite3 libxml-2.0 libpcre2-8 libcrypto uchardet libzstd"
CC=${CC:-cc}

make --no-print-directory BUILD=$B OPT="$SAN" HARDEN=-fPIE $B/libglean.a \
	>/dev/null || { echo "fuzz-replay: 0 passed, 1 failed"; exit 1; }
mkdir -p $B/fuzz
rm -rf $B/fuzz/seeds
sh fuzz/seeds.sh $B/fuzz/seeds >/dev/null
passed=0 failed=0
for f in fuzz/fuzz_*.c; do
	t=${f#fuzz/fuzz_}
	t=${t%.c}
	if ! $CC -std=c17 $SAN -D_DEFAULT_SOURCE -Iinclude \
		$(pkg-config --cflags $PKGS) -o $B/fuzz/replay_$t \
		fuzz/fuzz_$t.c fuzz/replay_main.c $B/libglean.a \
		$(pkg-config --libs $PKGS); then
		failed=$((failed + 1))
		continue
	fi
	if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	   $B/fuzz/replay_$t $t $B/fuzz/seeds/* >$B/fuzz/replay_$t.log 2>&1; then
		n=$(sed -n "s/^$t: \([0-9]*\) passed.*/\1/p" $B/fuzz/replay_$t.log)
		echo "ok   $t: $n seeds"
		passed=$((passed + n))
	else
		echo "FAIL $t: a seed crashed (see $B/fuzz/replay_$t.log)"
		grep -E '^==[0-9]+==ERROR|^SUMMARY|runtime error' \
			$B/fuzz/replay_$t.log | head -5
		failed=$((failed + 1))
	fi
done
echo "fuzz-replay: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
