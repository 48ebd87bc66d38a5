#!/bin/sh
# bench/search.sh: search latency at scale (issue 18, point 4). Times
# `glean search WORD --limit 50` (newest first) for 100 words spread over
# the index's frequency ranks, most frequent to rarest, and prints p50,
# p90, p99 and max of the wall time of each whole command, the words
# behind the slowest, and the time to the first row of a streamed search
# (no --limit) for three of them. Not a test: nothing here fails on a
# missed target (p50 <= 10 ms, p99 <= 100 ms, first row <= 50 ms at 1M
# items).
#
#   sh bench/search.sh STORE [GLEAN]
#
#   STORE   a store with its search file (STORE-search); it is searched,
#           so its index is brought up to date first (not timed)
#   GLEAN   the binary (./glean)
#
# A store of a million items from a kept 1000-feed store (59k items):
#   sh bench/search.sh --grow SMALL.db BIG.db 17
# copies SMALL's items 17 times into BIG.db (fresh guids, dates a month
# earlier each copy), then times as above.
#
# Environment: SEARCH_WORDS (100) words to time, SEARCH_RUNS (3) runs of
# each word (the median is kept), SEARCH_LIMIT (50).
set -eu

if [ "${1:-}" = --grow ]; then
	small=$2 big=$3 copies=$4
	[ -e "$big" ] && { echo "search.sh: $big exists" >&2; exit 2; }
	cp "$small" "$big"
	cols="source_id, guid, url, title, author, published, updated,"
	cols="$cols fetched, date, content, content_type, notes_text,"
	cols="$cols enclosures, content_hash, read, starred, marked,"
	cols="$cols marked_at, hidden, mark_seq, title_html"
	top=$(sqlite3 "$big" "SELECT max(id) FROM item")
	{
		echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;"
		k=1
		while [ "$k" -lt "$copies" ]; do
			m=$((k * 2592000))
			echo "BEGIN; INSERT INTO item ($cols) SELECT source_id,"
			echo " guid || '#$k', url || '#$k', title, author,"
			echo " published - $m, updated - $m, fetched, date - $m,"
			echo " content, content_type, notes_text,"
			echo " enclosures, content_hash, read, starred, marked,"
			echo " marked_at, hidden, mark_seq, title_html FROM item"
			echo " WHERE id <= $top; COMMIT;"
			k=$((k + 1))
		done
		echo "PRAGMA wal_checkpoint(TRUNCATE);"
	} | sqlite3 "$big" >/dev/null
	shift 3
	set -- "$big" "$@"
fi

store=$1
glean=${2:-./glean}
nwords=${SEARCH_WORDS:-100}
runs=${SEARCH_RUNS:-3}
limit=${SEARCH_LIMIT:-50}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# bring the index level (and build it, the first time)
"$glean" --db "$store" search zzzzqqqxj >/dev/null
items=$(sqlite3 "$store" "SELECT count(*) FROM item")

# the words: every term with its document count, most frequent first,
# then $nwords of them at ranks spaced evenly on a log scale
sqlite3 "$store" "ATTACH '$store-search' AS s;
	CREATE VIRTUAL TABLE temp.v USING fts5vocab(s, item_fts, row);
	SELECT term, doc FROM temp.v WHERE term GLOB '[a-z]*'
	ORDER BY doc DESC" >"$tmp/vocab"
awk -F'|' -v n="$nwords" '{ t[NR] = $1; d[NR] = $2 }
	END {
		last = 0
		for (k = 0; k < n; k++) {
			r = int(exp(log(NR) * k / (n - 1)) + 0.5)
			if (r <= last) r = last + 1
			if (r > NR) break
			last = r
			print t[r], d[r]
		}
	}' "$tmp/vocab" >"$tmp/words"

# one timed command: "wall_us cpu_us" (cpu = user + sys, from bash)
timed() {
	bash -c 'TIMEFORMAT="%3R %3U %3S"; { time "$@" >/dev/null; } 2>&1' \
		_ "$@" | awk '{ printf "%d %d\n", $1 * 1e6, ($2 + $3) * 1e6 }'
}
while read -r w docs; do
	for r in $(seq "$runs"); do
		timed "$glean" --db "$store" search "$w" --limit "$limit"
	done | sort -n | sed -n "$(((runs + 1) / 2))p" |
		while read -r us cpu; do echo "$us $cpu $w $docs"; done
done <"$tmp/words" >"$tmp/all"
sort -n "$tmp/all" >"$tmp/times"
sort -n -k2 "$tmp/all" | awk '{ print $2 }' >"$tmp/cpu"
base=$(for r in 1 2 3 4 5; do timed "$glean" --db "$store" search \
	zzzzqqqxj; done | sort -n | sed -n 3p)

n=$(wc -l <"$tmp/times")
pct() { sed -n "$(( ($1 * n + 99) / 100 ))p" "$2" | cut -d' ' -f1; }
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
echo "search newest-first, --limit $limit, $items items, $n words" \
	"(median of $runs runs each), the whole command:"
echo "  wall: p50 $(ms "$(pct 50 "$tmp/times")") ms " \
	"p90 $(ms "$(pct 90 "$tmp/times")") ms " \
	"p99 $(ms "$(pct 99 "$tmp/times")") ms " \
	"max $(ms "$(pct 100 "$tmp/times")") ms" \
	"  (targets: p50 <= 10, p99 <= 100)"
echo "  CPU:  p50 $(ms "$(pct 50 "$tmp/cpu")") ms " \
	"p90 $(ms "$(pct 90 "$tmp/cpu")") ms " \
	"p99 $(ms "$(pct 99 "$tmp/cpu")") ms " \
	"max $(ms "$(pct 100 "$tmp/cpu")") ms"
echo "  a search that finds nothing (start, open, catch-up check):" \
	"wall $(ms "${base%% *}") ms, CPU $(ms "${base#* }") ms"
echo "  slowest by wall (wall_us cpu_us word documents):"
tail -n 5 "$tmp/times" | sed 's/^/    /'

# the first row of a whole streamed search, no --limit: the wall time of
# 'glean search WORD | head -1' (glean stops when head has gone), for the
# most frequent, the middle and the rarest of the words (target 50 ms)
first() {
	bash -c 'TIMEFORMAT="%3R"; { time "$1" --db "$2" search "$3" |
		head -n 1 >/dev/null; } 2>&1' _ "$glean" "$store" "$1" |
		awk '{ printf "%d\n", $1 * 1e6 }'
}
echo "  first row of 'glean search WORD | head -1' (median of $runs):"
for r in 1 $(((n + 1) / 2)) "$n"; do
	set -- $(sed -n "${r}p" "$tmp/words")
	us=$(for k in $(seq "$runs"); do first "$1"; done | sort -n |
		sed -n "$(((runs + 1) / 2))p")
	echo "    $1 ($2 documents): $(ms "$us") ms"
done
