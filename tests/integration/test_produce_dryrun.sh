#!/usr/bin/env bash
# vs-produce --dry-run: the folder rules of SPEC §6 and the job messages,
# without a broker. stdout carries only the jobs, one JSON object per line.
set -euo pipefail
BIN=${VS_BIN:?VS_BIN must point at the built programs}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
P="$BIN/vs-produce"

mkdir "$T/in"
for n in b a c; do
    ffmpeg -loglevel error -nostdin -y -f lavfi -i testsrc=size=64x48:rate=10:duration=8 \
        -c:v libx264 "$T/in/$n.mp4"
done
cp "$T/in/a.mp4" "$T/in/D.MKV"          # extensions match case-insensitively
echo "not a video" > "$T/in/broken.mov"  # probe fails: counted failed, others go on
echo "notes" > "$T/in/notes.txt"
mkdir "$T/in/sub.mp4"                     # a folder is never a video
cat > "$T/in/session.vad.json" <<'J'
{ "version": 1, "source": {"file": "a.mp4"},
  "detection": {"backend": "silero", "analyzed_duration": 8.0, "params": {}},
  "speech_segments": [[0, 1], [5, 6]], "silence_intervals": [[1, 5], [6, 8]] }
J

# 1. Sorted videos, one job each, absolute paths, output = OUT/<name>.
if "$P" --folder "$T/in" -o "$T/out" --dry-run >"$T/jobs" 2>"$T/err"; then
    fail "a failed probe must give a non-zero exit"
fi
grep -q "broken.mov" "$T/err" || fail "the failed video is not named on stderr"
python3 - "$T" <<'PY' || fail "jobs of run 1"
import json, sys
T = sys.argv[1]
jobs = [json.loads(l) for l in open(f"{T}/jobs")]   # every stdout line is a job
names = [j["input"].rsplit("/", 1)[1] for j in jobs]
assert names == ["D.MKV", "a.mp4", "b.mp4", "c.mp4"], names
run = {j["run_id"] for j in jobs}
assert len(run) == 1 and all(j["job_id"].startswith(j["run_id"]) for j in jobs), jobs
assert len({j["job_id"] for j in jobs}) == 4
for j in jobs:
    n = j["input"].rsplit("/", 1)[1]
    assert j["input"] == f"{T}/in/{n}" and j["output"] == f"{T}/out/{n}", j
    assert j["duration"] == 8 and j["offset"] == 0 and not j["overwrite"], j
    # 1-5 silent: lead-in leaves 1-3 fast; 6-8 ends the video, stays whole.
    assert j["segments"] == [[0, 1, 1], [1, 3, 4], [3, 6, 1], [6, 8, 4]], j["segments"]
PY
[ -d "$T/out" ] || fail "the output folder was not created"

# 2. Two runs have different run ids.
"$P" --folder "$T/in" -o "$T/out" --dry-run --extensions mp4 >"$T/jobs2" 2>/dev/null
run_id() {
    python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["run_id"])' "$1"
}
[ "$(run_id "$T/jobs")" != "$(run_id "$T/jobs2")" ] || fail "two runs share a run id"
[ "$(wc -l <"$T/jobs2")" -eq 3 ] || fail "--extensions mp4 should give 3 jobs"

# 3. An existing output is skipped (said on stderr, no job), unless --overwrite.
touch "$T/out/b.mp4"
"$P" --folder "$T/in" -o "$T/out" --dry-run --extensions mp4 >"$T/jobs3" 2>"$T/err"
grep -q "b.mp4: skipped" "$T/err" || fail "no skip note"
! grep -q '/b.mp4"' "$T/jobs3" || fail "a job for a skipped output"
[ "$(wc -l <"$T/jobs3")" -eq 2 ] || fail "want 2 jobs with b skipped"
"$P" --folder "$T/in" -o "$T/out" --dry-run --extensions mp4 --overwrite >"$T/jobs4" 2>/dev/null
[ "$(wc -l <"$T/jobs4")" -eq 3 ] || fail "--overwrite should give 3 jobs"
grep -q '"overwrite":true' "$T/jobs4" || fail "overwrite not carried by the job"

