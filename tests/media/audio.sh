#!/usr/bin/env bash
# audio.sh - audio truth (SPEC §4): every speech segment's tone burst lands
# at its planned output time, the first and the last alike (+- one video
# frame: no drift over ~30 segments), the fast-forwarded silences are muted,
# and the audio track ends with the video within one audio frame.
. "$(dirname "$0")/lib.sh"

job=$TMP/job.json out=$TMP/out/h264.mp4
make_job "$FIX/talk/h264.mp4" "$out" "$FIX/talk/talk.vad.json" >"$job"
run_worker "$job"
"$VS_BIN/vs-check-audio" "$job" "$out" || fail "audio truth"
[[ $(probe "$out" a:0 stream=codec_name) == aac ]] || fail "output audio is not AAC"
[[ $(probe "$out" a:0 stream=sample_rate) == 48000 ]] || fail "sample rate did not carry over"
note "audio truth OK"
