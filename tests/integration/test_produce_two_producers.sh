#!/usr/bin/env bash
# Two vs-produce started at once on the same folder (each with its own
# embedded broker and local worker) never encode a video twice: for each
# video one run says done, the other skipped (another job wrote it), and
# each output carries the job id of the run that reports it done. The
# output's lock (docs/protocol.md) is what keeps them apart.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"

# Videos long enough (a second or two of encoding each) for the two runs'
# attempts at one output to overlap.
make_session "$T/in" 60 a.mp4
# Speech almost all the way: every second of the input is encoded.
cat > "$T/in/session.vad.json" <<J
{ "version": 1, "source": {"file": "a.mp4"},
  "detection": {"backend": "silero", "analyzed_duration": 60, "params": {}},
  "speech_segments": [[0, 59]], "silence_intervals": [[59, 60]] }
J
for n in a b c d; do
    ffmpeg -loglevel error -nostdin -y -f lavfi -i "testsrc=size=640x480:rate=25:duration=60" \
        -f lavfi -i "sine=f=440:duration=60" -c:v libx264 -preset ultrafast -c:a aac -shortest \
        "$T/in/$n.mp4"
done
# The second run starts once the first is encoding a.mp4, so its own
# attempt at a.mp4 comes while the first one still writes it.
for r in 1 2; do
    "$BIN/vs-produce" --folder "$T/in" -o "$T/out" --json --timeout 200 \
        >"$T/run$r.json" 2>"$T/run$r.err" &
    PIDS+=($!)
    if [ $r -eq 1 ]; then
        for _ in $(seq 300); do
            grep -q "a.mp4: started" "$T/run1.err" && break
            sleep 0.1
        done
        grep -q "a.mp4: started" "$T/run1.err" || fail "run 1 did not start a.mp4"
    fi
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
