#!/bin/sh
# fuzz/run.sh (make fuzz): build the libFuzzer targets with clang
# (-fsanitize=fuzzer,address,undefined) into build-fuzz/ and run each for
# FUZZ_TIME seconds (default 60) from the seed corpus. Inputs that crash
# are written to build-fuzz/crashes/; exits 1 when there are any.
#   fuzz/run.sh [TARGET...]      targets: parse render (default both)
cd "$(dirname "$0")/.." || exit 2
FUZZ_TIME=${FUZZ_TIME:-60}
B=build-fuzz
SAN='-fsanitize=address,undefined -fno-sanitize-recover=all'
PKGS="ncursesw libcurl sqlite3 libxml-2.0 libpcre2-8 libcrypto"
targets=${*:-parse render}

command -v clang >/dev/null 2>&1 || {
	echo "fuzz: clang is not installed (apt-get install clang)" >&2
	exit 2
}
make --no-print-directory BUILD=$B CC=clang \
	OPT="-O1 -g -fno-omit-frame-pointer $SAN -fsanitize=fuzzer-no-link" \
	HARDEN=-fPIE $B/libglean.a >/dev/null || exit 1
mkdir -p $B/seeds $B/crashes || exit 2
echo "fuzz: $(sh fuzz/seeds.sh $B/seeds) seed files"
rc=0
for t in $targets; do
	clang -std=c17 -O1 -g -fno-omit-frame-pointer $SAN -fsanitize=fuzzer \
		-D_DEFAULT_SOURCE -Iinclude $(pkg-config --cflags $PKGS) \
		-o $B/fuzz_$t fuzz/fuzz_$t.c $B/libglean.a \
		$(pkg-config --libs $PKGS) || exit 1
	mkdir -p $B/corpus/$t
	echo "fuzz: $t for ${FUZZ_TIME}s"
	$B/fuzz_$t -max_total_time="$FUZZ_TIME" -max_len=262144 \
		-rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
		-artifact_prefix=$B/crashes/$t- \
		$B/corpus/$t $B/seeds >$B/fuzz_$t.log 2>&1 || rc=1
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+.*DONE)' \
		$B/fuzz_$t.log
	grep -E '^==[0-9]+==ERROR|^SUMMARY|runtime error' $B/fuzz_$t.log | head -5
done
n=$(ls $B/crashes | wc -l)
echo "fuzz: $n crashing inputs in $B/crashes"
[ "$n" -eq 0 ] && [ "$rc" -eq 0 ]
