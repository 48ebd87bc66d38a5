#!/bin/sh
# The crash loop: kill -9 glean at random moments during a fetch of many
# feeds, during notes, and during both at once; after every kill
# 'glean check' finds the store sound and every note that was reported
# written is there. Seeded, so a failing run can be repeated:
#
#   CRASH_SEED=7 CRASH_RUNS=100 sh tests/integration/t1009-crash-loop.sh
#   make crash-loop           (the long version: 100 runs)
#
# make check runs 10 (3 under valgrind, where a killed process reports
# nothing and each run costs seconds).
. "$(dirname "$0")/../lib/lib.sh"

seed=${CRASH_SEED:-15}
if [ -n "${GLEAN_WRAP:-}" ]; then
	runs=${CRASH_RUNS:-3} slow=5   # glean starts slowly there
else
	runs=${CRASH_RUNS:-10} slow=1
fi
nfeeds=40 nper=30

feeds="$TRASH/feeds"
mkdir -p "$feeds"
python3 - "$feeds" "$nfeeds" "$nper" <<'EOP'
import random, sys
random.seed(15)
d, nf, ni = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
words = "civic data council open budget health care library digital".split()
for f in range(nf):
    items = "".join(
        "<item><title>Item %d-%d</title><guid>g-%d-%d</guid><description>"
        "&lt;p&gt;%s&lt;/p&gt;</description></item>" %
        (f, i, f, i, " ".join(random.choice(words) for _ in range(150)))
        for i in range(ni))
    open("%s/f%d.xml" % (d, f), "w").write(
        "<rss version='2.0'><channel><title>Feed %d</title>%s</channel>"
        "</rss>" % (f, items))
EOP
# Setup, not under GLEAN_WRAP (as in t1003).
for f in "$feeds"/*.xml; do "$GLEAN" add "file://$f" >/dev/null; done
"$GLEAN" fetch --quiet --all 2>/dev/null
item=$(store_sql "SELECT min(id) FROM item")
: >ledger
: >hits

# The plan, from the seed: per run a mode (0 fetch, 1 notes, 2 both) and
# a delay in ms before the kill.
awk -v s="$seed" -v n="$runs" 'BEGIN { srand(s); for (i = 1; i <= n; i++)
	printf "%d %d %d\n", i, int(rand() * 3), int(rand() * 400) }' >plan

# Notes, one after another, each recorded once glean said it was written.
notes() { # $1 run
	k=0
	while :; do
		k=$((k + 1))
		${GLEAN_WRAP:-} "$GLEAN" note "$item" "crash-$1-$k" >/dev/null 2>&1 &&
			echo "crash-$1-$k" >>ledger
	done
}

# kill -9 a background job and every glean it started.
# A kill that found a glean running is counted in hits.
kill9() { # $1 pid
	kill -STOP "$1" 2>/dev/null
	kids=$(pgrep -P "$1")
	if [ -n "$kids" ] || [ "$(ps -o comm= -p "$1")" = glean ]; then
		echo "$1" >>hits
	fi
	kill -9 "$1" $kids 2>/dev/null
	wait "$1" 2>/dev/null
	for k in $kids; do # not our children: wait till they are gone
		while kill -0 "$k" 2>/dev/null; do sleep 0.01; done
	done
}

test_expect_success "kill -9 at random moments, $runs runs (seed $seed)" '
	while read r mode ms; do
		fpid= npid=
		if [ $mode != 1 ]; then
			store_sql "UPDATE source SET next_due = 0, body_hash = NULL, etag = NULL, last_modified = NULL"
			(exec ${GLEAN_WRAP:-} "$GLEAN" fetch --quiet 2>/dev/null) &
			fpid=$!
		fi
		if [ $mode != 0 ]; then
			notes $r &
			npid=$!
		fi
		ms=$((ms * slow))
		sleep "$(printf "%d.%03d" $((ms / 1000)) $((ms % 1000)))"
		[ -z "$fpid" ] || kill9 $fpid
		[ -z "$npid" ] || kill9 $npid
		glean check >check.out 2>&1 ||
			{ echo "run $r (mode $mode, $ms ms): glean check failed"; cat check.out; exit 1; }
		while read t; do
			test "$(store_sql "SELECT count(*) FROM note WHERE body = \"$t\"")" = 1 ||
				{ echo "run $r (mode $mode, $ms ms): note $t lost"; exit 1; }
		done <ledger
		m=$(store_sql "SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM item GROUP BY source_id)")
		test "$m" -le '$nper' ||
			{ echo "run $r: a source has $m items of '$nper'"; exit 1; }
	done <plan &&
	test -s hits
'
echo "# crash loop, seed $seed: $runs runs, $(wc -l <hits) kills landed on a" \
	"running glean, $(wc -l <ledger) notes written and all kept"

test_expect_success 'after the crashes a normal fetch completes the store' '
	glean fetch --all >out &&
	test_grep " 0 failed" out &&
	test "$(store_sql "SELECT count(*) FROM item")" = $((nfeeds * nper)) &&
	glean check &&
	test "$(store_sql "SELECT count(*) FROM note WHERE body LIKE \"crash-%\"")" -ge "$(wc -l <ledger)"
'

test_done
