#!/usr/bin/env python3
"""Generate a large, realistic Writ program for the compile-speed benchmark.

usage: bench/gen_large.py [--lines N] [--with-types] [--stop-early] [--seed S] OUT.writ

Writes a deterministic program (fixed seed) of at least N lines (default 60000) to OUT.writ.
--stop-early ends the last group of functions as soon as N lines are reached, so the program
is close to N lines (bench/embed_bench.c reloads a 1,000-line one); without it every group
is complete (the compile-speed benchmark's program).
The program is made of many top-level functions drawn from a set of templates that between
them use parameters with defaults, named arguments, locals, if/else, while, for over ranges,
arrays and dictionaries, `when` statements and expressions, string interpolation and string
methods, lambdas and closures, nested functions, array map/filter/reduce, dictionaries,
tuples and destructuring, Optional with `??` and narrowing; plus top-level constants,
globals and a few calls, so that `writ run` on it finishes quickly.

--with-types also emits structs (with methods, a mutating method and an operator method) and
classes (inheritance, overriding, `super`, `is`/`as`) and functions using them (scope.md
asks for them; leave it off until the interpreter implements structs and classes).

Functions call only functions generated before them, so there are cross-references but no
recursion; every function terminates quickly on any arguments.
"""

import argparse
import random
import sys

# ---------------------------------------------------------------------------------------------
# Templates. Placeholders are written @name@ and replaced textually (Writ uses both { } and $,
# so neither str.format nor string.Template fits). Every template is a complete top-level
# function whose name is @fn@.

T_NUMERIC = """\
// @fn@: numeric loop with defaults, while, if/else chains and a when expression.
func @fn@(origin: int, steps: int = @k1@, scale: float = @f1@) -> int {
    var acc = origin
    var i = 0
    while i < steps {
        if acc % 3 == 0 {
            acc = acc / 3 + @k2@
        } else if acc % 2 == 0 {
            acc += i * @k3@
        } else {
            acc -= i
        }
        i += 1
    }
    let weighted = (acc as float) * scale
    let bucket = when {
        weighted > @k4@.0 => 3
        weighted > @k5@.0 => 2
        weighted < 0.0 => -1
        else => 1
    }
    var sum = 0
    for j in 0..=bucket {
        sum += j * bucket
    }
    if sum > LIMIT_@g@ {
        sum = sum % LIMIT_@g@
    }
    return acc + sum + @call@
}
"""

T_STRING = """\
// @fn@: string building, interpolation and string methods.
func @fn@(name: string, count: int = @k1@, sep: string = "@sep@") -> string {
    let parts: Array<string> = []
    for i in 0..count {
        parts.push("${name}_${i * @k2@}:@word@")
    }
    let joined = parts.join(sep)
    let upper = joined.toUpper()
    let pos = upper.indexOf("@WORD@")
    var out = ""
    if pos >= 0 {
        out = upper.substring(0, pos)
    } else {
        out = joined.replace("_", "-")
    }
    let pieces = joined.split(sep)
    var longest = ""
    for p in pieces {
        if p.len() > longest.len() {
            longest = p
        }
    }
    let padded = "${pieces.len()}".padStart(@k3@, "0")
    let trimmed = "  $name  ".trim()
    let tag = trimmed.startsWith("@pre@") ? "hit" : "miss"
    return "[$padded|$tag|${longest.len()}|${out.len()}] " + "@word@".repeat(2) + @scall@
}
"""

T_ARRAY = """\
// @fn@: arrays with map, filter, reduce, lambdas and a closure over a local.
func @fn@(seed: int, size: int = @k1@) -> int {
    let values: Array<int> = []
    var x = seed
    for i in 0..size {
        x = (x * @k2@ + @k3@) % 1009
        values.push(x - i)
    }
    let doubled = values.map((v: int) => v * 2)
    let evens = doubled.filter((v: int) => v % 4 == 0)
    let total = evens.reduce(0, (acc: int, v: int) => acc + v)
    var hits = 0
    let record = (v: int) => {
        if v > @k4@ { hits += 1 }
    }
    for v in values {
        record(v)
    }
    let labels = values.map((v: int) => "n$v")
    let firstBig = values.find((v: int) => v > @k5@)
    let big = firstBig ?? -1
    let sorted = values.copy().sort()
    var spread = 0
    if sorted.len() > 1 {
        spread = sorted[sorted.len() - 1] - sorted[0]
    }
    let anyNeg = values.any((v: int) => v < 0)
    return total + hits + big + spread + labels.len() + (anyNeg ? 1 : 0) + @call@
}
"""

