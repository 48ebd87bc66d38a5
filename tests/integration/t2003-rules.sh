#!/bin/sh
# [rule] sections apply at ingest: auto-tags and a killfile, written in
# the same query language as filters; a broken rule fails at load.
. "$(dirname "$0")/../lib/lib.sh"

demo="$TEST_ROOT/tests/data/demo"
cat >"$GLEAN_HOME/config" <<'EOC'
[rule "inclusion"]
match = "digital inclusion" OR title:/divide/i
tag = inclusion, to read

[rule "no heat"]
match = title:/^heat/i
hide = true
EOC

test_expect_success 'rules tag and hide new items as they are stored' '
	glean add "file://$demo/civic-rss.xml" >/dev/null &&
	glean add "file://$demo/health-atom.xml" >/dev/null &&
	glean add "file://$demo/research.json" >/dev/null &&
	glean fetch >out &&
	test_grep "1 new item hidden by your rules" out &&
	glean items tag:inclusion --json >inc.json &&
	jq -e "length == 2" inc.json &&
	jq -e "all(.[]; .tags | index(\"to read\"))" inc.json &&
	! glean items --json | jq -e ".[] | select(.title | test(\"^Heat\"))" &&
	glean items --all --json | jq -e "[.[] | select(.title | test(\"^Heat\"))] | length == 1"
'

test_expect_success 'rules apply to new items only, not to what the user already changed' '
	id=$(glean items tag:inclusion --json | jq ".[0].id") &&
	glean tag $id -inclusion &&
	store_sql "UPDATE source SET next_due = 0, body_hash = NULL" &&
	glean fetch >/dev/null &&
	glean show $id --json | jq -e "(.tags | index(\"inclusion\")) == null"
'

test_expect_success 'a rule that does not compile fails every command at load, as file:line' '
	printf "[rule \"bad\"]\nmatch = is:bogus\ntag = x\n" >"$GLEAN_HOME/config" &&
	printf "<rss version=\"2.0\"><channel><title>N</title><item><title>New one</title><guid>n1</guid></item></channel></rss>" >new.xml &&
	test_status 1 glean add "file://$TRASH/new.xml" 2>err &&
	test_grep "config:1: rule .bad.: query .is:bogus.: at 4: is: expects" err &&
	test_status 1 glean fetch 2>err &&
	test_grep "config:1: rule .bad.: query .is:bogus.: at 4: is: expects" err
'

test_done
