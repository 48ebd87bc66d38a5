#!/usr/bin/env python3
"""Score `glean extract` on article pages (tests/data/articles), the way
the shared scoring tool does: for each folder run

  GLEAN extract --json --url http://fakehost/test/page.html DIR/source.html

and compare the words of its "text" with the words of expected.html (F1
over the word multiset: Unicode words, case-folded; expected.html's text
has a space at every tag) and its "title" with expected-metadata.json
(white space normalised, exact).

  articles.py GLEAN DIR [--min-pass P] [--min-mean F] [--min-titles P]

Prints a line per failing page and the totals; exits 1 when a total is
under its floor (P in percent of pages, F the mean F1).
"""
import collections, html.parser, json, os, re, subprocess, sys

WORD = re.compile(r"\w+", re.UNICODE)


class Text(html.parser.HTMLParser):
    SKIP = {"script", "style", "noscript", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip:
            self.skip -= 1
        self.parts.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def words(s):
    return collections.Counter(w.casefold() for w in WORD.findall(s))


def html_words(s):
    p = Text()
    p.feed(s)
    p.close()
    return words("".join(p.parts))


def f1(got, want):
    if not got and not want:
        return 1.0
    common = sum((got & want).values())
    if not common:
        return 0.0
    p = common / sum(got.values())
    r = common / sum(want.values())
    return 2 * p * r / (p + r)


def main(argv):
    glean, corpus = argv[1], argv[2]
    floors = {"--min-pass": 0.0, "--min-mean": 0.0, "--min-titles": 0.0}
    rest = argv[3:]
    while rest:
        floors[rest[0]] = float(rest[1])
        rest = rest[2:]
    pages = sorted(d for d in os.listdir(corpus)
                   if os.path.isfile(os.path.join(corpus, d, "source.html")))
    passed = titles = 0
    total = 0.0
    for d in pages:
        base = os.path.join(corpus, d)
        with open(os.path.join(base, "expected.html"), encoding="utf-8") as f:
            want = html_words(f.read())
        with open(os.path.join(base, "expected-metadata.json"), encoding="utf-8") as f:
            meta = json.load(f)
        r = subprocess.run([glean, "extract", "--json", "--url",
                            "http://fakehost/test/page.html",
                            os.path.join(base, "source.html")],
                           capture_output=True, timeout=20)
        score, title_ok = 0.0, False
        if r.returncode == 0:
            got = json.loads(r.stdout.decode("utf-8"))
            score = f1(words(got.get("text") or ""), want)
            title_ok = " ".join((got.get("title") or "").split()) == \
                " ".join((meta.get("title") or "").split())
        ok = r.returncode == 0 and score >= 0.95
        passed += ok
        titles += title_ok
        total += score
        if not ok or not title_ok:
            print("%s %s f1=%.3f title=%s exit=%d" % ("ok  " if ok else "FAIL", d, score,
                  "ok" if title_ok else "differs", r.returncode))
    n = max(len(pages), 1)
    pp, mean, tp = 100.0 * passed / n, total / n, 100.0 * titles / n
    print("articles: %d pages; F1 >= 0.95: %d (%.1f%%); mean F1 %.3f; titles exact: %d (%.1f%%)"
          % (len(pages), passed, pp, mean, titles, tp))
    bad = pp < floors["--min-pass"] or mean < floors["--min-mean"] or \
        tp < floors["--min-titles"] or not pages
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
