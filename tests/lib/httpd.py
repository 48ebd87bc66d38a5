#!/usr/bin/env python3
"""A small fake HTTP server for glean's tests (python3 stdlib only).

    httpd.py --dir DIR --port-file FILE [--log FILE] [--bind ADDR]

Binds 127.0.0.1 (or ADDR, e.g. 127.0.0.2) on a free port and writes the
port to FILE once it listens. A request for /PATH is answered from DIR/PATH, with an optional
sidecar DIR/PATH.meta.json:

    {"status": 301, "headers": {"Location": "{{BASE}}/b"}, "body": "...",
     "gzip": true, "delay_ms": 100}

A top-level "text_limit": {"field": "status", "max": 500, "unit":
"graphemes", "url": 23, "bytes": 3000} makes the fake check the text at
that dotted path of a JSON request body as the service would (unit
"graphemes": grapheme clusters, each http(s) URL as "url"; "x": X's
weighting, NFC, URLs 23, emoji 2, other code points 1 or 2; "bytes": a
UTF-8 cap too) and answer 422 with "over_limit" in the log when it is
longer (and it uses up no fixture entry, like an invalid body below);
such a post must never reach a service.

or {"responses": [META, META, ...]} (also a bare list): the Nth request
to the path gets the Nth entry, the last one repeating. APIs that name
the resource in the query (Bluesky's ?list=) use {"queries": {"SUBSTR":
META-or-responses, ...}, "default": META}: the first SUBSTR found in the
percent-decoded query picks the entry, counted per path and SUBSTR.
"file": "rel/path" in a META takes the body from DIR/rel/path.
"hold_while": "rel/path" holds the answer while DIR/rel/path exists (at
most "hold_max_ms", default 120000): a test keeps a fetch running for
exactly as long as it needs one, rather than for a guessed time. A META with
"close": true reads the request and closes the connection without an
answer (a reply lost after the service acted). With
{"idempotency_header": "Idempotency-Key", "responses": [...]} a request
that repeats a key seen before on that path gets the first answer for it
again (logged with "replayed": true) and does not use up an entry, as a
real service's idempotency would; only 2xx (and "close") answers are
remembered. A meta file may
stand alone (no DIR/PATH); then the body is "body" or empty. {{BASE}} in
bodies and header values becomes http://HOST (from the Host header), so
Link/next/Location URLs point back here; {{PORT}} in header values is
this server's port. 200 responses get an ETag and
Last-Modified unless the meta sets them, and a matching If-None-Match or
If-Modified-Since gets 304. "gzip" compresses when the client accepts it.

Bodies posted to a service are checked against its schema first
(bodycheck.py: Bluesky XRPC against the lexicons, X POST /2/tweets,
Discourse POST /posts.json): an invalid one is answered 400 (Discourse
422) in the service's own error shape, as the real service would, uses up
no fixture entry and is logged with "invalid": the reason.

Every request is appended to the --log file as one JSON object per line:
method, path, query, headers, body, host, n (how many requests this path
has had, this one included) and inflight (requests to this Host being
served right now, this one included; /hostile/timeout, slow-drip and
endless, which outlive their clients, stop counting at once).

Hostile endpoints, by path:
  /hostile/slow?ms=N            200 after N ms (default 300)
  /hostile/slow-drip?bytes=N&interval_ms=M   one byte every M ms
  /hostile/endless              body that never ends (no Content-Length)
  /hostile/gzip-bomb?mb=N       N MiB of zeros, gzipped, sent regardless
  /hostile/redirect-loop        302 to itself, forever
  /hostile/redirect-file        302 to file:///etc/passwd
  /hostile/timeout              reads the request, never answers
  /hostile/truncated            Content-Length 1000, sends 10 bytes, closes
  /hostile/close                closes without any response
  /hostile/huge-title?mb=N      an RSS feed whose title is N MiB (default 1)
  /hostile/many-headers?n=N     N junk headers (default 1000)
  /hostile/NNN                  status NNN with a short text body
"""
import argparse
import email.utils
import gzip
import hashlib
import http
import json
import mimetypes
import os
import re
import sys
import threading
import time
import unicodedata
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bodycheck  # noqa: E402

LOCK = threading.Lock()
COUNT = {}      # path -> requests so far
IDEM = {}       # (path, key) -> the meta first answered for it
INFLIGHT = {}   # Host header -> requests being served
BOMBS = {}      # mb -> gzipped zeros
ARGS = None
LOG = None


