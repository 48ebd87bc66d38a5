#!/bin/sh
# Found by the key fuzzer: ^Z stops the reader cleanly (the terminal given
# back, every thread stopped, the screen redrawn after SIGCONT) instead of
# ncurses redrawing from a signal handler on whatever thread took it; a
# 100 KB paste into a prompt is read at once and cut at 64 KB with a
# message, instead of a redraw per character.
. "$(dirname "$0")/setup.sh"
HTTPD_PY="$TEST_ROOT/tests/lib/httpd.py"
. "$TEST_ROOT/tests/lib/httpd.sh"

# a feed that answers after 2 s, so a fetch is running when ^Z comes
site="$TRASH/site"
mkdir -p "$site"
cp "$TEST_ROOT/tests/data/demo/civic-rss.xml" "$site/slow.xml"
printf '{"responses": [{"delay_ms": 2000}, {"delay_ms": 2000}]}\n' \
	>"$site/slow.xml.meta.json"
httpd_start "$site" || exit 1
test_on_exit httpd_stop

# A person's shell, with job control: ^Z hands the terminal back to it
# and fg brings glean back (in a shell without job control the kernel
# drops a terminal stop, and the reader simply redraws).
test_expect_success 'setup' '
	tui_demo_store &&
	glean add "$HTTPD_URL/slow.xml" >/dev/null &&
	tmx new-session -d -s t -x 120 -y 30 -e GLEAN_HOME="$GLEAN_HOME" \
		-e HOME="$HOME" -e TZ=UTC -e LC_ALL=C.UTF-8 \
		-e TERM=tmux-256color \
		"bash --norc --noprofile -i" &&
	test_on_exit tui_stop &&
	tui_wait "^bash[^ ]*[#$]" &&
	tui_type "$GLEAN" && tui_keys Enter &&
	tui_wait "Research Roundup +2"
'

test_expect_success '^Z gives the terminal back to the shell; fg redraws the reader' '
	tui_keys C-z &&
	tui_wait "Stopped +.*glean" &&
	tui_type "fg" && tui_keys Enter &&
	tui_wait "Research Roundup +2" &&
	tui_keys j &&
	tui_wait "│N    2026-11-20"
'

# (the terminal drops what was typed but not yet read when ^Z comes, so
# R must be read first)
test_expect_success 'a fetch running in the background stops and goes on with it' '
	tui_keys R &&
	tui_wait "fetching" &&
	tui_keys C-z &&
	tui_wait "Stopped +.*glean" &&
	tui_type "fg" && tui_keys Enter &&
	tui_wait "fetched 4 sources"
'

test_expect_success 'a 100 KB paste into the note prompt is cut at 64 KB and says so' '
	awk "BEGIN { for (i = 0; i < 10240; i++) printf \"0123456789\" }" >paste &&
	tmx load-buffer -b big paste &&
	tui_keys a &&
	tui_wait "^note:" &&
	tmx paste-buffer -b big -t t &&
	tui_keys Enter &&
	tui_wait "saved: note, but the text was cut at 64 KB" &&
	test "$(store_sql "SELECT max(length(body)) FROM note")" = 65536
'

test_expect_success '50 KB of keys pasted into the list are taken without a draw each' '
	awk "BEGIN { for (i = 0; i < 25000; i++) printf \"jk\" }" >keys &&
	tmx load-buffer -b keys keys &&
	tmx paste-buffer -b keys -t t &&
	tui_keys "?" &&
	tui_wait "help \\(q closes" &&
	tui_keys q &&
	tui_wait_not "help \\(q closes"
'

test_expect_success 'the reader still answers, and quits cleanly' '
	tui_keys Q &&
	tui_wait "^bash[^ ]*[#$] *$" &&
	tui_type "echo \"[exit \$?]\"" && tui_keys Enter &&
	tui_wait "^\[exit 0\]"
'

test_done
