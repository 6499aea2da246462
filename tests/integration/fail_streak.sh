#!/usr/bin/env bash
# fail_streak.sh - a worker whose attempts keep failing (it cannot write
# its outputs: "File too large", start_full_worker) stops taking jobs for
# --fail-pause seconds after --fail-streak failures in a row, says so in
# its log and its heartbeats (slots 0, paused_s), and the jobs go to a
# healthy worker ("preferably on another worker"):
#   1. wBad (3 slots) alone gets three jobs: three failed attempts in a
#      row, then the pause;
#   2. wGood joins: the three jobs complete there, on their second attempt;
#   3. two more jobs sent to wBad's partitions during the pause are handed
#      to wGood; wBad starts nothing while paused;
#   4. the pause ends: wBad takes jobs again (heartbeat slots 3, paused_s 0).
source "$(dirname "$0")/lib.sh"

PAUSE=40
start_broker
start_full_worker wBad --parallel 3 --fail-streak 3 --fail-pause "$PAUSE" --heartbeat 1
wait_log "$WORK/wBad.log" "assigned 16" 20
mkdir -p "$WORK/out"
for i in 1 2 3; do make_job "v$i" "$WORK/out"; done > "$WORK/jobs1.jsonl"
note "1. three jobs on the failing worker"
produce_jobs "$WORK/jobs1.jsonl"
wait_log "$WORK/wBad.log" "3 attempts in a row failed here .*File too large.*: taking no jobs for $PAUSE s" 30
paused_at=$(date +%s)

note "2. a healthy worker joins"
start_worker wGood --parallel 1 --heartbeat 1
wait_log "$WORK/wGood.log" "assigned" 30
st=$WORK/status.jsonl
for _ in $(seq 40); do
    status_dump "$st"
    [[ $(count "$st" '.type == "done"') -ge 3 ]] && break
    sleep 0.5
done
[[ $(count "$st" '.type == "done" and .worker == "wGood"') -eq 3 ]] ||
    fail "the first three jobs were not done by wGood"
n=$(jq -c 'select(.type == "started" and .worker == "wGood" and .attempts == 1)' "$st" | wc -l)
[[ $n -eq 3 ]] || fail "wGood did not run them as second attempts"

note "3. two jobs for wBad's partitions during its pause"
parts=$(jq -r 'select(.type == "heartbeat" and .worker == "wBad") | .partitions' "$st" | tail -n1)
[[ -n $parts ]] || fail "wBad holds no partition"
note "wBad holds partitions $parts"
IFS=, read -ra plist <<<"$parts"
for i in 4 5; do
    make_job "v$i" "$WORK/out" | tr -d '\n' |
        kcat -b "$ADDR" -P -t vs.jobs -p "${plist[$((i % ${#plist[@]}))]}" -k "$TEST_NAME-v$i" ||
        fail "kcat -P failed"
done
for _ in $(seq 40); do
    status_dump "$st"
    [[ $(count "$st" '.type == "done"') -ge 5 ]] && break
    sleep 0.5
done
(( $(date +%s) < paused_at + PAUSE - 1 )) ||
    fail "test too slow: the jobs of step 3 arrived after wBad's pause (raise PAUSE)"
[[ $(count "$st" '.type == "done" and .worker == "wGood"') -eq 5 ]] ||
    fail "the jobs sent during the pause were not done by wGood"
grep -q "handing it to wGood" "$WORK/wBad.log" || fail "wBad did not hand its jobs to wGood"
[[ $(count "$st" '.type == "started" and .worker == "wBad"') -eq 3 ]] ||
    fail "wBad started a job while paused"
[[ $(count "$st" '.type == "heartbeat" and .worker == "wBad" and .slots == 0 and
                  .paused_s > 0 and .stopping == false') -ge 1 ]] ||
    fail "no heartbeat of wBad shows the pause"
[[ $(count "$st" '.type == "failed"') -eq 0 ]] || fail "a job failed"
[[ $(count "$st" '.type == "retry" and .worker == "wBad" and .attempts == 1 and
                  (.error | test("File too large"))') -eq 3 ]] || fail "expected wBad's three retries"
for i in 1 2 3 4 5; do check_output "$WORK/out/v$i.mp4" 4.875 122; done
no_temp_files "$WORK/out"

note "4. the pause ends"
wait_log "$WORK/wBad.log" "failure pause over: taking jobs again" $((PAUSE + 10))
for _ in $(seq 30); do
    status_dump "$st"
    [[ $(count "$st" '.type == "heartbeat" and .worker == "wBad" and .slots == 3 and
                      .paused_s == 0 and .ts > '"$paused_at"'') -ge 1 ]] && break
    sleep 0.5
done
[[ $(count "$st" '.type == "heartbeat" and .worker == "wBad" and .slots == 3 and
                  .paused_s == 0 and .ts > '"$paused_at"'') -ge 1 ]] ||
    fail "no heartbeat shows wBad taking jobs again"
note "ok"
