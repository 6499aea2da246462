#!/usr/bin/env bash
# kill9.sh - a worker killed with SIGKILL in the middle of a job: its
# partitions move to the other worker once the group notices (session
# timeout), which first sees the job still "running" on the status topic,
# holds it until the dead worker has been silent for 15 s, then runs it.
# The job is not lost, and no partial file is left under the real name.
source "$(dirname "$0")/lib.sh"

start_broker
maps=(--path-map "/nas/session/out=$WORK/out" --path-map "/nas/session=$FIX/nas/session")
mkdir -p "$WORK/out"
start_worker wA "${maps[@]}" --fault slow:3
wait_log "$WORK/wA.log" "assigned 16" 20
job=$WORK/job.json
awk '/^## Job message/ { f = 1 } f && /^```json/ { g = 1; next } g && /^```/ { exit } g { print }' \
    "$VS_SRC/docs/protocol.md" | tr -d '\n' > "$job"
id=$(jq -r .job_id "$job")
kcat -b "$ADDR" -P -t vs.jobs -k "$id" "$job" || fail "kcat -P failed"
wait_log "$WORK/wA.log" "facecam.mp4\): started" 20
start_worker wB "${maps[@]}"
wait_log "$WORK/wB.log" "joined group" 20
sleep 4 # into the encode (after the 3 s of slow:3)
kill -KILL "$PID_wA"
note "wA killed during the encode"
[[ ! -e $WORK/out/facecam.mp4 ]] || fail "a partial output under the real name"

st=$WORK/status.jsonl
for _ in $(seq 90); do
    status_dump "$st"
    [[ $(count "$st" ".job_id == \"$id\" and .type == \"done\"") -ge 1 ]] && break
    sleep 1
done
[[ $(count "$st" ".job_id == \"$id\" and .type == \"done\"") -eq 1 ]] || fail "the job was lost"
all_of "$st" ".type == \"done\"" '.worker == "wB"' || fail "not done by wB"
grep -q "running on wA; waiting for its result" "$WORK/wB.log" ||
    fail "wB did not wait for the job it saw running"
grep -q "no longer running on wA; taking it" "$WORK/wB.log" || fail "wB did not take it over"
check_output "$WORK/out/facecam.mp4" "$(jq -r .out_duration "$job")" 2334
left=$(cd "$WORK/out" && ls -A | grep -vx facecam.mp4 || true)
[[ -z $left ]] || note "the killed worker left its temporary file: $left"
note "ok"
