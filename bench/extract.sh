#!/bin/sh
# bench/extract.sh: article extraction speed (issue 19). Times
# article_extract() (bench/extract_driver.c, no process start-up) on a
# generated 1 MB page (target <= 50 ms) and on every page of
# ../shared/corpus/articles, or tests/data/articles when that is not
# there (target: the 90 pages in <= 3 s). Prints the figures; fails on
# nothing.
#   bench/extract.sh          RUNS (default 5) runs per page, medians
cd "$(dirname "$0")/.." || exit 2
RUNS=${RUNS:-5}
BB=${BENCH_DIR:-build/bench}
PKGS="libxml-2.0 libcurl sqlite3 libpcre2-8 libcrypto ncursesw uchardet libzstd"
mkdir -p "$BB" || exit 2
make --no-print-directory build/libglean.a >/dev/null || exit 1
# shellcheck disable=SC2046,SC2086
cc -O2 -g -pthread -std=c17 -Wall -Wextra -Wpedantic -Wshadow -Werror \
	-D_DEFAULT_SOURCE -Iinclude -Ibench -o "$BB/extract_driver" \
	bench/extract_driver.c build/libglean.a -pthread \
	$(pkg-config --libs $PKGS) || exit 1

page=$BB/extract-1mb.html
if [ ! -s "$page" ]; then
	python3 - "$page" <<'PY' || exit 1
import random, sys
r = random.Random(19)
words = ("the of and to in a is that for it as was with be by on not he "
         "this are or his from at which but have an they you were her she "
         "there would their we him been has when who will more no if out "
         "so said what up its about into than them can only other new some "
         "could time these two may then do first any my now such like our "
         "over man me even most made after also did many before must "
         "through back years where much your way well down should because "
         "each just those people how too little state good very make world "
         "still own see men work long get here between both life being "
         "under never day same another know while last might us great old "
         "year off come since against go came right used take three").split()
def sent():
    s = " ".join(r.choice(words) for _ in range(r.randint(8, 25)))
    return s[0].upper() + s[1:] + r.choice([".", ".", ",", ";"])
def para():
    p = " ".join(sent() for _ in range(r.randint(3, 8)))
    if r.random() < 0.3:
        p += ' <a href="/story/%d">%s</a>.' % (r.randint(1, 9999), sent())
    return "<p>" + p + "</p>"
out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
       '<title>A long read about nothing in particular | Bench Daily</title>'
       '<meta property="og:title" content="A long read about nothing">'
       '<script type="application/ld+json">{"@context":"https://schema.org",'
       '"@type":"NewsArticle","headline":"A long read","author":{"name":"B. Ench"}}'
       '</script><style>p{color:red}</style></head><body>'
       '<header class="masthead"><nav class="menu">']
out += ['<a href="/s/%d">Section %d</a>' % (i, i) for i in range(40)]
out.append('</nav></header><div class="layout"><main><article class="post">'
           '<h1>A long read about nothing in particular</h1>'
           '<div class="byline">By B. Ench</div><div class="entry-content">')
size = sum(map(len, out))
while size < 900 * 1000:
    p = para()
    if r.random() < 0.05:
        p += '<div class="share-buttons"><a href="#">Share</a></div>'
    if r.random() < 0.05:
        p += '<figure><img src="/i/%d.jpg"><figcaption>%s</figcaption></figure>' % (
            r.randint(1, 999), sent())
    out.append(p)
    size += len(p)
out.append('</div></article></main><aside class="sidebar"><ul>')
while size < 1000 * 1000:
    li = '<li><a href="/r/%d">%s</a></li>' % (r.randint(1, 9999), sent())
    out.append(li)
    size += len(li)
out.append('</ul></aside></div><footer>(c) Bench Daily</footer></body></html>')
open(sys.argv[1], "w").write("".join(out))
PY
fi
"$BB/extract_driver" "$RUNS" "$page" | grep -v '^extract '
corpus=../shared/corpus/articles
[ -d "$corpus" ] || corpus=tests/data/articles
# shellcheck disable=SC2046
"$BB/extract_driver" "$RUNS" $(ls -d "$corpus"/*/source.html) | grep -v '^extract '
