# tmux driver for tests/tui (source after lib.sh). One private tmux
# server per test (-L unique socket, -f /dev/null), a fixed size, keys in
# with send-keys, the screen out with capture-pane; waits poll the
# screen for a marker and never sleep a fixed time.
TUI_SOCK="glean-tui-$$-$TEST_NAME"

# Every tmux server this test started, and the glean in it, ends with the
# test: tui_start runs inside test_expect_success's subshell, where a
# test_on_exit would be lost, so the test's own shell stops them all by
# their socket names ($$ is the test's pid in subshells too).
tui_stop_all() {
	pids=
	for sock in "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/glean-tui-$$-"*; do
		[ -S "$sock" ] || continue
		for sh in $(tmux -S "$sock" list-panes -a -F '#{pane_pid}' \
			    2>/dev/null); do
			pids="$pids $sh $(pgrep -P "$sh" | tr '\n' ' ')"
		done
		tmux -S "$sock" kill-server 2>/dev/null || :
		rm -f "$sock"
	done
	# and wait for what ran in them, before the test's files go
	n=100
	for pid in $pids; do
		while kill -0 "$pid" 2>/dev/null && [ "$n" -gt 0 ]; do
			n=$((n - 1))
			sleep 0.05
		done
	done
}
test_on_exit tui_stop_all

tmx() {
	tmux -u -L "$TUI_SOCK" -f /dev/null "$@"
}

# tui_start COLS ROWS [ARGS...]: run glean ARGS in a fresh session.
tui_start() {
	cols=$1 rows=$2
	shift 2
	tmx new-session -d -s t -x "$cols" -y "$rows" \
		-e GLEAN_HOME="$GLEAN_HOME" -e HOME="$HOME" -e TZ=UTC \
		-e LC_ALL=C.UTF-8 -e TERM=tmux-256color \
		-e EDITOR="${EDITOR:-}" -e BROWSER="${BROWSER:-}" \
		-e ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
		"$GLEAN $*; echo \"[exit \$?]\"; read x" &&
	test_on_exit tui_stop
}

tui_stop() {
	tmx kill-server 2>/dev/null || :
	# the next tui_start must not reach the server on its way out
	n=100
	while [ "$n" -gt 0 ] && tmx list-sessions >/dev/null 2>&1; do
		n=$((n - 1))
		sleep 0.05
	done
	TUI_N=$((${TUI_N:-0} + 1))
	TUI_SOCK="glean-tui-$$-$TEST_NAME-$TUI_N"
}

tui_screen() {
	tmx capture-pane -p -t t
}

# The screen with its attributes as escape sequences (capture-pane -e):
# where a test checks that no control reached the terminal, this is the
# capture to look at, as plain -p never shows an escape.
tui_screen_esc() {
	tmx capture-pane -p -e -t t
}

tui_keys() {
	tmx send-keys -t t "$@"
}

# Type literal text (no key-name lookup).
tui_type() {
	tmx send-keys -t t -l "$1"
}

# tui_wait PATTERN [TRIES]: poll (every 0.05 s, default 10 s) until the
# screen matches the extended regex; print the screen when it never does.
tui_wait() {
	n=${2:-200}
	while [ "$n" -gt 0 ]; do
		if tui_screen | grep -Eq -- "$1"; then
			return 0
		fi
		n=$((n - 1))
		sleep 0.05
	done
	echo "screen never showed /$1/; it shows:" >&2
	tui_screen | sed 's/^/  | /' >&2
	return 1
}

# tui_wait_not PATTERN: until the screen no longer matches.
tui_wait_not() {
	n=${2:-200}
	while [ "$n" -gt 0 ]; do
		if ! tui_screen | grep -Eq -- "$1"; then
			return 0
		fi
		n=$((n - 1))
		sleep 0.05
	done
	echo "screen kept showing /$1/:" >&2
	tui_screen | sed 's/^/  | /' >&2
	return 1
}

tui_resize() {
	tmx resize-window -t t -x "$1" -y "$2"
}
