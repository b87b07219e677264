#!/usr/bin/env python3
"""Save-to-frame latency of writ-canvas --watch: runs the dashboard example
(a copy, headless, 60 fps, made-up data) with --stats and saves an edit of one
of its modules 50 times, alternating a colour, the way an editor does
(truncate and write).  Each reload prints `reload: compile X ms,
save-to-frame Y ms`; this prints p50 / p95 / max of both.

Usage: reload_latency.py WRIT_CANVAS [EDITS]"""
import os, re, shutil, subprocess, sys, tempfile, time

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * (len(xs) - 1) + 0.5))]

def main():
    canvas = os.path.abspath(sys.argv[1])
    edits = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(here, "..", "..", "examples", "dashboard")
    work = tempfile.mkdtemp(prefix="writ-reload-bench-")
    dash = os.path.join(work, "dashboard")
    shutil.copytree(src, dash)
    sources = [os.path.join(d, f) for d, _, fs in os.walk(dash) for f in fs if f.endswith(".writ") and f != "feedgen.writ"]
    lines, files = sum(len(open(f).read().splitlines()) for f in sources), len(sources)
    err = open(os.path.join(work, "stderr.txt"), "w+")
    p = subprocess.Popen([canvas, "--headless", "--watch", "--stats", "--demo-data", "--fps", "60", "--frames", "0",
                          "--size", "1280x800", "dashboard.writ"], cwd=dash, stdout=subprocess.DEVNULL, stderr=err)
    theme = os.path.join(dash, "theme.writ")
    text = open(theme).read()
    accent = 'export let ACCENT = Color.fromHex("#4FC3F7")'
    assert accent in text
    def reloads():
        err.flush()
        return re.findall(r"reload: compile (\d+\.\d+) ms, save-to-frame (\d+\.\d+) ms", open(err.name).read())
    try:
        time.sleep(1.0)                                  # warm up: the first frames compile the preludes
        for i in range(edits):
            want = len(reloads()) + 1
            colour = "#%02X%02X%02X" % (40 + i * 4, 200 - i * 3, 120)
            with open(theme, "w") as f:
                f.write(text.replace(accent, 'export let ACCENT = Color.fromHex("%s")' % colour))
            end = time.time() + 5
            while len(reloads()) < want:
                if time.time() > end or p.poll() is not None:
                    raise SystemExit("reload %d did not arrive:\n%s" % (i + 1, open(err.name).read()[-3000:]))
                time.sleep(0.01)
            time.sleep(0.15 + (i % 7) * 0.011)           # saves at different points of the frame
    finally:
        p.terminate()
        p.wait()
    got = reloads()
    compile_ms = [float(a) for a, b in got]
    frame_ms = [float(b) for a, b in got]
    print("reload latency, dashboard example (%d lines in %d files), %d edits at 60 fps:" % (lines, files, len(got)))
    print("  compile        p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms" % (pct(compile_ms, .5), pct(compile_ms, .95), max(compile_ms)))
    print("  save-to-frame  p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms   (goal: p95 < 19 ms)" % (pct(frame_ms, .5), pct(frame_ms, .95), max(frame_ms)))
    shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    main()
