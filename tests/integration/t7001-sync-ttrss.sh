#!/bin/sh
# Sync with a real Tiny Tiny RSS (Debian's tt-rss, tests/lib/ttrss.sh):
# two glean stores, A and B, on one server. A note, a star, a read and a
# tag made on A reach B, and the other way round; a change made on A
# while the server is down reaches B once both sync again; a wrong
# password and a switched-off API are clear one-line errors.
. "$(dirname "$0")/../lib/lib.sh"
. "$TEST_ROOT/tests/lib/ttrss.sh"

if ! ttrss_available; then
	echo "ok 1 # skip tt-rss sync: $TTRSS_WHY"
	test_done
	exit 0
fi

feeds="$TRASH/feeds"
mkdir -p "$feeds"
cp "$TEST_ROOT/tests/data/demo/civic-rss.xml" "$feeds/civic.xml"
ttrss_start "$feeds" || { ttrss_stop; exit 1; }
test_on_exit ttrss_stop

# A feed in a category, two labels (API level 15 cannot make them), and
# the server fetching the feed once.
ttrss_sql "insert into ttrss_feed_categories (owner_uid, title) values (1, 'Civic tech');
	insert into ttrss_feeds (owner_uid, title, feed_url, cat_id)
	values (1, 'Civic', 'http://127.0.0.1/civic.xml', 1);
	insert into ttrss_labels2 (owner_uid, caption) values (1, 'civic'), (1, 'later');" >/dev/null
sid=$(ttrss_api '{"op":"login","user":"admin","password":"password"}' | jq -r .content.session_id)
ttrss_api "{\"sid\":\"$sid\",\"op\":\"updateFeed\",\"feed_id\":1}" >/dev/null

export TTRSS_PW=password
for s in A B; do
	mkdir -p "$TRASH/$s"
	cat >"$TRASH/$s/config" <<EOC
[sync "home"]
service = ttrss
url = ${TTRSS_URL%api/}
user = admin
password-env = TTRSS_PW
EOC
done
on() { # on A|B glean-args...
	_s=$1
	shift
	GLEAN_HOME="$TRASH/$_s" glean "$@"
}
# the id in store $1 of the item whose URL ends in $2
id_of() {
	on "$1" items --json --all | jq -r ".[] | select(.url | endswith(\"$2\")) | .id"
}
HOT=/2026/11/library-hotspots
BUD=/2026/11/open-budgets

test_expect_success 'A takes the feed, its category and items from the server' '
	# pages of 2 items: login, categories, feeds, labels, 2 pages,
	# feeds again (none unsubscribed between the pages: t7006)
	GLEAN_SYNC_PAGE=2 on A sync >out &&
	cat out &&
	test_grep "synced .home. (ttrss): 1 feed, 3 new items.*, 7 requests" out &&
	on A sources >src &&
	test_grep "civic.xml" src &&
	on A items --json --all >items &&
	test "$(jq length items)" = 3 &&
	test "$(jq -r ".[0].source_tags | join(\",\")" items)" = "Civic tech"
'

test_expect_success 'a note, a star, a read and a tag on A reach the server' '
	a=$(id_of A $HOT) && b=$(id_of A $BUD) &&
	on A star "$a" && on A read "$b" && on A tag "$a" +civic &&
	on A note "$a" --quote "lent 1,200 Wi-Fi hotspots" "worth a follow-up" &&
	on A sync >out && cat out &&
	test_grep "4 sent" out &&
	ttrss_sql "select note from ttrss_user_entries where note <> '"''"'" >note &&
	printf "> lent 1,200 Wi-Fi hotspots\nworth a follow-up\n" >want &&
	test_cmp want note &&
	ttrss_sql "select e.link, u.marked, u.unread, u.note from ttrss_user_entries u
		join ttrss_entries e on e.id = u.ref_id order by e.link" >server &&
	cat server &&
	test_grep "library-hotspots|t|t|> lent" server &&
	test_grep "open-budgets|f|f|" server &&
	test "$(ttrss_sql "select count(*) from ttrss_user_labels2")" = 1
'

test_expect_success 'B syncs and has what A did' '
	on B sync >out && cat out &&
	on B items --json --all >items &&
	a=$(id_of B $HOT) && b=$(id_of B $BUD) &&
	jq -e ".[] | select(.id == $a) | .starred and (.tags | index(\"civic\")) and (.notes[0].body == \"worth a follow-up\") and (.notes[0].quote == \"lent 1,200 Wi-Fi hotspots\")" items &&
	jq -e ".[] | select(.id == $b) | .read" items
