#!/usr/bin/env bash
# Ctrl-C in a real terminal (tmux): the videos given up by the interruption
# count in the total bar with the progress they had, so the last total shows
# what was done (here 1 of 4 outputs existed before the run: 25 %), never
# 100 %, and the summary calls the rest failed. Embedded broker with no
# local worker (--parallel 0), so the three jobs are still waiting when the
# key is pressed. Skips (77) without tmux.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 77; }

make_session "$T/in" 2 a.mp4 b.mp4 c.mp4 d.mp4
mkdir -p "$T/out"
cp "$T/in/a.mp4" "$T/out/a.mp4"     # the user's file: skipped, counts whole
SOCK="vs-int-$$"
cleanup_tmux() { tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup; }
trap cleanup_tmux EXIT

tmux -u -L "$SOCK" -f /dev/null new-session -d -x 100 -y 30 \
    "LC_ALL=C.UTF-8 '$BIN/vs-produce' --folder '$T/in' -o '$T/out' --parallel 0 --worker-wait 120; echo EXIT=\$?; sleep 600"
tmux -L "$SOCK" set-option -g history-limit 10000 >/dev/null
screen=
for _ in $(seq 150); do
    screen=$(tmux -L "$SOCK" capture-pane -p -S -)
    grep -q '^total.*25%' <<<"$screen" && break
    sleep 0.2
done
grep -q '^total.*25%' <<<"$screen" || { echo "$screen" >&2; fail "no total bar at 25 % before Ctrl-C"; }
tmux -L "$SOCK" send-keys C-c
for _ in $(seq 150); do
    screen=$(tmux -L "$SOCK" capture-pane -p -J -S -)
    grep -q '^EXIT=' <<<"$screen" && break
    sleep 0.2
done
echo "$screen" >"$T/screen.txt"
grep -q '^EXIT=' <<<"$screen" || { cat "$T/screen.txt" >&2; fail "vs-produce did not stop on Ctrl-C"; }
! grep -q '^EXIT=0' <<<"$screen" || fail "an interrupted run exited 0"
python3 - "$T/screen.txt" <<'PY' || { cat "$T/screen.txt" >&2; fail "screen after Ctrl-C"; }
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
totals = [l for l in lines if re.match(r"total +\[[# ]+\] +\d+%", l)]
assert totals, "no total bar"
last = totals[-1]
pct = int(re.search(r"\] +(\d+)%", last).group(1))
assert pct == 25, f"the last total shows {pct} %, want 25 %: {last!r}"
assert not any(re.search(r"\] +100%", l) for l in totals), "a total at 100 %"
assert any(l.startswith("Done. 0/4 videos processed, 1 skipped, 3 failed") for l in lines), \
    "no summary with 1 skipped and 3 failed"
PY
# The existing file is the user's, untouched.
cmp -s "$T/in/a.mp4" "$T/out/a.mp4" || fail "the user's a.mp4 was changed"
echo "PASS: after Ctrl-C the total shows 25 %, not 100 %"
