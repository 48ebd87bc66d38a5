#!/usr/bin/env python3
"""Check what glean posts against the services' own schemas (test code).

httpd.py calls check(method, path, query, body) on every request and
answers 400 (422 for Discourse), as the real service would, when it
returns a reason; so every integration test that shares validates each
body it sends. Also a command:

    bodycheck.py NSID-or-PATH FILE   check one body, print "ok" or why

Bluesky: XRPC procedures' input and queries' parameters against the
lexicons in tests/data/bluesky-lexicons (copied from the atproto
repository, MIT licence there): required fields, types, string formats
(datetime, at-uri, did, handle, nsid, cid, uri, record-key, tid),
maxLength in UTF-8 bytes and maxGraphemes, unions by $type, records
inside createRecord against their own lexicon; then what a schema cannot
say: each facet's byte range lies within the text, and a link facet's
range slices exactly its URI.
X (API v2 POST /2/tweets): text is a string; a reply object must carry
in_reply_to_tweet_id, a numeric string.
Discourse (POST /posts.json): raw is a string; topic_id and category are
JSON integers.
"""
import json
import os
import re
import sys
import unicodedata
import urllib.parse

try:
    import regex as _regex   # \\X when installed; else the rules below
except ImportError:          # pragma: no cover
    _regex = None

HERE = os.path.dirname(os.path.abspath(__file__))
LEXDIR = os.path.join(HERE, "..", "data", "bluesky-lexicons")
_LEX = None


def lexicons():
    global _LEX
    if _LEX is None:
        _LEX = {}
        for root, _, files in os.walk(LEXDIR):
            for f in files:
                if f.endswith(".json"):
                    with open(os.path.join(root, f), encoding="utf-8") as fp:
                        doc = json.load(fp)
                    _LEX[doc["id"]] = doc
    return _LEX


# ---- graphemes ----

def _ext(c):
    o = ord(c)
    return (unicodedata.category(c) in ("Mn", "Me", "Mc") or
            o == 0x200D or 0xFE00 <= o <= 0xFE0F or
            0x1F3FB <= o <= 0x1F3FF or 0xE0020 <= o <= 0xE007F)


def graphemes(s):
    """Extended grapheme clusters (UAX #29): \\X with the regex module,
    else the rules glean's posts meet (marks, ZWJ sequences, variation
    selectors, skin tones, flags, CR LF, Hangul)."""
    if _regex is not None:
        return len(_regex.findall(r"\X", s))
    n, i = 0, 0
    while i < len(s):
        c = s[i]
        i += 1
        n += 1
        if c == "\r" and i < len(s) and s[i] == "\n":
            i += 1
            continue
        if 0x1F1E6 <= ord(c) <= 0x1F1FF and i < len(s) and \
                0x1F1E6 <= ord(s[i]) <= 0x1F1FF:
            i += 1
        while i < len(s) and (_ext(s[i]) or (s[i - 1] == "\u200d")):
            i += 1
    return n


# ---- formats (atproto specs) ----

DID = r"did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]"
HANDLE = (r"([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
          r"[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?")
NSID = (r"[a-zA-Z]([a-zA-Z0-9-]{0,62})?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})?)+"
        r"\.[a-zA-Z]([a-zA-Z0-9]{0,62})?")
RKEY = r"[a-zA-Z0-9_~.:-]{1,512}"
FORMATS = {
    "datetime": r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                r"(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})",
    "did": DID,
    "handle": HANDLE,
    "at-identifier": "(%s)|(%s)" % (DID, HANDLE),
    "nsid": NSID,
    "cid": r"[a-zA-Z0-9+=]{8,256}",
    "record-key": RKEY,
    "tid": r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}",
    "at-uri": r"at://((%s)|(%s))(/(%s)(/%s)?)?" % (DID, HANDLE, NSID, RKEY),
    "uri": r"[a-z][a-z.-]{0,80}:[^\s]+",
    "language": r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*",
}


def check_format(fmt, s):
    pat = FORMATS.get(fmt)
    if pat and not re.fullmatch(pat, s):
        return "not a valid %s: %r" % (fmt, s)
    if fmt == "datetime" and (s.endswith("-00:00") or s[5:7] > "12"):
        return "not a valid datetime: %r" % s
    if fmt == "record-key" and s in (".", ".."):
        return "not a valid record-key: %r" % s
    return None


