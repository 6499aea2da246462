#!/usr/bin/env bash
# 200 videos whose plans are about 550 KB each (17,000 touching silences,
# inside the documented limits) on the embedded default: the embedded
# broker keeps about 5 MiB per partition and drops older data silently,
# so the producer must never have more unread job data on a partition than
# that (flow control) - every job arrives, every video is processed.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"

N=200
mkdir -p "$T/in"
ffmpeg -loglevel error -nostdin -y -f lavfi -i "testsrc=size=32x32:rate=5:duration=160" \
    -f lavfi -i "sine=f=440:duration=160:sample_rate=8000" -c:v libx264 -preset ultrafast \
    -c:a aac -b:a 16k -shortest "$T/in/v001.mp4"
for i in $(seq 2 $N); do ln "$T/in/v001.mp4" "$T/in/$(printf 'v%03d.mp4' "$i")"; done
python3 - "$T/in/session.vad.json" <<'PY'
import json, sys
# 17,000 touching silences of about 10 ms from 1 s: long decimals make each
# segment of the plan about 36 bytes, so a plan is about 550 KB.
edges = [round(1 + i * 0.01000001234, 10) for i in range(17001)]
sil = [[edges[i], edges[i + 1]] for i in range(17000)]
json.dump({"version": 1, "source": {"file": "v001.mp4"},
           "detection": {"backend": "silero", "analyzed_duration": 160, "params": {}},
           "speech_segments": [[0, 1], [edges[-1], 160]], "silence_intervals": sil},
          open(sys.argv[1], "w"))
PY
"$BIN/vs-produce" --folder "$T/in" -o "$T/out" --dry-run >"$T/dry.jsonl" 2>/dev/null \
    || fail "--dry-run failed"
head -n 1 "$T/dry.jsonl" > "$T/one.json"
size=$(wc -c < "$T/one.json")
[ "$size" -gt 500000 ] && [ "$size" -lt 1048576 ] || fail "a job is $size bytes, want about 550 KB"
echo "a job is $size bytes; $N jobs"

set +e
"$BIN/vs-produce" --folder "$T/in" -o "$T/out" --parallel 2 --json --timeout 1500 \
    >"$T/sum.json" 2>"$T/run.err"
rc=$?
set -e
[ $rc -eq 0 ] || fail "exit $rc: $(tail -n 5 "$T/run.err")"
python3 - "$T/sum.json" $N <<'PY' || fail "summary"
import json, sys
d = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
assert d["summary"] == f"Done. {n}/{n} videos processed.", d["summary"]
assert all(f["state"] == "done" for f in d["files"])
PY
[ "$(ls "$T/out" | grep -c '\.mp4$')" -eq $N ] || fail "not $N outputs"
grep -q "wait to be published until workers read the first" "$T/run.err" \
    || fail "flow control never held a job back (the test needs it to)"
! grep -qi "offset out of range\|lost" "$T/run.err" || fail "data was lost: $(grep -i 'lost\|range' "$T/run.err")"
echo ok
