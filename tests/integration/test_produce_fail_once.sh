#!/usr/bin/env bash
# A video that fails in a worker, in embedded mode, is reported once: one
# line on the terminal (stderr) as it fails, and its reason once in the
# summary (stdout). Neither the local worker's own line nor a second
# "failed" at the end may repeat it. b.mp4 probes fine (its index is at the
# front, and its last 10 s, where the producer looks for its end, are
# missing altogether) but is cut at 40 %, so the producer publishes it and
# the worker finds the video ending early: a permanent failure, one attempt.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"

make_session "$T/in" 60 a.mp4
make_video "$T/full.mp4" 60
ffmpeg -loglevel error -nostdin -y -i "$T/full.mp4" -c copy -movflags +faststart "$T/fs.mp4"
head -c $(($(stat -c %s "$T/fs.mp4") * 2 / 5)) "$T/fs.mp4" > "$T/in/b.mp4"

set +e
"$BIN/vs-produce" --folder "$T/in" -o "$T/out" --timeout 120 >"$T/run.out" 2>"$T/run.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "exit $rc with a failed video, want 1"
[ "$(tail -n 1 "$T/run.out")" = "Done. 1/2 videos processed, 1 failed." ] \
    || fail "summary: $(tail -n 1 "$T/run.out")"
# The reason, as the summary's table gives it: "b.mp4  failed  1 attempt  WORKER: REASON".
row=$(grep -E '^ +b\.mp4 +failed' "$T/run.out") || fail "no summary row for b.mp4"
reason=${row#*: }
[ -n "$reason" ] && [ "$reason" != "$row" ] || fail "no reason in the row: $row"
n_out=$(grep -cF -- "$reason" "$T/run.out" || true)
n_err=$(grep -cF -- "$reason" "$T/run.err" || true)
[ "$n_out" -eq 1 ] || fail "the reason is in the summary $n_out times, want 1"
[ "$n_err" -eq 1 ] || fail "the reason is on stderr $n_err times, want 1:
$(cat "$T/run.err")"
grep -F -- "$reason" "$T/run.err" | grep -q "failed: b.mp4" \
    || fail "the stderr line does not say which video failed"
[ "$(grep -c "b.mp4" "$T/run.err")" -le 3 ] || fail "b.mp4 mentioned too often on stderr:
$(cat "$T/run.err")"
[ -s "$T/out/a.mp4" ] || fail "the good video was not processed"
[ ! -e "$T/out/b.mp4" ] || fail "a failed video left an output"
echo "ok: reason once on stderr, once in the summary: $reason"
