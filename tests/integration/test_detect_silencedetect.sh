#!/usr/bin/env bash
# vs-produce --detect / --vad-master: silences of a generated recording
# (a 440 Hz tone with silent gaps at known places, faint noise under it)
# found by libavfilter's silencedetect within 0.1 s, written as a version 1
# sidecar the original tool accepts (SPEC §2), and used for the folder.
set -euo pipefail
BIN=${VS_BIN:?VS_BIN must point at the built programs}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Tone at 0-3, 7-10, 12.5-15, 16-18 s of 20 s: silences 3-7, 10-12.5,
# 15-16 (1 s, shorter than the default 2 s) and 18-20 (open at the end).
TONE="0.5*sin(2*PI*440*t)*(between(t,0,3)+between(t,7,10)+between(t,12.5,15)+between(t,16,18))"
mkdir "$T/sess"
ffmpeg -loglevel error -nostdin -y -f lavfi -i testsrc=size=160x120:rate=10:duration=20 \
    -f lavfi -i "aevalsrc='$TONE+0.0005*(random(0)-0.5)':s=48000:d=20" \
    -c:v libx264 -c:a aac -shortest "$T/sess/facecam.mp4"
ffmpeg -loglevel error -nostdin -y -f lavfi -i "aevalsrc='$TONE':s=44100:d=20" "$T/voice.wav"

# check SIDECAR SOURCE DURATION "s1,e1 s2,e2 ..." PARAMS_JSON
check() {
    python3 - "$@" <<'PY'
import json, sys
path, source, duration, expect, params = sys.argv[1:6]
d = json.load(open(path))
def die(msg):
    sys.exit(f"FAIL: {path}: {msg}\n{json.dumps(d)}")
# SPEC §2 fields, as the original tool writes and reads them.
if d.get("version") != 1: die("version is not 1")
if d.get("source", {}).get("file") != source: die("source.file")
det = d.get("detection", {})
if det.get("backend") != "silencedetect": die("backend")
if abs(det.get("analyzed_duration", -1) - float(duration)) > 0.05: die("analyzed_duration")
for k, v in json.loads(params).items():
    if det.get("params", {}).get(k, "missing") != v: die(f"params.{k}")
sil, sp = d["silence_intervals"], d["speech_segments"]
for name, arr in (("silence_intervals", sil), ("speech_segments", sp)):
    prev = 0.0
    for i, (s, e) in enumerate(arr):
        if not (0 <= s < e) or s < prev: die(f"{name}[{i}] not sorted/positive")
        if round(s, 3) != s or round(e, 3) != e: die(f"{name}[{i}] not 3 decimals")
        prev = e
want = [tuple(map(float, p.split(","))) for p in expect.split()]
if len(sil) != len(want): die(f"{len(sil)} silences, want {len(want)}")
for i, ((s, e), (ws, we)) in enumerate(zip(sil, want)):
    if abs(s - ws) > 0.1 or abs(e - we) > 0.1: die(f"silence {i} [{s}, {e}], want [{ws}, {we}]")
# Speech is the complement of silence over [0, analyzed_duration].
edges, t = [], 0.0
for s, e in sil:
    if s > t: edges.append([t, s])
    t = e
if t < det["analyzed_duration"]: edges.append([t, det["analyzed_duration"]])
if [[round(a, 3), round(b, 3)] for a, b in edges] != sp: die("speech is not the complement")
PY
}

# 1. --detect with the original's defaults (-30 dB, 2 s).
"$BIN/vs-produce" --detect -i "$T/sess/facecam.mp4" 2>"$T/err" || { cat "$T/err"; fail "--detect"; }
[ -f "$T/sess/facecam.vad.json" ] || fail "no sidecar next to the recording"
check "$T/sess/facecam.vad.json" facecam.mp4 20 "3,7 10,12.5 18,20" \
    '{"silence_threshold": -30, "silence_duration": 2, "offset": 0, "process_duration": null}'
grep -q "wrote .*facecam.vad.json" "$T/err" || fail "no note of the sidecar written"

# 2. -t / -d: a shorter minimum finds the 1 s gap too (a WAV file works as well).
"$BIN/vs-produce" --detect -i "$T/voice.wav" -t -40 -d 0.5 2>/dev/null || fail "--detect wav"
check "$T/voice.vad.json" voice.wav 20 "3,7 10,12.5 15,16 18,20" \
    '{"silence_threshold": -40, "silence_duration": 0.5}'

# 3. A window: --offset 5 --process-duration 10 analyses 5..15 s; times are
#    window times (the original ran ffmpeg -ss 5 -t 10).
"$BIN/vs-produce" --detect -i "$T/voice.wav" -d 1.5 --offset 5 --process-duration 10 \
    2>/dev/null || fail "--detect window"
check "$T/voice.vad.json" voice.wav 10 "0,2 5,7.5" \
    '{"offset": 5, "process_duration": 10}'

# 4. --vad-master: detect on the master, then the folder uses that sidecar
#    (even with another *.vad.json lying in the folder).
rm "$T/sess/facecam.vad.json"
cp "$T/sess/facecam.mp4" "$T/sess/screen.mp4"
echo '{"version": 1}' > "$T/sess/stale.vad.json"
"$BIN/vs-produce" --folder "$T/sess" -o "$T/out" --vad-master facecam.mp4 --dry-run \
    >"$T/jobs" 2>"$T/err" || { cat "$T/err"; fail "--vad-master --dry-run"; }
check "$T/sess/facecam.vad.json" facecam.mp4 20 "3,7 10,12.5 18,20" '{}'
python3 - "$T/jobs" <<'PY' || fail "jobs of --vad-master"
import json, sys
jobs = [json.loads(l) for l in open(sys.argv[1])]
assert [j["input"].rsplit("/", 1)[1] for j in jobs] == ["facecam.mp4", "screen.mp4"], jobs
for j in jobs:
    silent = [(s, e) for s, e, speed in j["segments"] if speed > 1]
    # 3-7 keeps 2 s of lead-in (3-5 fast), 10-12.5 too (10-10.5), 18-20 stays whole.
    assert len(silent) == 3, j["segments"]
    assert abs(silent[0][0] - 3) < 0.1 and abs(silent[0][1] - 5) < 0.1, silent
    assert abs(silent[2][0] - 18) < 0.1 and abs(silent[2][1] - 20) < 0.1, silent
PY

# 5. A file without audio is refused with its name, non-zero.
ffmpeg -loglevel error -nostdin -y -f lavfi -i testsrc=size=160x120:rate=10:duration=3 \
    -c:v libx264 "$T/mute.mp4"
if "$BIN/vs-produce" --detect -i "$T/mute.mp4" 2>"$T/err"; then fail "mute file accepted"; fi
grep -q "mute.mp4: no audio stream" "$T/err" || { cat "$T/err"; fail "mute message"; }
echo "ok"
