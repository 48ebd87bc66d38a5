#!/bin/sh
# fuzz/run.sh (make fuzz): build the libFuzzer targets with clang
# (-fsanitize=fuzzer,address,undefined) into build-fuzz/ and run each for
# FUZZ_TIME seconds each (default 60) from the seed corpus, then print a
# summary: each target's executions (libFuzzer's final count), seconds
# and crashes. Inputs that crash are written to build-fuzz/crashes/;
# exits 1 when there are any.
# FUZZ_CPU=SECONDS runs each target until it has used that much CPU time
# instead (measured from /proc, so a run sharing the machine, or run under
# nice, still gets its full budget); libFuzzer's own limit is wall time.
# FUZZ_UNIT_TIMEOUT=SECONDS is libFuzzer's per-input limit (10), also wall
# time: raise it on a loaded machine, where a starved fast input can pass it.
#   fuzz/run.sh [TARGET...]   every fuzz/fuzz_NAME.c is a target NAME
#                             (parse render social opml config query
#                             sanitize extract); default all of them
cd "$(dirname "$0")/.." || exit 2
FUZZ_TIME=${FUZZ_TIME:-60}
B=build-fuzz
SAN='-fsanitize=address,undefined -fno-sanitize-recover=all'
PKGS="ncursesw libcurl sqlite3 libxml-2.0 libpcre2-8 libcrypto uchardet libzstd"
all=$(for f in fuzz/fuzz_*.c; do f=${f#fuzz/fuzz_}; echo "${f%.c}"; done)
targets=${*:-$all}
for t in $targets; do
	[ -f "fuzz/fuzz_$t.c" ] || {
		echo "fuzz: no target '$t' (targets:" $all")" >&2
		exit 2
	}
done

command -v clang >/dev/null 2>&1 || {
	echo "fuzz: clang is not installed (apt-get install clang)" >&2
	exit 2
}
make --no-print-directory BUILD=$B CC=clang \
	OPT="-O1 -g -fno-omit-frame-pointer $SAN -fsanitize=fuzzer-no-link" \
	HARDEN=-fPIE $B/libglean.a >/dev/null || exit 1
mkdir -p $B/seeds $B/crashes || exit 2
budget="${FUZZ_TIME}s"
[ -n "$FUZZ_CPU" ] && budget="$FUZZ_CPU CPU-seconds"
echo "fuzz: $(sh fuzz/seeds.sh $B/seeds) seed files"
rc=0
summary=
for t in $targets; do
	clang -std=c17 -O1 -g -fno-omit-frame-pointer $SAN -fsanitize=fuzzer \
		-D_DEFAULT_SOURCE -Iinclude $(pkg-config --cflags $PKGS) \
		-o $B/fuzz_$t fuzz/fuzz_$t.c $B/libglean.a \
		$(pkg-config --libs $PKGS) || exit 1
	mkdir -p $B/corpus/$t
	echo "fuzz: $t for $budget"
	wall=$FUZZ_TIME
	[ -n "$FUZZ_CPU" ] && wall=$((FUZZ_CPU * 50))
	$B/fuzz_$t -max_total_time="$wall" -max_len=262144 \
		-rss_limit_mb=2048 -timeout="${FUZZ_UNIT_TIMEOUT:-10}" -print_final_stats=1 \
		-interrupted_exit_code=0 -artifact_prefix=$B/crashes/$t- \
		$B/corpus/$t $B/seeds >$B/fuzz_$t.log 2>&1 &
	pid=$!
	if [ -n "$FUZZ_CPU" ]; then
		# utime + stime, fields 14 and 15 of /proc/PID/stat, in ticks
		tck=$(getconf CLK_TCK)
		while kill -0 $pid 2>/dev/null; do
			cpu=$(awk -v t="$tck" '{ print int(($14 + $15) / t) }' \
				/proc/$pid/stat 2>/dev/null)
			[ "${cpu:-0}" -ge "$FUZZ_CPU" ] && kill -INT $pid
			sleep 5
		done
	fi
	wait $pid || rc=1
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+.*DONE)' \
		$B/fuzz_$t.log
	grep -E '^==[0-9]+==ERROR|^SUMMARY|runtime error' $B/fuzz_$t.log | head -5
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
		$B/fuzz_$t.log | tail -1)
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*DONE.*/\1/p' \
		$B/fuzz_$t.log | tail -1)
	secs=$(sed -n 's/.*Done [0-9]* runs in \([0-9]*\) second.*/\1/p' \
		$B/fuzz_$t.log | tail -1)
	[ -n "$FUZZ_CPU" ] && secs="${cpu:-?} CPU-"
	# libFuzzer also writes slow-unit-* (a unit over 10 s of wall time,
	# which a starved run can report for a fast input): listed, not
	# counted as crashes
	crashes=$(ls $B/crashes | grep "^$t-" | grep -vc -- '-slow-unit-')
	slow=$(ls $B/crashes | grep "^$t-" | grep -c -- '-slow-unit-')
	summary="$summary$(printf '%-10s %12s execs %10ss %3s crashes %3s slow' \
		"$t" "${execs:-?}" "${secs:-$FUZZ_TIME}" "$crashes" "$slow")
"
done
echo "fuzz: summary ($budget per target)"
printf '%s' "$summary"
n=$(ls $B/crashes | grep -vc -- '-slow-unit-')
echo "fuzz: $n crashing inputs in $B/crashes"
[ "$n" -eq 0 ] && [ "$rc" -eq 0 ]
