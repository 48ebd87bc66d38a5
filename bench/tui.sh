#!/bin/sh
# bench/tui.sh: the reader at scale (issue 5). Builds stores of 50k and
# 500k items (100 sources, direct SQL through the sqlite3 CLI on a store
# glean created), then measures
#   - time to first screen: glean with GLEAN_BENCH_EXIT_AFTER_FIRST_DRAW=1
#     exits right after the first refresh (hyperfine, or a loop);
#   - time until the reader is idle (the navigation counts loaded too;
#     GLEAN_BENCH_EXIT_WHEN_IDLE=1);
#   - peak RSS of the first-screen run (/usr/bin/time -f %M);
#   - newsboat -x print-unread on the same items in its cache.db, where
#     practical (BENCH_NEWSBOAT=0 skips it; it is very slow at 500k, so it
#     runs on 50k only unless BENCH_NEWSBOAT_BIG=1).
# Target (issue 5): first screen <= 150 ms at both sizes, RSS <= 30 MB
# plus SQLite's page cache.
#   sh bench/tui.sh [SIZES...]      default: 50000 500000
#   BENCH_DIR=dir keeps the generated stores between runs.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
g=${GLEAN:-$top/glean}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/glean-bench-tui}
sizes=${*:-50000 500000}
mkdir -p "$dir"

gen() { # N → $dir/N/glean.db
	n=$1 home=$dir/$n
	[ -s "$home/glean.db" ] && [ -f "$home/.done" ] && return 0
	rm -rf "$home"
	mkdir -p "$home"
	GLEAN_HOME=$home "$g" sources >/dev/null
	echo "generating $n items in $home/glean.db" >&2
	sqlite3 "$home/glean.db" >/dev/null <<EOSQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100)
INSERT INTO source (id, url, title, added, next_due)
SELECT i, 'https://bench.example/' || i || '/feed.xml', 'Bench source ' || i,
       1700000000, 4000000000 FROM c;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $n)
INSERT INTO item (id, source_id, guid, url, title, author, published,
		  fetched, date, content, content_type, text, read)
SELECT i, 1 + i % 100, 'guid-' || i, 'https://bench.example/item/' || i,
       'Item ' || i || ': notes on digital inclusion, libraries and care',
       'Author ' || (i % 37), 1700000000 + i * 60, 1700000000 + i * 60,
       1700000000 + i * 60,
       '<p>Body of item ' || i || '. ' || substr(hex(randomblob(120)), 1, 200)
	       || '</p><p>Second paragraph with a <a href="https://x.example/'
	       || i || '">link</a>.</p>',
       'text/html',
       'Body of item ' || i || '. Second paragraph with a link.',
       i % 3 = 0
FROM c;
COMMIT;
ANALYZE;
EOSQL
	# The search index (glean.db-search) catches up at the first search.
	GLEAN_HOME=$home "$g" search bench-warm-up >/dev/null
	touch "$home/.done"
}

first_screen() { # N
	home=$dir/$1
	echo "== glean, $1 items: time to first screen"
	if command -v hyperfine >/dev/null 2>&1; then
		hyperfine -N --warmup 3 --runs 20 --style basic \
			"env GLEAN_HOME=$home GLEAN_BENCH_EXIT_AFTER_FIRST_DRAW=1 TERM=xterm-256color LINES=50 COLUMNS=160 $g" \
			</dev/null 2>&1 | sed -n '/Time/,/Range/p'
	else
		s=$(date +%s%N)
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			env GLEAN_HOME="$home" GLEAN_BENCH_EXIT_AFTER_FIRST_DRAW=1 \
				TERM=xterm-256color LINES=50 COLUMNS=160 "$g" \
				</dev/null >/dev/null
		done
		e=$(date +%s%N)
		echo "  mean $(( (e - s) / 10000000 )) ms over 10 runs"
	fi
	s=$(date +%s%N)
	env GLEAN_HOME="$home" GLEAN_BENCH_EXIT_WHEN_IDLE=1 TERM=xterm-256color \
		LINES=50 COLUMNS=160 "$g" </dev/null >/dev/null
	e=$(date +%s%N)
	echo "  idle (navigation counts loaded too): $(( (e - s) / 1000000 )) ms"
	rss=$( { env GLEAN_HOME="$home" GLEAN_BENCH_EXIT_AFTER_FIRST_DRAW=1 \
		TERM=xterm-256color LINES=50 COLUMNS=160 \
		/usr/bin/time -f %M "$g" </dev/null >/dev/null; } 2>&1 | tail -n 1)
	echo "  peak RSS: $rss KiB"
}

newsboat_cache() { # N → $dir/N/newsboat/{urls,cache.db}
	home=$dir/$1 nb=$dir/$1/newsboat
	[ -f "$nb/.done" ] && return 0
	rm -rf "$nb"
	mkdir -p "$nb"
	sqlite3 "$home/glean.db" "SELECT url FROM source ORDER BY id" >"$nb/urls"
	# let newsboat create its own schema, then fill it from the store
	newsboat -u "$nb/urls" -c "$nb/cache.db" -C /dev/null \
		-x print-unread >/dev/null 2>&1 || :
	sqlite3 "$nb/cache.db" <<EOSQL
ATTACH '$home/glean.db' AS g;
BEGIN;
INSERT OR REPLACE INTO rss_feed (rssurl, url, title)
	SELECT url, url, title FROM g.source;
INSERT INTO rss_item (guid, title, author, url, feedurl, pubDate, content,
		      unread)
	SELECT i.guid, i.title, i.author, i.url, s.url, i.date, i.content,
	       i.read = 0
	FROM g.item i JOIN g.source s ON s.id = i.source_id;
COMMIT;
EOSQL
	touch "$nb/.done"
}

newsboat_run() { # N
	nb=$dir/$1/newsboat
	echo "== newsboat -x print-unread, $1 items (one run)"
	s=$(date +%s%N)
	/usr/bin/time -o "$nb/rss" -f %M timeout "${BENCH_NEWSBOAT_TIMEOUT:-600}" \
		newsboat -u "$nb/urls" -c "$nb/cache.db" -C /dev/null \
		-x print-unread </dev/null >"$nb/out" 2>/dev/null || :
	out=$(tail -n 1 "$nb/rss")
	e=$(date +%s%N)
	echo "  $(( (e - s) / 1000000 )) ms, peak RSS $out KiB: $(head -c 80 "$nb/out")"
}

for n in $sizes; do
	gen "$n"
	first_screen "$n"
done
if [ "${BENCH_NEWSBOAT:-1}" != 0 ] && command -v newsboat >/dev/null 2>&1; then
	for n in $sizes; do
		[ "$n" -gt 100000 ] && [ "${BENCH_NEWSBOAT_BIG:-0}" != 1 ] && {
			echo "== newsboat, $n items: skipped (BENCH_NEWSBOAT_BIG=1 runs it; minutes)"
			continue
		}
		newsboat_cache "$n"
		newsboat_run "$n"
	done
fi
