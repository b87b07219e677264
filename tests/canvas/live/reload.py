#!/usr/bin/env python3
"""Live reload of writ-canvas, end to end: `--headless --watch --stats` runs a
script while this test edits it and a module it imports, the way an editor
saves (truncate-and-write and write-then-rename).  It checks that

  - the next frames show an edited colour (from the imported module),
  - a class instance's state survives and a field added to its class takes
    its default (the counter keeps counting),
  - a broken edit keeps the old code running and draws the error overlay,
    and the fix clears it,
  - a runtime error in draw halts it with an overlay until the next reload,
  - every successful reload prints `reload: compile X ms, save-to-frame Y ms`.

Usage: reload.py WRIT_CANVAS [IMGDIFF]   (exit 0: passed; else the reason)"""
import os, re, struct, subprocess, sys, tempfile, time, zlib

def read_png(path):
    """(width, height, rows of (r, g, b)) of an 8-bit RGB/RGBA PNG."""
    data = open(path, "rb").read()
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            bpp = {2: 3, 6: 4}[ctype]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows

MAIN = """import { background } from "colors"
class Counter {
    public count: int = 0
}
var counter = Counter()
func draw(c: Canvas, f: Frame) {
    counter.count += 1
    c.clear(background())
    if counter.count % 5 == 0 { print("count ${counter.count}") }
}
"""
COLORS = 'export func background() -> Color { return Color(1.0, 0.0, 0.0) }\n'

class Run:
    def __init__(self, canvas, folder):
        self.out = os.path.join(folder, "frames")
        self.log = open(os.path.join(folder, "stdout.txt"), "w+")
        self.err = open(os.path.join(folder, "stderr.txt"), "w+")
        self.p = subprocess.Popen([canvas, "--headless", "--watch", "--stats", "--fps", "30", "--frames", "3000",
                                   "--size", "320x240", "--out", self.out, "main.writ"],
                                  cwd=folder, stdout=self.log, stderr=self.err)

    def text(self, f):
        f.flush()
        with open(f.name) as g:
            return g.read()

    def counts(self):
        return [int(m) for m in re.findall(r"count (\d+)", self.text(self.log))]

    def wait(self, what, test, timeout=10.0):
        end = time.time() + timeout
        while time.time() < end:
            if self.p.poll() is not None:
                raise AssertionError("writ-canvas exited (%s) while waiting for %s:\n%s" % (self.p.returncode, what, self.text(self.err)))
            if test():
                return
            time.sleep(0.05)
        raise AssertionError("timed out waiting for %s\nstdout:\n%s\nstderr:\n%s" % (what, self.text(self.log)[-2000:], self.text(self.err)))

    def last_frame(self):
        names = sorted(os.listdir(self.out))
        for name in reversed(names[-3:-1]):       # the newest may be half written
            try:
                return read_png(os.path.join(self.out, name))
            except Exception:
                continue
        raise AssertionError("no readable frame")

    def pixel(self, x, y):
        w, h, rows = self.last_frame()
        return rows[y][x]

def save_truncate(path, text):
    with open(path, "w") as f:
        f.write(text)

def save_rename(path, text):
    tmp = path + ".tmp~"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)

def near(px, rgb, tol=40):
    return all(abs(a - b) <= tol for a, b in zip(px, rgb))

def check(canvas):
    folder = tempfile.mkdtemp(prefix="writ-live-")
    save_truncate(os.path.join(folder, "main.writ"), MAIN)
    save_truncate(os.path.join(folder, "colors.writ"), COLORS)
    r = Run(canvas, folder)
    try:
        main, colors = os.path.join(folder, "main.writ"), os.path.join(folder, "colors.writ")
        r.wait("the first frames", lambda: len(r.counts()) >= 2 and os.path.isdir(r.out) and len(os.listdir(r.out)) > 4)
        assert near(r.pixel(160, 100), (255, 0, 0)), "the first frames are not red: %s" % (r.pixel(160, 100),)

        # 1. an imported module saved by rename: the colour changes, the count goes on
        before = r.counts()[-1]
        save_rename(colors, COLORS.replace("Color(1.0, 0.0, 0.0)", "Color(0.0, 0.0, 1.0)"))
        r.wait("blue frames", lambda: near(r.pixel(160, 100), (0, 0, 255)))
        # 2. a field added to the class (truncate-and-write): state kept, new field defaulted
        save_truncate(main, MAIN.replace("public count: int = 0", "public count: int = 0\n    public extra: int = 7")
                      .replace('print("count ${counter.count}")', 'print("count ${counter.count} extra ${counter.extra}")'))
        r.wait("the new field", lambda: "extra 7" in r.text(r.log))
        after = [int(m) for m in re.findall(r"count (\d+) extra 7", r.text(r.log))]
        assert after[0] > before, "the counter restarted: %d before the edits, %d after" % (before, after[0])
        good = open(main).read()

        # 3. a broken edit: the old code keeps running under the overlay
        save_truncate(main, good + 'func broken() -> int { return "text" }\n')
        r.wait("the compile error on stderr", lambda: "reload failed" in r.text(r.err) and "expected int, found string" in r.text(r.err))
        r.wait("the error overlay", lambda: near(r.pixel(10, 236), (41, 5, 8), 20))
        n = r.counts()[-1]
        r.wait("counting on the old code", lambda: r.counts()[-1] > n + 5)
        assert near(r.pixel(160, 60), (0, 0, 255)), "the last good frame is not drawn above the overlay: %s" % (r.pixel(160, 60),)

        # 4. the fix clears it
        save_truncate(main, good)
        r.wait("the overlay to clear", lambda: near(r.pixel(10, 236), (0, 0, 255)))

        # 5. a runtime error in draw halts it with an overlay; the next good reload resumes it
        save_truncate(main, good.replace("counter.count += 1", "counter.count += 1\n    let xs = [1]\n    if counter.count > 0 { print(xs[3]) }"))
        r.wait("the runtime error", lambda: "index 3 out of bounds for length 1" in r.text(r.err))
        r.wait("the runtime overlay", lambda: near(r.pixel(10, 236), (41, 5, 8), 20))
        n = r.counts()[-1]
        time.sleep(0.3)
        assert r.counts()[-1] == n, "draw kept running after its runtime error"
        assert r.text(r.err).count("index 3 out of bounds") == 1, "a halted draw reported its error again"
        save_truncate(main, good)
        r.wait("draw to resume", lambda: r.counts()[-1] > n and near(r.pixel(10, 236), (0, 0, 255)))

        stats = re.findall(r"reload: compile (\d+\.\d\d) ms, save-to-frame (\d+\.\d) ms", r.text(r.err))
        assert len(stats) >= 5, "expected a --stats line per successful reload (5), got %d:\n%s" % (len(stats), r.text(r.err))
        return None
    except AssertionError as e:
        return str(e)
    finally:
        r.p.terminate()
        r.p.wait()

def run_main(check, doc):
    """The command line of a live test: check(WRIT_CANVAS) returns None or why it failed."""
    if len(sys.argv) < 2:
        print(doc)
        sys.exit(2)
    why = check(os.path.abspath(sys.argv[1]))
    if why:
        print(why)
        sys.exit(1)

if __name__ == "__main__":
    run_main(check, __doc__)