# ---- lexicon validation ----

def resolve(ref, nsid):
    if ref.startswith("#"):
        ref = nsid + ref
    base, _, name = ref.partition("#")
    doc = lexicons().get(base)
    if doc is None:
        return None, base
    return doc["defs"].get(name or "main"), base


def validate(v, sch, nsid, where):
    t = sch.get("type")
    if t == "ref":
        d, ns = resolve(sch["ref"], nsid)
        if d is None:
            return "%s: unknown lexicon %s" % (where, sch["ref"])
        if d.get("type") == "record":
            d = d["record"]
        return validate(v, d, ns, where)
    if t == "union":
        if not isinstance(v, dict) or not isinstance(v.get("$type"), str):
            return "%s: a union member needs $type" % where
        want = v["$type"]
        for r in sch["refs"]:
            full = nsid + r if r.startswith("#") else r
            if full == want or (full.endswith("#main") and
                                full[:-5] == want) or \
                    ("#" not in full and full + "#main" == want):
                return validate(v, {"type": "ref", "ref": r}, nsid, where)
        if sch.get("closed"):
            return "%s: $type %s is not one of %s" % (where, want,
                                                     sch["refs"])
        return None
    if t == "unknown":
        if not isinstance(v, dict):
            return "%s: must be an object" % where
        return None
    if t == "object":
        if not isinstance(v, dict):
            return "%s: must be an object" % where
        for k in sch.get("required", []):
            if k not in v:
                return "%s: missing required %s" % (where, k)
        props = sch.get("properties", {})
        for k, pv in v.items():
            if k in props:
                if pv is None and k in sch.get("nullable", []):
                    continue
                err = validate(pv, props[k], nsid, where + "." + k)
                if err:
                    return err
        return None
    if t == "string":
        if not isinstance(v, str):
            return "%s: must be a string" % where
        b = len(v.encode("utf-8"))
        if "maxLength" in sch and b > sch["maxLength"]:
            return "%s: %d bytes, over maxLength %d" % (where, b,
                                                        sch["maxLength"])
        if "minLength" in sch and b < sch["minLength"]:
            return "%s: under minLength %d" % (where, sch["minLength"])
        if "maxGraphemes" in sch:
            g = graphemes(v)
            if g > sch["maxGraphemes"]:
                return "%s: %d graphemes, over maxGraphemes %d" % (
                    where, g, sch["maxGraphemes"])
        if "enum" in sch and v not in sch["enum"]:
            return "%s: %r is not one of %s" % (where, v, sch["enum"])
        if "const" in sch and v != sch["const"]:
            return "%s: must be %r" % (where, sch["const"])
        if "format" in sch:
            err = check_format(sch["format"], v)
            if err:
                return "%s: %s" % (where, err)
        return None
    if t == "integer":
        if not isinstance(v, int) or isinstance(v, bool):
            return "%s: must be an integer" % where
        if "minimum" in sch and v < sch["minimum"]:
            return "%s: under minimum %d" % (where, sch["minimum"])
        if "maximum" in sch and v > sch["maximum"]:
            return "%s: over maximum %d" % (where, sch["maximum"])
        return None
    if t == "boolean":
        return None if isinstance(v, bool) else "%s: must be a boolean" % \
            where
    if t == "array":
        if not isinstance(v, list):
            return "%s: must be an array" % where
        if "maxLength" in sch and len(v) > sch["maxLength"]:
            return "%s: over maxLength %d items" % (where, sch["maxLength"])
        if "minLength" in sch and len(v) < sch["minLength"]:
            return "%s: under minLength %d items" % (where,
                                                     sch["minLength"])
        for i, x in enumerate(v):
            err = validate(x, sch["items"], nsid, "%s[%d]" % (where, i))
            if err:
                return err
        return None
    return None   # blob, bytes, cid-link: glean sends none