T_DICT = """\
// @fn@: dictionaries: literals, insertion, lookup with ??, iteration and removal.
func @fn@(keys: Array<string>, bonus: int = @k1@) -> int {
    let counts: Dictionary<string, int> = {"@word@": @k2@, "@word2@": @k3@}
    for k in keys {
        counts[k] = (counts.get(k) ?? 0) + bonus
    }
    var total = 0
    for (key, value) in counts {
        if key.contains("@c@") {
            total += value * 2
        } else {
            total += value
        }
    }
    let byLen: Dictionary<int, Array<string>> = {}
    for k in counts.keys() {
        let bucket = byLen.get(k.len()) ?? []
        bucket.push(k)
        byLen[k.len()] = bucket
    }
    for n in byLen {
        total += n * (byLen[n]).len()
    }
    if counts.has("@word@") {
        counts.remove("@word@")
    }
    let merged = counts.merge({"@word3@": @k4@})
    return total + merged.len() + counts.values().len() + @call@
}
"""

T_TUPLE = """\
// @fn@: tuples, destructuring and a nested helper function.
func @fn@(a: int, b: int = @k1@) -> (int, string) {
    func mix(p: int, q: int) -> (int, int) {
        return (p * @k2@ + q, q - p)
    }
    var (lo, hi) = mix(a, b)
    if lo > hi {
        (lo, hi) = (hi, lo)
    }
    let pairs: Array<(int, string)> = [(lo, "lo"), (hi, "hi"), (lo + hi, "sum")]
    var text = ""
    var acc = 0
    for (n, label) in pairs {
        text = text .. label .. "=" .. n .. ";"
        acc += n
    }
    let (_, last) = pairs[pairs.len() - 1]
    let point = (acc as float / @k3@.0, acc % @k4@)
    return (acc + point.1 + @call@, text + last)
}
"""

T_OPTIONAL = """\
// @fn@: Optional values, ??, narrowing by tests and early return.
func @fn@(items: Array<int>, target: int = @k1@) -> int {
    var found: Optional<int> = null
    var index: Optional<int> = null
    var i = 0
    for v in items {
        if v == target || v % @k2@ == 0 {
            found = v
            index = i
            break
        }
        i += 1
    }
    if found == null {
        return -1
    }
    var score = found * 2
    if index != null && index > 0 {
        score += index
    }
    let maybe: Optional<string> = score > @k3@ ? "high" : null
    let label = maybe ?? "low"
    let lookup: Dictionary<string, int> = {"high": @k4@, "low": @k5@}
    let extra = lookup.get(label) ?? 0
    return score + extra + label.len() + @call@
}
"""

T_WHEN = """\
// @fn@: when statements with values, ranges, guards and else; a counter closure.
func @fn@(code: int, mode: string = "@word@") -> string {
    func makeCounter(step: int) -> () -> int {
        var n = 0
        return () => {
            n += step
            return n
        }
    }
    let next = makeCounter(@k1@)
    var log: Array<string> = []
    when code % @k2@ {
        0 => log.push("zero")
        1, 2, 3 => log.push("small")
        4..@k3@ => log.push("range")
        x if x > @k4@ => log.push("big $x")
        else => log.push("other")
    }
    when mode {
        "@word@" => log.push(mode.toUpper())
        "@word2@" => {
            log.push(mode.toLower())
            next()
        }
        else => log.push("?")
    }
    let grade = when code {
        0..10 => "A"
        10..100 => "B"
        else => "C"
    }
    var ticks = 0
    while ticks < @k5@ {
        ticks = next()
    }
    return log.join("/") + ":" + grade + ":$ticks" + @scall@
}
"""

T_LOOPS = """\
// @fn@: nested loops over ranges and arrays, break and continue, globals.
func @fn@(rows: int, cols: int = @k1@) -> int {
    let grid: Array<Array<int>> = []
    for r in 0..rows {
        let row: Array<int> = []
        for c in 0..cols {
            row.push((r * @k2@ + c * @k3@) % 17)
        }
        grid.push(row)
    }
    var total = 0
    for row in grid {
        for cell in row {
            if cell == 0 { continue }
            if cell > @k4@ { break }
            total += cell
        }
    }
    var k = rows
    while true {
        k -= 1
        if k <= 0 { break }
        total += k % 3
    }
    calls_@g@ += 1
    return total + calls_@g@ + @call@
}
"""

