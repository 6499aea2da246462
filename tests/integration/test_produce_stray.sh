#!/usr/bin/env bash
# vs-produce counts only its own run's statuses. Old statuses on the topic
# and statuses of another run that arrive during this one (even naming
# this run's job ids) never change the summary; this run's statuses do.
# The worker is played by kcat, so every status is known exactly.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"
command -v kcat >/dev/null || { echo "SKIP: kcat not installed"; exit 77; }

make_session "$T/in" 2 a.mp4 b.mp4
start_broker

# Old statuses, from before this run (another run's).
status "$(st done old:1 OLD OLD-0001 '"out_duration":1,"encoder":"x","seconds":1')"

"$BIN/vs-produce" --folder "$T/in" -o "$T/out" --brokers "$BROKER" --json --timeout 60 \
    --worker-wait 60 >"$T/sum.json" 2>"$T/produce.err" &
PRODUCER=$!
PIDS+=($PRODUCER)
wait_jobs 2
read -r RUN J1 J2 < <(python3 - "$T/jobs.txt" <<'PY'
import json, sys
jobs = [json.loads(l.split(" ", 1)[1]) for l in open(sys.argv[1])]
jobs.sort(key=lambda j: j["input"])
print(jobs[0]["run_id"], jobs[0]["job_id"], jobs[1]["job_id"])
PY
)
# Strays of another run with this run's job ids: if they counted, a.mp4
# would be "skipped" and b.mp4 "done" (first final state stands); and one
# of this run's id for a job it does not have.
DONE='"out_duration":1.75,"frames":18,"bytes":1000,"encoder":"libx264","seconds":0.5'
status "$(st skipped stray:9 another-run "$J1")" \
       "$(st done stray:9 another-run "$J2" "$DONE")" \
       "$(st done stray:9 "$RUN" "$RUN-9999" "$DONE")"
sleep 1
# This run's statuses, from the fake worker: a.mp4 done; b.mp4 handed back
# once, then failed.
status "$(hb fake:1 1 vs-workers 0)" \
       "$(st started fake:1 "$RUN" "$J1")" \
       "$(st progress fake:1 "$RUN" "$J1" '"fraction":0.5,"fps":30')" \
       "$(st done fake:1 "$RUN" "$J1" "$DONE")" \
       "$(st started fake:1 "$RUN" "$J2")" \
       "$(st retry fake:1 "$RUN" "$J2" '"error":"GPU busy"')" \
       "$(st started fake:1 "$RUN" "$J2")" \
       "$(st failed fake:1 "$RUN" "$J2" '"error":"encoder exploded"')"

set +e
wait $PRODUCER
rc=$?
set -e
[ $rc -eq 1 ] || fail "exit $rc, want 1 (b.mp4 failed)"
python3 - "$T/sum.json" <<'PY' || fail "summary counted a stray status"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["summary"] == "Done. 1/2 videos processed, 1 failed.", d["summary"]
f = {x["file"]: x for x in d["files"]}
assert f["a.mp4"]["state"] == "done" and f["a.mp4"]["worker"] == "fake:1", f["a.mp4"]
assert f["a.mp4"]["attempts"] == 1 and f["a.mp4"]["seconds"] == 0.5, f["a.mp4"]
assert f["b.mp4"]["state"] == "failed" and f["b.mp4"]["worker"] == "fake:1", f["b.mp4"]
assert f["b.mp4"]["attempts"] == 2 and f["b.mp4"]["error"] == "encoder exploded", f["b.mp4"]
PY
! grep -q "stray:9" "$T/sum.json" "$T/produce.err" || fail "a stray worker shows up"
echo ok
