# Shared setup for tests/tui: lib.sh, the tmux driver, and a store with
# the three demo feeds fetched from file:// URLs.
. "$(dirname "$0")/../lib/lib.sh"
. "$TEST_ROOT/tests/lib/tui.sh"
demo="$TEST_ROOT/tests/data/demo"

tui_demo_store() {
	glean add "file://$demo/civic-rss.xml" --tag civic >/dev/null &&
	glean add "file://$demo/health-atom.xml" --tag health >/dev/null &&
	glean add "file://$demo/research.json" >/dev/null &&
	glean fetch >/dev/null
}
