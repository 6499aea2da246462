#!/usr/bin/env bash
# bad_media.sh - valid job messages whose input cannot be processed (a
# truncated MP4, one cut in half after its index, random bytes named .mp4,
# an empty file, an audio-only file, a stream claiming 100000x100000
# pixels) fail at once through a worker: one attempt each, a permanent
# failed status naming the file, no retry, nothing left in the output
# folder, no dead-letter copy (the message is fine, the media is not), no
# failure-streak pause (bad input says nothing about the worker), and the
# good job queued after them completes on the same, living worker.
source "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/in" "$WORK/out"
head -c 20000 "$FIX/session/v1.mp4" > "$WORK/in/truncated.mp4"
ffmpeg -nostdin -loglevel error -y -i "$FIX/session/v2.mp4" -c copy -movflags +faststart \
    "$WORK/faststart.mp4"
head -c $(($(stat -c %s "$WORK/faststart.mp4") / 2)) "$WORK/faststart.mp4" > "$WORK/in/halfcut.mp4"
head -c 65536 /dev/urandom > "$WORK/in/random.mp4"
: > "$WORK/in/empty.mp4"
ffmpeg -nostdin -loglevel error -y -f lavfi -i sine=d=6 -c:a aac "$WORK/in/audioonly.mp4"
# A stream header claiming a 100000x100000 picture (YUV4MPEG2 is probed by
# content, not by the .mp4 name); nothing may try to allocate it.
{ printf 'YUV4MPEG2 W100000 H100000 F25:1 Ip A1:1 C420jpeg\nFRAME\n'; head -c 4096 /dev/zero; } \
    > "$WORK/in/huge.mp4"
names=(truncated halfcut random empty audioonly huge)

# A valid job for WORK/in/NAME.mp4, planned like the session's videos.
job_for() {
    printf '{"type":"job","version":1,"job_id":"bad-%s","run_id":"bad-media","input":"%s",' \
        "$1" "$WORK/in/$1.mp4"
    printf '"output":"%s","offset":0,"duration":6,"segments":[[0,1,1],[1,4.5,4],[4.5,6,1]]}' \
        "$WORK/out/$1.mp4"
}

start_broker
start_worker wA --fail-streak 2 --max-attempts 3
wait_log "$WORK/wA.log" "assigned 16" 20

note "six jobs with bad media, then a good one"
for n in "${names[@]}"; do
    printf 'bad-%s\t%s\n' "$n" "$(job_for "$n")"
done | kcat -b "$ADDR" -P -t vs.jobs -K $'\t' || fail "kcat -P failed"
make_job v1 "$WORK/out" > "$WORK/good.jsonl"
produce_jobs "$WORK/good.jsonl"

st=$WORK/status.jsonl
for _ in $(seq 60); do
    status_dump "$st"
    [[ $(count "$st" '.type == "done" or .type == "failed"') -ge 7 ]] && break
    sleep 1
done
[[ $(count "$st" '.type == "done"') -eq 1 ]] || fail "the good job did not complete"
check_output "$WORK/out/v1.mp4" 4.875 122
for n in "${names[@]}"; do
    id=bad-$n
    n_failed=$(jq -c --arg id "$id" --arg f "$n.mp4" 'select(.type == "failed" and .job_id == $id
        and .rejected == false and .attempts == 1 and .file == $f and
        (.error | contains($f)))' "$st" | wc -l)
    [[ $n_failed -eq 1 ]] || fail "$id: no permanent failure naming $n.mp4:
$(jq -c --arg id "$id" 'select(.job_id == $id)' "$st")"
    [[ $(count "$st" ".job_id == \"$id\" and .type == \"started\"") -eq 1 ]] ||
        fail "$id: started more than once"
    note "$id: $(jq -r --arg id "$id" 'select(.type == "failed" and .job_id == $id) | .error' "$st")"
done
[[ $(count "$st" '.type == "retry"') -eq 0 ]] || fail "bad media was retried"
[[ $(count "$st" '.type == "failed"') -eq 6 ]] || fail "more failures than bad inputs"
kill -0 "$PID_wA" 2>/dev/null || fail "the worker died"
! grep -q "taking no jobs" "$WORK/wA.log" || fail "bad input counted toward a failure streak"
[[ $(count "$st" '.type == "heartbeat" and .paused_s > 0') -eq 0 ]] || fail "a heartbeat shows a pause"
[[ $(cd "$WORK/out" && ls -A) == v1.mp4 ]] || fail "output folder holds: $(ls -A "$WORK/out")"
n=$(kcat -b "$ADDR" -C -t vs.jobs.dead -o beginning -e -q 2>/dev/null | wc -l || true)
[[ $n -eq 0 ]] || fail "bad media ended on the dead-letter topic"
note "ok"
