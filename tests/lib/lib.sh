# Shell test library for tests/integration and tests/tui (after git's
# t/test-lib.sh). A test script sources this, calls test_expect_success
# for each behaviour, and ends with test_done. Each script gets its own
# temporary GLEAN_HOME, HOME and XDG dirs; nothing touches the user's files.
#
#   GLEAN       the binary under test (default: ./glean from the repo root)
#   GLEAN_WRAP  a command to run it under, e.g. "valgrind -q --error-exitcode=99"
#   GLEAN_WRAP_ONCE  a directory: run each command form under GLEAN_WRAP
#               once per test, and its repeats natively (see glean below)

set -u
TEST_ROOT=${TEST_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${GLEAN:=$TEST_ROOT/glean}"
case "$GLEAN" in /*) ;; *) GLEAN="$TEST_ROOT/$GLEAN" ;; esac
export GLEAN TEST_ROOT
TEST_NAME=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/glean-$TEST_NAME.XXXXXX")
export HOME="$TRASH/home" GLEAN_HOME="$TRASH/home/glean"
export XDG_CONFIG_HOME="$TRASH/home/.config" XDG_DATA_HOME="$TRASH/home/.local/share"
export XDG_STATE_HOME="$TRASH/home/.local/state"
export TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color
unset GLEAN_LOG BROWSER EDITOR VISUAL
mkdir -p "$HOME" "$GLEAN_HOME"
cd "$TRASH" || exit 1
test_count=0 test_failed=0
_cleanups=""

# Run glean (under GLEAN_WRAP when set). With GLEAN_WRAP_ONCE (the
# valgrind pass of make check) only the first run of each command form in
# a test is wrapped: the form keeps the command, the option names and
# short words (target, service and subcommand names) and reduces numbers,
# query values, free text, URLs and paths to their kind, so `show 3` and
# `show 7` are one form and `share --target bsky` and `share --target x`
# two. With GLEAN_WRAP_AREA as well, the first run of a form in an area
# of the suite (the tests sharing their first two characters: t0 CLI, t1
# store, t2 fetch and parse, t3 social, t6 share, t7 sync) is wrapped,
# not the first in each test: valgrind's start-up (0.6 s before glean
# runs a line) is most of that pass's time; a test whose forms reach code
# the area's others do not (another sync server behind the same `glean
# sync`) sets GLEAN_WRAP_OWN=1 to keep its own. A repeat exercises the same
# code natively; the ASan pass runs every invocation instrumented, and
# `make check-valgrind` wraps them all.
glean() {
	if [ -n "${GLEAN_WRAP_ONCE:-}" ] && [ -n "${GLEAN_WRAP:-}" ] &&
	   ! mkdir "$GLEAN_WRAP_ONCE/$(_glean_form "$@")" 2>/dev/null; then
		"$GLEAN" "$@"
		return
	fi
	${GLEAN_WRAP:-} "$GLEAN" "$@"
}

_glean_form() {
	_f=$TEST_NAME
	[ -z "${GLEAN_WRAP_AREA:-}" ] || [ -n "${GLEAN_WRAP_OWN:-}" ] ||
		_f=$(printf '%.2s' "$TEST_NAME")
	for _a in "$@"; do
		case $_a in
		-*) _a=${_a%%=*} ;;
		[a-z]*:*) _a=${_a%%:*}: ;;
		*[!0-9]*) ;;
		?*) _a=N ;;
		esac
		case $_a in
		-*|*:|N) ;;
		[a-z]*[!a-z0-9_-]*|[!a-z]*) _a=x ;;
		*) [ ${#_a} -le 20 ] || _a=x ;;
		esac
		_f="$_f $_a"
	done
	printf '%s' "$_f" | cksum | tr ' ' '-'
}

# SQL that takes a current store back to schema version $1 (7 or later),
# for the tests that upgrade an old store: each migration after v7 undone,
# newest first. A new migration adds its undo here, once.
schema_undo_to() {
	_u=
	_v=$(sqlite3 "$GLEAN_HOME/.schema-probe.db" "PRAGMA user_version" 2>/dev/null)
	[ -n "$_v" ] && [ "$_v" -gt 0 ] || {
		"$GLEAN" --db "$GLEAN_HOME/.schema-probe.db" items >/dev/null 2>&1
		_v=$(sqlite3 "$GLEAN_HOME/.schema-probe.db" "PRAGMA user_version")
	}
	while [ "$_v" -gt "$1" ]; do
		case $_v in
		16) _u="$_u CREATE TRIGGER count_item_add AFTER INSERT ON item
			WHEN new.hidden = 0 BEGIN UPDATE source_count SET
			items = items + 1, unread = unread + (new.read = 0),
			starred = starred + (new.starred = 1),
			marked = marked + (new.marked = 1)
			WHERE source_id = new.source_id; END;" ;;
		15) ;; # bodies packed as zstd frames: no row changed (a test's
		       # long bodies stay packed; this glean reads them)
		14) _u="$_u DROP TRIGGER count_source_add; DROP TRIGGER count_item_add;
			DROP TRIGGER count_item_rm; DROP TRIGGER count_item_set;
			DROP TRIGGER count_item_move; DROP TABLE source_count;
			DROP INDEX source_sort; DROP INDEX item_unread;
			CREATE INDEX item_unread ON item(date DESC, id DESC, hidden)
			WHERE read = 0; DROP INDEX item_marked_date;
			DROP INDEX item_starred;
			CREATE INDEX item_starred ON item(date DESC) WHERE starred = 1;" ;;
		13) _u="$_u ALTER TABLE item ADD COLUMN text TEXT;
			UPDATE item SET text = content;" ;;
		12) ;; # sync: every statement is IF NOT EXISTS, so it runs again
		11) _u="$_u ALTER TABLE item DROP COLUMN title_html;" ;;
		10) _u="$_u DROP TABLE article; ALTER TABLE source DROP COLUMN fetch_articles;" ;;
		9) _u="$_u DROP TABLE import_state;" ;;
		8) _u="$_u DROP INDEX item_mark_seq;
			ALTER TABLE item DROP COLUMN mark_seq;
			ALTER TABLE digest DROP COLUMN mark_seq;
			DELETE FROM meta WHERE key = 'mark_seq';" ;;
		*) echo "schema_undo_to: no undo for version $_v" >&2; return 1 ;;
		esac
		_v=$((_v - 1))
	done
	printf '%s PRAGMA user_version = %s;' "$_u" "$1"
}

test_on_exit() {
	_cleanups="$1; $_cleanups"
}

_test_exit() {
	eval "$_cleanups" >/dev/null 2>&1
	rm -rf "$TRASH"
}
trap _test_exit EXIT
trap 'exit 130' INT TERM

test_expect_success() {
	test_count=$((test_count + 1))
	if (set -e; eval "$2") >"$TRASH/.out" 2>&1; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$TRASH/.out" | tail -n 40
	fi
}

# Fail unless "$@" exits with status $1 (e.g. test_status 2 glean add).
test_status() {
	want=$1
	shift
	set +e
	"$@"
	got=$?
	set -e
	if [ "$got" != "$want" ]; then
		echo "expected exit $want, got $got: $*" >&2
		return 1
	fi
}

# grep with a message that shows the file when it fails.
test_grep() {
	if ! grep "$@"; then
		eval "last=\${$#}"
		echo "grep $* failed; the file says:" >&2
		sed 's/^/  | /' "$last" >&2 2>/dev/null
		return 1
	fi
}

test_cmp() {
	if ! diff -u "$1" "$2"; then
		return 1
	fi
}

# Current value of a SQL query on the store.
store_sql() {
	sqlite3 -batch -noheader -cmd ".timeout 5000" "$GLEAN_HOME/glean.db" "$1"
}

test_done() {
	echo "$TEST_NAME: $((test_count - test_failed)) passed, $test_failed failed"
	[ "$test_failed" -eq 0 ]
}
