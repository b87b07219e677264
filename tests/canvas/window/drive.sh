#!/bin/sh
# Runs inside xvfb-run: starts writ-canvas on SCRIPT (240 frames, ~4 s),
# waits for its window, then types and clicks into it with xdotool (XTEST
# input, as from a real keyboard and mouse) and resizes it.  The script's
# output goes to stdout; the exit status is writ-canvas's.
#   drive.sh WRIT_CANVAS SCRIPT
W=$1
S=$2
"$W" --size 200x150 --frames 240 "$S" &
pid=$!
win=""
for i in $(seq 1 100); do
    win=$(xdotool search --name "$S" 2>/dev/null | head -n 1)
    [ -n "$win" ] && break
    sleep 0.1
done
if [ -z "$win" ]; then echo "drive.sh: no window appeared" >&2; kill $pid; exit 1; fi
sleep 0.3
xdotool mousemove --window "$win" 50 60
xdotool key space
xdotool key a
xdotool click 1
xdotool mousemove --window "$win" 120 30 click 3
xdotool windowsize "$win" 300 200
wait $pid
