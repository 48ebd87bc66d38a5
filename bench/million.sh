#!/bin/sh
# bench/million.sh: glean flat at a million items (issue 18, point 4, and
# the 1M-item "scale" store of point 3).
#
# Builds a store of about 1,000,000 items from a store made by a real
# cold fetch (the 1000-feed real-text corpus, ~59k items): its sources
# and items are copied 16 more times with SQL (new source URLs and guids,
# each copy's dates moved ~15 months further back, about three in four
# copied items read), then the search index catches up through
# 'glean search'. Minutes, not hours. Then it measures, each the median
# of BENCH_RUNS (5) runs, CPU time beside wall:
#   - glean items | head -1: time to the first row, and peak RSS
#   - glean items --json | head -c 1: time to the first row
#   - glean search WORD | head -1 for a frequent, a middling and a rare
#     word: time to the first row, and peak RSS
#   - the reader's first screen with the unread counts drawn
#     (GLEAN_BENCH_EXIT_AFTER_FIRST_DRAW=1; the counts are on it)
#   - the reader's keys that change the list, in tmux: each key's time
#     from read to drawn as the reader logs it (GLEAN_BENCH_KEY_LOG), and
#     the idle work (counts) that follows it
# and prints each figure beside its target (a figure over target is
# marked "MISS"). Not a test: nothing fails on a missed target.
#
#   sh bench/million.sh [SEED_STORE]
#     SEED_STORE   a glean.db from a cold fetch (default: $BENCH_SEED, or
#                  the newest build/bench or /tmp/glean-bench.*/p1 store)
#   BENCH_DIR=dir   where the 1M store is made and kept (default
#                   $TMPDIR/glean-bench-million); it is made again only
#                   when missing or when BENCH_REBUILD=1
#   BENCH_COPIES=n  copies of the seed (16: 17 x 59k = 1.0M items)
#   BENCH_RUNS=n    runs per figure (5)
#   GLEAN=path      the glean to measure (./glean)
# Output lines "million NAME FIGURE UNIT target TARGET [MISS]" are for
# bench/run to collect; the rest goes to stderr.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
g=${GLEAN:-$top/glean}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/glean-bench-million}
copies=${BENCH_COPIES:-16}
runs=${BENCH_RUNS:-5}
home=$dir/home
db=$home/glean.db

