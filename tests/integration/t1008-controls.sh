#!/bin/sh
# Controls from feeds never leave glean raw (issue 15): --json writes C0,
# DEL, C1, bidi controls and U+2028/U+2029 as \uXXXX; links and
# enclosure URLs are stored with such characters percent-encoded; a link
# over 8 KiB is dropped (the item keeps no link); 'glean add' refuses
# such URLs; tags over 256 bytes are refused with a reason.
. "$(dirname "$0")/../lib/lib.sh"

long=$(printf 'x%.0s' $(seq 1 8300))
# raw UTF-8: NEL and CSI (C1), RLO and LRI (bidi), LS and PS; character
# in text (not in attributes) is read as windows-1252 either way
nel=$(printf '\302\205') csi=$(printf '\302\233') rlo=$(printf '\342\200\256')
lri=$(printf '\342\201\246') ls=$(printf '\342\200\250') ps=$(printf '\342\200\251')
csi_1252=$(printf '\342\200\272') # what the parser reads CSI in text as
cat >"$TRASH/ctl.xml" <<EOF2
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Ctl&#x202E;</title><link>https://ctl.example/</link>
<item>
  <title>Evil${nel}${csi}31m ${rlo}gnp.exe${lri}${ls}x</title>
  <guid>c1</guid>
  <link>https://ctl.example/a${csi}b${rlo}c${ps}d&#x7F;e f</link>
  <description>text${nel}here${rlo}</description>
  <enclosure url="https://ctl.example/e${rlo}.mp3${csi}" length="1" type="audio/mpeg"/>
</item>
<item>
  <title>Long link</title>
  <guid>c2</guid>
  <link>https://ctl.example/$long</link>
  <enclosure url="https://ctl.example/$long.mp3" type="audio/mpeg"/>
  <enclosure url="https://ctl.example/short.mp3" type="audio/mpeg"/>
</item>
</channel></rss>
EOF2

# Exit 1 when the file holds a raw control: C0 but \n, DEL, C1, the bidi
# controls, U+2028/U+2029.
no_raw_controls() {
	python3 -c '
import re, sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
bad = re.findall("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]", t)
if bad:
    print("raw controls:", [hex(ord(c)) for c in bad])
    sys.exit(1)
' "$1"
}

test_expect_success 'setup' '
	glean add "file://$TRASH/ctl.xml" >/dev/null &&
	glean fetch >/dev/null &&
	glean items --json --content >items.json &&
	jq -e "length == 2" items.json
'

test_expect_success 'items --json escapes C1, bidi and separators' '
	no_raw_controls items.json &&
	grep -q "gnp.exe\\\\u2028x" items.json &&
	grep -q "here\\\\u202e" items.json &&
	grep -q "e%E2%80%AE.mp3%C2%9B" items.json
'

test_expect_success 'stored links and enclosure URLs are percent-encoded' '
	test "$(store_sql "SELECT url FROM item WHERE title LIKE '\''Evil%'\''")" = \
	     "https://ctl.example/a${csi_1252}b%E2%80%AEc%E2%80%A9d%7Fe%20f" &&
	store_sql "SELECT enclosures FROM item WHERE title LIKE '\''Evil%'\''" >enc &&
	test_grep "https://ctl.example/e%E2%80%AE.mp3%C2%9B" enc
'

test_expect_success 'a link over 8 KiB is dropped, the item kept' '
	test "$(store_sql "SELECT coalesce(url, '\''none'\'') FROM item WHERE title = '\''Long link'\''")" = none &&
	store_sql "SELECT enclosures FROM item WHERE title = '\''Long link'\''" >enc &&
	test_grep "short.mp3" enc &&
	! grep -q xxxxxxxxxx enc
'

test_expect_success 'show --json and a note with controls print none raw' '
	id=$(jq -r ".[] | select(.title | test(\"^Evil\")) | .id" items.json) &&
	glean note "$id" "$(printf "n\302\205o\342\200\256te")" >/dev/null &&
	glean show "$id" --json >show.json &&
	no_raw_controls show.json &&
	grep -q "n\\\\u0085o\\\\u202ete" show.json &&
	glean items --json >items2.json &&
	no_raw_controls items2.json
'

test_expect_success 'enclosures stored raw by an older glean print escaped' '
	id=$(jq -r ".[] | select(.title | test(\"^Evil\")) | .id" items.json) &&
	store_sql "UPDATE item SET enclosures = '\''[{\"url\":\"https://x/${csi}${rlo}\"}]'\'' WHERE id = $id" &&
	glean show "$id" --json >show.json &&
	no_raw_controls show.json &&
	grep -q "https://x/\\\\u009b\\\\u202e" show.json
'

test_expect_success 'add refuses a URL with a C1 or bidi control, or over 8 KiB' '
	test_status 2 glean add "$(printf "https://ctl.example/\342\200\256x")" 2>err &&
	test_grep "control character" err &&
	test_status 2 glean add "$(printf "https://ctl.example/\302\233x")" 2>err &&
	test_grep "control character" err &&
	test_status 2 glean add "https://ctl.example/$long" 2>err &&
	test_grep "too long" err &&
	test "$(store_sql "SELECT count(*) FROM source")" = 1
'

test_expect_success 'a tag over 256 bytes is refused with a reason' '
	id=$(jq -r ".[0].id" items.json) &&
	t=$(printf "t%.0s" $(seq 1 257)) &&
	! glean tag "$id" "+$t" 2>err &&
	test_grep "too long (at most 256)" err &&
	! glean tag-source 1 "+$t" 2>err &&
	test_grep "too long (at most 256)" err &&
	test "$(store_sql "SELECT count(*) FROM tag")" = 0 &&
	t=$(printf "t%.0s" $(seq 1 256)) &&
	glean tag "$id" "+$t" >/dev/null
'

test_done
