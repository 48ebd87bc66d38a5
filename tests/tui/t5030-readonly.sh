#!/bin/sh
# A read-only store (here a read-only bind mount of GLEAN_HOME in a
# private mount namespace, as root ignores file modes; without unshare the
# test trigger GLEAN_TEST_STORE_READONLY): the reader opens it, says
# "read-only" in the title and status lines, and every write key says why
# it cannot save and changes nothing.
. "$(dirname "$0")/setup.sh"

wrap="$TRASH/ro-glean.sh"
if unshare -m sh -c 'mount --bind "$GLEAN_HOME" "$GLEAN_HOME" &&
	mount -o remount,bind,ro "$GLEAN_HOME" && ! touch "$GLEAN_HOME/x"' \
	2>/dev/null; then
	cat >"$wrap" <<EOS
#!/bin/sh
exec unshare -m sh -c 'mount --bind "\$GLEAN_HOME" "\$GLEAN_HOME" &&
	mount -o remount,bind,ro "\$GLEAN_HOME" && exec "$GLEAN" "\$@"' ro "\$@"
EOS
	reason="the file cannot be written \(Read-only file system\)"
	short="the file cannot be"
else
	echo "# no read-only mount here (unshare -m); using GLEAN_TEST_STORE_READONLY"
	printf '#!/bin/sh\nGLEAN_TEST_STORE_READONLY="the test says so" exec "%s" "$@"\n' \
		"$GLEAN" >"$wrap"
	reason="the test says so"
	short=$reason
fi
chmod +x "$wrap"

test_expect_success 'setup' 'tui_demo_store'

test_expect_success 'the reader opens a read-only store and says so' '
	GLEAN="$wrap" tui_start 140 30 &&
	tui_wait "All \(7\) \| read-only" &&
	tui_wait "read-only: $reason; nothing can be saved" &&
	tui_keys j &&
	tui_wait "Library hotspots|Open budgets|Ageing"
'

test_expect_success 'every write key explains why it cannot save' '
	for k in s m N; do
		tui_keys $k &&
		tui_wait "cannot save: the store .* is read-only: $short" || exit 1
		tui_keys j
	done &&
	tui_keys Enter &&
	tui_wait "Source: " &&
	test "$(store_sql "SELECT count(*) FROM item WHERE starred OR marked OR read OR hidden")" = 0 &&
	test "$(store_sql "SELECT count(*) FROM note")" = 0 &&
	tui_keys q
'

test_done
