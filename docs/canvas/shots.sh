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
    args=$(sed -n 's|^// args: ||p' "$t")
    (cd tests/canvas/golden && "$W" --headless $args --out "$tmp/$n" "$n.writ")
    cp "$(ls -d "$tmp/$n"/* | tail -n 1)" "docs/canvas/$n.png"
done
"$W" --headless --size 320x320 --out "$tmp/clock" examples/canvas/clock.writ
cp "$tmp/clock/frame-00001.png" docs/canvas/clock.png
"$W" --headless --size 480x300 --frames 90 --out "$tmp/particles" examples/canvas/particles.writ
cp "$tmp/particles/frame-00090.png" docs/canvas/particles.png
rm -rf "$tmp"
echo "docs/canvas: $(ls docs/canvas/*.png | wc -l) screenshots"