def log_request(rec):
    if LOG is None:
        return
    LOG.write(json.dumps(rec, sort_keys=True, separators=(",", ":")) + "\n")
    LOG.flush()


URL_RE = re.compile(r"https?://[^\s]+")
X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def text_urls(text):
    """(start, end) of each http(s) URL, trailing punctuation left out and
    a ')' kept only when the URL opened one: the services' rule, written
    independently of glean's."""
    spans = []
    for m in URL_RE.finditer(text):
        u = m.group(0)
        while u and (u[-1] in ".,;:!?'\"" or
                     (u[-1] == ")" and u.count("(") < u.count(")"))):
            u = u[:-1]
        spans.append((m.start(), m.start() + len(u)))
    return spans


def graphemes(text):
    """Grapheme clusters, near enough for posts: marks, variation
    selectors, skin tones, tags and keycaps join the cluster before them,
    ZWJ joins the next character too, regional indicators pair up."""
    out, join, ri = [], False, 0
    for c in text:
        o = ord(c)
        ext = (unicodedata.category(c) in ("Mn", "Me", "Mc") or
               0xFE00 <= o <= 0xFE0F or 0x1F3FB <= o <= 0x1F3FF or
               0xE0020 <= o <= 0xE007F or o in (0x200D, 0x20E3))
        is_ri = 0x1F1E6 <= o <= 0x1F1FF
        if out and (ext or join or (is_ri and ri % 2 == 1)):
            out[-1] += c
        else:
            out.append(c)
        join = o == 0x200D
        ri = ri + 1 if is_ri else 0
    return out


def is_emoji(g):
    return any(ord(c) >= 0x1F000 or 0x2600 <= ord(c) <= 0x27BF or
               ord(c) in (0x20E3, 0xFE0F) for c in g)


def text_length(text, unit, url_weight):
    n, at = 0, 0
    if unit == "x":
        text = unicodedata.normalize("NFC", text)
        url_weight = 23
    for s, e in text_urls(text) + [(len(text), len(text))]:
        seg = text[at:s]
        for g in graphemes(seg):
            if unit != "x":
                n += 1
            elif is_emoji(g):
                n += 2
            else:
                n += sum(1 if any(a <= ord(c) <= b for a, b in X_LIGHT)
                         else 2 for c in g)
        if e > s:
            n += url_weight
        at = e
    return n


