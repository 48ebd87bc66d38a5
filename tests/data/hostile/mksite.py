#!/usr/bin/env python3
"""Build the site for tests/integration/t2010-hostile-table.sh.

    mksite.py CASES.tsv SITEDIR

For each case of the table (name, path, meta, add, fetch, reason) writes
SITEDIR/ok/NAME.xml, a good feed with guids NAME-1..3 (what the source
serves before it turns hostile), and, when the path is "-",
SITEDIR/bad/NAME from BODIES[NAME] (empty when absent) with
SITEDIR/bad/NAME.meta.json from the meta column (when not "-").
"""
import gzip
import json
import os
import sys

RSS = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
       '<title>%s</title><link>http://example.org/</link>%s</channel></rss>\n')


def item(title, guid, extra=""):
    return ("<item><title>%s</title><guid isPermaLink=\"false\">%s</guid>"
            "<link>http://example.org/%s</link>%s</item>" % (title, guid, guid,
                                                             extra))


def rss(title, items):
    return (RSS % (title, "".join(items))).encode("utf-8")


GOOD = rss("Good", [item("Good %d" % i, "good-%d" % i) for i in range(3)])
ONE = rss("One", [item("Fresh item", "fresh-1")])


def jf(obj):
    return json.dumps(obj).encode("utf-8")


JF = {"version": "https://jsonfeed.org/version/1.1", "title": "JF",
      "items": [{"id": "jf-1", "url": "http://example.org/jf-1",
                 "title": "JSON item", "content_text": "hi"}]}


def laughs():
    ents = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = "lol" if i == 1 else "lol%d" % (i - 1)
        ents.append('<!ENTITY lol%d "%s">' % (i, ("&%s;" % prev) * 10))
    return ('<?xml version="1.0"?>\n<!DOCTYPE rss [%s]>\n<rss version="2.0">'
            '<channel><title>L</title>%s</channel></rss>' %
            ("\n".join(ents), item("&lol9;", "laugh-1"))).encode()


def quadratic():
    big = "A" * 100000
    return ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "%s">]>\n'
            '<rss version="2.0"><channel><title>Q</title>%s</channel></rss>' %
            (big, item("&a;" * 1000, "quad-1"))).encode()


def deep(n):
    return (b'<?xml version="1.0"?><rss version="2.0"><channel><title>D'
            b'</title><item><title>deep</title><guid>deep-1</guid>'
            b'<description>' + b"<x>" * n + b"</x>" * n +
            b'</description></item></channel></rss>')


TRUNC = rss("Trunc", [item("Whole %d" % i, "trunc-%d" % i) for i in range(3)])

