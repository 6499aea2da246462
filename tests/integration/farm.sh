#!/usr/bin/env bash
# farm.sh - a broker, two workers with --parallel 2 and vs-produce on a
# folder of six videos: six correct outputs, both workers did work, every
# job ran exactly once, and the summary is right. Each job's codecs get the
# cores shared out between the slots (wA: the default), or --threads (wB).
source "$(dirname "$0")/lib.sh"

start_broker
start_worker wA --parallel 2 -vv
start_worker wB --parallel 2 --threads 3 -vv
wait_log "$WORK/wA.log" "assigned" 20
wait_log "$WORK/wB.log" "assigned" 20

note "vs-produce on six videos"
"$VS_BIN/vs-produce" --brokers "$ADDR" "${KAFKA_X[@]}" --folder "$FIX/session" \
    -o "$WORK/out" --progress none --timeout 120 > "$WORK/produce.out" 2> "$WORK/produce.log" ||
    fail "vs-produce failed (exit $?)"
grep -qx "Done. 6/6 videos processed." "$WORK/produce.out" ||
    fail "summary: $(cat "$WORK/produce.out")"

for i in 1 2 3 4 5 6; do
    check_output "$WORK/out/v$i.mp4" 4.875 122
done
no_temp_files "$WORK/out"

status_dump "$WORK/status.jsonl"
st=$WORK/status.jsonl
[[ $(count "$st" '.type == "done"') -eq 6 ]] || fail "expected 6 done messages"
[[ $(jq -r 'select(.type == "done") | .job_id' "$st" | sort -u | wc -l) -eq 6 ]] ||
    fail "a job finished twice or not at all"
[[ $(count "$st" '.type == "started"') -eq 6 ]] || fail "a job was started more than once"
[[ $(count "$st" '.type == "failed" or .type == "retry"') -eq 0 ]] || fail "failures reported"
for w in wA wB; do
    n=$(count "$st" ".type == \"done\" and .worker == \"$w\"")
    [[ $n -ge 1 ]] || fail "worker $w did no job"
    note "$w ran $n job(s)"
done
# Each done message carries the result.
all_of "$st" '.type == "done"' '.out_duration > 4.8 and .frames >= 121 and .bytes > 0 and
    .encoder == "libx264" and .seconds >= 0 and .file != ""' || fail "incomplete results"
[[ $(count "$st" '.type == "heartbeat" and .slots == 2 and .host != "" and .vs_version != ""') -ge 2 ]] ||
    fail "no heartbeats with slots"
# The threads each job ran with (pipeline.c's debug line): wA's jobs the
# cores shared out between its 2 slots, wB's the --threads given.
share=$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 ))
grep -q "video decoder threads 1, libx264 threads $share " "$WORK/wA.log" ||
    fail "wA's jobs did not get $share codec thread(s): $(grep -m1 'decoder threads' "$WORK/wA.log")"
grep -q "video decoder threads 1, libx264 threads 3 " "$WORK/wB.log" ||
    fail "wB's jobs did not get --threads 3: $(grep -m1 'decoder threads' "$WORK/wB.log")"
note "codec threads: wA $share per job (default), wB 3 (--threads)"
note "ok"
