#!/usr/bin/env python3
"""A loopback Google Reader API server for glean's sync tests (python3
stdlib only), built from FreshRSS's and Miniflux's API documentation:

    greader.py --state FILE --port-file FILE [--port N] [--log FILE]

Calls (paths as FreshRSS serves them under /api/greader.php):
  POST /accounts/ClientLogin       Email, Passwd -> "SID=..\\nAuth=TOKEN"
  GET  /reader/api/0/token         the write token (T) for edits
  GET  /reader/api/0/subscription/list?output=json
  GET  /reader/api/0/tag/list?output=json
  GET  /reader/api/0/stream/contents/STREAM?n=&ot=&c=
  GET  /reader/api/0/stream/items/ids?s=&xt=&n=&c=
  POST /reader/api/0/edit-tag      i=ID (many), a=TAG, r=TAG, T=TOKEN
  POST /reader/api/0/subscription/edit   ac=subscribe|unsubscribe,
                                         s=feed/URL, T
Every /reader call needs "Authorization: GoogleLogin auth=TOKEN" (else
401). Item ids go out in the long form (tag:google.com,2005:reader/item/
%016x) in stream/contents and as decimal in items/ids; both are taken.

The state FILE (JSON) is read at start and written after every edit, so
a test can stop the server and start it again on the same --port:
  {"user": "u", "password": "p",
   "subscriptions": [{"id": "feed/URL", "title": .., "url": URL,
                      "htmlUrl": .., "folder": "News"}],
   "labels": ["civic"],
   "items": [{"id": 1, "feed": "feed/URL", "title": .., "url": ..,
              "content": .., "published": T, "crawl": T,
              "tags": ["user/-/state/com.google/read", ...]}]}
--log gets one JSON line per request: method, path, query, form.
--hold FILE: a stream/contents request waits while FILE exists (a test
sees a sync in progress).
"""
import argparse
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOCK = threading.Lock()
STATE = {}
TOKEN = "glean-fake-auth-token"
WTOKEN = "glean-fake-write-token"
READ = "user/-/state/com.google/read"
STAR = "user/-/state/com.google/starred"
LIST = "user/-/state/com.google/reading-list"


def save():
    tmp = ARGS.state + ".tmp"
    with open(tmp, "w") as f:
        json.dump(STATE, f, indent=1)
    os.replace(tmp, ARGS.state)


def long_id(n):
    return "tag:google.com,2005:reader/item/%016x" % n


def parse_id(s):
    if s.startswith("tag:google.com"):
        return int(s.rsplit("/", 1)[1], 16)
    return int(s)


def canon(tag):
    # user/1234/... and user/-/... name the same thing
    if tag.startswith("user/"):
        parts = tag.split("/", 2)
        if len(parts) == 3:
            return "user/-/" + parts[2]
    return tag


