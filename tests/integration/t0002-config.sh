#!/bin/sh
# The config file: git-config syntax, file:line errors, secrets.
. "$(dirname "$0")/../lib/lib.sh"

cfg="$GLEAN_HOME/config"

test_expect_success 'a missing config file means defaults' '
	glean sources >out
'

test_expect_success 'a good config with every section is accepted' '
	cat >"$cfg" <<-\EOC &&
	# glean config
	[general]
	browser = firefox --new-tab %u
	concurrency = 8
	per-host = 2
	refresh = 30m
	timeout = 60s
	mark-read-on-open = false
	[account "work-masto"]
	service = mastodon
	url = https://social.example
	token-env = GLEAN_TEST_TOKEN
	[account "bsky"]
	service = bluesky
	user = me.example.com
	password-cmd = pass show bsky
	[target "weekly-email"]
	kind = email
	to = a@example.org, b@example.org
	from = me@example.org
	smtp-url = smtp://127.0.0.1:2525
	[target "team-mastodon"]
	kind = mastodon
	account = work-masto
	visibility = unlisted
	[search "civic unread"]
	query = tag:civic is:unread
	[rule "no ads"]
	match = title:/sponsored/i
	hide = true
	[bind]
	j = next
	[color]
	title = yellow default bold
	EOC
	glean sources
'

test_expect_success 'a bad line reports file:line and what was expected' '
	printf "[general]\nconcurrency = many\n" >"$cfg" &&
	test_status 1 glean sources 2>err &&
	test_grep "config:2: .concurrency.: expected a number, got .many." err
'

test_expect_success 'an unknown key lists the keys that exist' '
	printf "[general]\n\n# comment\nbrowsr = x\n" >"$cfg" &&
	test_status 1 glean sources 2>err &&
	test_grep "config:4: unknown key .browsr. in \[general\]; expected one of: browser" err
'

test_expect_success 'a line that is not key = value is reported' '
	printf "[general]\njust words\n" >"$cfg" &&
	test_status 1 glean items 2>err &&
	test_grep "config:2: expected .key = value." err
'

test_expect_success 'an unknown section is reported' '
	printf "[feeds]\n" >"$cfg" &&
	test_status 1 glean items 2>err &&
	test_grep "config:1: unknown section \[feeds\]" err
'

test_expect_success 'a target naming a missing account is reported at its line' '
	printf "[target \"t\"]\nkind = mastodon\naccount = nope\n" >"$cfg" &&
	test_status 1 glean items 2>err &&
	test_grep "config:1: target .t. names account .nope., which is not defined" err
'

test_expect_success 'an email target without recipients says which key is missing' '
	printf "[target \"e\"]\nkind = email\n" >"$cfg" &&
	test_status 1 glean items 2>err &&
	test_grep "needs .to = ADDRESS." err
'

test_expect_success '--config names a file that cannot be read' '
	mkdir unreadable.d &&
	test_status 1 glean --config unreadable.d items 2>err &&
	test_grep "cannot read config .unreadable.d." err
'

test_done
