# Sourced by the share tests: a store with a week of marked, tagged and
# annotated items (tests/data/share/week.xml), marked at a fixed time.
GLEAN_NOW=1795428000 # 2026-11-23T10:00:00Z, a Monday
export GLEAN_NOW

# Five tests build this same store. Under GLEAN_WRAP (valgrind, about a
# second a command) t6001 builds it wrapped and the others run the binary
# as it is: the same nine commands under valgrind five times over found
# nothing the first time would not.
share_week_glean() {
	if [ "$TEST_NAME" = t6001-digest ]; then
		glean "$@"
	else
		"$GLEAN" "$@"
	fi
}

share_week() {
	share_week_glean add "file://$TEST_ROOT/tests/data/share/week.xml" >/dev/null &&
	share_week_glean fetch >/dev/null &&
	share_week_glean mark 1 2 3 4 >/dev/null &&
	share_week_glean tag 1 +civic +"digital inclusion" >/dev/null &&
	share_week_glean tag 2 +civic >/dev/null &&
	share_week_glean tag 3 +health >/dev/null &&
	share_week_glean note 1 --quote "hotspots you can borrow" \
		"Worth copying in our branch libraries." >/dev/null &&
	share_week_glean note 2 "$(printf 'Line one.\n.a line that starts with a dot\nLast line & <b>not bold</b>')" >/dev/null &&
	share_week_glean note 3 "Ça marche — année un 👵🏽 with a long tail of words that make this note run on for a while, far beyond what a short post can hold, so a thread has to cut it somewhere sensible." >/dev/null
}
