#!/usr/bin/env bash
# Two vs-produce started at once on the same folder (each with its own
# embedded broker and local worker) never encode a video twice: for each
# video one run says done, the other skipped (another job wrote it), and
# each output carries the job id of the run that reports it done. The
# output's lock (docs/protocol.md) is what keeps them apart.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"

make_session "$T/in" 6 a.mp4 b.mp4 c.mp4 d.mp4
for r in 1 2; do
    "$BIN/vs-produce" --folder "$T/in" -o "$T/out" --json --timeout 150 \
        >"$T/run$r.json" 2>"$T/run$r.err" &
    PIDS+=($!)
done
for i in 0 1; do
    wait "${PIDS[i]}" || fail "run $((i + 1)) exited $?"
done
PIDS=()
python3 - "$T/run1.json" "$T/run2.json" "$T/out" <<'PY' || fail "each video must be encoded once"
import json, subprocess, sys
runs = [json.load(open(p)) for p in sys.argv[1:3]]
out = sys.argv[3]
for name in ["a.mp4", "b.mp4", "c.mp4", "d.mp4"]:
    states = [next(f for f in r["files"] if f["file"] == name) for r in runs]
    done = [f for f in states if f["state"] == "done"]
    skipped = [f for f in states if f["state"] == "skipped"]
    assert len(done) == 1 and len(skipped) == 1, (name, [f["state"] for f in states])
    tag = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format_tags=comment",
                          "-of", "csv=p=0", f"{out}/{name}"], capture_output=True,
                         text=True, check=True).stdout.strip()
    assert tag == "vs-job:" + done[0]["job_id"], (name, tag, done[0]["job_id"])
    print(name, "done by", done[0]["job_id"], "skipped by the other run")
PY
[ -z "$(ls -A "$T/out" | grep -v '\.mp4$')" ] || fail "left files: $(ls -A "$T/out")"
echo ok