say() { printf 'million: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

seed=${1:-${BENCH_SEED:-}}
if [ -z "$seed" ]; then
	seed=$(ls -t "$top"/build/bench/*/p1/glean.db \
		"${TMPDIR:-/tmp}"/glean-bench.*/p1/glean.db 2>/dev/null |
		head -n 1 || :)
fi
command -v sqlite3 >/dev/null || die "sqlite3 (Debian sqlite3) is needed"
command -v tmux >/dev/null || say "tmux is missing: the key latencies are skipped"
[ -x "$g" ] || die "no glean at $g: run make first"

# ---- the store ----
build() {
	[ -n "$seed" ] && [ -s "$seed" ] ||
		die "no seed store: pass a glean.db from a cold fetch of the 1000-feed corpus (bench/run with BENCH_KEEP=1 keeps one)"
	say "building ~$(( ($(sqlite3 "$seed" 'SELECT count(*) FROM item') ) * (copies + 1) )) items from $seed"
	rm -rf "$home"
	mkdir -p "$home"
	# a consistent copy, with the seed's -wal folded in (never written)
	sqlite3 "file:$seed?mode=ro" ".backup '$db'"
	# bring the copy to this glean's schema first: the copies go through
	# its triggers (the per-source counts)
	GLEAN_HOME=$home "$g" sources >/dev/null
	icols=$(sqlite3 "$db" "SELECT group_concat(name, ', ') FROM
		pragma_table_info('item') WHERE name NOT IN ('id', 'source_id',
		'guid', 'date', 'published', 'fetched', 'read')")
	scols=$(sqlite3 "$db" "SELECT group_concat(name, ', ') FROM
		pragma_table_info('source') WHERE name NOT IN ('id', 'url')")
	base=$(sqlite3 "$db" "SELECT max(id) FROM source")
	k=1
	while [ "$k" -le "$copies" ]; do
		off=$((k * (base + 1000)))
		shift=$((k * 40000000))
		sqlite3 "$db" >/dev/null <<EOSQL
PRAGMA synchronous = OFF;
PRAGMA cache_size = -200000;
BEGIN;
INSERT INTO source (id, url, $scols)
	SELECT id + $off, url || '#copy$k', $scols FROM source
	WHERE id <= $base;
INSERT INTO item (source_id, guid, date, published, fetched, read, $icols)
	SELECT source_id + $off, guid || '#copy$k', date - $shift,
	       published - $shift, fetched - $shift, abs(random()) % 4 <> 0,
	       $icols
	FROM item WHERE source_id <= $base AND guid NOT LIKE '%#copy%';
COMMIT;
EOSQL
		say "copy $k of $copies: $(sqlite3 "$db" 'SELECT max(id) FROM item') rows"
		k=$((k + 1))
	done
	# items inserted with SQL are not counted by glean (schema 16):
	# the counts the reader shows, as 'glean check --repair' makes them
	sqlite3 "$db" "BEGIN; DELETE FROM source_count; INSERT INTO
		source_count SELECT s.id, coalesce(x.n, 0), coalesce(x.u, 0),
		coalesce(x.st, 0), coalesce(x.m, 0) FROM source s LEFT JOIN
		(SELECT source_id, count(*) AS n, sum(read = 0) AS u,
		sum(starred = 1) AS st, sum(marked = 1) AS m FROM item WHERE
		hidden = 0 GROUP BY source_id) x ON x.source_id = s.id; COMMIT;"
	sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
	say "catching up the search index (the slow part)"
	GLEAN_HOME=$home /usr/bin/time -f 'million: index catch-up %e s wall, %U+%S s CPU, %M KiB' \
		"$g" search zzzzbenchwarmup >/dev/null || :
	touch "$dir/.done"
}

mkdir -p "$dir"
if [ "${BENCH_REBUILD:-0}" = 1 ] || [ ! -f "$dir/.done" ] || [ ! -s "$db" ]; then
	s=$(date +%s)
	build
	say "store built in $(( $(date +%s) - s )) s"
fi
# a glean newer than the store upgrades it once, outside the timings
GLEAN_HOME=$home "$g" sources >/dev/null
nitems=$(sqlite3 "$db" "SELECT count(*) FROM item")
nsrc=$(sqlite3 "$db" "SELECT count(*) FROM source")
say "store: $nitems items, $nsrc sources, $(du -sm "$home" | cut -f1) MB"
echo "million items $nitems count target 1000000"

# ---- helpers ----
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "?" }'; }
report() { # name figure unit target
	miss=
	awk -v f="$2" -v t="$4" 'BEGIN { exit !(f + 0 > t + 0) }' && miss=" MISS"
	printf 'million %s %s %s target %s%s\n' "$1" "$2" "$3" "$4" "$miss"
}

# first_row NAME TARGET_MS CMD...: ms from start until the first byte of
# output reaches the reader of the pipe (a consumer that reads one byte
# and exits, as head does), medians; plus the peak RSS of one run of the
# whole command to the end of its first page (head -n 50).
first_row() {
	name=$1 target=$2
	shift 2
	i=0
	: >"$dir/t"
	while [ "$i" -lt "$runs" ]; do
		GLEAN_HOME=$home python3 - "$@" >>"$dir/t" <<'EOPY'
import os, subprocess, sys, time
t = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)
b = p.stdout.read(1)
dt = time.monotonic() - t
p.stdout.close()
p.wait()
print("%.1f" % (dt * 1000) if b else "nan")
EOPY
		i=$((i + 1))
	done
	report "$name-first-row" "$(median <"$dir/t")" ms "$target"
	GLEAN_HOME=$home /usr/bin/time -o "$dir/rss" -f '%M' "$@" 2>/dev/null |
		head -n 50 >/dev/null || :
	report "$name-peak-rss" "$(( $(tail -n 1 "$dir/rss") / 1024 ))" MB 64
}

first_row items 50 "$g" items
first_row items-json 50 "$g" items --json
# words of three frequencies in the corpus (the search file answers)
for w in ${BENCH_WORDS:-the government zygote}; do
	first_row "search-$w" 50 "$g" search "$w"
	first_row "search-json-$w" 50 "$g" search "$w" --json
done

# ---- the reader ----
# The first screen now has the navigation counts (kept by the store), so
# GLEAN_BENCH_EXIT_AFTER_FIRST_DRAW times the first screen with counts.
term="TERM=xterm-256color LINES=50 COLUMNS=160"
i=0
: >"$dir/t"
: >"$dir/tc"
while [ "$i" -lt "$runs" ]; do
	s=$(date +%s%N)
	env GLEAN_HOME="$home" GLEAN_BENCH_EXIT_AFTER_FIRST_DRAW=1 $term \
		/usr/bin/time -o "$dir/cpu" -f '%U %S' "$g" </dev/null >/dev/null
	e=$(date +%s%N)
	echo $(( (e - s) / 1000000 )) >>"$dir/t"
	awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$dir/cpu" >>"$dir/tc"
	i=$((i + 1))
done
report reader-first-screen-with-counts "$(median <"$dir/t")" ms 50
report reader-first-screen-with-counts-cpu "$(median <"$dir/tc")" ms 50

# Keys, in tmux: GLEAN_BENCH_KEY_LOG makes the reader log each key's time
# from read to drawn ("key CODE MS") and each piece of idle work after it
# ("idle 0 MS"), so tmux's own latency is not in the figures.
if command -v tmux >/dev/null; then
	sock=glean-million-$$
	log=$dir/keys.log
	tm() { tmux -L "$sock" "$@"; }
	tm kill-server 2>/dev/null || :
	: >"$log"
	tm new-session -d -x 160 -y 50 \
		"env GLEAN_HOME=$home GLEAN_BENCH_KEY_LOG=$log TERM=xterm-256color $g"
	trap 'tm kill-server 2>/dev/null || :' EXIT INT TERM
	sleep 3
	# keyrun NAME KEYS...: the keys sent at once (a prompt's text with
	# its key, so typing is not timed), runs times; the figure is the
	# first key's logged time (a prompt's key is drawn after its Enter),
	# waited for up to 20 s; the idle work logged after it is reported
	# too (it delays a key pressed meanwhile)
	keyrun() {
		name=$1
		shift
		: >"$dir/t"
		: >"$dir/ti"
		i=0
		while [ "$i" -lt "$runs" ]; do
			: >"$log"
			tm send-keys "$@"
			n=0
			while ! grep -q '^key' "$log" && [ $n -lt 200 ]; do
				sleep 0.1
				n=$((n + 1))
			done
			sleep 0.5
			grep '^key' "$log" | head -n 1 | cut -d' ' -f3 >>"$dir/t"
			awk '/^idle/ { n += $3 } END { print n + 0 }' "$log" >>"$dir/ti"
			i=$((i + 1))
		done
		report "key-$name" "$(median <"$dir/t")" ms 50
		report "key-$name-idle-after" "$(median <"$dir/ti")" ms 50
	}
	# from the list of All: the keys that change the list (O cycles
	# date, source, title, unread first: four runs make one of each)
	runs_saved=$runs
	runs=1
	for o in source title unread-first date; do
		keyrun "sort-by-$o" O
	done
	runs=$runs_saved
	keyrun next-source J
	keyrun prev-source K
	tm send-keys q    # to the navigation pane
	sleep 0.5
	tm send-keys g
	sleep 0.5
	# down through All, Unread, Starred, To share, Annotated, the
	# sources; up again
	keyrun nav-down j
	keyrun nav-up k
	tm send-keys g Enter
	sleep 0.5
	keyrun search-word / government Enter
	tm send-keys q
	sleep 0.5
	keyrun filter-unread F is:unread Enter
	tm send-keys q
	sleep 0.5
	tm kill-server 2>/dev/null || :
fi
