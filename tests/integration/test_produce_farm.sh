#!/usr/bin/env bash
# A farm on loopback: vs-broker, two vs-worker processes, vs-produce with
# --brokers. The session's jobs are spread over both workers (partitions
# chosen from their heartbeats), every video is processed, and --json
# names for each file the worker process that produced it.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"
command -v kcat >/dev/null || { echo "SKIP: kcat not installed"; exit 77; }

make_session "$T/in" 4 a.mp4 b.mp4 c.mp4 d.mp4
start_broker
for w in 1 2; do
    "$BIN/vs-worker" --brokers "$BROKER" --parallel 1 --encoder cpu --heartbeat 1 --grace 0 --root "$T" \
        >"$T/worker$w.out" 2>"$T/worker$w.err" &
    PIDS+=($!)
done
# Wait until both workers hold partitions (their heartbeats say which).
for _ in $(seq 150); do
    n=$(kcat -b "$BROKER" -C -t vs.status -e -q -f '%s\n' 2>/dev/null | python3 -c '
import json, sys
held = {}
for l in sys.stdin:
    try: s = json.loads(l)
    except ValueError: continue
    if s.get("type") == "heartbeat": held[s["worker"]] = s.get("partitions", "")
print(sum(1 for p in held.values() if p))' || echo 0)
    [ "$n" -ge 2 ] && break
    sleep 0.2
done
[ "$n" -ge 2 ] || fail "the two workers did not both get partitions"

"$BIN/vs-produce" --folder "$T/in" -o "$T/out" --brokers "$BROKER" --json --timeout 120 \
    >"$T/sum.json" 2>"$T/produce.err" || fail "vs-produce exit $?"
python3 - "$T/sum.json" <<'PY' || fail "summary"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["summary"] == "Done. 4/4 videos processed.", d["summary"]
workers = {f["worker"] for f in d["files"]}
assert all(f["state"] == "done" and f["attempts"] >= 1 for f in d["files"]), d["files"]
assert len(workers) == 2 and all(workers), workers   # both worker processes worked
PY
for n in a b c d; do
    ffprobe -v error -show_entries format=duration -of csv=p=0 "$T/out/$n.mp4" >/dev/null \
        || fail "$n.mp4 is not a readable video"
done
echo ok
