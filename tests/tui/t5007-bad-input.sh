#!/bin/sh
# Bad input and the edges: another glean holding the store lock (the
# reader still saves), SIGTERM/SIGHUP/SIGINT restore the terminal and keep
# saved changes, links open through the configured browser without a
# shell, [bind] rebinds keys and a bad [bind] line is reported.
. "$(dirname "$0")/setup.sh"

lock="$GLEAN_HOME/glean.db.lock"
cat >"$TRASH/browser.sh" <<'EOS'
#!/bin/sh
# records its argv, one per line
for a in "$@"; do printf '%s\n' "$a"; done >"$(dirname "$0")/browser.args"
EOS
chmod +x "$TRASH/browser.sh"

# The pid of glean inside the tmux pane (the pane runs sh -c "glean...").
glean_pid() {
	ps -o pid= --ppid "$(tmx display -p -t t "#{pane_pid}")" | tr -d " "
}

test_expect_success 'setup' 'tui_demo_store'

test_expect_success 'another glean holding the store lock does not make the reader read-only' '
	mkfifo "$TRASH/hold" &&
	flock "$lock" sh -c "echo 4242 >\"$lock\"; echo locked >\"$TRASH/held\"; read x <\"$TRASH/hold\"" &
	while [ ! -s "$TRASH/held" ]; do sleep 0.05; done &&
	tui_start 140 30 &&
	tui_wait "All \(7\)" &&
	tui_wait_not "read-only" &&
	tui_keys s &&
	tui_wait "saved: starred" &&
	test "$(store_sql "SELECT count(*) FROM item WHERE starred = 1")" = 1 &&
	echo done >"$TRASH/hold"
'

test_expect_success 'SIGTERM restores the terminal and keeps what was saved' '
	pid=$(glean_pid) && test -n "$pid" &&
	kill -TERM "$pid" &&
	tui_wait "\[exit 0\]" &&
	tui_screen >screen &&
	! grep "Annotated" screen &&
	test "$(store_sql "SELECT count(*) FROM item WHERE starred = 1")" = 1 &&
	tui_stop
'

test_expect_success 'SIGHUP and SIGINT do the same' '
	tui_start 100 20 && tui_wait "Annotated" &&
	kill -HUP "$(glean_pid)" && tui_wait "\[exit 0\]" && tui_stop &&
	tui_start 100 20 && tui_wait "Annotated" &&
	tui_keys C-c && tui_wait "\[exit 0\]" && tui_stop
'

test_expect_success 'o opens a numbered link through the browser, no shell' '
	cat >"$GLEAN_HOME/config" <<-EOC &&
	[general]
		browser = $TRASH/browser.sh --new-tab '\''%u;touch $TRASH/pwned'\''
	[bind]
		x = star
		s = none
	EOC
	tui_start 140 30 && tui_wait "Annotated" &&
	tui_keys j Enter &&
	tui_wait "Source: Civic Notes" &&
	tui_wait "\[1\]: https://data.example/hotspots" &&
	tui_keys o &&
	tui_wait "open link or enclosure \(1-1, enter: the item.s link\):" &&
	tui_type 1 && tui_keys Enter &&
	tui_wait "opened https://data.example/hotspots" &&
	printf "%s\n" --new-tab "https://data.example/hotspots;touch $TRASH/pwned" >expect &&
	test_cmp expect "$TRASH/browser.args" &&
	test ! -e "$TRASH/pwned" &&
	tui_keys o && tui_wait "open link" && tui_keys Enter &&
	tui_wait "opened https://civic.example/2026/11/library-hotspots"
'

test_expect_success '[bind] rebinds keys and unbinds others' '
	tui_keys x &&
	tui_wait "saved: starred" &&
	test "$(store_sql "SELECT starred FROM item WHERE url LIKE '\''%library-hotspots'\''")" = 1 &&
	tui_keys s &&
	tui_wait "key not bound" &&
	tui_keys "?" G && tui_wait "x +star" &&
	tui_keys q Q && tui_wait "\[exit 0\]" && tui_stop
'

test_expect_success 'a bad [bind] line is reported with file:line and defaults stay' '
	printf "[bind]\n\tj = fly\n" >"$GLEAN_HOME/config" &&
	tui_start 140 30 &&
	tui_wait "config:2: unknown action .fly." &&
	tui_keys j Enter &&
	tui_wait "Source: Civic Notes" &&
	tui_keys Q && tui_wait "\[exit 0\]"
'

test_expect_success '[format] list shapes the rows; a bad [color] says where' '
	tui_stop &&
	printf "[format]\n\tlist = %%t <%%12s> %%f\n[color]\n\tunread = purple\n" \
		>"$GLEAN_HOME/config" &&
	tui_start 140 30 &&
	tui_wait "config:4: unknown colour or attribute .purple." &&
	tui_wait "│Heat plans for care homes: a checklist <Public Heal…> N *$" &&
	tui_keys Q && tui_wait "\[exit 0\]"
'

test_expect_success 'without a terminal glean ui says what to use instead' '
	test_status 1 glean ui </dev/null >out 2>err &&
	test_grep "the reader needs a terminal" err
'

test_done