def over_limit(path, body):
    """Why the text in body is over the limit of path's meta, or None."""
    root = os.path.realpath(ARGS.dir)
    fs = os.path.realpath(os.path.join(root, path.lstrip("/")))
    try:
        with open(fs + ".meta.json") as f:
            lim = json.load(f).get("text_limit")
    except (OSError, ValueError, AttributeError):
        return None
    if not lim:
        return None
    try:
        text = json.loads(body)
        for k in lim["field"].split("."):
            text = text[k]
    except (ValueError, KeyError, TypeError):
        return None
    n = text_length(text, lim.get("unit", "graphemes"), lim.get("url", 0))
    if n > lim["max"]:
        return "%d over %d" % (n, lim["max"])
    if "bytes" in lim and len(text.encode("utf-8")) > lim["bytes"]:
        return "%d bytes over %d" % (len(text.encode("utf-8")), lim["bytes"])
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, so reuse is testable

    def version_string(self):
        return "glean-test-httpd"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.handle_any()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    # ---- bookkeeping ----

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        self.qs = {k: v[-1] for k, v in
                   urllib.parse.parse_qs(url.query).items()}
        self.query = url.query
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        self.host = self.headers.get("Host", "")
        self.base = "http://" + (self.host or "127.0.0.1:%d" %
                                 self.server.server_port)
        self.left = False
        headers = {}
        for k, v in self.headers.items():
            headers[k] = headers[k] + ", " + v if k in headers else v
        self.replay = None
        idem = self.idempotency_key(url.path)
        bad = bodycheck.check(self.command, url.path, url.query,
                              body.decode("utf-8", "replace"))
        over = over_limit(url.path, body)
        if bad is None and over:
            bad = (422, over)
        with LOCK:
            INFLIGHT[self.host] = INFLIGHT.get(self.host, 0) + 1
            if bad is not None:
                n = COUNT.get(url.path, 0)
            elif idem is not None and (url.path, idem) in IDEM:
                self.replay = IDEM[(url.path, idem)]
                n = COUNT.get(url.path, 0)
            else:
                COUNT[url.path] = COUNT.get(url.path, 0) + 1
                n = COUNT[url.path]
            rec = {"method": self.command, "path": url.path,
                   "query": url.query, "headers": headers,
                   "body": body.decode("utf-8", "replace"),
                   "host": self.host, "n": n,
                   "inflight": INFLIGHT[self.host]}
            if self.replay is not None:
                rec["replayed"] = True
            if bad is not None:
                rec["invalid"] = bad[1]
            if over:
                rec["over_limit"] = over
            log_request(rec)
        self.idem = idem
        try:
            if bad is not None:
                out = json.dumps(bodycheck.answer(url.path, *bad)).encode()
                self.respond(bad[0], [("Content-Type", "application/json")],
                             out)
            elif url.path.startswith("/hostile/"):
                self.hostile(url.path[len("/hostile/"):])
            else:
                self.fixture(url.path, n)
        except (ConnectionError, BrokenPipeError):
            self.close_connection = True
        finally:
            self.leave()

    def idempotency_key(self, path):
        """The request's idempotency key when the path's meta asks for
        idempotency, else None."""
        root = os.path.realpath(ARGS.dir)
        fs = os.path.realpath(os.path.join(root, path.lstrip("/")))
        if not fs.startswith(root + os.sep):
            return None
        try:
            with open(fs + ".meta.json") as f:
                meta = json.load(f)
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or "idempotency_header" not in meta:
            return None
        return self.headers.get(meta["idempotency_header"])

    def leave(self):
        """Stop counting this request as in flight. Called before the
        last byte goes out, so the client cannot start its next request
        while the server still counts this one."""
        if not self.left:
            self.left = True
            with LOCK:
                INFLIGHT[self.host] -= 1

    def respond(self, status, headers, body):
        self.send_response(status)
        names = {k.lower() for k, _ in headers}
        for k, v in headers:
            self.send_header(k, v)
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(body)))
        if body and self.command != "HEAD":
            self.end_headers()
            self.wfile.write(body[:-1])
            self.wfile.flush()
            self.leave()
            self.wfile.write(body[-1:])
        else:
            self.leave()
            self.end_headers()

    # ---- fixtures ----

    def fixture(self, path, n):
        root = os.path.realpath(ARGS.dir)
        fs = os.path.realpath(os.path.join(root, path.lstrip("/")))
        if fs != root and not fs.startswith(root + os.sep):
            return self.respond(403, [], b"forbidden\n")
        meta = None
        if os.path.isfile(fs + ".meta.json"):
            with open(fs + ".meta.json") as f:
                meta = json.load(f)
            if isinstance(meta, dict) and "queries" in meta:
                q = urllib.parse.unquote(self.query)
                pick = meta.get("default")
                for sub, m in meta["queries"].items():
                    if sub in q:
                        pick = m
                        with LOCK:
                            key = path + "?" + sub
                            COUNT[key] = COUNT.get(key, 0) + 1
                            n = COUNT[key]
                        break
                meta = pick if pick is not None else {"status": 404,
                                                      "body": "no match\n"}
            if isinstance(meta, dict) and "responses" in meta:
                meta = meta["responses"]
            if isinstance(meta, list):
                meta = meta[min(n, len(meta)) - 1]
            if isinstance(meta, dict) and "file" in meta:
                bf = os.path.realpath(os.path.join(root, meta["file"]))
                if not bf.startswith(root + os.sep):
                    return self.respond(403, [], b"forbidden\n")
                with open(bf, encoding="utf-8") as f:
                    meta = dict(meta, body=f.read())
        if self.replay is not None:
            meta = dict(self.replay, close=False)
        elif (getattr(self, "idem", None) is not None and meta is not None
              and meta.get("status", 200) < 300):
            with LOCK:
                IDEM[(path, self.idem)] = meta
        if meta and meta.get("close"):
            self.close_connection = True
            return
        have_file = os.path.isfile(fs)
        if meta is None and not have_file:
            return self.respond(404, [("Content-Type", "text/plain")],
                                b"not found\n")
        meta = meta or {}
        if "body" in meta:
            body = meta["body"].encode("utf-8")
        elif have_file:
            with open(fs, "rb") as f:
                body = f.read()
        else:
            body = b""
        body = body.replace(b"{{BASE}}", self.base.encode())
        status = meta.get("status", 200)
        headers = [(k, str(v).replace("{{BASE}}", self.base)
                    .replace("{{PORT}}", str(self.server.server_port)))
                   for k, v in meta.get("headers", {}).items()]
        names = {k.lower() for k, _ in headers}
        if "content-type" not in names and have_file:
            ctype = mimetypes.guess_type(fs)[0] or "application/octet-stream"
            headers.append(("Content-Type", ctype))
        if status == 200:
            if "etag" not in names:
                etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
                headers.append(("ETag", etag))
            if "last-modified" not in names and have_file:
                lm = email.utils.formatdate(os.stat(fs).st_mtime,
                                            usegmt=True)
                headers.append(("Last-Modified", lm))
            if self.not_modified(headers):
                keep = [(k, v) for k, v in headers
                        if k.lower() in ("etag", "last-modified")]
                return self.respond(304, keep, b"")
        delay = meta.get("delay_ms", 0)
        if delay:
            time.sleep(delay / 1000.0)
        hold = meta.get("hold_while")
        if hold:
            end = time.monotonic() + meta.get("hold_max_ms", 120000) / 1000.0
            while (os.path.exists(os.path.join(root, hold))
                   and time.monotonic() < end):
                time.sleep(0.02)
        if meta.get("gzip") and "gzip" in self.headers.get(
                "Accept-Encoding", ""):
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        self.respond(status, headers, body)

    def not_modified(self, headers):
        h = {k.lower(): v for k, v in headers}
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            return "*" in tags or h.get("etag") in tags
        return ims is not None and ims == h.get("last-modified")

    # ---- hostile ----

    def hostile(self, what):
        q = self.qs
        if what == "slow":
            time.sleep(int(q.get("ms", 300)) / 1000.0)
            return self.respond(200, [("Content-Type", "text/plain")],
                                b"slow\n")
        if what == "slow-drip":
            nbytes, ms = int(q.get("bytes", 100)), int(q.get("interval_ms",
                                                             500))
            self.leave()   # outlives the client: keep inflight honest
            self.send_response(200)
            self.send_header("Content-Length", str(nbytes))
            self.end_headers()
            for _ in range(nbytes):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(ms / 1000.0)
            return
        if what == "endless":
            self.leave()
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"<item><title>x</title></item>\n" * 2048
            while True:
                self.wfile.write(chunk)
        if what == "gzip-bomb":
            mb = int(q.get("mb", 64))
            with LOCK:
                if mb not in BOMBS:
                    BOMBS[mb] = gzip.compress(b"\0" * (mb << 20), 9)
            return self.respond(200, [("Content-Type", "application/xml"),
                                      ("Content-Encoding", "gzip")],
                                BOMBS[mb])
        if what == "redirect-loop":
            return self.respond(302, [("Location", "/hostile/redirect-loop")],
                                b"")
        if what == "redirect-file":
            return self.respond(302, [("Location", "file:///etc/passwd")],
                                b"")
        if what == "timeout":
            self.leave()
            time.sleep(int(q.get("s", 30)))
            self.close_connection = True
            return
        if what == "truncated":
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"0123456789")
            return
        if what == "close":
            self.close_connection = True
            return
        if what == "huge-title":
            title = b"A" * (int(q.get("mb", 1)) << 20)
            body = (b'<?xml version="1.0"?><rss version="2.0"><channel>'
                    b"<title>" + title + b"</title><item><title>" + title +
                    b"</title><link>http://example.org/1</link></item>"
                    b"</channel></rss>")
            return self.respond(200, [("Content-Type", "application/xml")],
                                body)
        if what == "many-headers":
            hdrs = [("X-Junk-%d" % i, "y" * 64)
                    for i in range(int(q.get("n", 1000)))]
            return self.respond(200, hdrs, b"ok\n")
        if what.isdigit() and len(what) == 3:
            code = int(what)
            try:
                text = http.HTTPStatus(code).phrase
            except ValueError:
                text = "Status"
            return self.respond(code, [("Content-Type", "text/plain")],
                                (text + "\n").encode())
        self.respond(404, [("Content-Type", "text/plain")], b"no such mode\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError,
                                              BrokenPipeError)):
            super().handle_error(request, client_address)


def main():
    global ARGS, LOG
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", default=".")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    p.add_argument("--bind", default="127.0.0.1")
    ARGS = p.parse_args()
    if ARGS.log:
        LOG = open(ARGS.log, "a", encoding="utf-8")
    srv = Server((ARGS.bind, 0), Handler)
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_port)
    os.replace(tmp, ARGS.port_file)   # readers never see half a number
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
