#!/usr/bin/env bash
# rebalance.sh - a worker joins while every job is running on another one.
# Cooperative rebalancing moves half of the partitions, with jobs still
# running on their first worker: the new owner sees them running on the
# status topic and holds them (no second run), then stores their offsets
# once they are done, so a worker joining later receives nothing again.
source "$(dirname "$0")/lib.sh"

start_broker
start_worker wA --parallel 16 --fault slow:30
wait_log "$WORK/wA.log" "assigned 16" 20

mkdir -p "$WORK/out"
for i in $(seq 0 15); do
    v=$((i % 6 + 1))
    "$VS_BIN/vs-make-job" --input "$FIX/session/v$v.mp4" --output "$WORK/out/j$i.mp4" \
        --sidecar "$FIX/session/session.vad.json" --job-id "$TEST_NAME-$i" |
        tr -d '\n' | kcat -b "$ADDR" -P -t vs.jobs -p "$i" -k "$TEST_NAME-$i" ||
        fail "kcat -P failed"
done
note "16 jobs, one per partition, all running on wA"
for _ in $(seq 100); do
    [[ $(grep -c "): started" "$WORK/wA.log") -ge 16 ]] && break
    sleep 0.1
done
[[ $(grep -c "): started" "$WORK/wA.log") -eq 16 ]] || fail "wA did not start all 16 jobs"

start_worker wB --parallel 2
wait_log "$WORK/wB.log" "assigned" 20
wait_log "$WORK/wA.log" "gave up" 20
note "wB joined; wA gave up $(grep -o 'gave up [0-9]*' "$WORK/wA.log")"

st=$WORK/status.jsonl
for _ in $(seq 60); do
    status_dump "$st"
    [[ $(count "$st" '.type == "done"') -ge 16 ]] && break
    sleep 1
done
sleep 2
status_dump "$st"
[[ $(count "$st" '.type == "done"') -eq 16 ]] || fail "expected 16 done messages"
[[ $(count "$st" '.type == "started"') -eq 16 ]] || fail "a job ran twice"
all_of "$st" '.type == "started"' '.worker == "wA"' || fail "wB ran a job that was running on wA"
held=$(grep -c "running on wA; waiting for its result" "$WORK/wB.log" || true)
[[ $held -ge 1 ]] || fail "wB never saw a job running elsewhere (no partition with a job moved?)"
wait_log "$WORK/wB.log" "finished by wA" 10
for i in $(seq 0 15); do check_output "$WORK/out/j$i.mp4" 4.875 122; done

note "wB held $held job(s); a third worker must receive nothing"
kill -TERM "$PID_wA" "$PID_wB"
wait_exit "$PID_wA" 20
wait_exit "$PID_wB" 20
start_worker wC
wait_log "$WORK/wC.log" "assigned 16" 20
sleep 3
! grep -Eq "started|already finished|waiting" "$WORK/wC.log" ||
    fail "offsets were not committed: $(grep -E 'started|already|waiting' "$WORK/wC.log")"
note "ok"
