#!/usr/bin/env bash
# chunks.sh - one video split into chunks over two workers, one of them
# killed with SIGKILL while it holds a chunk (issue: the farm at full width).
#
# vs-broker, workers wA (every job waits 30 s once it holds its output:
# --fault slow:30) and wB, and vs-produce --chunk 5 on the coded 60 s talk
# fixture (47 s of output: 9 chunks). wA takes a chunk and is killed while
# it holds it. Then:
#   - the video completes, once: the summary has one row, done, and the
#     status topic one "done" of the join; wA's chunk was done by wB;
#   - the joined output is exactly the single-job video, frame count
#     included: every output
#     picture the planned one (vs-check-frames --exact, the pictures on both
#     sides of every chunk edge included), audio within 1 ms at every speech
#     start, the stream decodes without an error;
#   - the output folder holds the output alone (pieces and temporaries gone);
#   - the progress lines count the video's chunks ("3/9 chunks").
# Then, with a slow worker (every encode waits 2 s): vs-produce killed with
# SIGKILL after 3 chunks and run again finds them (the video's id and so
# its chunks' are the same on a re-run: chunk.h), so its chunks are
# "already done" and only the join runs; a third run skips the video
# (output exists), and --overwrite re-encodes it under a new id.
source "$(dirname "$0")/lib.sh"

MFIX=${VS_MEDIA_FIXTURES:?VS_MEDIA_FIXTURES must name the media fixtures}
IN=$WORK/in
OUT=$WORK/out
mkdir -p "$IN"
cp "$MFIX/talk/h264.mp4" "$IN/talk.mp4"
cp "$MFIX/talk/talk.vad.json" "$IN/talk.vad.json"

start_broker
start_worker wA --fault slow:30
start_worker wB
wait_log "$WORK/wA.log" "assigned" 20
wait_log "$WORK/wB.log" "assigned" 20

note "vs-produce --chunk 5 on one 60 s video"
"$VS_BIN/vs-produce" --brokers "$ADDR" "${KAFKA_X[@]}" --folder "$IN" -o "$OUT" --chunk 5 \
    --json --progress lines -v --timeout 150 > "$WORK/produce.json" 2> "$WORK/produce.log" &
PID_produce=$!
PIDS+=("$PID_produce")

# wA holds a chunk (started, waiting in its fault point): kill it.
wait_log "$WORK/wA.log" "started" 30
chunk=$(grep -o '[^ ]*\.c[0-9]\{4\} (talk.mp4): started' "$WORK/wA.log" | head -n1 || true)
kill -KILL "$PID_wA"
wait "$PID_wA" 2>/dev/null || true
note "wA killed with SIGKILL holding a chunk ($chunk)"

wait_exit "$PID_produce" 140
[[ $EXIT_CODE -eq 0 ]] || fail "vs-produce exited with $EXIT_CODE"
jq -e '.total == 1 and .processed == 1 and (.files | length) == 1 and
    .files[0].state == "done" and .summary == "Done. 1/1 videos processed."' \
    "$WORK/produce.json" > /dev/null || fail "summary: $(jq -c '{summary, files}' "$WORK/produce.json")"
vid=$(jq -r '.files[0].job_id' "$WORK/produce.json")
grep -q "split into 9 chunks" "$WORK/produce.log" || fail "the video was not split into 9 chunks"
# The video's progress counts its chunks.
grep -Eq 'progress: .*; talk\.mp4 [0-9]+% [0-9.]+x, [1-8]/9 chunks' "$WORK/produce.log" ||
    fail "no chunk progress in the progress lines"

st=$WORK/status.jsonl
status_dump "$st"
join=$(jq -r 'select((.job_id // "") | endswith(".join")) | .job_id' "$st" | head -n1)
run=$(jq -r 'select((.job_id // "") | endswith(".join")) | .run_id' "$st" | head -n1)
[[ -n $run ]] || fail "no status of the join"
[[ $(count "$st" ".job_id == \"$join\" and .type == \"done\"") -eq 1 ]] ||
    fail "the join is not done exactly once"
for i in $(seq 0 8); do
    c=$(printf '%s.c%04d' "${join%.join}" "$i")
    [[ $(count "$st" ".job_id == \"$c\" and .type == \"done\" and .run_id == \"$run\"") -ge 1 ]] ||
        fail "chunk $c never done"
done
[[ $(count "$st" ".run_id == \"$run\" and .type == \"started\" and .worker == \"wA\"") -ge 1 ]] ||
    fail "wA never held a chunk"
[[ $(count "$st" ".run_id == \"$run\" and .type == \"done\" and .worker == \"wA\"") -eq 0 ]] ||
    fail "wA finished something: it was killed before"

note "the joined output is exactly the single-job video"
out=$OUT/talk.mp4
"$VS_BIN/vs-make-job" --input "$IN/talk.mp4" --output "$out" --sidecar "$IN/talk.vad.json" \
    > "$WORK/whole.json"
