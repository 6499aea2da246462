#!/usr/bin/env bash
# placement.sh - four equal jobs on two workers x two slots run as two per
# worker, all four at the same time, wherever Kafka put the messages (a
# worker whose slots are full hands its waiting job to the idle one).
source "$(dirname "$0")/lib.sh"

start_broker
# slow:4 - every job takes 4 s more than its encode, so overlaps are clear.
start_worker wA --parallel 2 --fault slow:4
start_worker wB --parallel 2 --fault slow:4
wait_log "$WORK/wA.log" "assigned" 20
wait_log "$WORK/wB.log" "assigned" 20
sleep 1 # heartbeats with the assignments reach both

mkdir -p "$WORK/out"
for i in 1 2 3 4; do make_job "v$i" "$WORK/out"; done > "$WORK/jobs.jsonl"
note "four jobs"
produce_jobs "$WORK/jobs.jsonl"

st=$WORK/status.jsonl
for _ in $(seq 300); do
    status_dump "$st"
    [[ $(count "$st" '.type == "done"') -ge 4 ]] && break
    sleep 0.1
done
[[ $(count "$st" '.type == "done"') -eq 4 ]] || fail "expected 4 done messages"
for i in 1 2 3 4; do check_output "$WORK/out/v$i.mp4" 4.875 122; done

for w in wA wB; do
    n=$(count "$st" ".type == \"started\" and .worker == \"$w\"")
    [[ $n -eq 2 ]] || fail "worker $w started $n jobs, expected 2"
done
# At the same time: every job started before any finished.
jq -se '([.[] | select(.type == "started") | .ts] | max) <
        ([.[] | select(.type == "done") | .ts] | min)' "$st" > /dev/null ||
    fail "the four jobs did not run at the same time"
note "ok: two per worker, all four at once"
