#!/usr/bin/env bash
# vs-produce with no broker named: embedded broker and a local worker in
# the same process do the whole job. The summary is in the original tool's
# words with zero counts left out, the exit code says whether anything
# failed, --json names the worker of every file.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"

# a, b: processed; c: its output exists (skipped); d.mkv: not a video (failed).
make_session "$T/in" 4 a.mp4 b.mp4 c.mp4
echo "garbage" > "$T/in/d.mkv"
mkdir "$T/out" && echo "old" > "$T/out/c.mp4"

set +e
"$BIN/vs-produce" --folder "$T/in" -o "$T/out" --timeout 120 >"$T/run1.out" 2>"$T/run1.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "exit $rc with a failed video, want 1"
[ "$(tail -n 1 "$T/run1.out")" = "Done. 2/4 videos processed, 1 skipped, 1 failed." ] \
    || fail "summary: $(tail -n 1 "$T/run1.out")"
grep -q "failed: d.mkv" "$T/run1.err" || fail "the failed name is not on stderr"
grep -q "embedded broker" "$T/run1.err" || fail "no note of the embedded broker"
grep -q "nothing on disk" "$T/run1.err" || fail "the note does not say it keeps nothing on disk"
for n in a b; do
    d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$T/out/$n.mp4") \
        || fail "$n.mp4 is not a readable video"
    # 0-1 speech, 1-4 silent (the end): 1 + 3/4 = 1.75 s.
    python3 -c "import sys; sys.exit(abs(float('$d') - 1.75) > 0.15)" || fail "$n.mp4 lasts $d s"
done
[ "$(cat "$T/out/c.mp4")" = "old" ] || fail "the existing output was overwritten"

# --json: one document; per-file worker is a string, the worker's id for done files.
rm "$T/out/a.mp4" "$T/out/b.mp4"
set +e
"$BIN/vs-produce" --folder "$T/in" -o "$T/out" --json --timeout 120 >"$T/run2.json" 2>"$T/run2.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "--json: exit $rc, want 1"
python3 - "$T/run2.json" <<'PY' || fail "--json summary"
import json, sys
d = json.load(open(sys.argv[1]))
assert (d["total"], d["processed"], d["skipped"], d["failed"]) == (4, 2, 1, 1), d
assert d["summary"] == "Done. 2/4 videos processed, 1 skipped, 1 failed.", d["summary"]
files = {f["file"]: f for f in d["files"]}
for f in files.values():
    assert isinstance(f["worker"], str), f
for n in ("a.mp4", "b.mp4"):
    f = files[n]
    assert f["state"] == "done" and f["worker"] and f["attempts"] == 1, f
    assert f["seconds"] >= 0 and abs(f["out_duration"] - 1.75) < 0.15, f
assert files["a.mp4"]["worker"] == files["b.mp4"]["worker"]  # one local worker process
assert files["c.mp4"]["state"] == "skipped" and files["c.mp4"]["worker"] == ""
assert files["d.mkv"]["state"] == "failed" and "d.mkv" in files["d.mkv"]["error"]
PY

# Everything processed: exit 0; again: everything skipped, exit 0.
make_session "$T/in2" 3 w.mp4 x.mp4 y.mov z.mkv
"$BIN/vs-produce" --folder "$T/in2" -o "$T/out2" --timeout 120 >"$T/run3.out" 2>"$T/run3.err" \
    || fail "all good: non-zero exit"
[ "$(tail -n 1 "$T/run3.out")" = "Done. 4/4 videos processed." ] \
    || fail "summary: $(tail -n 1 "$T/run3.out")"
"$BIN/vs-produce" --folder "$T/in2" -o "$T/out2" >"$T/run4.out" 2>"$T/run4.err" \
    || fail "all skipped: non-zero exit"
[ "$(tail -n 1 "$T/run4.out")" = "Done. 0/4 videos processed, 4 skipped." ] \
    || fail "summary: $(tail -n 1 "$T/run4.out")"
echo ok