def in_stream(item, stream):
    stream = canon(stream)
    if stream == LIST:
        return True
    if stream.startswith("feed/"):
        return item["feed"] == stream
    return stream in item.get("tags", [])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, ctype="application/json"):
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        q = urllib.parse.parse_qs(url.query)
        form = {}
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        if (ARGS.hold and "/stream/contents/" in path
                and os.path.exists(ARGS.hold)):
            # a "held" line says the client is waiting here (what came
            # before was answered); the request's own line follows
            if ARGS.log:
                with LOCK, open(ARGS.log, "a") as f:
                    f.write(json.dumps({"held": path}) + "\n")
            while os.path.exists(ARGS.hold):
                time.sleep(0.05)
        if ARGS.log:
            with LOCK, open(ARGS.log, "a") as f:
                f.write(json.dumps({"method": self.command, "path": path,
                                    "query": q, "form": form}) + "\n")
        with LOCK:
            return self.route(path, q, form)

    do_GET = do_POST = handle_any

    def route(self, path, q, form):
        if path.endswith("/accounts/ClientLogin"):
            if (form.get("Email", [""])[0] == STATE["user"] and
                    form.get("Passwd", [""])[0] == STATE["password"]):
                return self.reply(200, "SID=%s\nLSID=null\nAuth=%s\n"
                                  % (TOKEN, TOKEN), "text/plain")
            return self.reply(401, "Error=BadAuthentication\n",
                              "text/plain")
        if "/reader/api/0/" not in path:
            return self.reply(404, "not found\n", "text/plain")
        if self.headers.get("Authorization") != "GoogleLogin auth=" + TOKEN:
            return self.reply(401, "Unauthorized!", "text/plain")
        call = path.split("/reader/api/0/", 1)[1]
        if call == "token":
            return self.reply(200, WTOKEN + "\n", "text/plain")
        if call == "subscription/list":
            subs = []
            for s in STATE["subscriptions"]:
                d = {"id": s["id"], "title": s.get("title", ""),
                     "url": s["url"], "htmlUrl": s.get("htmlUrl", ""),
                     "categories": []}
                if s.get("folder"):
                    d["categories"].append(
                        {"id": "user/-/label/" + s["folder"],
                         "label": s["folder"]})
                subs.append(d)
            return self.reply(200, {"subscriptions": subs})
        if call == "tag/list":
            tags = [{"id": STAR}]
            folders = sorted({s["folder"] for s in STATE["subscriptions"]
                              if s.get("folder")})
            tags += [{"id": "user/-/label/" + f, "type": "folder"}
                     for f in folders]
            tags += [{"id": "user/-/label/" + l, "type": "tag"}
                     for l in STATE.get("labels", [])]
            return self.reply(200, {"tags": tags})
        if call.startswith("stream/contents/"):
            stream = call[len("stream/contents/"):]
            return self.contents(stream, q)
        if call == "stream/items/ids":
            return self.ids(q)
        if call == "edit-tag":
            return self.edit(form)
        if call == "subscription/edit":
            if form.get("T", [""])[0] != WTOKEN:
                return self.reply(401, "Unauthorized!", "text/plain")
            if form.get("ac", [""])[0] == "subscribe":
                for sid in form.get("s", []):
                    if sid.startswith("feed/") and not any(
                            x["id"] == sid for x in STATE["subscriptions"]):
                        STATE["subscriptions"].append(
                            {"id": sid, "url": sid[5:], "title": sid[5:]})
                save()
            if form.get("ac", [""])[0] == "unsubscribe":
                gone = set(form.get("s", []))
                STATE["subscriptions"] = [
                    s for s in STATE["subscriptions"] if s["id"] not in gone]
                STATE["items"] = [it for it in STATE["items"]
                                  if it["feed"] not in gone]
                save()
            return self.reply(200, "OK", "text/plain")
        return self.reply(400, "unknown call\n", "text/plain")

    def page(self, items, q):
        n = int(q.get("n", ["20"])[0])
        start = int(q.get("c", ["0"])[0] or 0)
        chunk = items[start:start + n]
        cont = str(start + n) if start + n < len(items) else None
        return chunk, cont

    def select(self, stream, q):
        xt = [canon(x) for x in q.get("xt", [])]
        ot = int(q.get("ot", ["0"])[0] or 0)
        items = [it for it in STATE["items"] if in_stream(it, stream)
                 and not any(x in it.get("tags", []) for x in xt)
                 and it.get("crawl", 0) >= ot]
        items.sort(key=lambda it: (-it.get("published", 0), -it["id"]))
        return items

    def contents(self, stream, q):
        chunk, cont = self.page(self.select(stream, q), q)
        out = []
        for it in chunk:
            cats = [LIST] + it.get("tags", [])
            sub = [s for s in STATE["subscriptions"]
                   if s["id"] == it["feed"]]
            if sub and sub[0].get("folder"):
                cats.append("user/-/label/" + sub[0]["folder"])
            out.append({
                "id": long_id(it["id"]),
                "crawlTimeMsec": str(it.get("crawl", 0) * 1000),
                "timestampUsec": str(it.get("crawl", 0) * 1000000),
                "published": it.get("published", 0),
                "title": it.get("title", ""),
                "alternate": [{"href": it.get("url", ""),
                               "type": "text/html"}],
                "summary": {"content": it.get("content", "")},
                "author": it.get("author", ""),
                "categories": cats,
                "origin": {"streamId": it["feed"],
                           "title": sub[0].get("title", "") if sub
                           else ""}})
        body = {"id": stream, "items": out}
        if cont:
            body["continuation"] = cont
        return self.reply(200, body)

    def ids(self, q):
        stream = q.get("s", [LIST])[0]
        chunk, cont = self.page(self.select(stream, q), q)
        body = {"itemRefs": [{"id": str(it["id"])} for it in chunk]}
        if cont:
            body["continuation"] = cont
        return self.reply(200, body)

    def edit(self, form):
        if form.get("T", [""])[0] != WTOKEN:
            return self.reply(401, "Unauthorized!", "text/plain")
        ids = set()
        for i in form.get("i", []):
            try:
                ids.add(parse_id(i))
            except ValueError:
                return self.reply(400, "bad id\n", "text/plain")
        add = [canon(t) for t in form.get("a", [])]
        rm = [canon(t) for t in form.get("r", [])]
        for it in STATE["items"]:
            if it["id"] not in ids:
                continue
            tags = it.setdefault("tags", [])
            for t in add:
                if t not in tags:
                    tags.append(t)
            for t in rm:
                if t in tags:
                    tags.remove(t)
        save()
        return self.reply(200, "OK", "text/plain")


def main():
    global ARGS, STATE
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log")
    ap.add_argument("--hold")
    ARGS = ap.parse_args()
    with open(ARGS.state) as f:
        STATE = json.load(f)
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    srv.allow_reuse_address = True
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(ARGS.port_file + ".tmp", ARGS.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
