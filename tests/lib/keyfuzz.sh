# Sourced by tests/tui/t5099-keyfuzz.sh and tests/fuzz-ui (after lib.sh):
# the key fuzzer's set-up and one run of it.
#
#   keyfuzz_init             (outside a test: it sets variables) picks
#                            KEYFUZZ_GLEAN (build-asan/glean when built)
#                            and KEYFUZZ (the fuzzer), starts httpd
#   fuzz_store "$TRASH/site" the store of every kind of item
#   keyfuzz_run VARIANT SEED KEYS [ARGS...]
#                            one run with EDITOR set by VARIANT (ok, fail,
#                            missing, true); its output in
#                            $TRASH/fuzz-VARIANT-SEED.out, the last line
#                            the totals; returns the fuzzer's status
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"
. "$TEST_ROOT/tests/lib/fuzz-store.sh"

keyfuzz_init() {
	KEYFUZZ_GLEAN=${KEYFUZZ_GLEAN:-$GLEAN}
	if [ -x "$TEST_ROOT/build-asan/glean" ] &&
	   [ -z "${KEYFUZZ_NO_ASAN:-}" ]; then
		KEYFUZZ_GLEAN=$TEST_ROOT/build-asan/glean
	fi
	KEYFUZZ=$TEST_ROOT/build/tests/keyfuzz
	[ -x "$KEYFUZZ" ] || KEYFUZZ=$TEST_ROOT/build-asan/tests/keyfuzz
	if [ ! -x "$KEYFUZZ" ]; then
		echo "no keyfuzz binary: run 'make tests'" >&2
		return 1
	fi
	mkdir -p "$TRASH/site" "$TRASH/bin" &&
	httpd_start "$TRASH/site" || return 1
	test_on_exit httpd_stop
	# an editor that writes a note, as a person would
	printf '#!/bin/sh\nprintf "a note from the fuzz editor\\n" >>"$1"\n' \
		>"$TRASH/bin/editor-ok" &&
	chmod +x "$TRASH/bin/editor-ok"
}

keyfuzz_run() {
	variant=$1 seed=$2 keys=$3
	shift 3
	case $variant in
	ok) ed=$TRASH/bin/editor-ok ;;
	fail) ed=false ;;
	missing) ed=$TRASH/no/such/editor ;;
	true) ed=true ;;
	*) echo "keyfuzz_run: unknown variant '$variant'" >&2; return 2 ;;
	esac
	run=$TRASH/fuzz-$variant-$seed
	rm -rf "$run"
	mkdir -p "$run/tmp" "$run/log" &&
	"$KEYFUZZ" --glean "$KEYFUZZ_GLEAN" --home "$HOME" \
		--tmpdir "$run/tmp" --logdir "$run/log" --seed "$seed" \
		--keys "$keys" --editor "$ed" --browser true "$@" \
		>"$run.out" 2>"$run.err"
}

# Keep a failed run's output (its event script replays the failure)
# where it outlives the test's temporary directory.
keyfuzz_save() { # VARIANT SEED
	save=${KEYFUZZ_SAVE:-$TEST_ROOT/build/keyfuzz-failures}
	mkdir -p "$save" &&
	cp "$TRASH/fuzz-$1-$2.out" "$save/" &&
	cp -r "$TRASH/fuzz-$1-$2/log" "$save/fuzz-$1-$2.log" 2>/dev/null
	echo "# the full output: $save/fuzz-$1-$2.out (replay its events with"
	echo "# keyfuzz --replay; see tests/lib/keyfuzz.c)"
}
