#!/usr/bin/env bash
# With nobody consuming the jobs topic, vs-produce says so plainly within a
# few seconds, and --timeout ends the run with the videos counted failed.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"

make_session "$T/in" 2 a.mp4 b.mp4

check_run() { # OUT ERR RC
    [ "$3" -eq 1 ] || fail "exit $3, want 1"
    grep -q "no worker is consuming vs.jobs" "$2" || fail "no 'no worker is consuming' warning"
    [ "$(tail -n 1 "$1")" = "Done. 0/2 videos processed, 2 failed." ] \
        || fail "summary: $(tail -n 1 "$1")"
    grep -q "no worker took the job" "$2" || fail "the failure reason does not say why"
}

# 1. A broker (vs-broker) with no worker at all.
start_broker
set +e
"$BIN/vs-produce" --folder "$T/in" -o "$T/out" --brokers "$BROKER" --worker-wait 2 \
    --timeout 5 >"$T/run1.out" 2>"$T/run1.err"
rc=$?
set -e
check_run "$T/run1.out" "$T/run1.err" $rc
# The warning came after about --worker-wait, not at the timeout.
grep -q "no heartbeat of group vs-workers on vs.status for 2 s" "$T/run1.err" \
    || fail "warning not after --worker-wait"

# 2. The embedded broker with no local worker (--parallel 0).
set +e
"$BIN/vs-produce" --folder "$T/in" -o "$T/out" --parallel 0 --worker-wait 2 --timeout 5 \
    >"$T/run2.out" 2>"$T/run2.err"
rc=$?
set -e
check_run "$T/run2.out" "$T/run2.err" $rc
grep -q "vs-worker --brokers 127.0.0.1:" "$T/run2.err" || fail "no hint how to join local workers"
echo ok
