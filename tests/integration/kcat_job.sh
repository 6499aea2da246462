#!/usr/bin/env bash
# kcat_job.sh - the job message example of docs/protocol.md, produced by
# hand with kcat before any worker exists, is processed by a worker that
# joins afterwards (a new group starts from the earliest offset; the worker
# finds the NAS elsewhere through --path-map), and kcat reads the result on
# the status topic.
source "$(dirname "$0")/lib.sh"

job=$WORK/job.json
awk '/^## Job message/ { f = 1 } f && /^```json/ { g = 1; next } g && /^```/ { exit } g { print }' \
    "$VS_SRC/docs/protocol.md" > "$job"
[[ -s $job ]] || fail "no example job in docs/protocol.md"
id=$(jq -r .job_id "$job")
out=$(jq -r .out_duration "$job")

start_broker
note "kcat -P of the documented job $id"
tr -d '\n' < "$job" | kcat -b "$ADDR" -P -t vs.jobs -k "$id" || fail "kcat -P failed"

mkdir -p "$WORK/out"
start_worker wA --path-map "/nas/session/out=$WORK/out" --path-map "/nas/session=$FIX/nas/session"
# (On Kafka the worker creates vs.status: read it once the worker is in.)
wait_log "$WORK/wA.log" "assigned" 30

st=$WORK/status.jsonl
for _ in $(seq 90); do
    status_dump "$st"
    [[ $(count "$st" ".job_id == \"$id\" and (.type == \"done\" or .type == \"failed\")") -ge 1 ]] && break
    sleep 1
done
jq -c "select(.job_id == \"$id\" and .type != \"progress\")" "$st"
[[ $(count "$st" ".job_id == \"$id\" and .type == \"done\"") -eq 1 ]] ||
    fail "no done message for $id on the status topic"
all_of "$st" ".job_id == \"$id\" and .type == \"done\"" \
    ".worker == \"wA\" and .file == \"facecam.mp4\" and .frames > 2300" ||
    fail "done message does not describe the job"
# 10 fps input: round(233.375 * 10) frames.
check_output "$WORK/out/facecam.mp4" "$out" 2334
no_temp_files "$WORK/out"
note "ok"
