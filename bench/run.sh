#!/usr/bin/env bash
# Benchmark suite: Writ against Lua 5.4, LuaJIT with the JIT off, and LuaJIT.
#
# usage: bench/run.sh [WRIT_BINARY] [NAME...]
#
#   WRIT_BINARY  the writ interpreter (default: build/writ next to this directory);
#                each benchmark runs as `WRIT_BINARY run bench/NAME.writ`
#   NAME...      run only these benchmarks (default: all)
#
# For each benchmark the stdout of every implementation is first compared with that of
# lua5.4 (the reference); an implementation that fails (FAIL) or prints something else
# (MISMATCH) is left out of the timing and the row says so. The others are timed in one
# hyperfine invocation (one warm-up, five runs each, by default), and the table shows the
# median times in milliseconds and the ratios writ/lua5.4 and writ/(luajit -joff), followed
# by the geometric means of the ratios. A ratio below 1.00 means Writ is faster.
#
# Environment: BENCH_RUNS (default 5), BENCH_WARMUP (default 1), BENCH_TIMEOUT (seconds
# allowed for the output check of one implementation, default 300), BENCH_KEEP (a
# directory to keep the outputs and hyperfine JSON files in).
#
# Exit status: 0, also when Writ fails some or all benchmarks; 2 when hyperfine, lua5.4,
# luajit or python3 are missing and cannot be installed.

set -u

here=$(cd "$(dirname "$0")" && pwd)
all_benchmarks=(fib binary_trees permute mandelbrot sieve queens loop_sum nbody strings dict particles richards geometry)

writ=${1:-$here/../build/writ}
[ $# -gt 0 ] && shift
case $writ in
    /*) ;;
    */*) writ=$PWD/$writ ;;
    *) writ=$(command -v "$writ" || echo "$PWD/$writ") ;;
esac

