#!/usr/bin/env bash
# vs-produce's bars in a real terminal (tmux): log lines printed while the
# bars are shown land above them and no stale copy of a bar stays in the
# scroll-back; every line fits the terminal's width in display cells (a
# Japanese name included) and the total keeps its elapsed time, at 80 and
# 120 columns and after the window shrinks mid-run (SIGWINCH). Skips (77)
# without tmux.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 77; }

LONG="日本語のカメラ名前がとても長いファイル.mp4"
make_session "$T/in" 12 angle1.mp4 angle2.mp4 angle3.mp4 "$LONG"
SOCK="vs-term-$$"
cleanup_tmux() { tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup; }
trap cleanup_tmux EXIT

# run COLS [SHRINK_TO]: one embedded run in a COLS-wide terminal; the
# screen with its scroll-back goes to $T/screen-COLS.txt.
run() {
    local cols=$1 shrink=${2:-} out="$T/out-$1-${2:-0}"
    tmux -u -L "$SOCK" -f /dev/null new-session -d -x "$cols" -y 40 \
        "LC_ALL=C.UTF-8 '$BIN/vs-produce' --folder '$T/in' -o '$out' --timeout 120; echo EXIT=\$?; sleep 600"
    tmux -L "$SOCK" set-option -g history-limit 10000 >/dev/null
    local shrunk=0
    for _ in $(seq 600); do
        local screen
        screen=$(tmux -L "$SOCK" capture-pane -p -S -)
        grep -q '^EXIT=' <<<"$screen" && break
        if [ -n "$shrink" ] && [ $shrunk -eq 0 ] && grep -q 'started on' <<<"$screen"; then
            tmux -L "$SOCK" resize-window -x "$shrink" || fail "tmux cannot resize"
            shrunk=1
        fi
        sleep 0.2
    done
    tmux -L "$SOCK" capture-pane -p -J -S - >"$T/screen-$cols-${shrink:-0}.txt"
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    grep -q '^EXIT=0' "$T/screen-$cols-${shrink:-0}.txt" || {
        cat "$T/screen-$cols-${shrink:-0}.txt" >&2; fail "vs-produce did not finish well at $cols columns"; }
    [ -z "$shrink" ] || [ $shrunk -eq 1 ] || fail "the run ended before the window could shrink"
}

# check FILE WIDTH: the screen analysis (see the header).
check() {
    python3 - "$1" "$2" "$LONG" <<'PY' || { cat "$1" >&2; fail "screen $1"; }
import re, sys, unicodedata
path, width, long_name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines = open(path, encoding="utf-8").read().split("\n")
def cells(s):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
bar = re.compile(r"\[[# ]+\] +\d+%")
rows = [i for i, l in enumerate(lines) if bar.search(l)]
# Exactly one block of bars remains: 4 files and the total, together.
assert len(rows) == 5, f"{len(rows)} bar lines on screen and in the scroll-back, want 5"
assert rows == list(range(rows[0], rows[0] + 5)), f"bar lines not together: {rows}"
assert not any(l.rstrip().endswith("queued") and bar.search(l) and not l.startswith("total")
               for l in lines), "a stale queued bar"
total = lines[rows[-1]]
assert total.startswith("total"), total
assert re.search(r"100%  \d\d:\d\d  4/4", total), f"elapsed time or counts cut: {total!r}"
for i in rows:
    assert cells(lines[i]) <= width - 1, f"{cells(lines[i])} cells > {width - 1}: {lines[i]!r}"
assert any(l.startswith(long_name[:3]) for l in (lines[i] for i in rows)), "the long name's bar"
# The log lines of the run are above the bars, the summary below.
started = [i for i, l in enumerate(lines) if "started on" in l]
assert len(started) == 4 and max(started) < rows[0], "log lines not above the bars"
done = [i for i, l in enumerate(lines) if l.startswith("Done. 4/4")]
assert done and done[0] > rows[-1], "summary not below the bars"
PY
}

for cols in 80 120; do
    run "$cols"
    check "$T/screen-$cols-0.txt" "$cols"
done
run 120 70
check "$T/screen-120-70.txt" 70
echo "PASS: bars at 80 and 120 columns and after a resize"
