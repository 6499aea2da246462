#!/usr/bin/env bash
# health.sh - vs-worker --health-file / --health-check: the file appears
# with the first heartbeat and is rewritten with each one (the check
# passes); a worker that is stopped (SIGSTOP: alive but doing nothing)
# soon fails the check, and so does a missing file; a worker running
# again passes again.
source "$(dirname "$0")/lib.sh"

H=$WORK/health
start_broker
start_worker wA --heartbeat 1 --health-file "$H"
wait_log "$WORK/wA.log" "assigned 16" 20
for _ in $(seq 50); do [[ -s $H ]] && break; sleep 0.1; done
[[ -s $H ]] || fail "no health file after the first heartbeat"
"$VS_BIN/vs-worker" --health-check "$H" --max-age 5 || fail "a fresh heartbeat is unhealthy"
m1=$(cat "$H")
sleep 2.5
[[ $(cat "$H") != "$m1" ]] || fail "the health file is not rewritten each heartbeat"

note "a stopped worker turns unhealthy"
kill -STOP "$PID_wA"
sleep 4
set +e
"$VS_BIN/vs-worker" --health-check "$H" --max-age 3 2> "$WORK/check.err"
rc=$?
set -e
kill -CONT "$PID_wA"
[[ $rc -eq 1 ]] || fail "a stale heartbeat checks $rc, want 1"
grep -q "unhealthy: the last heartbeat was" "$WORK/check.err" || fail "no reason: $(cat "$WORK/check.err")"
set +e
"$VS_BIN/vs-worker" --health-check "$WORK/nothing" 2>/dev/null
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "a missing health file checks $rc, want 1"

note "running again: healthy again"
for _ in $(seq 50); do
    "$VS_BIN/vs-worker" --health-check "$H" --max-age 3 > /dev/null 2>&1 && break
    sleep 0.2
done
"$VS_BIN/vs-worker" --health-check "$H" --max-age 3 > /dev/null || fail "no fresh heartbeat after SIGCONT"
note "ok"
