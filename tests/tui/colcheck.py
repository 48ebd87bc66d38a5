#!/usr/bin/env python3
"""Read a captured screen on stdin; check that the pane borders ('│') sit
in the same display column on every line that has them (wide CJK and
emoji count two columns, combining marks none). Exit 1 and say which
line when one is off."""
import sys
import unicodedata


def width(ch):
    if unicodedata.combining(ch):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


cols = None
for n, line in enumerate(sys.stdin.read().split("\n"), 1):
    x, found = 0, []
    for ch in line:
        if ch == "│":
            found.append(x)
        x += width(ch)
    if not found:
        continue
    if cols is None:
        cols = found
    elif found != cols:
        print(f"line {n}: borders at {found}, expected {cols}: {line}")
        sys.exit(1)
print("borders at", cols)