BODIES = {
    # empty and near-empty
    "empty": b"",
    "whitespace": b" \n\t\n " * 100,
    "single-lt": b"<",
    "xml-decl-only": b'<?xml version="1.0"?>',
    "rss-no-channel": b'<rss version="2.0"></rss>',
    "rss-no-items": rss("Nothing", []),
    # not feeds
    "html-page": b"<!doctype html><html><head><title>Not a feed</title>"
                 b"</head><body><p>Sorry</p></body></html>",
    "html-alternate": b'<html><head><link rel="alternate" type="application/'
                      b'rss+xml" href="{{BASE}}/good.xml?alt=1"></head></html>',
    "svg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    "json-array": b"[1,2,3]",
    "json-object": b'{"hello": "world"}',
    "binary": bytes(range(256)) * 64,
    "png-bytes": b"\x89PNG\r\n\x1a\n" + b"\0" * 500,
    # truncation
    "trunc-mid-item": TRUNC[:len(TRUNC) * 2 // 3],
    "trunc-mid-guid": TRUNC[:TRUNC.index(b"trunc-2") + 3],
    "trunc-open-cdata": rss("C", [item("x", "cd-1")])[:-30] +
                        b"<description><![CDATA[never ends",
    "trunc-open-comment": rss("C", [item("x", "cm-1")])[:-30] + b"<!-- never",
    # bytes
    "nul-bytes": GOOD.replace(b"Good 1", b"Go\0od 1"),
    "nul-only": b"\0" * 4096,
    "bom-utf8": b"\xef\xbb\xbf" + ONE,
    "bom-utf16le": b"\xff\xfe" + ONE.decode().replace(
        'encoding="utf-8"', 'encoding="utf-16"').encode("utf-16-le"),
    "bom-utf16be": b"\xfe\xff" + ONE.decode().replace(
        'encoding="utf-8"', 'encoding="utf-16"').encode("utf-16-be"),
    "latin1-declared": ONE.replace(b"utf-8", b"iso-8859-1").replace(
        b"Fresh", b"Fr\xe9sh"),
    "latin1-as-utf8": ONE.replace(b"Fresh", b"Fr\xe9sh \xff\xfe"),
    "utf8-as-latin1": ONE.replace(b"utf-8", b"iso-8859-1").replace(
        b"Fresh", "Fr\u00e9sh \u2603".encode()),
    "unknown-encoding": ONE.replace(b"utf-8", b"x-no-such-charset"),
    "mixed-encoding": ONE.replace(b"Fresh item", "caf\u00e9 ".encode() +
                                  b"caf\xe9 \xe2\x82"),
    "overlong-utf8": ONE.replace(b"Fresh", b"Fr\xc0\xafsh \xed\xa0\x80"),
    # entities and DTDs
    "billion-laughs": laughs(),
    "quadratic-blowup": quadratic(),
    "xxe-file": b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM '
                b'"file:///etc/passwd">]><rss version="2.0"><channel><title>'
                b'X</title>' + item("secret &x;", "xxe-1").encode() +
                b"</channel></rss>",
    "external-dtd": b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM '
                    b'"{{BASE}}/evil.dtd"><rss version="2.0"><channel>'
                    b'<title>E</title>' + item("dtd", "dtd-1").encode() +
                    b"</channel></rss>",
    "param-entity": b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p '
                    b'SYSTEM "{{BASE}}/evil.dtd"> %p;]><rss version="2.0">'
                    b'<channel><title>P</title>' + item("pe", "pe-1").encode()
                    + b"</channel></rss>",
    "undefined-entity": ONE.replace(b"Fresh item", b"&nosuch; item"),
    # shape
    "deep-nesting": deep(100000),
    "deep-nesting-shallow": deep(200),
    "huge-attribute": rss("H", [item("attr", "attr-1")]).replace(
        b"<item>", b'<item x="' + b"a" * (4 << 20) + b'">'),
    "many-attributes": rss("M", [item("attrs", "attrs-1")]).replace(
        b"<item>", b"<item " + b" ".join(b'a%d="1"' % i
                                         for i in range(20000)) + b">"),
    "many-items": rss("Many", [item("n%d" % i, "many-%d" % i)
                               for i in range(5000)]),
    "huge-link": rss("L", [item("longlink", "ll-1").replace(
        "http://example.org/ll-1", "http://example.org/" + "l" * 100000)]),
    "empty-guids": rss("G", ["<item><title>a</title><guid></guid></item>",
                             "<item><title>b</title><guid></guid></item>"]),
    "over-cap": b"<rss>" + b" " * (17 << 20) + b"</rss>",
    # terminal attacks
    "ctl-title": rss("Ctl", [item("bell\x1b[2J\x1b]0;pwn\x07 del\x7f",
                                  "ctl-1")]),
    "esc-entities": rss("E", [item("&#27;[31mred&#27;[0m &#x9b;2J &#7;",
                                   "esc-1")]),
    "c1-title": rss("C1", [item("c1 \u0085 \u009b31m \u0090x", "c1-1")]),
    "bidi-title": rss("B", [item("evil \u202egnp.exe \u2066x\u2069 "
                                 "\u2028line", "bidi-1")]),
    "crlf-title": rss("N", [item("two\r\nlines\rcr", "crlf-1")]),
    "ctl-feed-title": rss("\x1b]52;c;cHduZWQ=\x07Feed", [item("ok", "ft-1")]),
    "ctl-link": rss("K", [item("link", "lk-1").replace(
        "http://example.org/lk-1", "http://example.org/\x1b[0m&#x85;")]),
    # JSON Feed
    "jf-valid": jf(JF),
    "jf-v1": jf(dict(JF, version="https://jsonfeed.org/version/1")),
    "jf-no-version": jf({k: v for k, v in JF.items() if k != "version"}),
    "jf-items-object": jf(dict(JF, items={"a": 1})),
    "jf-items-null": jf(dict(JF, items=None)),
    "jf-item-no-id": jf(dict(JF, items=[{"title": "no id"}])),
    "jf-id-number": jf(dict(JF, items=[{"id": 12345, "title": "num"}])),
    "jf-truncated": jf(JF)[:-20],
    "jf-deep": b'{"version":"https://jsonfeed.org/version/1.1","title":"D",'
               b'"items":[{"id":"d","x":' + b"[" * 100000 + b"]" * 100000 +
               b"}]}",
    "jf-nul-escape": jf(dict(JF, items=[{"id": "nul-1",
                                         "title": "a\u0000b\u001b[2J"}])),
    "jf-huge-number": jf(JF).replace(b'"title": "JF"',
                                     b'"title": "JF", "n": 1e999999'),
    "jf-lone-surrogate": jf(JF).replace(b"JSON item", b"x \\ud800 y"),
    "jf-bad-utf8": jf(JF).replace(b"JSON item", b"bad \xff\xfe"),
    "jf-dup-keys": jf(JF).replace(b'"title": "JSON item"',
                                  b'"title": "A", "title": "B"'),
    # atom and rdf
    "atom-valid": b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005'
                  b'/Atom"><title>A</title><id>urn:a</id><entry><id>urn:a:1'
                  b'</id><title>Atom one</title><link href="http://example.'
                  b'org/a1"/></entry></feed>',
    "atom-no-ids": b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A'
                   b'</title><entry><title>no id</title></entry></feed>',
    "rdf-valid": b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.'
                 b'org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss'
                 b'/1.0/"><channel><title>R</title></channel><item rdf:about'
                 b'="http://example.org/r1"><title>RDF one</title><link>'
                 b'http://example.org/r1</link></item></rdf:RDF>',
    # good bodies with lying or odd headers
    "good": GOOD,
    "ctype-png": ONE,
    "ctype-absent": ONE,
    "ctype-bogus-charset": ONE,
    "ctype-html": ONE,
    "clen-short": ONE,
    "gzip-lie": ONE,
    "gzip-real": ONE,
    "gzip-garbage": b"\x1f\x8b\x08\x00" + b"garbage" * 100,
    "s200-huge-header": ONE,
    "s200-slow": ONE,
}


def main():
    cases, site = sys.argv[1], sys.argv[2]
    for d in ("ok", "bad"):
        os.makedirs(os.path.join(site, d), exist_ok=True)
    with open(os.path.join(site, "good.xml"), "wb") as f:
        f.write(rss("Target", [item("Target %d" % i, "target-%d" % i)
                               for i in range(2)]))
    with open(cases) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            name, path, meta = line.split("\t")[:3]
            with open(os.path.join(site, "ok", name + ".xml"), "wb") as o:
                o.write(rss("Was good", [item("Old %d" % i, "%s-old-%d" %
                                              (name, i)) for i in range(3)]))
            if path != "-":
                continue
            body = BODIES.get(name, b"")
            if meta != "-":
                m = json.loads(meta)
                if m.pop("gzip_body", False):
                    body = gzip.compress(body)
                with open(os.path.join(site, "bad", name + ".meta.json"),
                          "w") as o:
                    json.dump(m, o)
            if name in BODIES:
                with open(os.path.join(site, "bad", name), "wb") as o:
                    o.write(body)


main()
