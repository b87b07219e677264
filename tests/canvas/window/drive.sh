#!/bin/sh
# Runs inside xvfb-run: starts writ-canvas on SCRIPT (360 frames, ~6 s),
# waits for its window, then types and clicks into it with xdotool (XTEST
# input, as from a real keyboard and mouse) and resizes it.  The script's
# output goes to stdout; the exit status is writ-canvas's.
#   drive.sh WRIT_CANVAS SCRIPT
W=$1
S=$2
"$W" --size 200x150 --frames 360 "$S" &
pid=$!
win=""
for i in $(seq 1 100); do
    win=$(xdotool search --name "$S" 2>/dev/null | head -n 1)
    [ -n "$win" ] && break
    sleep 0.1
done
if [ -z "$win" ]; then echo "drive.sh: no window appeared" >&2; kill $pid; exit 1; fi
# pauses between the actions: a slow build (ASan) must pump each one in a frame of its own
sleep 0.5
xdotool mousemove --window "$win" 50 60
sleep 0.2
xdotool key space
sleep 0.2
xdotool key a
sleep 0.2
xdotool click 1
sleep 0.2
xdotool mousemove --window "$win" 120 30
sleep 0.2
xdotool click 3
sleep 0.2
xdotool windowsize "$win" 300 200
wait $pid
