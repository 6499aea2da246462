#!/usr/bin/env bash
# retries.sh - failed attempts are counted per job id and end in a failed
# status after --max-attempts:
#   1. a lone worker whose outputs cannot be written (an I/O error: "File
#      too large", start_full_worker) tries a job 3 times, 5 s apart (no
#      other worker to pass it to), reporting each failed attempt as retry
#      with its count, then failed with the last reason; nothing is left in
#      the output folder;
#   2. a worker lost mid-job counts as a failed attempt: the status topic
#      shows a job "started" (attempts 2) by a worker that then fell silent;
#      15 s later the job arrives, and the worker fails it at once (third
#      failed attempt) without starting it, naming the lost worker.
source "$(dirname "$0")/lib.sh"

start_broker
# The ghost: its attempt (the third) began and it was never heard of again.
t0=$(date +%s)
printf '%s\t{"type":"started","version":1,"worker":"ghost","host":"gone","ts":%s,"run_id":"%s","job_id":"%s","file":"v2.mp4","attempts":2}\n' \
    "$TEST_NAME-lost" "$t0" "$TEST_NAME" "$TEST_NAME-lost" |
    kcat -b "$ADDR" -P -t vs.status -K $'\t' || fail "kcat -P of the ghost's status failed"

start_full_worker wF --max-attempts 3 --fail-streak 0
wait_log "$WORK/wF.log" "assigned 16" 20
mkdir -p "$WORK/out"
make_job v1 "$WORK/out" > "$WORK/job1.jsonl"
id=$TEST_NAME-v1
note "1. $id on a worker that cannot write its output"
produce_jobs "$WORK/job1.jsonl"
st=$WORK/status.jsonl
for _ in $(seq 45); do
    status_dump "$st"
    [[ $(count "$st" ".job_id == \"$id\" and .type == \"failed\"") -ge 1 ]] && break
    sleep 1
done
jq -c --arg id "$id" 'select(.job_id == $id and .type != "progress") | {type, attempts, error}' "$st"
[[ $(count "$st" ".job_id == \"$id\" and .type == \"failed\"") -eq 1 ]] || fail "$id did not fail"
[[ $(jq -r --arg id "$id" 'select(.job_id == $id and .type == "started") | .attempts' "$st" |
     tr '\n' ' ') == "0 1 2 " ]] || fail "expected attempts 1, 2 and 3 to start"
[[ $(jq -r --arg id "$id" 'select(.job_id == $id and .type == "retry" and
        (.error | test("File too large.*attempt [12] of 3 failed"))) | .attempts' "$st" |
     tr '\n' ' ') == "1 2 " ]] || fail "expected two retries counting 1 and 2 failed attempts"
n=$(jq -c --arg id "$id" 'select(.job_id == $id and .type == "failed" and .attempts == 3 and
        .rejected == false and (.error | test("File too large.*attempt 3 of 3; giving up")))' \
        "$st" | wc -l)
[[ $n -eq 1 ]] || fail "the failed status does not carry the last reason and 3 attempts"
# 5 s between attempts: no retry storm.
jq -se --arg id "$id" '[.[] | select(.job_id == $id and .type == "started") | .ts] |
    (.[1] - .[0]) >= 4.5 and (.[2] - .[1]) >= 4.5' "$st" > /dev/null ||
    fail "attempts were not spaced"
[[ -z $(ls -A "$WORK/out") ]] || fail "the output folder holds $(ls -A "$WORK/out")"

note "2. a job whose third attempt's worker fell silent"
left=$((t0 + 17 - $(date +%s)))
((left > 0)) && sleep "$left"
make_job v2 "$WORK/out" --job-id "$TEST_NAME-lost" > "$WORK/job2.jsonl"
produce_jobs "$WORK/job2.jsonl"
id=$TEST_NAME-lost
for _ in $(seq 20); do
    status_dump "$st"
    [[ $(count "$st" ".job_id == \"$id\" and .type == \"failed\"") -ge 1 ]] && break
    sleep 1
done
jq -c --arg id "$id" 'select(.job_id == $id) | {type, worker, attempts, error}' "$st"
n=$(jq -c --arg id "$id" 'select(.job_id == $id and .type == "failed" and .worker == "wF" and
        .attempts == 3 and (.error | test("gave up after 3 failed attempts: worker ghost went silent")))' \
        "$st" | wc -l)
[[ $n -eq 1 ]] || fail "$id was not failed for its lost attempt"
[[ $(count "$st" ".job_id == \"$id\" and .type == \"started\" and .worker == \"wF\"") -eq 0 ]] ||
    fail "$id was started once more"
kill -0 "$PID_wF" 2>/dev/null || fail "the worker died"
note "ok"
