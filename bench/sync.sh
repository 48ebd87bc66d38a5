#!/bin/sh
# bench/sync.sh: 'make bench' case "sync" (issue 17). A private Tiny
# Tiny RSS (tests/lib/ttrss.sh) with BENCH_SYNC_ITEMS items (50,000) in
# BENCH_SYNC_FEEDS feeds (50), made with SQL; then
#   first   glean sync into an empty store (every item, with content)
#   incr    1,000 changes (500 read on the server, 500 starred in glean)
#           and glean sync again
# printing wall time, CPU time and the HTTP requests each sync made.
# GLEAN=path times another build (an A/B against an older glean).
# Needs root and the test packages (sh .ci/deps test).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
N=${BENCH_SYNC_ITEMS:-50000}
F=${BENCH_SYNC_FEEDS:-50}
GLEAN=${GLEAN:-$ROOT/glean}
. "$ROOT/tests/lib/ttrss.sh"
if ! ttrss_available; then
	echo "bench sync: skipped: $TTRSS_WHY"
	exit 0
fi
W=$(mktemp -d /tmp/glean-bench-sync.XXXXXX)
mkdir "$W/feeds" "$W/home"
trap 'ttrss_stop; rm -rf "$W"' EXIT
ttrss_start "$W/feeds" >/dev/null
ttrss_sql "
insert into ttrss_feeds (owner_uid, title, feed_url)
  select 1, 'Feed ' || f, 'http://127.0.0.1/feed' || f || '.xml'
  from generate_series(1, $F) f;
insert into ttrss_entries (title, guid, link, updated, content, content_hash,
    date_entered, date_updated, author)
  select 'Item ' || i || ': a headline of middling length',
    'guid-' || i, 'https://news.example/' || i,
    now() - (i || ' minutes')::interval,
    '<p>' || repeat('Some paragraph text with <b>markup</b> and words. ', 20) || i || '</p>',
    'h' || i, now(), now(), 'Author ' || (i % 97)
  from generate_series(1, $N) i;
insert into ttrss_user_entries (ref_id, uuid, feed_id, owner_uid, tag_cache,
    label_cache, unread)
  select id, '', 1 + id % $F, 1, '', '', true from ttrss_entries;" >/dev/null
cat >"$W/home/config" <<EOC
[sync "bench"]
service = ttrss
url = ${TTRSS_URL%api/}
user = admin
password-env = BENCH_PW
EOC
export BENCH_PW=password GLEAN_HOME="$W/home"

# run NAME: glean sync, timed with GNU time when there is one
run() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%e %U %S %M" -o "$W/time" "$GLEAN" sync >"$W/out"
		read -r wall usr sys rss <"$W/time"
		cpu=$(echo "$usr + $sys" | bc)
	else
		t0=$(date +%s.%N)
		"$GLEAN" sync >"$W/out"
		wall=$(echo "$(date +%s.%N) - $t0" | bc) cpu=? rss=?
	fi
	req=$(sed -n 's/.*, \([0-9]*\) requests\{0,1\}$/\1/p' "$W/out")
	printf 'sync %-6s %6s items  wall %7.2f s  cpu %6s s  rss %6s KB  requests %s\n' \
		"$1" "$2" "$wall" "$cpu" "$rss" "$req"
	sed 's/^/  | /' "$W/out"
}
run first "$N"
# 1,000 changes: 500 read on the server, 500 starred in glean
ttrss_sql "update ttrss_user_entries set unread = false, last_read = now()
	where ref_id in (select ref_id from ttrss_user_entries order by ref_id limit 500);" >/dev/null
ids=$("$GLEAN" items --all --json --limit 2000 | python3 -c '
import json, sys
print(" ".join(str(i["id"]) for i in json.load(sys.stdin)[1000:1500]))')
"$GLEAN" star $ids >/dev/null
run incr 1000
