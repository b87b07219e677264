#!/usr/bin/env python3
"""JSON and regex throughput for bench/json.sh.

Generates (into $BENCH_TMP, default /tmp/writ-bench) a ~20 MB JSON document with mixed
objects, arrays, ints, floats, escaped and non-ASCII strings, and a 10 MB log-like text,
then measures:
  * JSON parse and stringify in MB/s of the document: Writ (parseJson / toJson of the Json),
    Python's json (loads / dumps, compact separators), Lua 5.4 cjson (decode / encode);
  * regex matchAll over the log: Writ Regex.matchAll, Python re.findall, PCRE2 called
    directly from C (JIT; each match copied out, as matchAll does).
Every implementation times itself in-process (Writ with now() / elapsed()); each number
is the best of BENCH_RUNS (default 5) runs.
"""
import json, os, random, re, subprocess, sys, time

writ = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
tmp = os.environ.get("BENCH_TMP", "/tmp/writ-bench")
os.makedirs(tmp, exist_ok=True)
RUNS = int(os.environ.get("BENCH_RUNS", "5"))

def gen_json(path):
    rnd = random.Random(42)
    words = ["alpha", "beta", "gamma", "delta", "épsilon", "zeta", "ηta", "theta", "iota", "kappa"]
    def string():
        s = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 6)))
        r = rnd.random()
        if r < 0.2: s += '\n"quoted"\t\\'
        elif r < 0.25: s += "\u00e9\u4e2d😀"
        return s
    def record(i):
        return {
            "id": i, "name": string(), "score": rnd.uniform(-1e6, 1e6), "ratio": rnd.random(),
            "count": rnd.randint(-10**12, 10**12), "active": rnd.random() < 0.5, "parent": None,
            "tags": [string() for _ in range(rnd.randint(0, 5))],
            "pos": {"x": rnd.uniform(-100, 100), "y": rnd.uniform(-100, 100), "z": rnd.randint(0, 1000)},
            "history": [rnd.randint(0, 1 << 40) for _ in range(rnd.randint(0, 12))],
            "meta": {"created": "2026-12-02T07:%02d:%02dZ" % (rnd.randint(0, 59), rnd.randint(0, 59)),
                     "flags": [rnd.random() < 0.5 for _ in range(3)], "note": string()},
        }
    docs, size, i = [], 0, 0
    while size < 16_000_000:          # ~20 MB once indented
        r = record(i)
        size += len(json.dumps(r, ensure_ascii=False)) + 2
        docs.append(r)
        i += 1
    text = json.dumps({"version": 1, "records": docs}, ensure_ascii=False, indent=1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)

def gen_log(path):
    rnd = random.Random(7)
    lines, size = [], 0
    levels = ["INFO", "WARN", "ERROR", "DEBUG"]
    paths = ["/api/users", "/api/items/42", "/static/app.js", "/login", "/api/search?q=x"]
    while size < 10_000_000:
        ip = ".".join(str(rnd.randint(1, 254)) for _ in range(4))
        line = "2026-12-02 07:%02d:%02d.%03d %s %s GET %s %d %dms user=%s\n" % (
            rnd.randint(0, 59), rnd.randint(0, 59), rnd.randint(0, 999), rnd.choice(levels), ip,
            rnd.choice(paths), rnd.choice([200, 200, 200, 404, 500]), rnd.randint(1, 2000),
            rnd.choice(["ann", "bob", "chen", "dörte"]))
        lines.append(line)
        size += len(line.encode())
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(lines))

jpath = os.path.join(tmp, "doc.json")
lpath = os.path.join(tmp, "log.txt")
if not os.path.exists(jpath): gen_json(jpath)
if not os.path.exists(lpath): gen_log(lpath)
jmb = os.path.getsize(jpath) / 1e6
lmb = os.path.getsize(lpath) / 1e6
PATTERN = r"\d+\.\d+\.\d+\.\d+"

def best_unused(cmd, stdin_text="", runs=RUNS):
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, input=stdin_text, capture_output=True, text=True)
        ts.append(time.perf_counter() - t0)
        if p.returncode != 0:
            raise RuntimeError("%s failed: %s" % (cmd, p.stderr[:500]))
        out = p.stdout
    return min(ts), out

def write(name, text):
    p = os.path.join(tmp, name)
    with open(p, "w") as f: f.write(text)
    return p

w_json = write("json.writ", 'let t = readFile(readLine() ?? "") ?? ""\nvar bp = 1e9\nvar bs = 1e9\n'
                'for i in 0..%d {\n    let a = now()\n    let r = parseJson(t)\n    bp = min(bp, elapsed(a))\n'
                '    when r {\n        is Success(j) => {\n            let b = now()\n            let s = toJson(j)\n'
                '            bs = min(bs, elapsed(b))\n        }\n        is Error(e) => print(e)\n    }\n}\nprint("$bp $bs")\n' % RUNS)
w_rx = write("regex.writ", 'let t = readFile(readLine() ?? "") ?? ""\nlet r = Regex("%s")\nvar b = 1e9\nvar n = 0\n'
             'for i in 0..%d {\n    let a = now()\n    let m = r.matchAll(t)\n    b = min(b, elapsed(a))\n    n = m.len()\n}\nprint("$b $n")\n'
             % (PATTERN.replace("\\", "\\\\"), RUNS))

