#!/bin/sh
# Regenerates the screenshots of docs/canvas.md headless: one per Canvas
# group (the golden test scripts of tests/canvas/golden) and the examples.
#   docs/canvas/shots.sh [build/writ-canvas]
set -e
cd "$(dirname "$0")/../.."
W=$(realpath "${1:-build/writ-canvas}")
tmp=$(mktemp -d)
for t in tests/canvas/golden/*.writ; do
    n=$(basename "$t" .writ)
    case "$n" in example_*) continue ;; esac      # the examples, below
    args=$(sed -n 's|^// args: ||p' "$t")
    (cd tests/canvas/golden && "$W" --headless $args --out "$tmp/$n" "$n.writ")
    cp "$(ls -d "$tmp/$n"/* | tail -n 1)" "docs/canvas/$n.png"
done
"$W" --headless --size 320x320 --out "$tmp/clock" examples/canvas/clock.writ
cp "$tmp/clock/frame-00001.png" docs/canvas/clock.png
"$W" --headless --size 480x300 --frames 90 --out "$tmp/particles" examples/canvas/particles.writ
cp "$tmp/particles/frame-00090.png" docs/canvas/particles.png
"$W" --headless --demo-data --size 1280x800 --frames 120 --fps 30 --out "$tmp/dash" examples/dashboard/dashboard.writ
cp "$tmp/dash/frame-00120.png" docs/canvas/dashboard.png
# live coding: the dashboard running, then a broken save of one of its modules
cp -r examples/dashboard "$tmp/live"
(cd "$tmp/live" && "$W" --headless --watch --stats --demo-data --size 960x600 --frames 75 --fps 30 \
    --out "$tmp/live-frames" dashboard.writ 2>/dev/null) &
sleep 1.5
sed -i 's/return u == 0 ? "${v as int} B"/return u == 0 ? v + " B"/' "$tmp/live/theme.writ"
wait
cp "$(ls -d "$tmp/live-frames"/* | tail -n 1)" docs/canvas/live-error.png
rm -rf "$tmp"
echo "docs/canvas: $(ls docs/canvas/*.png | wc -l) screenshots"
