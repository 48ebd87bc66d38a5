#!/bin/sh
# A feed unsubscribed on a real Tiny Tiny RSS (tests/lib/ttrss.sh) while
# glean pages the server's new items, one per request: the pages after
# the deletion shift, and the sync must not skip another feed's items
# for good. It ends with one clear line; the next sync completes,
# retires the source the way a `glean rm` elsewhere does, and keeps the
# note, star and tag made in glean on the gone feed's items (queued for
# items the server no longer has: dropped, not retried forever).
. "$(dirname "$0")/../lib/lib.sh"
. "$TEST_ROOT/tests/lib/ttrss.sh"

if ! ttrss_available; then
	echo "ok 1 # skip tt-rss sync: $TTRSS_WHY"
	test_done
	exit 0
fi

mkdir -p "$TRASH/feeds"
ttrss_start "$TRASH/feeds" || { ttrss_stop; exit 1; }
test_on_exit ttrss_stop

# Test only: the first headline the API answers after $TTRSS_DIR/lock/
# feedgone appears unsubscribes the feed whose id it holds, the way the
# API's unsubscribeFeed and the web interface do (Pref_Feeds::remove_feed),
# in the middle of one of glean's getHeadlines pages.
mkdir -p "$TTRSS_DIR/www/plugins.local/glean_feedgone"
cat >"$TTRSS_DIR/www/plugins.local/glean_feedgone/init.php" <<EOP
<?php
class Glean_Feedgone extends Plugin {
	function about() {
		return array(1.0, "glean tests: a feed unsubscribed mid-sync",
			"glean", true);
	}
	function init(\$host) {
		\$host->add_hook(\$host::HOOK_QUERY_HEADLINES, \$this);
	}
	function hook_query_headlines(\$line, \$excerpt_length = 100,
				      \$api_mode = false) {
		\$f = '$TTRSS_DIR/lock/feedgone';
		if (is_file(\$f)) {
			\$id = (int) file_get_contents(\$f);
			if (@unlink(\$f))
				Pref_Feeds::remove_feed(\$id, \$_SESSION['uid']);
		}
		return \$line;
	}
	function api_version() {
		return 2;
	}
}
EOP
sed -i "s/glean_loopback'/glean_loopback, glean_feedgone'/" \
	"$TTRSS_DIR/www/config.php"

# items NAME-FROM..TO of feed $1, dated hours $5+i after a fixed time
# (date_reverse, glean's order for new items, is by that date)
add_items() {
	ttrss_sql "insert into ttrss_entries (title, guid, link, updated,
		content, content_hash, date_entered, date_updated, author)
	  select '$2 ' || i, '$2-' || i, 'https://$2.example/' || i,
		timestamp '2026-11-01' + (($5 + i) || ' hours')::interval,
		'<p>' || i || '</p>', '$2' || i, now(), now(), 'Author'
	  from generate_series($3, $4) i;
	insert into ttrss_user_entries (ref_id, uuid, feed_id, owner_uid,
		tag_cache, label_cache, unread)
	  select id, '', $1, 1, '', '', true from ttrss_entries
	  where guid like '$2-%'
	    and id not in (select ref_id from ttrss_user_entries);" >/dev/null
}
ttrss_sql "insert into ttrss_feeds (owner_uid, title, feed_url) values
	(1, 'Civic', 'http://127.0.0.1/civic.xml'),
	(1, 'Health', 'http://127.0.0.1/health.xml');
	insert into ttrss_labels2 (owner_uid, caption) values (1, 'keep');" >/dev/null
civic=$(ttrss_sql "select id from ttrss_feeds where title = 'Civic'")
health=$(ttrss_sql "select id from ttrss_feeds where title = 'Health'")
add_items "$civic" civic 1 3 0
add_items "$health" health 1 2 10

cat >"$GLEAN_HOME/config" <<EOC
[sync "home"]
service = ttrss
url = ${TTRSS_URL%api/}
user = admin
password-env = TTRSS_PW
EOC
export TTRSS_PW=password

id_of() {
	glean items --json --all | jq -r ".[] | select(.url | endswith(\"$1\")) | .id"
}
# jq expression $2 holds for the item ending in $1
item_is() {
	glean items --json --all >items &&
	jq -e ".[] | select(.url | endswith(\"$1\")) | $2" items >/dev/null ||
	{ jq ".[] | select(.url | endswith(\"$1\"))" items; false; }
}

test_expect_success 'the first sync; a note, a star and a tag on Civic queued' '
	glean sync >out && cat out &&
	test_grep "5 new items" out &&
	glean note "$(id_of civic.example/1)" "mine, not the server'"'"'s" &&
	glean star "$(id_of civic.example/2)" &&
	glean tag "$(id_of civic.example/3)" +keep
'

test_expect_success 'Civic unsubscribed on the server during the next sync: one line' '
	add_items "$civic" civic 4 5 20 &&
	add_items "$health" health 3 5 30 &&
	echo "$civic" >"$TTRSS_DIR/lock/feedgone" &&
	(export GLEAN_SYNC_PAGE=1 && test_status 1 glean sync >out 2>err);
	cat out err &&
	test ! -e "$TTRSS_DIR/lock/feedgone" &&
	test "$(ttrss_sql "select title from ttrss_feeds")" = Health &&
	head -n 1 err >line &&
	test_grep "^glean: sync .home.: feed .Civic. was unsubscribed on the server during the sync; sync again$" line &&
	sed 1d err >rest &&
	test_grep "^glean: 3 changes made in glean stay queued for the next sync$" rest &&
	test $(wc -l <rest) = 1
'

test_expect_success 'the next sync completes: Civic retired, nothing lost' '
	glean sync >out 2>err && cat out err &&
	test_grep "1 source unsubscribed on the server: retired here, items kept" out &&
	test_grep "1 item changed in glean is gone from the server (feed unsubscribed or purged there): the change stays in glean only" out &&
	glean items --json --all >items &&
	for i in 1 2 3 4 5; do
		jq -e "any(.[]; .url == \"https://health.example/$i\")" items \
			>/dev/null || { echo "no health item $i"; exit 1; }
	done &&
	item_is civic.example/1 "[.notes[].body] == [\"mine, not the server'"'"'s\"]" &&
	item_is civic.example/2 ".starred" &&
	item_is civic.example/3 ".tags | index(\"keep\")" &&
	for n in 1 2; do
		glean sync >out 2>err && cat out err || exit 1
	done &&
	test_grep "0 changes taken, 0 sent" out &&
	! grep "gone from the server" out &&
	! test -s err &&
	item_is civic.example/1 "(.notes | length) == 1" &&
	item_is civic.example/2 ".starred" &&
	item_is civic.example/3 ".tags | index(\"keep\")"
'

test_done
