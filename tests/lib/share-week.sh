# Sourced by the share tests: a store with a week of marked, tagged and
# annotated items (tests/data/share/week.xml), marked at a fixed time.
GLEAN_NOW=1795428000 # 2026-11-23T10:00:00Z, a Monday
export GLEAN_NOW
share_week() {
	glean add "file://$TEST_ROOT/tests/data/share/week.xml" >/dev/null &&
	glean fetch >/dev/null &&
	glean mark 1 2 3 4 >/dev/null &&
	glean tag 1 +civic +"digital inclusion" >/dev/null &&
	glean tag 2 +civic >/dev/null &&
	glean tag 3 +health >/dev/null &&
	glean note 1 --quote "hotspots you can borrow" \
		"Worth copying in our branch libraries." >/dev/null &&
	glean note 2 "$(printf 'Line one.\n.a line that starts with a dot\nLast line & <b>not bold</b>')" >/dev/null &&
	glean note 3 "Ça marche — année un 👵🏽 with a long tail of words that make this note run on for a while, far beyond what a short post can hold, so a thread has to cut it somewhere sensible." >/dev/null
}