TEMPLATES = [T_NUMERIC, T_STRING, T_ARRAY, T_DICT, T_TUPLE, T_OPTIONAL, T_WHEN, T_LOOPS]
INT_KINDS = {0: "num", 2: "arr", 3: "dict", 5: "opt", 7: "loop"}   # template index -> int result

# With --with-types: a group of types every few functions.
T_TYPES = """\
// Types of group @g@: a struct with methods and an operator method, a small class tree.
struct Vec@g@ {
    public x: float = 0.0
    public y: float = 0.0

    public func length() -> float { return sqrt(x * x + y * y) }
    public func add(other: Vec@g@) -> Vec@g@ { return Vec@g@(x: x + other.x, y: y + other.y) }
    public func scale(k: float) {
        x *= k
        y *= k
    }
    public static func unit() -> Vec@g@ { return Vec@g@(x: 1.0, y: @f1@) }
}

class Shape@g@ {
    public name: string
    public hits: int = 0
    private tags: Array<string> = []

    public func area() -> float { return 0.0 }
    public func describe() -> string { return "$name (${area()})" }
    public func tag(t: string) {
        tags.push(t)
        hits += 1
    }
}

class Circle@g@ extends Shape@g@ {
    public radius: float = @f1@

    public func area() -> float { return 3.14159 * radius * radius }
    public func describe() -> string { return "circle " + super.describe() }
}

class Box@g@ extends Shape@g@ {
    public size: Vec@g@ = Vec@g@(x: 1.0, y: 2.0)

    public func area() -> float { return size.x * size.y }
}

// @fn@: uses the types of group @g@.
func @fn@(n: int) -> int {
    var v = Vec@g@(x: 3.0, y: 4.0)
    v.scale(2.0)
    let w = v + Vec@g@.unit()
    let shapes: Array<Shape@g@> = [
        Circle@g@(name: "c@g@", radius: @f1@),
        Box@g@(name: "b@g@"),
        Shape@g@(name: "s@g@"),
    ]
    var total = 0.0
    for i in 0..n {
        let s = shapes[i % shapes.len()]
        s.tag("t$i")
        total += s.area()
        if s is Circle@g@ {
            total += (s as Circle@g@).radius
        }
    }
    let text = shapes.map((s: Shape@g@) => s.describe()).join(", ")
    return (total as int) + (w.length() as int) + text.len() + shapes[0].hits
}
"""

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
         "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu",
         "sword", "shield", "potion", "arrow", "dragon", "castle", "forest", "river"]
SEPS = [",", ";", "|", "/", " "]


def fill(template, subst):
    out = template
    for k, v in subst.items():
        out = out.replace("@" + k + "@", v)
    return out


