#!/bin/sh
# Text is text (issue 16): a title read as plain text (an RSS title with
# no markup, Atom type="text", JSON Feed) is shown as written, '<' and '&'
# included; one read as HTML (Atom type="html"/"xhtml", an RSS title
# feedparser's rule finds markup in) is rendered to text. The parse dump
# keeps feedparser's value; items, show, sources and every digest show
# the same display string, each escaped once for its format.
. "$(dirname "$0")/../lib/lib.sh"
GLEAN_NOW=1794268800 # 2026-11-10
export GLEAN_NOW
DATA="$TEST_ROOT/tests/data/text"

# The display titles, newest item first (the files' dates), then the
# three feeds' titles.
cat >expect <<'EOF2'
JSON </b> & <b>not html</b>
JSON &amp;lt; stays &lt;literal&gt;
JSON the <blink> tag
Atom xhtml em & <x>
Atom html bold & <3
Atom cdata <p> & </p>
Atom literal &lt; and &amp;
Atom the <blink> tag
RSS html bold move
RSS double <b> & more
RSS spread over lines
RSS cdata Tom & Jerry <3
RSS AT&T < 5 & x>y
RSS the <blink> tag
EOF2
printf '%s\n' 'RSS: Ünïcödé & <tags>' 'Atom: Ünïcödé & <tags>' \
	'JSON: Ünïcödé & <tags>' >expect.sources

test_expect_success 'setup: the three feeds fetched' '
	for f in titles-rss.xml titles-atom.xml titles.json; do
		glean add "file://$DATA/$f" >/dev/null || return 1
	done &&
	glean fetch >out &&
	test_grep "14 new items" out &&
	glean items --json >items.json
'

test_expect_success 'parse --json keeps plain text as written, HTML as HTML' '
	for f in titles-rss.xml titles-atom.xml titles.json; do
		glean parse --json "$DATA/$f" | jq -r ".entries[].title" || return 1
	done >dump &&
	test_grep "^RSS the <blink> tag$" dump &&
	test_grep "^RSS AT&T < 5 & x>y$" dump &&
	test_grep "^RSS cdata Tom & Jerry <3$" dump &&
	test_grep "^RSS double &lt;b&gt; &amp; more$" dump &&
	test_grep "^RSS html <b>bold</b> move$" dump &&
	test_grep "^Atom the <blink> tag$" dump &&
	test_grep "^Atom literal &lt; and &amp;$" dump &&
	test_grep "^Atom cdata <p> & </p>$" dump &&
	test_grep "^Atom html <b>bold</b> &amp; &lt;3$" dump &&
	test_grep "^JSON &amp;lt; stays &lt;literal&gt;$" dump &&
	test_grep "^JSON </b> & <b>not html</b>$" dump
'

test_expect_success 'items and items --json show the display text' '
	jq -r ".[].title" items.json >titles &&
	test_cmp expect titles &&
	glean items >list &&
	while IFS= read -r t; do
		grep -qF -- "  $t  — " list || { echo "not listed: $t"; return 1; }
	done <expect
'

# one of each kind: plain RSS, HTML-detected RSS, Atom text, Atom
# xhtml, JSON Feed (each show is a run of its own under valgrind)
test_expect_success 'show gives an item the same title' '
	for t in "RSS AT&T < 5 & x>y" "RSS double <b> & more" \
		 "Atom literal &lt; and &amp;" "Atom xhtml em & <x>" \
		 "JSON </b> & <b>not html</b>"; do
		id=$(jq -r --arg t "$t" ".[] | select(.title == \$t) | .id" items.json) &&
		test -n "$id" &&
		glean show $id >shown &&
		test "$(sed -n "s/^Title:  //p" shown)" = "$t" || return 1
	done
'

test_expect_success 'a plain summary is text too: show keeps its <tags>' '
	id=$(jq -r ".[] | select(.title == \"Atom the <blink> tag\") | .id" items.json) &&
	glean show $id >out &&
	test_grep "^Summary keeps <tags> & ampersands$" out &&
	id=$(jq -r ".[] | select(.title == \"JSON the <blink> tag\") | .id" items.json) &&
	glean show $id >out &&
	test_grep "^Text <kept> & shown$" out
'

test_expect_success 'authors are text; in RSS one that looks like HTML is rendered' '
	jq -r ".[] | select(.author) | .author" items.json >authors &&
	printf "%s\n" "A <b> & B" "Ben &amp; Jerry <3" "Ann <3 Bo" \
		"José & Ann" >expect.authors &&
	test_cmp expect.authors authors
'

test_expect_success 'source titles follow the same rule' '
	glean sources --json | jq -r ".[].title" >sources &&
	test_cmp expect.sources sources
'

test_expect_success 'every digest format carries the same titles, escaped once' '
	glean mark $(jq -r ".[].id" items.json) >/dev/null &&
	for f in json atom html md text; do
		glean digest --since 30d --format $f -o d.$f || return 1
	done &&
	jq -r ".items[].title" d.json | sort >json.titles &&
	sort expect >expect.sorted &&
	test_cmp expect.sorted json.titles &&
	python3 - <<"PY"
import html, html.parser, re, sys
import xml.etree.ElementTree as ET
want = open("expect", encoding="utf-8").read().splitlines()
srcs = open("expect.sources", encoding="utf-8").read().splitlines()
A = "{http://www.w3.org/2005/Atom}"
atom = [e.find(A + "title").text
    for e in ET.parse("d.atom").getroot().iter(A + "entry")]
class LI(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.cur, self.small = [], None, 0
    def handle_starttag(self, tag, a):
        if tag == "li":
            self.cur = ""
        if tag == "small" and self.cur is not None:
            self.out.append(self.cur.strip())
            self.cur = None
    def handle_data(self, d):
        if self.cur is not None:
            self.cur += d
p = LI()
p.feed(open("d.html", encoding="utf-8").read())
# Markdown: "- **TITLE** — SOURCE, DATE", backslash escapes undone;
# no character reference may be left for a renderer to decode
md = []
for line in open("d.md", encoding="utf-8"):
    m = re.match(r"- \*\*(.*)\*\* — (.*), 2026", line)
    if not m:
        continue
    for part in m.groups():
        if re.search(r"(?<!\\)&#?[A-Za-z0-9]+;", part):
            sys.exit("md leaves a reference: " + part)
    md.append(re.sub(r"\\([!-/:-@[-`{-~])", r"\1", m.group(1)))
text = [l[2:].rstrip("\n") for l in open("d.text", encoding="utf-8")
    if l.startswith("* ")]
ok = True
for name, got in (("atom", atom), ("html", p.out), ("md", md),
          ("text", text)):
    if sorted(got) != sorted(want):
        print(name, "differs:", sorted(set(got) ^ set(want)))
        ok = False
page = open("d.html", encoding="utf-8").read()
for s in srcs:
    if html.escape(s, quote=False) not in page:
        print("html lacks source", s)
        ok = False
sys.exit(0 if ok else 1)
PY
'

test_done
