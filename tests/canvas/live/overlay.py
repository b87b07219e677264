#!/usr/bin/env python3
"""The fault overlay without --watch: a runtime error in draw is drawn over
that frame and gone from the next frame that runs cleanly; an endless loop
hits the instruction limit and becomes the same overlay, not a hang.

Usage: overlay.py WRIT_CANVAS   (exit 0: passed; else the reason)"""
import os, subprocess, sys, tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reload import read_png, near, run_main

SCRIPT = """func draw(c: Canvas, f: Frame) {
    c.clear(Color(0.0, 0.0, 1.0))
    let xs = [1]
    if f.number == 2 { print(xs[4]) }
    if f.number == 4 { while true {} }
}
"""
OVERLAY = (41, 5, 8)

def check(canvas):
    folder = tempfile.mkdtemp(prefix="writ-overlay-")
    with open(os.path.join(folder, "main.writ"), "w") as f:
        f.write(SCRIPT)
    p = subprocess.run([canvas, "--headless", "--frames", "5", "--size", "320x240", "--out", "out", "main.writ"],
                       cwd=folder, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        return "exit %d:\n%s" % (p.returncode, p.stderr)
    for want in ("index 4 out of bounds for length 1", "instruction limit exceeded"):
        if want not in p.stderr:
            return "stderr lacks %r:\n%s" % (want, p.stderr)
    bottom = [read_png(os.path.join(folder, "out", "frame-%05d.png" % n))[2][236][10] for n in range(1, 6)]
    expect = [False, True, False, True, False]
    for n, (px, fault) in enumerate(zip(bottom, expect), 1):
        if near(px, OVERLAY, 20) != fault:
            return "frame %d: overlay %s expected, pixel %s" % (n, "an" if fault else "no", px)
    return None

if __name__ == "__main__":
    run_main(check, __doc__)
