#!/usr/bin/env bash
# The jobs of one session are spread over the workers: their partitions are
# chosen from the workers' heartbeats (one worker's partition after the
# other's, weighted by free slots), not by key hash. Two fake workers
# announce their partitions; the jobs must alternate between them.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"
command -v kcat >/dev/null || { echo "SKIP: kcat not installed"; exit 77; }

make_session "$T/in" 2 a.mp4 b.mp4 c.mp4 d.mp4 e.mp4 f.mp4
start_broker
status "$(hb w:A 1 vs-workers 0,1,2,3,4,5,6,7)" \
       "$(hb w:B 2 vs-workers 8,9,10,11,12,13,14,15)" \
       "$(hb w:other 8 elsewhere 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15)"
set +e
"$BIN/vs-produce" --folder "$T/in" -o "$T/out" --brokers "$BROKER" --timeout 2 \
    >"$T/run.out" 2>"$T/run.err"
set -e
grep -q "no worker is consuming" "$T/run.err" && fail "live workers were not seen"
wait_jobs 6
python3 - "$T/jobs.txt" <<'PY' || fail "jobs not spread over the workers"
import json, sys
jobs = sorted((json.loads(l.split(" ", 1)[1])["input"], int(l.split(" ", 1)[0]))
              for l in open(sys.argv[1]))
owner = ["A" if p < 8 else "B" for _, p in jobs]
# A has 1 free slot, B 2: per turn one job for A, two for B.
assert owner == ["A", "B", "B", "A", "B", "B"], (owner, jobs)
assert len({p for _, p in jobs}) == 6, jobs   # and never one partition twice
PY
echo ok
