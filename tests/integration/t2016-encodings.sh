#!/bin/sh
# Encoding detection (issue 16): feeds that declare nothing (no BOM, no
# XML declaration, no HTTP charset) and are not UTF-8 are detected with
# uchardet, one file per legacy encoding in tests/data/parse/encodings
# (written by its gen.py). Each is decoded here by Python's own codec
# and compared, field by field, with `glean parse --json`; doc.encoding
# is the detected charset, as feedparser spells chardet's.
. "$(dirname "$0")/../lib/lib.sh"

data=$TEST_ROOT/tests/data/parse/encodings

# check FILE CODEC REPORTED: glean's titles and summaries are the text
# Python decodes from the same bytes, and doc.encoding is REPORTED
check() {
	glean parse --json "$data/$1" >"$1.json" &&
	python3 - "$data/$1" "$2" "$3" "$1.json" <<-\PY
	import json, re, sys
	path, codec, want, out = sys.argv[1:]
	text = open(path, "rb").read().decode(codec)
	d = json.load(open(out, encoding="utf-8"))
	titles = re.findall(r"<title>(.*?)</title>", text)
	descs = re.findall(r"<description>(.*?)</description>", text)
	got_t = [d["feed"]["title"]] + [e["title"] for e in d["entries"]]
	got_d = [e["summary"] for e in d["entries"]]
	ok = True
	for what, a, b in (("titles", titles, got_t), ("summaries", descs, got_d)):
	    if a != b:
	        print("%s: %s differ:\n want %r\n got  %r" % (path, what, a, b))
	        ok = False
	if d["doc"]["encoding"] != want:
	    print("%s: encoding %r, want %r" % (path, d["doc"]["encoding"], want))
	    ok = False
	if len(titles) < 4:
	    print("%s: too few titles in the file" % path)
	    ok = False
	sys.exit(0 if ok else 1)
	PY
}

test_expect_success 'EUC-KR with no declaration' 'check euc-kr.xml euc-kr EUC-KR'
test_expect_success 'Shift-JIS with no declaration' 'check shift_jis.xml shift_jis SHIFT_JIS'
test_expect_success 'EUC-JP with no declaration' 'check euc-jp.xml euc-jp EUC-JP'
test_expect_success 'Big5 with no declaration' 'check big5.xml big5 Big5'
test_expect_success 'GB2312 with no declaration' 'check gb2312.xml gb2312 GB2312'
test_expect_success 'GBK beyond GB2312 with no declaration' 'check gbk.xml gbk GBK'
test_expect_success 'KOI8-R with no declaration' 'check koi8-r.xml koi8-r KOI8-R'
test_expect_success 'windows-1251 with no declaration' 'check windows-1251.xml cp1251 windows-1251'
test_expect_success 'ISO-8859-2 with no declaration' 'check iso-8859-2.xml iso-8859-2 ISO-8859-2'
test_expect_success 'windows-1252 with no declaration' 'check windows-1252.xml cp1252 windows-1252'

test_expect_success 'a few accented letters in English stay windows-1252' 'check windows-1252-sparse.xml cp1252 windows-1252'

test_expect_success 'a detected feed is stored as the right text' '
	glean add "file://$data/koi8-r.xml" >/dev/null &&
	glean add "file://$data/shift_jis.xml" >/dev/null &&
	glean fetch >/dev/null 2>&1 &&
	glean items >out &&
	test_grep "Проезд подорожает" out &&
	test_grep "桜の開花" out
'

test_expect_success 'valid UTF-8 with no declaration stays UTF-8' '
	python3 -c "import sys; sys.stdout.buffer.write(open(sys.argv[1], \"rb\").read().decode(\"koi8-r\").encode(\"utf-8\"))" \
		"$data/koi8-r.xml" >u.xml &&
	glean parse --json u.xml >u.json &&
	test_grep "\"encoding\":\"utf-8\"" u.json &&
	test_grep "Погода на выходные" u.json
'

test_expect_success 'detection looks past a long ASCII head' '
	{
		printf "<rss version=\"2.0\"><channel><title>t</title>\n" &&
		i=0 && while [ $i -lt 3000 ]; do
			printf "<item><title>plain %d</title><description>nothing but ASCII here</description></item>\n" $i
			i=$((i + 1))
		done &&
		sed -e "1,/<channel>/d" -e "/<\/channel>/,\$d" "$data/koi8-r.xml" &&
		printf "</channel></rss>\n"
	} >long.xml &&
	test "$(wc -c <long.xml)" -gt 200000 &&
	glean parse --json long.xml >long.json &&
	test_grep "\"encoding\":\"KOI8-R\"" long.json &&
	test_grep "Открылась библиотека" long.json
'

test_done
