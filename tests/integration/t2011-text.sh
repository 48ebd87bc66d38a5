#!/bin/sh
# Text is text (issue 16): a title read as plain text (an RSS title with
# no markup, Atom type="text", JSON Feed) is shown as written, '<' and '&'
# included; one read as HTML (Atom type="html"/"xhtml", an RSS title
# feedparser's rule finds markup in) is rendered to text. The parse dump
# keeps feedparser's value; items, show, sources and every digest show
# the same display string, each escaped once for its format. The store
# keeps an HTML title's cleaned HTML too (title_html in show/items --json).
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
class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text = ""
    def handle_data(self, d):
        self.text += d
def atom_title(t):
    # an HTML title (type="html", the title_html of the item) is the same
    # text once rendered
    if t.get("type") != "html":
        return t.text
    r = Text()
    r.feed(t.text)
    r.close()
    return r.text
atom = [atom_title(e.find(A + "title"))
    for e in ET.parse("d.atom").getroot().iter(A + "entry")]
nhtml = sum(1 for e in ET.parse("d.atom").getroot().iter(A + "entry")
    if e.find(A + "title").get("type") == "html")
if nhtml != 4:
    sys.exit("atom: %d html titles, not 4" % nhtml)
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


# The store keeps an HTML title's HTML (cleaned as content is) beside the
# text every view shows; a plain title, or HTML that says no more than its
# text, has none.
test_expect_success 'an HTML title is stored as HTML too: title_html' '
	jq -r ".[] | select(.title_html) | .title_html" items.json >html &&
	printf "%s\n" "Atom xhtml <em>em</em> &amp; &lt;x&gt;" \
		"Atom html <b>bold</b> &amp; &lt;3" \
		"RSS html <b>bold</b> move" \
		"RSS double &lt;b&gt; &amp; more" >expect.html &&
	test_cmp expect.html html &&
	cat >keep.xml <<-\EOF &&
	<?xml version="1.0" encoding="utf-8"?>
	<rss version="2.0"><channel><title>Keep</title><link>https://k.example/</link>
	<item><guid>k1</guid><title>&lt;b onclick="x()"&gt;Bold&lt;/b&gt; &amp;amp; more</title></item>
	</channel></rss>
	EOF
	cat >keep.atom <<-\EOF &&
	<?xml version="1.0" encoding="utf-8"?>
	<feed xmlns="http://www.w3.org/2005/Atom"><title>KeepA</title><id>urn:k</id><updated>2026-11-02T10:00:00Z</updated>
	<entry><id>urn:k2</id><title type="html">&lt;i onmouseover="z()"&gt;Tilted&lt;/i&gt; &amp;lt;3&lt;script&gt;bad()&lt;/script&gt;</title><updated>2026-11-02T12:02:00Z</updated></entry>
	<entry><id>urn:k3</id><title type="text">Plain &lt;tags&gt; &amp; &lt;b&gt;not bold&lt;/b&gt;</title><updated>2026-11-02T12:03:00Z</updated></entry>
	<entry><id>urn:k4</id><title type="html">Same &lt;!-- x --&gt;text</title><updated>2026-11-02T12:04:00Z</updated></entry>
	</feed>
	EOF
	glean add "file://$PWD/keep.xml" >/dev/null &&
	glean add "file://$PWD/keep.atom" >/dev/null &&
	glean fetch >out &&
	test_grep "4 new items" out &&
	glean items --json >all.json &&
	title_of() {
		jq -r --arg t "$1" "[.[] | select(.title == \$t)] |
			if length == 1 then .[0] | .title_html // \"null\"
			else \"missing\" end" all.json
	} &&
	test "$(title_of "Bold & more")" = "<b>Bold</b> &amp; more" &&
	test "$(title_of "Tilted <3")" = "<i>Tilted</i> &lt;3" &&
	test "$(title_of "Plain <tags> & <b>not bold</b>")" = null &&
	test "$(title_of "Same text")" = null &&
	id=$(jq -r ".[] | select(.title == \"Tilted <3\") | .id" all.json) &&
	glean show --json $id >shown.json &&
	test "$(jq -r ".title" shown.json)" = "Tilted <3" &&
	test "$(jq -r ".title_html" shown.json)" = "<i>Tilted</i> &lt;3" &&
	glean show $id >shown &&
	test_grep "^Title:  Tilted <3$" shown
'

test_expect_success 'an update of the title updates title_html' '
	sed -i "s/Bold&lt;\/b&gt; &amp;amp; more/Bolder\&lt;\/b\&gt; \&amp;amp; less/" keep.xml &&
	sed -i "s/>&lt;i onmouseover.*bad().*script&gt;</>Tilted now</" keep.atom &&
	touch -d "2026-01-01 00:00:00" keep.xml keep.atom &&
	glean fetch --all >out &&
	test_grep " 2 updated" out &&
	id=$(jq -r ".[] | select(.title == \"Bold & more\") | .id" all.json) &&
	glean show --json $id >shown.json &&
	test "$(jq -r ".title" shown.json)" = "Bolder & less" &&
	test "$(jq -r ".title_html" shown.json)" = "<b>Bolder</b> &amp; less" &&
	id=$(jq -r ".[] | select(.title == \"Tilted <3\") | .id" all.json) &&
	glean show --json $id >shown.json &&
	test "$(jq -r ".title" shown.json)" = "Tilted now" &&
	test "$(jq -r ".title_html" shown.json)" = null
'

test_done
