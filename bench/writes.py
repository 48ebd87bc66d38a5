#!/usr/bin/env python3
"""writes: a person's notes during a cold fetch (issue 12, point 2).

    bench/writes.py GLEAN HOME N SECONDS [SEED]

Starts 'glean fetch' on HOME (a store with every corpus URL and no
items), waits for its first stored item, then runs N 'glean note ID
TEXT' commands, each started at its own random moment spread over the
first SECONDS of the fetch (the caller's estimate of a cold fetch; each
runs in its own thread, so a slow one does not hold the next back). It
times each from its start to its exit and prints bench/run result lines:

    count writes-n N             notes issued
    count writes-during N        issued while the fetch was still running
    count writes-failed N        exited non-zero (stderr goes to the log)
    count writes-p50-ms X, writes-p99-ms X, writes-max-ms X
    writes glean WALL CPU RSS    the fetch itself (/usr/bin/time)

Bench tooling only: python3 stdlib.
"""
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time


def percentile(v, p):
    v = sorted(v)
    if not v:
        return 0.0
    k = (len(v) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def main():
    glean, home, n, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        float(sys.argv[4])
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 12)
    env = dict(os.environ, GLEAN_HOME=home, HOME=home)
    tfile = os.path.join(home, "fetch.time")
    log = open(os.path.join(home, "writes.log"), "w")
    fetch = subprocess.Popen(["/usr/bin/time", "-f", "%e %U %S %M", "-o",
                              tfile, glean, "fetch"], env=env,
                             stdout=log, stderr=log)
    db = os.path.join(home, "glean.db")
    first = None
    while first is None and fetch.poll() is None:
        try:
            c = sqlite3.connect("file:%s?mode=ro" % db, uri=True,
                                timeout=5)
            first = c.execute("SELECT min(id) FROM item").fetchone()[0]
            c.close()
        except sqlite3.Error:
            pass
        if first is None:
            time.sleep(0.01)
    if first is None:
        sys.exit("writes: the fetch ended before storing an item")
    t0 = time.monotonic()
    at = sorted(rng.uniform(0, secs) for _ in range(n))
    lat, failed, during = [], [0], [0]
    lock = threading.Lock()

    def one(i, when):
        time.sleep(max(0.0, t0 + when - time.monotonic()))
        running = fetch.poll() is None
        s = time.monotonic()
        r = subprocess.run([glean, "note", str(first + i % 50),
                            "bench note %d" % i], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        ms = (time.monotonic() - s) * 1000.0
        with lock:
            lat.append(ms)
            during[0] += running
            if r.returncode != 0:
                failed[0] += 1
                log.write("note %d failed (%d): %s" % (
                    i, r.returncode, r.stderr.decode(errors="replace")))

    threads = [threading.Thread(target=one, args=(i, w))
               for i, w in enumerate(at)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fetch.wait()
    log.close()
    print("count writes-n %d" % n)
    print("count writes-during %d" % during[0])
    print("count writes-failed %d" % failed[0])
    print("count writes-p50-ms %.1f" % percentile(lat, 50))
    print("count writes-p99-ms %.1f" % percentile(lat, 99))
    print("count writes-max-ms %.1f" % max(lat))
    with open(tfile) as f:
        w = f.read().split()
    print("writes glean %s %.2f %s" % (w[0], float(w[1]) + float(w[2]),
                                       w[3]))
    if fetch.returncode != 0:
        sys.exit("writes: glean fetch failed (%d), see %s/writes.log" %
                 (fetch.returncode, home))


if __name__ == "__main__":
    main()
