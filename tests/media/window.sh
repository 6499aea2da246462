#!/usr/bin/env bash
# window.sh - --offset / --process-duration (SPEC §3.1, §6): the job
# re-times only the window 28.9 s + 22 s of talk/h264.mp4 (28.9 s is not a
# keyframe). Output picture k must show the input picture current at
# offset + in_time(k / fps), the sound must follow the window's plan, and
# the output lasts as planned.
. "$(dirname "$0")/lib.sh"

job=$TMP/job.json out=$TMP/out/h264.mp4
make_job "$FIX/talk/h264.mp4" "$out" "$FIX/talk-window.vad.json" \
    --offset 28.9 --process-duration 22 >"$job"
run_worker "$job"
"$VS_BIN/vs-check-frames" --exact "$job" "$out" || fail "frame truth in the window"
"$VS_BIN/vs-check-audio" "$job" "$out" || fail "audio truth in the window"
planned=$(json_num "$job" out_duration)
got=$(probe "$out" "" format=duration)
near "$got" "$planned" 0.1 || fail "output lasts $got s, planned $planned s"
note "window OK"