def check_facets(rec):
    text = rec.get("text", "").encode("utf-8")
    for i, f in enumerate(rec.get("facets", [])):
        s, e = f["index"]["byteStart"], f["index"]["byteEnd"]
        if not 0 <= s < e <= len(text):
            return "record.facets[%d]: bytes %d..%d outside the text " \
                "(%d bytes)" % (i, s, e, len(text))
        try:
            part = text[s:e].decode("utf-8")
        except UnicodeDecodeError:
            return "record.facets[%d]: bytes %d..%d split a character" % (
                i, s, e)
        for feat in f["features"]:
            if feat.get("$type") == "app.bsky.richtext.facet#link" and \
                    part != feat["uri"]:
                return "record.facets[%d]: the range holds %r, the link " \
                    "is %r" % (i, part, feat["uri"])
    return None


def check_record(rec):
    if not isinstance(rec, dict) or not isinstance(rec.get("$type"), str):
        return "record: needs $type"
    d, ns = resolve(rec["$type"], rec["$type"])
    if d is None:
        return None   # a lexicon we do not have: the PDS takes it as is
    err = validate(rec, d["record"], ns, "record")
    if err is None and rec["$type"] == "app.bsky.feed.post":
        err = check_facets(rec)
    return err


def check_xrpc(nsid, method, query, body):
    doc = lexicons().get(nsid)
    if doc is None:
        return None
    main = doc["defs"]["main"]
    if main["type"] == "query":
        ps = main.get("parameters") or {}
        q = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        for k in ps.get("required", []):
            if k not in q:
                return "missing required parameter %s" % k
        for k, v in q.items():
            sch = ps.get("properties", {}).get(k)
            if sch and sch.get("type") == "string" and "format" in sch:
                err = check_format(sch["format"], v)
                if err:
                    return "%s: %s" % (k, err)
        return None
    if main["type"] != "procedure" or method != "POST":
        return None
    sch = (main.get("input") or {}).get("schema")
    if sch is None:
        return None
    try:
        v = json.loads(body)
    except ValueError:
        return "the body is not JSON"
    err = validate(v, sch, nsid, "input")
    if err is None and nsid == "com.atproto.repo.createRecord":
        if v["record"].get("$type") != v["collection"]:
            return "record.$type is not the collection"
        err = check_record(v["record"])
    return err


def check_x(body):
    try:
        v = json.loads(body)
    except ValueError:
        return "the body is not JSON"
    if not isinstance(v, dict) or not isinstance(v.get("text"), str):
        return "text must be a string"
    if "reply" in v:
        r = v["reply"]
        if not isinstance(r, dict) or "in_reply_to_tweet_id" not in r:
            return "reply.in_reply_to_tweet_id is required in a reply"
        tid = r["in_reply_to_tweet_id"]
        if not isinstance(tid, str) or not re.fullmatch(r"[0-9]{1,19}", tid):
            return "reply.in_reply_to_tweet_id must be a post id, not %r" % \
                (tid,)
    return None


def check_discourse(body):
    try:
        v = json.loads(body)
    except ValueError:
        return "the body is not JSON"
    if not isinstance(v, dict) or not isinstance(v.get("raw"), str):
        return "raw must be a string"
    for k in ("topic_id", "category"):
        if k in v and (not isinstance(v[k], int) or isinstance(v[k], bool)):
            return "%s must be an integer, not %r" % (k, v[k])
    if "title" in v and not isinstance(v["title"], str):
        return "title must be a string"
    return None


def check(method, path, query, body):
    """(status, reason) to reject the request with, or None."""
    m = re.search(r"/xrpc/([A-Za-z0-9.-]+)$", path)
    if m:
        err = check_xrpc(m.group(1), method, query, body)
        return (400, err) if err else None
    if method == "POST" and path.endswith("/2/tweets"):
        err = check_x(body)
        return (400, err) if err else None
    if method == "POST" and path.endswith("/posts.json"):
        err = check_discourse(body)
        return (422, err) if err else None
    return None


def answer(path, status, reason):
    """The service's own error shape for a rejected body."""
    if "/xrpc/" in path:
        return {"error": "InvalidRequest", "message": reason}
    if path.endswith("/2/tweets"):
        return {"title": "Invalid Request", "detail": reason,
                "type": "https://api.twitter.com/2/problems/invalid-request",
                "errors": [{"message": reason}]}
    return {"action": "create_post", "errors": [reason]}


def main():
    what, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        body = f.read()
    if "/" not in what:
        what = "/xrpc/" + what
    r = check("POST", what, "", body)
    print("ok" if r is None else r[1])
    return 0 if r is None else 1


if __name__ == "__main__":
    sys.exit(main())
