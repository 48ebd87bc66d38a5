#!/usr/bin/env python3
"""Check W3C Web Annotations against the W3C's assertions.

usage: annocheck.py DIR FILE...

DIR holds annotationMusts.test, the assertions it lists (JSON Schemas,
draft 4) and definitions/ (tests/data/annotation). Each FILE is what
'glean export --annotations' writes: an AnnotationCollection whose pages
are embedded (first, next), or a page, one annotation, or an array.

Every annotation is validated against every assertion the .test lists.
The schemas name each other by bare file name ("id.json#/definitions/x"),
and a few with another letter case than the file has (the file
4.2-TextDataPositionSelectorValid.json says its id is
4.2-textDataPositionSelectorValid.json): references are resolved by file
name without regard to case. The "uri" and "date-time" formats the
schemas use are checked here (RFC 3986 absolute URI, RFC 3339 date-time),
so the result does not depend on which optional format packages are
installed. The collection itself is checked against the model's section 5
rules (type, id, total, first/items, partOf).

Prints each failure, then "N annotations, M assertions passed, K failed;
C collection checks". Exit 0 when all pass, 1 when any fails, 2 on usage.
Works with Debian's python3-jsonschema (4.10) and newer releases.
"""
import json
import os
import re
import sys
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)
import jsonschema  # noqa: E402
from jsonschema import Draft4Validator, FormatChecker, RefResolver  # noqa

URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:"
                 r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*$")
DATETIME = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]"
                      r"([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?"
                      r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$")


def formats():
    fc = FormatChecker(formats=())

    @fc.checks("uri")
    def is_uri(v):
        return not isinstance(v, str) or bool(URI.match(v))

    @fc.checks("date-time")
    def is_datetime(v):
        return not isinstance(v, str) or bool(DATETIME.match(v))

    return fc


def load_schemas(root):
    """Every .json under root, by lower-case file name and by its id."""
    by_name = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(".json"):
                with open(os.path.join(d, f), encoding="utf-8") as fp:
                    s = json.load(fp)
                by_name[f.lower()] = s
                if isinstance(s.get("id"), str):
                    by_name.setdefault(s["id"].lower(), s)
    return by_name


class CaseBlindResolver(RefResolver):
    """References by bare file name, matched without regard to case."""

    def __init__(self, by_name, base, schema):
        store = {}
        for k, s in by_name.items():
            store[k] = s
            if isinstance(s.get("id"), str):
                store[s["id"]] = s
        super().__init__(base, schema, store=store)
        self.by_name = by_name

    def resolve_remote(self, uri):
        name = uri.split("#", 1)[0].rsplit("/", 1)[-1].lower()
        if name in self.by_name:
            return self.by_name[name]
        raise jsonschema.RefResolutionError("no schema named %r" % uri)


def annotations_of(doc, problems):
    """The annotations in a collection, page, array or one annotation."""
    def types(o):
        t = o.get("type") if isinstance(o, dict) else None
        return t if isinstance(t, list) else [t]

    if isinstance(doc, list):
        return doc
    if "AnnotationCollection" in types(doc):
        check_collection(doc, problems)
        out, page, n = [], doc.get("first"), 0
        while isinstance(page, dict) and n < 10000:
            out.extend(page.get("items") or [])
            page, n = page.get("next"), n + 1
        return out
    if "AnnotationPage" in types(doc):
        return doc.get("items") or []
    return [doc]


def check_collection(c, problems):
    """Web Annotation model section 5 (the MUSTs and the SHOULDs glean
    keeps): appended to problems as text; returns how many were made."""
    checks = []

    def need(ok, what):
        checks.append(what)
        if not ok:
            problems.append("collection: " + what)

    ctx = c.get("@context")
    need(ctx == "http://www.w3.org/ns/anno.jsonld" or
         (isinstance(ctx, list) and
          "http://www.w3.org/ns/anno.jsonld" in ctx),
         "@context is the anno.jsonld context")
    need(isinstance(c.get("id"), str) and URI.match(c["id"]),
         "id is an IRI")
    need(isinstance(c.get("total"), int) and c["total"] >= 0,
         "total is a non-negative integer")
    items = []
    page = c.get("first")
    if c.get("total"):
        need(page is not None, "a collection with annotations has first")
    n = 0
    while isinstance(page, dict):
        t = page.get("type")
        need(t == "AnnotationPage" or
             (isinstance(t, list) and "AnnotationPage" in t),
             "page %d has type AnnotationPage" % n)
        need(isinstance(page.get("id"), str) and URI.match(page["id"]),
             "page %d id is an IRI" % n)
        need(isinstance(page.get("items"), list),
             "page %d has items (an array)" % n)
        need(page.get("partOf") in (None, c.get("id")) or
             isinstance(page.get("partOf"), dict),
             "page %d partOf is the collection" % n)
        items.extend(page.get("items") or [])
        page, n = page.get("next"), n + 1
    if isinstance(c.get("total"), int):
        need(c["total"] == len(items),
             "total (%s) counts the annotations (%d)" % (c["total"],
                                                          len(items)))
    check_collection.count = len(checks)


check_collection.count = 0


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    root = argv[1]
    with open(os.path.join(root, "annotationMusts.test"),
              encoding="utf-8") as fp:
        musts = json.load(fp)["assertions"]
    by_name = load_schemas(root)
    fc = formats()
    validators = []
    for path in musts:
        name = os.path.basename(path)
        schema = by_name.get(name.lower())
        if schema is None:
            sys.stderr.write("annocheck: assertion %s is missing\n" % path)
            return 2
        base = schema.get("id", name)
        res = CaseBlindResolver(by_name, base, schema)
        validators.append((name, schema.get("expectedResult", "valid"),
                           Draft4Validator(schema, resolver=res,
                                           format_checker=fc)))
    nanno = passed = failed = 0
    problems = []
    for f in argv[2:]:
        with open(f, encoding="utf-8") as fp:
            doc = json.load(fp)
        for a in annotations_of(doc, problems):
            nanno += 1
            aid = a.get("id", "?") if isinstance(a, dict) else "?"
            for name, want, v in validators:
                errs = list(v.iter_errors(a))
                ok = not errs if want == "valid" else bool(errs)
                if ok:
                    passed += 1
                    continue
                failed += 1
                msg = errs[0].message if errs else "expected invalid"
                print("%s: annotation %d (%s): %s: %s" %
                      (f, nanno, aid, name, msg[:300]))
    for p in problems:
        print(p)
    print("%d annotations, %d assertions passed, %d failed; "
          "%d collection checks, %d failed" %
          (nanno, passed, failed, check_collection.count, len(problems)))
    return 0 if not failed and not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
