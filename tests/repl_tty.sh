#!/bin/sh
# Drives `writ repl` on a real terminal through tmux and checks the prompts
# ("> ", continuation ". "), line editing (left arrow) and history (up arrow).
# Run by hand (not part of `make test`: it needs tmux and timing):
#   tests/repl_tty.sh [WRIT_BINARY]        (default build/writ)
# Prints the final screen and "tty: ok" or the first failed check; exit 0/1.
set -u
writ=$(realpath "${1:-build/writ}")
command -v tmux >/dev/null 2>&1 || { echo "tty: tmux is not installed"; exit 1; }
s="writ-repl-tty-$$"
tmux new-session -d -s "$s" -x 100 -y 30 "$writ repl; echo '[exit '\$?']'; sleep 5"
trap 'tmux kill-session -t "$s" 2>/dev/null' EXIT
screen() { tmux capture-pane -p -t "$s" | sed 's/ *$//'; }   # tmux drops trailing blanks
fail=0
expect() {   # $1: what the screen must contain (a fixed line), $2: description
    want=$(printf '%s' "$1" | sed 's/ *$//')
    i=0
    while [ $i -lt 30 ]; do
        screen | grep -qxF -- "$want" && { echo "ok: $2"; return; }
        sleep 0.1; i=$((i + 1))
    done
    echo "FAILED: $2 (no line '$1')"; fail=1
}
keys() { tmux send-keys -t "$s" "$@"; sleep 0.2; }

expect "> " "prompt"
keys "var x = 40" Enter
keys "x +" Enter
expect ". " "continuation prompt after a trailing operator"
keys "2" Enter
expect "42" "multi-line entry evaluated"
keys "x + 9" Left "1" Enter
expect "> x + 19" "left arrow moves the cursor: '1' inserted before '9'"
expect "59" "edited line evaluated"
keys Up
expect "> x + 19" "up arrow recalls the previous entry"
keys BSpace Enter
expect "41" "recalled entry edited and evaluated"
keys ":quit" Enter
expect "[exit 0]" ":quit exits with 0"
echo "---- screen"
screen | sed '/^$/d'
[ $fail -eq 0 ] && echo "tty: ok" || echo "tty: FAILED"
exit $fail
