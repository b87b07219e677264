#!/usr/bin/env bash
# Compile-speed benchmark (scope.md, "Measuring"): `writ check` on a generated program of at
# least 50,000 lines; lines per second = lines / (time minus the time of an empty file).
#
# usage: bench/compile_speed.sh [WRIT_BINARY]
#
#   WRIT_BINARY  the writ interpreter (default: build/writ next to this directory)
#
# Generates the program with bench/gen_large.py (deterministic) and an empty file into a
# temporary directory, times `WRIT_BINARY check` on both in one hyperfine run (one warm-up,
# the median of five runs by default) and prints one line:
#
#   compile speed: N lines in X ms (empty file Y ms): Z lines/s
#
# Environment: COMPILE_LINES (minimum lines to generate, default 60000), COMPILE_TYPES=1 (pass
# --with-types to the generator: structs and classes too), BENCH_RUNS (default 5),
# BENCH_WARMUP (default 1), BENCH_KEEP (a directory to keep the generated files and the
# hyperfine JSON in).
#
# Exit status: 0, also when `writ check` fails (the line then says so); 2 when hyperfine or
# python3 are missing and cannot be installed.

set -u

here=$(cd "$(dirname "$0")" && pwd)
writ=${1:-$here/../build/writ}
case $writ in
    /*) ;;
    */*) writ=$PWD/$writ ;;
    *) writ=$(command -v "$writ" || echo "$PWD/$writ") ;;
esac

lines_wanted=${COMPILE_LINES:-60000}
runs=${BENCH_RUNS:-5}
warmup=${BENCH_WARMUP:-1}

log() { printf '%s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------------------
missing_tools() {
    local t out=""
    for t in hyperfine python3; do
        command -v "$t" >/dev/null 2>&1 || out="$out $t"
    done
    printf '%s' "$out"
}

if [ -n "$(missing_tools)" ]; then
    log "installing missing tools:$(missing_tools)"
    sudo=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; fi
    export DEBIAN_FRONTEND=noninteractive
    if command -v apt-get >/dev/null 2>&1; then
        $sudo apt-get install -y -qq hyperfine python3 >/dev/null 2>&1 ||
            { $sudo apt-get update -qq >/dev/null 2>&1 &&
              $sudo apt-get install -y -qq hyperfine python3 >/dev/null 2>&1; }
    fi
    if [ -n "$(missing_tools)" ]; then
        log "error: missing tools:$(missing_tools) (install: apt-get install hyperfine python3)"
        exit 2
    fi
fi

if [ -n "${BENCH_KEEP:-}" ]; then
    work=$BENCH_KEEP
    mkdir -p "$work"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi

# --- inputs --------------------------------------------------------------------------------
big=$work/compile_large.writ
empty=$work/compile_empty.writ
gen_args=(--lines "$lines_wanted")
[ "${COMPILE_TYPES:-0}" = 1 ] && gen_args+=(--with-types)
if ! python3 "$here/gen_large.py" "${gen_args[@]}" "$big" 2>/dev/null; then
    echo "compile speed: FAIL (bench/gen_large.py failed)"
    exit 0
fi
: >"$empty"
nlines=$(wc -l <"$big" | tr -d ' ')

# Both files must type-check; otherwise the timing means nothing.
for f in "$empty" "$big"; do
    if ! "$writ" check "$f" >"$work/check.out" 2>&1 </dev/null; then
        log "$writ check $f failed:"
        head -n 10 "$work/check.out" >&2
        echo "compile speed: FAIL ($(basename "$f") does not pass 'writ check')"
        exit 0
    fi
done

# --- timing --------------------------------------------------------------------------------
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
if ! hyperfine -N --style basic --warmup "$warmup" --runs "$runs" \
        --export-json "$work/compile.json" \
        -n empty "$(q "$writ") check $(q "$empty")" \
        -n large "$(q "$writ") check $(q "$big")" >&2; then
    echo "compile speed: FAIL (hyperfine failed)"
    exit 0
fi

python3 - "$work/compile.json" "$nlines" <<'PY'
import json, sys

path, nlines = sys.argv[1], int(sys.argv[2])
med = {}
with open(path) as f:
    for r in json.load(f)["results"]:
        m = r.get("median")
        if m is None:
            ts = sorted(r["times"])
            n = len(ts)
            m = ts[n // 2] if n % 2 else (ts[n // 2 - 1] + ts[n // 2]) / 2
        med[r["command"]] = m
large, empty = med["large"], med["empty"]
net = large - empty
rate = "%d" % round(nlines / net) if net > 0 else "inf"
print("compile speed: %d lines in %.1f ms (empty file %.1f ms): %s lines/s"
      % (nlines, large * 1000.0, empty * 1000.0, rate))
PY
exit 0
