#!/usr/bin/env bash
# busy_gpu.sh - an NVENC session-limit failure on encoder open (the
# nvenc-busy test fault point: the first open of each job fails as the
# driver's limit does) ends with every job done and none reported failed;
# the worker lowered its slot count meanwhile.
source "$(dirname "$0")/lib.sh"

start_broker
# The fault makes this a GPU machine whose NVENC is full; the retries fall
# back to the CPU encoder, as --encoder auto does when NVENC does not open.
start_worker wA --parallel 2 --gpu-sessions 2 --gpu-backoff 2 --fault nvenc-busy
wait_log "$WORK/wA.log" "assigned" 20

note "vs-produce on six videos"
"$VS_BIN/vs-produce" --brokers "$ADDR" "${KAFKA_X[@]}" --folder "$FIX/session" \
    -o "$WORK/out" --progress none --timeout 150 > "$WORK/produce.out" 2> "$WORK/produce.log" ||
    fail "vs-produce failed (exit $?): $(cat "$WORK/produce.out")"
grep -qx "Done. 6/6 videos processed." "$WORK/produce.out" ||
    fail "summary: $(cat "$WORK/produce.out")"
for i in 1 2 3 4 5 6; do check_output "$WORK/out/v$i.mp4" 4.875 122; done
no_temp_files "$WORK/out"

st=$WORK/status.jsonl
status_dump "$st"
[[ $(count "$st" '.type == "failed"') -eq 0 ]] || fail "a job was reported failed"
n=$(count "$st" '.type == "retry" and (.error | test("GPU busy"))')
[[ $n -ge 6 ]] || fail "expected a busy-GPU retry per job, saw $n"
[[ $(count "$st" '.type == "done"') -eq 6 ]] || fail "expected 6 done messages"
[[ $(count "$st" '.type == "heartbeat" and .slots == 1 and .paused_s > 0') -ge 1 ]] ||
    fail "no heartbeat shows the lowered slot count"
note "ok: $n busy-GPU retries, all done"
