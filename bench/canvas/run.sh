#!/bin/sh
# writ-canvas benchmarks (make bench, when writ-canvas is built):
#   - the script-side cost of one Canvas call (100,000 trivial calls a frame)
#   - fillRect end to end (100,000 a frame)
#   - frames per second with 10,000 primitives a frame
#   - save-to-frame latency of --watch over 50 edits of the dashboard
# Usage: bench/canvas/run.sh BUILD_DIR
set -e
build=${1:-build}
canvas="$build/writ-canvas"
here=$(dirname "$0")
stat() {   # script p50 ms of a run
    "$canvas" --headless --stats --frames 60 --size 1280x800 "$here/$1" 2>&1 >/dev/null |
        sed -n 's/.*script mean [0-9.]* ms, p50 \([0-9.]*\) ms.*frame p50 \([0-9.]*\) ms (\([0-9.]*\) fps).*/\1 \2 \3/p'
}
set -- $(stat calls.writ)
echo "canvas: one Canvas method call from a script: $(awk "BEGIN { printf \"%.1f\", $1 * 1e6 / 100000 }") ns (100,000 setLineWidth calls: $1 ms a frame; goal < 100 ns)"
set -- $(stat fillrect.writ)
echo "canvas: fillRect end to end (script + Cairo): $(awk "BEGIN { printf \"%.0f\", $1 * 1e6 / 100000 }") ns a call"
set -- $(stat primitives.writ)
echo "canvas: 10,000 primitives a frame at 1280x800: $3 frames/s (frame $2 ms, of which script and drawing $1 ms)"
python3 "$here/reload_latency.py" "$canvas" 50
# reload compile times without the watcher, on a copy (files older than 2 s: their stat stamps are trusted)
work=$(mktemp -d)
cp -r "$here/../../examples/dashboard" "$work/" && touch -d '1 minute ago' "$work"/dashboard/*.writ "$work"/dashboard/panels/*.writ
(cd "$work/dashboard" && "$OLDPWD/$canvas" --demo-data --bench-reload 200 dashboard.writ) | sed 's/^/canvas: /'
rm -rf "$work"
