#!/usr/bin/env bash
# Statuses destroyed before the producer read them: a flood of foreign
# statuses past the embedded broker's 5 MiB while vs-produce is stopped
# (SIGSTOP). The producer says once, plainly, that statuses were lost,
# and its summary still matches what is on disk - the outputs carry their
# job ids, so finished videos are counted done, not failed.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"
command -v kcat >/dev/null || { echo "SKIP: kcat not installed"; exit 77; }

N=6
names=()
for i in $(seq $N); do names+=("v$i.mp4"); done
make_session "$T/in" 3 "${names[@]}"
start_broker
"$BIN/vs-worker" --brokers "$BROKER" --parallel 2 --encoder cpu --heartbeat 1 --grace 0 \
    --root "$T" >"$T/worker.out" 2>"$T/worker.err" &
PIDS+=($!)
"$BIN/vs-produce" --folder "$T/in" -o "$T/out" --brokers "$BROKER" --json --timeout 180 \
    >"$T/sum.json" 2>"$T/produce.err" &
prod=$!
PIDS+=($prod)
wait_jobs $N
kill -STOP $prod
# The worker finishes every job while the producer sleeps.
for _ in $(seq 600); do
    [ "$(ls "$T/out" 2>/dev/null | grep -c '\.mp4$')" -eq $N ] && break
    sleep 0.1
done
[ "$(ls "$T/out" | grep -c '\.mp4$')" -eq $N ] || { kill -CONT $prod; fail "the worker did not finish"; }
sleep 2 # the last "done" is on the topic
# 8 MiB of another run's statuses: everything the producer has not read is dropped.
python3 - "$T/flood.txt" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(20000):
        f.write(json.dumps({"type": "progress", "version": 1, "worker": "flood", "ts": 1.0,
                            "run_id": "someone-else", "job_id": "x%05d" % i, "file": "x" * 300,
                            "fraction": 0.5, "fps": 1.0}) + "\n")
PY
kcat -b "$BROKER" -t vs.status -P -l "$T/flood.txt" 2>/dev/null || { kill -CONT $prod; fail "kcat flood"; }
low=$(kcat -b "$BROKER" -Q -t vs.status:0:1 2>/dev/null || true)
echo "flooded; the status topic now starts at: ${low:-?}"
kill -CONT $prod
rc=0
wait $prod || rc=$?
[ $rc -eq 0 ] || fail "exit $rc: $(tail -n 5 "$T/produce.err")"
python3 - "$T/sum.json" $N <<'PY' || fail "summary: $(cat "$T/sum.json" | head -c 600)"
import json, sys
d = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
assert d["summary"] == f"Done. {n}/{n} videos processed.", d["summary"]
PY
grep -q "statuses were lost before they were read" "$T/produce.err" \
    || fail "the loss was not said: $(cat "$T/produce.err")"
[ "$(grep -c "statuses were lost" "$T/produce.err")" -eq 1 ] || fail "said more than once"
! grep -q "Offset out of range" "$T/produce.err" || fail "a raw librdkafka line leaked"
echo ok
