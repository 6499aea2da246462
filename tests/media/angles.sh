#!/usr/bin/env bash
# angles.sh - multi-angle (SPEC §4): three angles of equal length, re-timed
# from one sidecar, come out with the same frame count and the same
# segment boundaries frame for frame. The angles differ in picture and in
# encoding (B-frames or not, GOP, CRF), not in timing, so the sequence of
# input frame numbers shown by the outputs must be identical.
. "$(dirname "$0")/lib.sh"

dumps=()
for a in angle1 angle2 angle3; do
    job=$TMP/$a.json out=$TMP/out/$a.mp4
    make_job "$FIX/angles/$a.mp4" "$out" "$FIX/angles/session.vad.json" >"$job"
    run_worker "$job"
    "$VS_BIN/vs-check-frames" --exact "$job" "$out" --dump "$TMP/$a.frames" || fail "$a: frame truth"
    "$VS_BIN/vs-check-audio" "$job" "$out" || fail "$a: audio truth"
    dumps+=("$TMP/$a.frames")
done
# Same plan for all three (same sidecar, same length).
for a in angle2 angle3; do
    [[ $(grep -o '"segments":.*\]\]' "$TMP/$a.json") == "$(grep -o '"segments":.*\]\]' "$TMP/angle1.json")" ]] ||
        fail "$a was planned differently from angle1 (different container duration?)"
done
n1=$(probe "$TMP/out/angle1.mp4" v:0 stream=nb_frames)
for a in angle2 angle3; do
    n=$(probe "$TMP/out/$a.mp4" v:0 stream=nb_frames)
    [[ $n == "$n1" ]] || fail "$a has $n frames, angle1 $n1"
    if ! cmp -s "${dumps[0]}" "$TMP/$a.frames"; then
        diff "${dumps[0]}" "$TMP/$a.frames" | head -n 10 >&2 || true
        fail "$a shows different input frames than angle1 (first differences above: k code)"
    fi
done
note "three angles: $n1 frames each, identical frame for frame"
