#!/usr/bin/env python3
"""Shrink a keyfuzz event script to the fewest events that still end
glean the same way (delta debugging over the event lines).

    keyfuzz-min.py SCRIPT OUT KEYFUZZ --glean BIN --home DIR [ARGS...]

SCRIPT is the event script keyfuzz printed for a finding (the lines
between "# ... the events since glean started" and "# end of events").
The same way means the same first sanitizer SUMMARY line (addresses
dropped), or else the same signal, exit status or stall. A candidate is replayed up to
KEYFUZZ_MIN_TRIES times (2), at most KEYFUZZ_MIN_TRIALS replays in all
(150). Each trial is a
keyfuzz --replay with its own TMPDIR and log directory; --tmpdir and
--logdir are given here. The shortest script found goes to OUT.
"""
import os
import re
import subprocess
import sys
import tempfile

MAX_TRIALS = int(os.environ.get("KEYFUZZ_MIN_TRIALS", "150"))
# A finding that depends on timing (a fetch ending between two keys) may
# need more than one replay: a candidate fails when any of TRIES does.
TRIES = int(os.environ.get("KEYFUZZ_MIN_TRIES", "2"))


def signature(out):
    for line in out.splitlines():
        m = re.search(r"SUMMARY: (\w+Sanitizer: \S+ \S+)", line)
        if m:
            return m.group(1)
    for line in out.splitlines():
        m = re.match(r"# (glean died of signal \d+|glean exited \d+|"
                     r"glean took only|glean stopped reading|"
                     r"temp files left behind)", line)
        if m:
            return m.group(1)
    return None


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    script, out, keyfuzz = sys.argv[1:4]
    args = sys.argv[4:]
    with open(script) as f:
        lines = [l for l in f if l.strip() and not l.startswith("#")]
    if not lines or not lines[0].startswith("w "):
        sys.exit("keyfuzz-min: %s must start with 'w COLSxROWS'" % script)
    head, events = lines[:1], lines[1:]
    work = tempfile.mkdtemp(prefix="keyfuzz-min.")
    trials = [0]

    def run(evs):
        for _ in range(TRIES):
            sig = run_once(evs)
            if sig is not None:
                return sig
        return None

    def run_once(evs):
        trials[0] += 1
        d = os.path.join(work, str(trials[0]))
        os.makedirs(d + "/tmp")
        os.makedirs(d + "/log")
        with open(d + "/script", "w") as f:
            f.writelines(head + evs)
        r = subprocess.run([keyfuzz] + args +
                           ["--tmpdir", d + "/tmp", "--logdir", d + "/log",
                            "--replay", d + "/script"],
                           capture_output=True, text=True)
        return signature(r.stdout)

    want = run(events)
    if want is None:
        sys.exit("keyfuzz-min: the script does not fail when replayed")
    print("keyfuzz-min: %d events end in: %s" % (len(events), want))
    n = 2
    while len(events) >= 2 and trials[0] < MAX_TRIALS:
        size = (len(events) + n - 1) // n
        chunks = [events[i:i + size] for i in range(0, len(events), size)]
        for i in range(len(chunks)):
            cand = [e for j, c in enumerate(chunks) if j != i for e in c]
            if run(cand) == want:
                events = cand
                n = max(n - 1, 2)
                print("keyfuzz-min: %d events" % len(events), flush=True)
                break
            if trials[0] >= MAX_TRIALS:
                break
        else:
            if n >= len(events):
                break
            n = min(2 * n, len(events))
    with open(out, "w") as f:
        f.writelines(head + events)
    print("keyfuzz-min: %d events after %d replays, in %s"
          % (len(events), trials[0], out))
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
