#!/usr/bin/env python3
"""Save-to-frame latency of writ-canvas --watch: runs the dashboard example
(a copy, headless, 60 fps, made-up data) with --stats and saves EDITS edits
the way an editor does (truncate and write), each to one module in turn:
a colour in theme.writ, numbers in the bodies of widgets.writ,
panels/system.writ and dashboard.writ (the file alone is recompiled).  Then
a few interface edits (a field added to a class of widgets.writ: the whole
load is recompiled).  Each reload prints `reload: compile X ms,
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
    # (file, text in it, replacement for edit i): each keeps the file's interface
    body_edits = [
        ("theme.writ", 'export let ACCENT = Color.fromHex("#4FC3F7")',
         lambda i: 'export let ACCENT = Color.fromHex("#%02X%02X%02X")' % (40 + i, 200 - i, 120)),
        ("widgets.writ", "c.text(title.toUpper(), r.x + 14.0, r.y + 10.0, DIM)",
         lambda i: "c.text(title.toUpper(), r.x + 14.%d, r.y + 10.0, DIM)" % i),
        ("panels/system.writ", "levelColor(total, 0.6, 0.9)", lambda i: "levelColor(total, 0.6%d, 0.9)" % i),
        ("dashboard.writ", "c.setFont(FONT, 20.0, 700)", lambda i: "c.setFont(FONT, 20.%d, 700)" % i),
    ]
    texts = {f: open(os.path.join(dash, f)).read() for f, _, _ in body_edits}
    for f, old, _ in body_edits:
        assert old in texts[f], (f, old)
    def reloads():
        err.flush()
        return re.findall(r"reload: compile (\d+\.\d+) ms, save-to-frame (\d+\.\d+) ms", open(err.name).read())
    def save(f, text, what):
        want = len(reloads()) + 1
        with open(os.path.join(dash, f), "w") as out:
            out.write(text)
        end = time.time() + 5
        while len(reloads()) < want:
            if time.time() > end or p.poll() is not None:
                raise SystemExit("%s did not arrive:\n%s" % (what, open(err.name).read()[-3000:]))
            time.sleep(0.01)
    try:
        time.sleep(1.0)                                  # warm up: the first frames compile the preludes
        for i in range(edits):
            f, old, new = body_edits[i % len(body_edits)]
            save(f, texts[f].replace(old, new(i)), "reload %d" % (i + 1))
            time.sleep(0.15 + (i % 7) * 0.011)           # saves at different points of the frame
        whole_from = len(reloads())
        field = "export class Series {"
        assert field in texts["widgets.writ"]
        for i in range(10):                              # interface edits: a field added to Series
            save("widgets.writ", texts["widgets.writ"].replace(field, field + "\n    public extra%d: int = %d" % (i, i)),
                 "interface edit %d" % (i + 1))
            time.sleep(0.15 + (i % 7) * 0.011)
    finally:
        p.terminate()
        p.wait()
    got = reloads()
    body, whole = got[:whole_from], got[whole_from:]
    if os.environ.get("RELOAD_LIST"): print(" ".join(a for a, b in body))
    compile_ms = [float(a) for a, b in body]
    frame_ms = [float(b) for a, b in body]
    print("reload latency, dashboard example (%d lines in %d files), %d edits of one module at 60 fps:" % (lines, files, len(body)))
    print("  compile        p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms   (goal: < 1 ms)" % (pct(compile_ms, .5), pct(compile_ms, .95), max(compile_ms)))
    print("  save-to-frame  p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms   (goal: p95 < 19 ms)" % (pct(frame_ms, .5), pct(frame_ms, .95), max(frame_ms)))
    per = {}
    for i, (a, b) in enumerate(body):
        per.setdefault(body_edits[i % len(body_edits)][0], []).append(float(a))
    warm = compile_ms[2 * len(body_edits):]
    if warm:
        print("  compile after each module's first two edits (fresh memory then): p50 %.2f ms, p95 %.2f ms" % (pct(warm, .5), pct(warm, .95)))
    print("  compile p50 by module: " + ", ".join("%s %.2f ms" % (f, pct(v, .5)) for f, v in per.items()))
    wc = [float(a) for a, b in whole]
    wf = [float(b) for a, b in whole]
    print("  %d interface edits (a field added: the whole load recompiled): compile p50 %.2f ms, save-to-frame p50 %.1f ms, p95 %.1f ms"
          % (len(whole), pct(wc, .5), pct(wf, .5), pct(wf, .95)))
    shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    main()
