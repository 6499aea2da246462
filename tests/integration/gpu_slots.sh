#!/usr/bin/env bash
# gpu_slots.sh - NVENC sessions are a per-machine cap shared by every
# worker process: two workers of --parallel 2 on one machine with
# --gpu-sessions 2 never run more than 2 encodes at once, and a session
# slot held by a process that dies (kill -9) frees itself.
# The nvenc-busy fault point makes this a GPU machine (the first encoder
# open of each job fails with the session limit, later ones fall back to
# the CPU encoder while still holding their session slot).
source "$(dirname "$0")/lib.sh"

start_broker
common=(--parallel 2 --gpu-sessions 2 --gpu-backoff 1 --fault nvenc-busy,slow:2)
start_worker wA "${common[@]}"
start_worker wB "${common[@]}"
wait_log "$WORK/wA.log" "assigned" 20
wait_log "$WORK/wB.log" "assigned" 20
sleep 1

mkdir -p "$WORK/out"
for i in 1 2 3 4 5 6; do make_job "v$i" "$WORK/out"; done > "$WORK/jobs.jsonl"
note "six jobs, four slots, two NVENC sessions"
produce_jobs "$WORK/jobs.jsonl"
st=$WORK/status.jsonl
for _ in $(seq 120); do
    status_dump "$st"
    [[ $(count "$st" '.type == "done"') -ge 6 ]] && break
    sleep 0.5
done
[[ $(count "$st" '.type == "done"') -eq 6 ]] || fail "expected 6 done messages"
[[ $(count "$st" '.type == "failed"') -eq 0 ]] || fail "a job was reported failed"
for i in 1 2 3 4 5 6; do check_output "$WORK/out/v$i.mp4" 4.875 122; done
# Attempts running at once, from the status topic (one clock: one machine).
max=$(jq -s '[.[] | select(.type == "started" or .type == "done" or .type == "retry")
              | {ts, d: (if .type == "started" then 1 else -1 end)}]
             | sort_by(.ts, .d) | reduce .[] as $e ({n: 0, m: 0};
                 .n += $e.d | .m = ([.m, .n] | max)) | .m' "$st")
note "at most $max attempts at once"
[[ $max -le 2 ]] || fail "$max encodes at once with 2 NVENC sessions"
[[ $max -eq 2 ]] || fail "the two sessions were never used at once"
grep -q "NVENC sessions of this machine are taken" "$WORK/wA.log" "$WORK/wB.log" ||
    fail "no worker ever waited for a session"

note "a slot of a killed worker frees itself"
start_worker wC --parallel 1 --gpu-sessions 1 --fault nvenc-busy,slow:60 --grace 0
wait_log "$WORK/wC.log" "assigned" 20
make_job v1 "$WORK/out2" --overwrite | sed 's/"job_id":"[^"]*"/"job_id":"gpu-slots-kill"/' > "$WORK/job2.jsonl"
mkdir -p "$WORK/out2"
kill -TERM "$PID_wA" "$PID_wB"
wait_exit "$PID_wA" 20
wait_exit "$PID_wB" 20
produce_jobs "$WORK/job2.jsonl"
wait_log "$WORK/wC.log" "started \(NVENC session slot 0\)" 30
! flock -n "$WORK/gpu-slots/slot-0" true || fail "slot 0 is not locked while wC encodes"
kill -KILL "$PID_wC"
wait_exit "$PID_wC" 10
flock -n "$WORK/gpu-slots/slot-0" true || fail "slot 0 still locked after wC died"
note "ok"