# 4. --offset / --process-duration / --indicator are carried.
"$P" --folder "$T/in" -o "$T/out" --dry-run --extensions mp4 --overwrite --offset 2 \
    --process-duration 4 --indicator >"$T/jobs5" 2>"$T/err"
python3 - "$T/jobs5" <<'PY' || fail "window"
import json, sys
for l in open(sys.argv[1]):
    j = json.loads(l)
    assert j["offset"] == 2 and j["duration"] == 4 and j["indicator"], j
    assert j["segments"][-1][1] == 4, j["segments"]
PY
grep -q "warning" "$T/err" || fail "no warning when the sidecar's duration differs"

# 4b. --path-map writes the paths as the workers see them; signing with VS_JOB_KEY.
VS_JOB_KEY=k "$P" --folder "$T/in" -o "$T/out" --dry-run --extensions mp4 --overwrite \
    --path-map "$T/in=/nas/session" >"$T/jobs6" 2>/dev/null
python3 - "$T" "$T/jobs6" <<'PY' || fail "--path-map / VS_JOB_KEY"
import json, sys
T = sys.argv[1]
for l in open(sys.argv[2]):
    j = json.loads(l)
    assert j["input"].startswith("/nas/session/"), j["input"]
    assert j["output"].startswith(f"{T}/out/"), j["output"]
    assert len(j["signature"]) == 64, j["signature"]
PY

# 5. Refusals: output = input folder, no sidecar, two sidecars, a bad sidecar.
set +e
"$P" --folder "$T/in" -o "$T/in/." --dry-run >"$T/o" 2>"$T/err"; rc=$?
set -e
[ $rc -ne 0 ] && [ ! -s "$T/o" ] || fail "output = input accepted"
grep -q "input folder" "$T/err" || fail "output = input: message"

mkdir "$T/none" && cp "$T/in/a.mp4" "$T/none/"
if "$P" --folder "$T/none" -o "$T/o2" --dry-run >/dev/null 2>"$T/err"; then
    fail "no sidecar accepted"
fi
grep -q "vad.json" "$T/err" || fail "no-sidecar message"

cp "$T/in/session.vad.json" "$T/none/one.vad.json"
cp "$T/in/session.vad.json" "$T/none/two.vad.json"
if "$P" --folder "$T/none" -o "$T/o2" --dry-run >/dev/null 2>"$T/err"; then
    fail "two sidecars accepted"
fi
grep -q "one.vad.json" "$T/err" && grep -q "two.vad.json" "$T/err" \
    || fail "two sidecars not listed"
"$P" --folder "$T/none" -o "$T/o2" --dry-run --vad-json "$T/none/two.vad.json" >/dev/null 2>&1 \
    || fail "--vad-json should pick one"

rm "$T/none/one.vad.json"
echo '{"version": 1, "detection": {"analyzed_duration": 8},
       "silence_intervals": [[1, 5], [4, 6]]}' > "$T/none/two.vad.json"
set +e
"$P" --folder "$T/none" -o "$T/o2" --dry-run >"$T/o" 2>"$T/err"; rc=$?
set -e
[ $rc -ne 0 ] && [ ! -s "$T/o" ] || fail "a malformed sidecar was accepted"
[ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "two.vad.json" "$T/err" \
    || { cat "$T/err"; fail "malformed sidecar: want one line naming the file"; }

# 6. Usage errors exit 2; --help exits 0 and says what the embedded broker is.
set +e
"$P" --dry-run >/dev/null 2>&1; rc=$?
set -e
[ $rc -eq 2 ] || fail "missing --folder should exit 2"
"$P" --help >"$T/help" || fail "--help exit status"
grep -q "nothing on disk" "$T/help" || fail "--help does not explain the embedded broker"
echo ok
