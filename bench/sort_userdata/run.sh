#!/usr/bin/env bash
# sort_userdata (issue 5): the same benchmark on a C host embedding Writ, Lua 5.4 and LuaJIT.
# Each host times only the script's run() (build, sort, verify) in-process; best of 5.
# usage: bench/sort_userdata/run.sh [BUILD_DIR]
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
cd "$here"
have() { [ -e "$1" ]; }
if ! have /usr/include/lua5.4/lua.h || ! have /usr/include/luajit-2.1/lua.h; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO=sudo
    $SUDO apt-get install -y -qq liblua5.4-dev libluajit-5.1-dev >/dev/null 2>&1 || { echo "sort_userdata: needs liblua5.4-dev and libluajit-5.1-dev"; exit 0; }
fi
cc -O2 -I"$here/../../include" -o "$build/sort_writ" writ_host.c "$build/libwrit.a" -lm $(pkg-config --libs libpcre2-8 2>/dev/null) || exit 1
cc -O2 -I/usr/include/lua5.4 -o "$build/sort_lua" lua_host.c -llua5.4 -lm || exit 1
cc -O2 -I/usr/include/luajit-2.1 -o "$build/sort_luajit" lua_host.c -lluajit-5.1 -lm || exit 1
best() {   # best time of 5 runs; also checks the outputs agree
    local b="" out first
    for i in 1 2 3 4 5; do
        out=$("$@") || { echo "FAIL"; return; }
        first=$(echo "$out" | head -1)
        t=$(echo "$out" | tail -1)
        if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
    done
    echo "$first|$b"
}
w=$(best "$build/sort_writ" sort.writ)
l=$(best "$build/sort_lua" sort.lua)
j=$(best "$build/sort_luajit" sort.lua)
echo "| sort_userdata (10,000 host objects, C comparison) | ms |"
echo "|---|---|"
echo "| writ   | ${w#*|} |"
echo "| lua5.4 | ${l#*|} |"
echo "| luajit | ${j#*|} |"
[ "${w%%|*}" = "${l%%|*}" ] && [ "${w%%|*}" = "${j%%|*}" ] && echo "(results agree: ${w%%|*})" || echo "MISMATCH: writ '${w%%|*}' lua '${l%%|*}' luajit '${j%%|*}'"
