#!/usr/bin/env bash
# JSON and regex throughput (MB/s): Writ's parseJson / toJson against Python's json and
# Lua's cjson on one generated ~20 MB document, and Regex.matchAll against Python's re and
# PCRE2 called directly from C on a generated 10 MB log.  Inputs are generated at bench
# time (bench/json_bench.py), never committed.
#
# usage: bench/json.sh [WRIT_BINARY]     (environment: BENCH_TMP, default /tmp/writ-bench)
set -u
here=$(cd "$(dirname "$0")" && pwd)
writ=${1:-$here/../build/writ}
case $writ in /*) ;; *) writ=$PWD/$writ ;; esac
if ! command -v lua5.4 >/dev/null 2>&1 || ! lua5.4 -e 'require "cjson"' >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo -n"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq lua-cjson lua5.4 >/dev/null 2>&1 || echo "json.sh: lua-cjson not available" >&2
fi
exec python3 "$here/json_bench.py" "$writ"
