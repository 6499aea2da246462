#!/usr/bin/env bash
# sigterm.sh - SIGTERM during a job: the job is finished or redelivered,
# never lost and never left half-written.
#   1. grace over: the job is cancelled mid-encode, handed back uncommitted,
#      the worker leaves cleanly, and another worker does it.
#   2. within grace: the job finishes, its offset is committed, and a new
#      worker of the group does not even receive it again.
#   3. --grace 0 in the middle of a real encode: the pipeline stops, no
#      partial file is left (under any name), and another worker does it.
source "$(dirname "$0")/lib.sh"

start_broker
mkdir -p "$WORK/out"
st=$WORK/status.jsonl

wait_done() { # JOB_ID SECONDS
    for _ in $(seq "$2"); do
        status_dump "$st"
        [[ $(count "$st" ".job_id == \"$1\" and .type == \"done\"") -ge 1 ]] && return 0
        sleep 1
    done
    fail "$1 was not done after $2 s"
}

note "1. SIGTERM with --grace 1 during a 20 s job"
start_worker wA --grace 1 --fault slow:20
wait_log "$WORK/wA.log" "assigned" 20
make_job v1 "$WORK/out" > "$WORK/job1.jsonl"
produce_jobs "$WORK/job1.jsonl"
wait_log "$WORK/wA.log" "v1.mp4\): started" 20
sleep 1
kill -TERM "$PID_wA"
wait_exit "$PID_wA" 20
[[ $EXIT_CODE -eq 0 ]] || fail "wA exited with $EXIT_CODE after SIGTERM"
grep -q "handed back" "$WORK/wA.log" || fail "wA did not hand the job back"
[[ ! -e $WORK/out/v1.mp4 ]] || fail "a cancelled job left an output"
no_temp_files "$WORK/out"
start_worker wB
wait_done "$TEST_NAME-v1" 40
check_output "$WORK/out/v1.mp4" 4.875 122
all_of "$st" '.type == "done"' '.worker == "wB"' || fail "v1 not done by wB"
all_of "$st" '.type == "retry"' '.worker == "wA" and (.error | test("stopping"))' ||
    fail "wA's hand-back is not on the status topic"
kill -TERM "$PID_wB"
wait_exit "$PID_wB" 20

note "2. SIGTERM with --grace 30 during a 4 s job"
start_worker wC --grace 30 --fault slow:4
wait_log "$WORK/wC.log" "assigned" 20
make_job v2 "$WORK/out" > "$WORK/job2.jsonl"
produce_jobs "$WORK/job2.jsonl"
wait_log "$WORK/wC.log" "v2.mp4\): started" 20
kill -TERM "$PID_wC"
wait_exit "$PID_wC" 30
[[ $EXIT_CODE -eq 0 ]] || fail "wC exited with $EXIT_CODE after SIGTERM"
grep -q "v2.mp4): done" "$WORK/wC.log" || fail "wC did not finish its job within grace"
check_output "$WORK/out/v2.mp4" 4.875 122
start_worker wD
wait_log "$WORK/wD.log" "assigned" 20
sleep 3
status_dump "$st"
[[ $(count "$st" ".job_id == \"$TEST_NAME-v2\" and .type == \"started\"") -eq 1 ]] ||
    fail "v2 ran again after its worker stopped"
! grep -q "already finished" "$WORK/wD.log" || fail "v2's offset was not committed"
[[ $(count "$st" '.type == "done"') -eq 2 ]] || fail "expected exactly 2 done messages"
no_temp_files "$WORK/out"

note "3. SIGTERM with --grace 0 one second into a real encode (300 s input)"
kill -TERM "$PID_wD"
wait_exit "$PID_wD" 20
maps=(--path-map "/nas/session/out=$WORK/out3" --path-map "/nas/session=$FIX/nas/session")
mkdir -p "$WORK/out3"
start_worker wE --grace 0 "${maps[@]}"
wait_log "$WORK/wE.log" "assigned" 20
job=$WORK/job3.json
awk '/^## Job message/ { f = 1 } f && /^```json/ { g = 1; next } g && /^```/ { exit } g { print }' \
    "$VS_SRC/docs/protocol.md" | tr -d '\n' > "$job"
id=$(jq -r .job_id "$job")
kcat -b "$ADDR" -P -t vs.jobs -k "$id" "$job" || fail "kcat -P failed"
wait_log "$WORK/wE.log" "facecam.mp4\): started" 20
sleep 1
kill -TERM "$PID_wE"
wait_exit "$PID_wE" 20
[[ $EXIT_CODE -eq 0 ]] || fail "wE exited with $EXIT_CODE after SIGTERM"
if grep -q "facecam.mp4): done" "$WORK/wE.log"; then
    note "(the encode finished before the signal: nothing to hand back)"
else
    grep -q "handed back" "$WORK/wE.log" || fail "wE neither finished nor handed back"
    [[ -z $(ls -A "$WORK/out3") ]] || fail "a cancelled encode left: $(ls -A "$WORK/out3")"
    start_worker wF "${maps[@]}"
    wait_done "$id" 60
fi
check_output "$WORK/out3/facecam.mp4" "$(jq -r .out_duration "$job")" 2334
no_temp_files "$WORK/out3"
[[ $(count "$st" ".job_id == \"$id\" and .type == \"done\"") -eq 1 ]] || fail "facecam done twice"
note "ok"