if [ $# -gt 0 ]; then benchmarks=("$@"); else benchmarks=("${all_benchmarks[@]}"); fi

runs=${BENCH_RUNS:-5}
warmup=${BENCH_WARMUP:-1}
check_timeout=${BENCH_TIMEOUT:-300}

log() { printf '%s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------------------
missing_tools() {
    local t out=""
    for t in hyperfine lua5.4 luajit python3; do
        command -v "$t" >/dev/null 2>&1 || out="$out $t"
    done
    printf '%s' "$out"
}

if [ -n "$(missing_tools)" ]; then
    log "installing missing tools:$(missing_tools)"
    sudo=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    pkgs="hyperfine lua5.4 luajit"
    command -v python3 >/dev/null 2>&1 || pkgs="$pkgs python3"
    if command -v apt-get >/dev/null 2>&1; then
        $sudo apt-get install -y -qq $pkgs >/dev/null 2>&1 ||
            { $sudo apt-get update -qq >/dev/null 2>&1 &&
              $sudo apt-get install -y -qq $pkgs >/dev/null 2>&1; }
    fi
    if [ -n "$(missing_tools)" ]; then
        log "error: missing tools:$(missing_tools) (install: apt-get install hyperfine lua5.4 luajit python3)"
        exit 2
    fi
fi

have_timeout=0
command -v timeout >/dev/null 2>&1 && have_timeout=1

if [ ! -x "$writ" ]; then
    log "warning: $writ is not an executable file; every Writ row will say FAIL"
fi

if [ -n "${BENCH_KEEP:-}" ]; then
    work=$BENCH_KEEP
    mkdir -p "$work"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
: >"$work/status.tsv"

# Quote one word for hyperfine's command splitting (-N) and for sh -c alike.
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# run_check LABEL OUTFILE CMD...: runs CMD, stdout to OUTFILE, stderr to OUTFILE.err
run_check() {
    local out=$1
    shift
    if [ $have_timeout = 1 ]; then
        timeout "$check_timeout" "$@" >"$out" 2>"$out.err" </dev/null
    else
        "$@" >"$out" 2>"$out.err" </dev/null
    fi
}

# --- benchmarks ----------------------------------------------------------------------------
labels=(writ lua5.4 "luajit -joff" luajit)
count=0
for name in "${benchmarks[@]}"; do
    count=$((count + 1))
    log ""
    log "=== [$count/${#benchmarks[@]}] $name"
    wfile=$here/$name.writ
    lfile=$here/$name.lua
    if [ ! -f "$wfile" ] || [ ! -f "$lfile" ]; then
        log "no such benchmark: $name"
        printf '%s\t%s\t%s\n' "$name" "all" "MISSING" >>"$work/status.tsv"
        continue
    fi

    # reference output
    if ! run_check "$work/$name.ref" lua5.4 "$lfile"; then
        log "lua5.4 failed on $lfile:"
        head -n 5 "$work/$name.ref.err" >&2
        printf '%s\t%s\t%s\n' "$name" "lua5.4" "FAIL" >>"$work/status.tsv"
        continue
    fi

    hf_args=()
    for label in "${labels[@]}"; do
        case $label in
            writ) cmd=("$writ" run "$wfile") ;;
            lua5.4) cmd=(lua5.4 "$lfile") ;;
            "luajit -joff") cmd=(luajit -joff "$lfile") ;;
            luajit) cmd=(luajit "$lfile") ;;
        esac
        status=ok
        if [ "$label" != lua5.4 ]; then
            out=$work/$name.${label// /_}.out
            if ! run_check "$out" "${cmd[@]}"; then
                status=FAIL
                log "$label failed on $name:"
                head -n 5 "$out.err" >&2
            elif ! cmp -s "$out" "$work/$name.ref"; then
                status=MISMATCH
                log "$label output differs from lua5.4 on $name:"
                diff "$work/$name.ref" "$out" | head -n 10 >&2
            fi
        fi
        printf '%s\t%s\t%s\n' "$name" "$label" "$status" >>"$work/status.tsv"
        if [ $status = ok ]; then
            cmdline=""
            for w in "${cmd[@]}"; do cmdline="$cmdline $(q "$w")"; done
            hf_args+=(-n "$label" "${cmdline# }")
        fi
    done

    if ! hyperfine -N --style basic --warmup "$warmup" --runs "$runs" \
            --export-json "$work/$name.json" "${hf_args[@]}" >&2; then
        log "hyperfine failed on $name"
        rm -f "$work/$name.json"
        printf '%s\t%s\t%s\n' "$name" "all" "HYPERFINE-FAILED" >>"$work/status.tsv"
    fi
done

# --- table ----------------------------------------------------------------------------------
log ""
python3 - "$work" "${benchmarks[@]}" <<'PY'
import json, math, os, sys

work, names = sys.argv[1], sys.argv[2:]
status = {}
with open(os.path.join(work, "status.tsv")) as f:
    for line in f:
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 3:
            status[(parts[0], parts[1])] = parts[2]

labels = ["writ", "lua5.4", "luajit -joff", "luajit"]
rows = []
ratios_lua, ratios_joff = [], []

def cell(name, label, medians):
    if (name, "all") in status:
        return status[(name, "all")]
    if status.get((name, "lua5.4")) == "FAIL":
        return "lua5.4 FAIL"
    st = status.get((name, label), "?")
    if st != "ok":
        return st
    if label not in medians:
        return "-"
    return "%.1f" % (medians[label] * 1000.0)

for name in names:
    medians = {}
    path = os.path.join(work, name + ".json")
    if os.path.exists(path):
        with open(path) as f:
            for r in json.load(f).get("results", []):
                m = r.get("median")
                if m is None:
                    ts = sorted(r.get("times") or [])
                    if ts:
                        n = len(ts)
                        m = ts[n // 2] if n % 2 else (ts[n // 2 - 1] + ts[n // 2]) / 2
                if m is not None:
                    medians[r["command"]] = m
    cells = [cell(name, l, medians) for l in labels]
    w = medians.get("writ")
    def ratio(peer, acc):
        p = medians.get(peer)
        if w is None or p is None or p <= 0 or w <= 0:
            return "-"
        acc.append(w / p)
        return "%.2f" % (w / p)
    rows.append([name] + cells + [ratio("lua5.4", ratios_lua), ratio("luajit -joff", ratios_joff)])

header = ["benchmark", "writ ms", "lua5.4 ms", "luajit -joff ms", "luajit ms",
          "writ/lua", "writ/luajit-joff"]
widths = [max([len(header[i])] + [len(r[i]) for r in rows]) for i in range(len(header))]

def fmt(r):
    out = []
    for i, v in enumerate(r):
        out.append(v.ljust(widths[i]) if i == 0 else v.rjust(widths[i]))
    return "| " + " | ".join(out) + " |"

print(fmt(header))
print("|" + "|".join(("-" * (widths[i] + 1) + ":") if i else ("-" * (widths[i] + 2))
                     for i in range(len(header))) + "|")
for r in rows:
    print(fmt(r))

def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None

print()
for label, xs in (("writ/lua5.4", ratios_lua), ("writ/luajit-joff", ratios_joff)):
    g = geomean(xs)
    if g is None:
        print("geometric mean %-17s -  (no benchmark ran under Writ)" % (label + ":"))
    else:
        print("geometric mean %-17s %.2f  (over %d of %d benchmarks)"
              % (label + ":", g, len(xs), len(names)))
PY

# --- compile speed (bench/compile_speed.sh: `writ check` on a generated 60,000-line program) ---
log ""
log "=== compile speed"
echo
"$here/compile_speed.sh" "$writ"
# --- end compile speed ---

# --- json and regex throughput (bench/json.sh: generated 20 MB JSON document, 10 MB log) ---
log ""
log "=== json and regex"
echo
"$here/json.sh" "$writ"
exit 0
