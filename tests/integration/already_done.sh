#!/usr/bin/env bash
# already_done.sh - a job redelivered after its commit was lost, with no
# trace of it on the status topic, is recognised by the job id in its
# output's metadata: the worker reports done with the file's result and
# commits, and never encodes it again.
#
# A first broker runs the job. A second, empty broker (no commit, no
# status: as if both were lost) gets the same job message: the output is
# not touched (same inode, same mtime, same bytes), done carries its
# frames and size, and a worker that joins afterwards receives nothing.
source "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/out"
make_job v1 "$WORK/out" > "$WORK/job.jsonl"
id=$TEST_NAME-v1
out=$WORK/out/v1.mp4

note "first broker: the job runs"
start_broker
broker1=${PIDS[-1]}
start_worker wA
wait_log "$WORK/wA.log" "assigned 16" 20
produce_jobs "$WORK/job.jsonl"
wait_log "$WORK/wA.log" "v1.mp4\): done" 30
check_output "$out" 4.875 122
before=$(stat -c '%i %Y.%y %s' "$out")
sum=$(sha256sum < "$out")
kill -TERM "$PID_wA"
wait_exit "$PID_wA" 20
kill -TERM "$broker1"
wait_exit "$broker1" 20
sleep 1.1 # an encode now would show in the mtime

note "second broker, nothing known of the job: the same message again"
start_broker
start_worker wB
wait_log "$WORK/wB.log" "assigned 16" 20
produce_jobs "$WORK/job.jsonl"
wait_log "$WORK/wB.log" "v1.mp4\): (done|already|failed|output exists)" 30
grep -q "v1.mp4): already done: the output carries this job's id" "$WORK/wB.log" ||
    fail "wB did not recognise its output: $(grep 'v1.mp4' "$WORK/wB.log")"
[[ $(stat -c '%i %Y.%y %s' "$out") == "$before" && $(sha256sum < "$out") == "$sum" ]] ||
    fail "the output was written again"
no_temp_files "$WORK/out"
st=$WORK/status.jsonl
status_dump "$st"
jq -c 'select(.type != "heartbeat")' "$st"
n=$(jq -c --arg id "$id" --argjson size "$(stat -c %s "$out")" 'select(.type == "done" and
        .job_id == $id and .worker == "wB" and .frames == 122 and .bytes == $size and
        .out_duration > 4.8 and .encoder == "h264")' "$st" | wc -l)
[[ $n -eq 1 ]] || fail "no done status describing the existing output"
[[ $(count "$st" '.type == "failed" or .type == "retry" or .type == "skipped"') -eq 0 ]] ||
    fail "the redelivery was not reported as done"

note "its offset was committed: a new member receives nothing"
kill -TERM "$PID_wB"
wait_exit "$PID_wB" 20
start_worker wC
wait_log "$WORK/wC.log" "assigned 16" 20
sleep 3
! grep -Eq "v1.mp4|refused" "$WORK/wC.log" || fail "the message was read again: $(grep v1 "$WORK/wC.log")"
note "ok"