res=$("$VS_BIN/vs-check-frames" --exact "$WORK/whole.json" "$out") || { echo "$res"; fail "exact frame truth"; }
echo "$res"
# The frame count exactly (the checker allows one either way).
[[ $res =~ \ ([0-9]+)\ pictures\ \(expected\ ([0-9]+)\) && ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" ]] ||
    fail "the joined output does not have exactly the planned frame count"
"$VS_BIN/vs-check-audio" --tolerance-ms 1 "$WORK/whole.json" "$out" || fail "audio truth"
errs=$(ffmpeg -nostdin -v error -i "$out" -f null - 2>&1)
[[ -z $errs ]] || fail "the joined output does not decode cleanly: $errs"
tag=$(probe "$out" "" format_tags=comment)
[[ $tag == "vs-job:$vid" ]] || fail "output comment '$tag', expected vs-job:$vid"
left=$(cd "$OUT" && ls -A | grep -vx talk.mp4 || true)
[[ -z $left ]] || fail "the output folder holds more than the output: $left"

note "a killed vs-produce run again: the finished chunks are kept"
kill -TERM "$PID_wB"
wait "$PID_wB" 2>/dev/null || true
start_worker wC --fault slow:2
wait_log "$WORK/wC.log" "assigned" 20
OUT2=$WORK/out2
produce() { # LOG [options...]
    local log=$1
    shift
    exec "$VS_BIN/vs-produce" --brokers "$ADDR" "${KAFKA_X[@]}" --folder "$IN" -o "$OUT2" --chunk 5 \
        --json --progress lines -v --timeout 120 "$@" > "$WORK/$log.json" 2> "$WORK/$log.log"
}
(produce p1) &
PID_p1=$!
PIDS+=("$PID_p1")
for _ in $(seq 300); do
    (($(grep -c '\.c[0-9]\{4\} (talk.mp4): done' "$WORK/wC.log" || true) >= 3)) && break
    sleep 0.1
done
kill -KILL "$PID_p1"
wait "$PID_p1" 2>/dev/null || true
n1=$(grep -c '\.c[0-9]\{4\} (talk.mp4): done' "$WORK/wC.log" || true)
((n1 >= 3 && n1 < 9)) || fail "vs-produce was killed after $n1 chunks, want 3 to 8"
[[ ! -e $OUT2/talk.mp4 ]] || fail "the output exists before the join"
(produce p2) || fail "the re-run failed: $(tail -n 5 "$WORK/p2.log")"
vid2=$(jq -r '.files[0].job_id' "$WORK/p2.json")
jq -e '.files[0].state == "done" and .files[0].worker == "wC"' "$WORK/p2.json" > /dev/null ||
    fail "the re-run: $(jq -c '.files' "$WORK/p2.json")"
# Each chunk is encoded once, for the killed run or the re-run, never twice;
# the re-run found at least the killed run's finished ones already done.
for i in $(seq 0 8); do
    c=$(printf '\\.c%04d (talk.mp4)' "$i")
    [[ $(grep -c "$c: done" "$WORK/wC.log") -eq 1 ]] || fail "chunk $i not encoded exactly once"
done
again=$(grep -c '\.c[0-9]\{4\} (talk.mp4): already done' "$WORK/wC.log" || true)
((again >= n1)) || fail "$again chunks were found done by the re-run, want >= $n1"
"$VS_BIN/vs-check-frames" --exact "$WORK/whole.json" "$OUT2/talk.mp4" > /dev/null ||
    fail "the re-run's output is not exact"
left=$(cd "$OUT2" && ls -A | grep -vx talk.mp4 || true)
[[ -z $left ]] || fail "the output folder holds more than the output: $left"

note "a third run skips the video; --overwrite encodes it again"
(produce p3) || fail "the third run failed"
jq -e '.skipped == 1 and .files[0].state == "skipped"' "$WORK/p3.json" > /dev/null ||
    fail "not skipped: $(jq -c '.files' "$WORK/p3.json")"
kill -TERM "$PID_wC"
wait "$PID_wC" 2>/dev/null || true
start_worker wD
wait_log "$WORK/wD.log" "assigned" 20
before=$(stat -c %Y.%s "$OUT2/talk.mp4")
(produce p4 --overwrite) || fail "the --overwrite run failed: $(tail -n 5 "$WORK/p4.log")"
vid4=$(jq -r '.files[0].job_id' "$WORK/p4.json")
jq -e '.files[0].state == "done"' "$WORK/p4.json" > /dev/null || fail "--overwrite: not done"
[[ $vid4 != "$vid" ]] || fail "--overwrite reused the video id $vid"
grep -q 'already done' "$WORK/wD.log" && fail "--overwrite reused a finished chunk"
tag=$(probe "$OUT2/talk.mp4" "" format_tags=comment)
[[ $tag == "vs-job:$vid4" ]] || fail "--overwrite: output comment '$tag', expected vs-job:$vid4"
"$VS_BIN/vs-check-frames" --exact "$WORK/whole.json" "$OUT2/talk.mp4" > /dev/null ||
    fail "the --overwrite output is not exact"
note "ok"