class Gen:
    def __init__(self, seed, with_types):
        self.rng = random.Random(seed)
        self.with_types = with_types
        self.stop_early = False
        self.chunks = []
        self.lines = 0
        self.int_funcs = []     # (name, kind) of functions returning int, callable as f(x)
        self.str_funcs = []     # names of functions returning string, callable as f(x)
        self.tuple_funcs = []
        self.type_funcs = []
        self.count = 0

    def emit(self, text):
        if not text.endswith("\n"):
            text += "\n"
        self.chunks.append(text)
        self.lines += text.count("\n")

    def int_call(self):
        """An int expression calling an earlier int function (or a constant)."""
        r = self.rng
        if not self.int_funcs or r.random() < 0.35:
            return str(r.randint(0, 9))
        name, kind = r.choice(self.int_funcs[-60:])
        arg = r.randint(0, 20)
        if kind == "num":
            return "%s(%d) %% 7" % (name, arg)
        if kind == "arr":
            return "%s(%d, size: %d) %% 5" % (name, arg, r.randint(2, 6))
        if kind == "dict":
            return '%s(["%s", "%s"]) %% 3' % (name, r.choice(WORDS), r.choice(WORDS))
        if kind == "opt":
            return "%s([%d, %d, %d]) %% 11" % (name, arg, arg + 1, arg + 2)
        return "%s(2, cols: %d) %% 13" % (name, r.randint(1, 3))

    def str_call(self):
        r = self.rng
        if not self.str_funcs or r.random() < 0.4:
            return '"%s"' % r.choice(WORDS)
        name = r.choice(self.str_funcs[-60:])
        if name.startswith("when"):
            return "%s(%d).substring(0, 1)" % (name, r.randint(0, 30))
        return '%s("%s", count: 2).substring(0, 2)' % (name, r.choice(WORDS))

    def function(self, group):
        r = self.rng
        ti = r.randrange(len(TEMPLATES))
        kind = ["num", "str", "arr", "dict", "tup", "opt", "when", "loop"][ti]
        self.count += 1
        fn = "%s%d" % (kind, self.count)
        w = r.sample(WORDS, 3)
        subst = {
            "fn": fn,
            "g": str(group),
            "k1": str(r.randint(2, 6)),
            "k2": str(r.randint(2, 9)),
            "k3": str(r.randint(3, 12)),
            "k4": str(r.randint(10, 90)),
            "k5": str(r.randint(5, 40)),
            "f1": "%.2f" % r.uniform(0.5, 4.0),
            "word": w[0],
            "WORD": w[0].upper(),
            "word2": w[1],
            "word3": w[2],
            "c": r.choice("aeiou"),
            "pre": w[1][:2],
            "sep": r.choice(SEPS),
        }
        # calls to earlier functions; computed before registering this one (no recursion)
        subst["call"] = self.int_call()
        subst["scall"] = self.str_call()
        self.emit(fill(TEMPLATES[ti], subst))
        if kind in ("num", "arr", "dict", "opt", "loop"):
            self.int_funcs.append((fn, kind))
        elif kind in ("str", "when"):
            self.str_funcs.append(fn)
        else:
            self.tuple_funcs.append(fn)

    def group_header(self, group):
        r = self.rng
        self.emit("// ---- group %d ----\n"
                  "const LIMIT_%d = %d\n"
                  "var calls_%d = 0\n"
                  'let names_%d: Array<string> = ["%s", "%s", "%s"]\n'
                  % (group, group, r.randint(50, 500), group, group,
                     r.choice(WORDS), r.choice(WORDS), r.choice(WORDS)))

    def types(self, group):
        self.count += 1
        fn = "shapes%d" % self.count
        self.emit(fill(T_TYPES, {"g": str(group), "fn": fn,
                                 "f1": "%.2f" % self.rng.uniform(0.5, 4.0)}))
        self.type_funcs.append(fn)

    def top_calls(self, group):
        """A few top-level statements using this group's functions (run at load time)."""
        r = self.rng
        lines = ["var check_%d = 0" % group]
        for _ in range(2):
            lines.append("check_%d += %s" % (group, self.int_call()))
        lines.append("let text_%d = %s" % (group, self.str_call()))
        if self.tuple_funcs:
            lines.append("let (tn_%d, ts_%d) = %s(%d)"
                         % (group, group, r.choice(self.tuple_funcs[-30:]), r.randint(0, 9)))
            lines.append("check_%d += tn_%d + ts_%d.len()" % (group, group, group))
        if self.type_funcs and self.with_types:
            lines.append("check_%d += %s(3)" % (group, self.type_funcs[-1]))
        lines.append("total_checks += check_%d + text_%d.len()" % (group, group))
        self.emit("\n".join(lines) + "\n")

    def program(self, min_lines):
        self.emit("// Generated by bench/gen_large.py for the compile-speed benchmark.\n"
                  "// Deterministic; do not edit by hand.\n\n"
                  "var total_checks = 0\n")
        group = 0
        per_group = 12
        while self.lines < min_lines:
            group += 1
            self.group_header(group)
            if self.with_types:
                self.types(group)
            for _ in range(per_group):
                if self.stop_early and self.lines >= min_lines:
                    break
                self.function(group)
            # run the top level only for some groups, to keep `writ run` short
            if group % 4 == 1:
                self.top_calls(group)
            self.emit("\n")
        self.emit('print("groups: %d functions: %d")\n'
                  'print("checksum: ${total_checks}")\n' % (group, self.count))
        return "".join(self.chunks)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", metavar="OUT.writ")
    ap.add_argument("--lines", type=int, default=60000, help="minimum number of lines (60000)")
    ap.add_argument("--with-types", action="store_true", help="also emit structs and classes")
    ap.add_argument("--stop-early", action="store_true", help="stop as soon as N lines are reached")
    ap.add_argument("--seed", type=int, default=20240611, help="random seed (fixed default)")
    a = ap.parse_args()
    gen = Gen(a.seed, a.with_types)
    gen.stop_early = a.stop_early
    text = gen.program(a.lines)
    with open(a.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("%s: %d lines" % (a.out, text.count("\n")), file=sys.stderr)


if __name__ == "__main__":
    main()
