#!/usr/bin/env bash
# frames.sh - frame truth across ~30 segments (SPEC §4).
# talk/h264.mp4 (60 s, 16 silences, one fast-forwarded at 2.875x) through
# vs-worker --job: every output picture must be the input picture the
# timeline plans for it, +-1, the count must be round(total * fps) +-1,
# the output must be CFR at 25 fps, and the output folder must hold the
# output alone (no temporary file left).
. "$(dirname "$0")/lib.sh"

job=$TMP/job.json out=$TMP/out/h264.mp4
make_job "$FIX/talk/h264.mp4" "$out" "$FIX/talk/talk.vad.json" >"$job"
nseg=$(grep -o '\],\[' "$job" | wc -l)
((nseg >= 24)) || fail "the fixture plan has only $((nseg + 1)) segments"
run_worker "$job"
[[ -s $out ]] || fail "no output at $out"
only_file "$TMP/out" h264.mp4
"$VS_BIN/vs-check-frames" --exact "$job" "$out" || fail "frame truth"
[[ $(probe "$out" v:0 stream=r_frame_rate) == 25/1 ]] || fail "output r_frame_rate is not 25/1"
[[ $(probe "$out" v:0 stream=avg_frame_rate) == 25/1 ]] || fail "output avg_frame_rate is not 25/1 (not CFR)"
note "frame truth OK"
