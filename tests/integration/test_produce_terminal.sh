#!/usr/bin/env bash
# vs-produce's bars in a real terminal (tmux): log lines printed while the
# bars are shown land above them and no stale copy of a bar stays in the
# scroll-back; every line fits the terminal's width in display cells (a
# Japanese name included) and the total keeps its elapsed time, at 80 and
# 120 columns and after the window shrinks mid-run (SIGWINCH); in a
# terminal of 5 rows only what fits is drawn (running files and the total)
# and nothing is left in the scroll-back either. Skips (77) without tmux.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 77; }

LONG="日本語のカメラ名前がとても長いファイル.mp4"
make_session "$T/in" 12 angle1.mp4 angle2.mp4 angle3.mp4 "$LONG"
SOCK="vs-term-$$"
cleanup_tmux() { tmux -L "$SOCK" kill-server 2>/dev/null || true; cleanup; }
trap cleanup_tmux EXIT

# run COLS [SHRINK_TO [ROWS]]: one embedded run in a COLS-wide terminal
# (SHRINK_TO 0: no resize); the screen with its scroll-back goes to
# $T/screen-COLS-SHRINK_TO.txt.
run() {
    local cols=$1 shrink=${2:-} out="$T/out-$1-${2:-0}-${3:-40}"
    [[ $shrink == 0 ]] && shrink=
    tmux -u -L "$SOCK" -f /dev/null new-session -d -x "$cols" -y "${3:-40}" \
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

# check FILE WIDTH [BARS]: the screen analysis (see the header); BARS:
# bar lines left at the end (default 5: four files and the total).
check() {
    python3 - "$1" "$2" "$LONG" "${3:-5}" <<'PY' || { cat "$1" >&2; fail "screen $1"; }
import re, sys, unicodedata
path, width, long_name, want = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
lines = open(path, encoding="utf-8").read().split("\n")
def cells(s):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
bar = re.compile(r"\[[# ]+\] +\d+%")
rows = [i for i, l in enumerate(lines) if bar.search(l)]
# Exactly one block of bars remains (4 files and the total), together.
assert len(rows) == want, f"{len(rows)} bar lines on screen and in the scroll-back, want {want}"
assert rows == list(range(rows[0], rows[0] + want)), f"bar lines not together: {rows}"
assert not any(l.rstrip().endswith("queued") and bar.search(l) and not l.startswith("total")
               for l in lines), "a stale queued bar"
total = lines[rows[-1]]
assert total.startswith("total"), total
assert re.search(r"100%  \d\d:\d\d  4/4", total), f"elapsed time or counts cut: {total!r}"
for i in rows:
    assert cells(lines[i]) <= width - 1, f"{cells(lines[i])} cells > {width - 1}: {lines[i]!r}"
assert want < 5 or any(l.startswith(long_name[:3]) for l in (lines[i] for i in rows)), \
    "the long name's bar"
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
# 5 rows: room for 3 bar lines, fewer than the files: running ones only;
# at the end nothing runs: the total alone.
run 80 0 5
check "$T/screen-80-0.txt" 80 1
echo "PASS: bars at 80 and 120 columns, after a resize and in 5 rows"
