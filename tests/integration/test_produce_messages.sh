#!/usr/bin/env bash
# vs-produce's messages tell the truth:
#  1. a refused job (failed, rejected) is reported with 0 attempts, as the
#     protocol says, not 1;
#  2. Ctrl-C in embedded mode does not promise that the jobs stay on the
#     topic for the workers: that broker dies with the process.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"
command -v kcat >/dev/null || { echo "SKIP: kcat not installed"; exit 77; }

make_session "$T/in" 2 a.mp4

# 1. kcat plays the worker that refuses the job.
start_broker
"$BIN/vs-produce" --folder "$T/in" -o "$T/out" --brokers "$BROKER" --json --timeout 60 \
    --worker-wait 60 >"$T/sum.json" 2>"$T/produce.err" &
PIDS+=($!)
wait_jobs 1
job=$(sed -n '1s/^[0-9]* //p' "$T/jobs.txt")
run=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["run_id"])' "$job")
id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["job_id"])' "$job")
status "$(st failed wX "$run" "$id" '"file":"a.mp4","error":"refused: not signed","attempts":0,"rejected":true')"
rc=0
wait "${PIDS[-1]}" || rc=$?
unset 'PIDS[-1]'
[ $rc -eq 1 ] || fail "exit $rc, want 1"
python3 - "$T/sum.json" <<'PY' || fail "refused job: $(cat "$T/sum.json")"
import json, sys
f = json.load(open(sys.argv[1]))["files"][0]
assert f["state"] == "failed" and f["attempts"] == 0 and "not signed" in f["error"], f
PY

# 2. Ctrl-C with the embedded broker (no local worker: the job waits).
"$BIN/vs-produce" --folder "$T/in" -o "$T/out2" --parallel 0 --worker-wait 60 \
    >"$T/int.out" 2>"$T/int.err" &
pid=$!
PIDS+=($pid)
for _ in $(seq 100); do
    grep -q "jobs\? on vs.jobs" "$T/int.err" && break
    sleep 0.1
done
grep -q "jobs\? on vs.jobs" "$T/int.err" || fail "the run did not start: $(cat "$T/int.err")"
kill -INT $pid
rc=0
wait $pid || rc=$?
unset 'PIDS[-1]'
[ $rc -ne 0 ] || fail "an interrupted run exited 0"
grep -q "embedded broker stops with this process" "$T/int.err" \
    || fail "no truthful note: $(cat "$T/int.err")"
! grep -q "stay on vs.jobs" "$T/int.err" || fail "it promises the jobs stay on the topic"
echo ok
