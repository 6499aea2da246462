#!/usr/bin/env bash
# long_job.sh - a job that runs three times longer than max.poll.interval.ms
# (set to its floor, session.timeout.ms) completes once, with no rebalance
# and no second run: the worker keeps polling while the job runs.
source "$(dirname "$0")/lib.sh"

KAFKA_X+=(-X max.poll.interval.ms=6000)
start_broker
start_worker wA --parallel 1 --fault slow:20
start_worker wB --parallel 1 --fault slow:20
wait_log "$WORK/wA.log" "assigned" 20
wait_log "$WORK/wB.log" "assigned" 20

mkdir -p "$WORK/out"
make_job v1 "$WORK/out" > "$WORK/jobs.jsonl"
note "one 20 s job, max.poll.interval.ms = 6 s"
produce_jobs "$WORK/jobs.jsonl"

st=$WORK/status.jsonl
for _ in $(seq 60); do
    status_dump "$st"
    [[ $(count "$st" '.type == "done"') -ge 1 ]] && break
    sleep 1
done
[[ $(count "$st" '.type == "done"') -eq 1 ]] || fail "the job did not finish once"
sleep 2
status_dump "$st"
[[ $(count "$st" '.type == "started"') -eq 1 ]] || fail "the job was started more than once"
[[ $(count "$st" '.type == "done"') -eq 1 ]] || fail "the job finished more than once"
check_output "$WORK/out/v1.mp4" 4.875 122
# It kept reporting while it ran (progress about once a second).
n=$(count "$st" '.type == "progress"')
[[ $n -ge 15 ]] || fail "only $n progress messages in 20 s"
for w in wA wB; do
    ! grep -Eq "gave up|lost|MAX_POLL|exceeded" "$WORK/$w.log" ||
        fail "$w went through a rebalance: $(grep -E 'gave up|lost|MAX_POLL|exceeded' "$WORK/$w.log")"
    [[ $(grep -c "assigned" "$WORK/$w.log") -eq 1 ]] || fail "$w was assigned more than once"
done
note "ok: one run, $n progress messages, no rebalance"
