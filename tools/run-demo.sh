#!/bin/sh
# `make run`: the dashboard example in writ-canvas, live-coding ready.
# Installs SDL2, Cairo and Pango from Debian first when they are missing;
# in a window when a display is present, else headless for six seconds,
# writing PNG frames and printing where.  Falls back to the language tour
# when writ-canvas cannot be built.
cd "$(dirname "$0")/.."
if ! pkg-config --exists sdl2 cairo pangocairo 2>/dev/null || [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
    echo "run: installing SDL2, Cairo, Pango and the DejaVu fonts (Debian packages)"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
    $SUDO apt-get update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        pkg-config libsdl2-dev libcairo2-dev libpango1.0-dev fonts-dejavu-core >/dev/null 2>&1 \
        || echo "run: could not install them"
fi
make -s -j2 build/writ build/writ-canvas >/dev/null 2>&1
if [ ! -x build/writ-canvas ]; then
    echo "run: writ-canvas is not built (needs libsdl2-dev libcairo2-dev libpango1.0-dev); the tour instead:"
    exec build/writ run examples/tour.writ
fi
dash=examples/dashboard
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "run: the dashboard in a window; edit $dash/*.writ while it runs (p: pause, space: layout)"
    (cd "$dash" && exec ../../build/writ run feedgen.writ) >/dev/null 2>&1 &
    feed=$!
    build/writ-canvas --watch --stats --size 1280x800 "$dash/dashboard.writ"
    status=$?
    kill "$feed" 2>/dev/null
    rm -f "$dash/feed.json"
    exit $status
fi
out=build/dashboard
rm -rf "$out"
echo "run: no display; drawing the dashboard headless for 6 s at 30 fps"
build/writ-canvas --headless --frames 180 --fps 30 --size 1280x800 --out "$out" "$dash/dashboard.writ" || exit $?
echo "run: wrote $out/frame-00001.png ... $out/frame-00180.png (the last is the fullest)"