rows = []
def mbs(mb, t): return mb / t if t > 0 else float("inf")

# --- Writ (timed inside the script with now() / elapsed(), the time.clock module)
p = subprocess.run([writ, "run", w_json], input=jpath, capture_output=True, text=True)
if p.returncode != 0 or len(p.stdout.split()) != 2:
    raise SystemExit("writ json benchmark failed: " + p.stdout[:300] + p.stderr[:300])
writ_parse, writ_str = map(float, p.stdout.split())
# --- Python json
py = write("py_json.py", "import json, sys, time\nt = open(sys.argv[1], encoding='utf-8').read()\n"
           "bp = bs = 1e9\nfor i in range(%d):\n    a = time.perf_counter(); d = json.loads(t); bp = min(bp, time.perf_counter() - a)\n"
           "    a = time.perf_counter(); s = json.dumps(d, separators=(',', ':'), ensure_ascii=False); bs = min(bs, time.perf_counter() - a)\n"
           "print(bp, bs)\n" % RUNS)
out = subprocess.run([sys.executable, py, jpath], capture_output=True, text=True, check=True).stdout.split()
py_parse, py_str = float(out[0]), float(out[1])
# --- Lua cjson
lua_parse = lua_str = None
lua = write("lua_json.lua", "local cjson = require 'cjson'\nlocal f = io.open(arg[1]); local t = f:read('a'); f:close()\n"
            "local bp, bs = 1e9, 1e9\nfor i = 1, %d do\n local a = os.clock(); local d = cjson.decode(t); bp = math.min(bp, os.clock() - a)\n"
            " a = os.clock(); local s = cjson.encode(d); bs = math.min(bs, os.clock() - a)\nend\nprint(bp, bs)\n" % RUNS)
p = subprocess.run(["lua5.4", lua, jpath], capture_output=True, text=True)
if p.returncode == 0:
    lua_parse, lua_str = map(float, p.stdout.split())

print("JSON document: %.1f MB (%s)" % (jmb, jpath))
print()
print("| implementation | parse MB/s | stringify MB/s |")
print("|---|---:|---:|")
print("| writ parseJson / toJson | %.0f | %.0f |" % (mbs(jmb, writ_parse), mbs(jmb, writ_str)))
print("| python3 json (loads / dumps) | %.0f | %.0f |" % (mbs(jmb, py_parse), mbs(jmb, py_str)))
if lua_parse is not None:
    print("| lua5.4 cjson (decode / encode) | %.0f | %.0f |" % (mbs(jmb, lua_parse), mbs(jmb, lua_str)))
else:
    print("| lua5.4 cjson | - | - |")
print()

# --- regex
p = subprocess.run([writ, "run", w_rx], input=lpath, capture_output=True, text=True)
if p.returncode != 0 or len(p.stdout.split()) != 2:
    raise SystemExit("writ regex benchmark failed: " + p.stdout[:300] + p.stderr[:300])
writ_rx, nmatch = float(p.stdout.split()[0]), int(p.stdout.split()[1])
pyrx = write("py_re.py", "import re, sys, time\nt = open(sys.argv[1], encoding='utf-8').read()\nr = re.compile(sys.argv[2])\n"
             "b = 1e9\nfor i in range(%d):\n    a = time.perf_counter(); n = len(r.findall(t)); b = min(b, time.perf_counter() - a)\nprint(b, n)\n" % RUNS)
out = subprocess.run([sys.executable, pyrx, lpath, PATTERN], capture_output=True, text=True, check=True).stdout.split()
py_rx, py_n = float(out[0]), int(out[1])
cbin = os.path.join(tmp, "pcre2_matchall")
csrc = os.path.join(here, "pcre2_matchall.c")
libs = subprocess.run(["pkg-config", "--cflags", "--libs", "libpcre2-8"], capture_output=True, text=True).stdout.split()
subprocess.run(["cc", "-O2", "-o", cbin, csrc] + libs, check=True)
out = subprocess.run([cbin, lpath, PATTERN, str(RUNS)], capture_output=True, text=True, check=True).stdout.split()
c_rx, c_n = float(out[0]), int(out[1])
out = subprocess.run([cbin, lpath, PATTERN, str(RUNS), "count"], capture_output=True, text=True, check=True).stdout.split()
c_count = float(out[0])
print("Regex %s matchAll over a %.1f MB log (%d matches)" % (PATTERN, lmb, nmatch))
print()
print("| implementation | MB/s | time ms | vs PCRE2 copying | vs PCRE2 counting |")
print("|---|---:|---:|---:|---:|")
for name, t in (("writ Regex.matchAll", writ_rx), ("python3 re.findall", py_rx),
                ("C: PCRE2 JIT direct, each match copied (malloc)", c_rx), ("C: PCRE2 JIT direct, matches only counted", c_count)):
    print("| %s | %.0f | %.1f | %.2f | %.2f |" % (name, mbs(lmb, t), t * 1000, t / c_rx, t / c_count))
if not (nmatch == py_n == c_n):
    print("\nmatch counts differ: writ %d, python %d, pcre2 %d" % (nmatch, py_n, c_n))