'

test_expect_success 'B unstars, marks, adds a note; A gets it, notes not doubled' '
	a=$(id_of B $HOT) &&
	on B unstar "$a" && on B mark "$a" && on B note "$a" "second thought" &&
	on B tag "$a" -civic +later &&
	on B sync >out && cat out &&
	on A sync >out && cat out &&
	on A items --json --all >items &&
	a=$(id_of A $HOT) &&
	jq -e ".[] | select(.id == $a) | (.starred | not) and .marked and (.notes | length == 2) and (.tags - .source_tags == [\"later\"])" items &&
	on A sync >out && on A items --json --all >items &&
	jq -e ".[] | select(.id == $a) | .notes | length == 2" items
'

test_expect_success 'a note changed on the server and in glean: both kept, none lost' '
	ttrss_sql "update ttrss_user_entries set note = '"'"'edited on the web'"'"'
		where note <> '"''"'" &&
	a=$(id_of A $HOT) &&
	on A note "$a" "third" &&
	on A sync >out && cat out &&
	test_grep "1 note changed on the server kept beside yours" out &&
	on A items --json --all >items &&
	jq -e ".[] | select(.id == $a) | [.notes[].body] | sort == [\"edited on the web\", \"second thought\", \"third\", \"worth a follow-up\"]" items &&
	ttrss_sql "select note from ttrss_user_entries where note <> '"''"'" >note &&
	test "$(grep -c "^~~~$" note)" = 3
'

test_expect_success 'a change made on A while the server is down reaches B' '
	ttrss_down &&
	b=$(id_of A $BUD) &&
	on A star "$b" &&
	test_status 1 on A sync >out 2>err &&
	cat err &&
	test_grep "sync .home.: cannot reach tt-rss at" err &&
	test_grep "1 change made in glean stays queued" err &&
	test $(wc -l <err) -le 2 &&
	ttrss_up &&
	on A sync >out && cat out && test_grep "1 sent" out &&
	on B sync >out && cat out &&
	b=$(id_of B $BUD) &&
	on B items --json --all >items &&
	jq -e ".[] | select(.id == $b) | .starred" items
'

test_expect_success 'glean fetch syncs first and does not fetch the feed itself' '
	on B fetch >out 2>err; cat out err &&
	test_grep "synced .home." out &&
	test_grep "nothing to fetch" out
'

test_expect_success 'glean rm unsubscribes on the server; the other store retires it' '
	on B rm 1 >out && cat out &&
	on B sync >out && cat out &&
	test "$(ttrss_sql "select count(*) from ttrss_feeds")" = 0 &&
	on A sync >out && cat out &&
	test_grep "1 source unsubscribed on the server: retired here, items kept" out &&
	on A items --json --all >items && jq -e "length == 3" items
'

test_expect_success 'glean add --sync subscribes on the server' '
	cp "$TEST_ROOT/tests/data/demo/health-atom.xml" "$TTRSS_FEEDS/health.xml" &&
	chmod a+r "$TTRSS_FEEDS/health.xml" &&
	on A add --sync home http://127.0.0.1/health.xml >out && cat out &&
	test_grep "subscribed on the server of .home." out &&
	test "$(ttrss_sql "select feed_url from ttrss_feeds")" = "http://127.0.0.1/health.xml" &&
	on A sources >src && test_grep "127.0.0.1/health.xml" src &&
	test_status 1 on A add --sync home http://127.0.0.1/missing.xml 2>err &&
	cat err && test_grep "did not subscribe to .http://127.0.0.1/missing.xml.: the server could not download it" err
'

test_expect_success 'a wrong password says so in one line' '
	TTRSS_PW=wrong test_status 1 on A sync >out 2>err &&
	cat err &&
	test_grep "refused user .admin.: wrong user or password" err &&
	test $(wc -l <err) = 1
'

test_expect_success 'an API switched off says where to switch it on' '
	ttrss_sql "update ttrss_user_prefs set value = '"'"'false'"'"' where pref_name = '"'"'ENABLE_API_ACCESS'"'"'" &&
	test_status 1 on A sync >out 2>err &&
	cat err &&
	test_grep "API switched off for user .admin.: tick .Enable API." err
'

test_done
