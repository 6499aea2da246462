#!/usr/bin/env bash
# containers.sh - what particular containers need (issue 10):
#   - HEVC in MP4 is tagged hvc1 (talk/hevc.mkv to MP4), and decodes to the
#     planned pictures;
#   - AVI, which has no presentation times, gets no B-frames: its pictures
#     stay on the frame grid and exactly the planned ones, and its sound is
#     in sync within one video frame at every speech start (B-frames put
#     the video two frames behind; the muxer's shift for the audio priming
#     made the second picture jump a frame).
. "$(dirname "$0")/lib.sh"

job=$TMP/hevc.json out=$TMP/out/hevc.mp4
make_job "$FIX/talk/hevc.mkv" "$out" "$FIX/talk/talk.vad.json" >"$job"
run_worker "$job"
[[ $(probe "$out" v:0 stream=codec_name) == hevc ]] || fail "HEVC input did not give HEVC output"
tag=$(probe "$out" v:0 stream=codec_tag_string)
[[ $tag == hvc1 ]] || fail "HEVC in MP4 is tagged $tag, expected hvc1"
"$VS_BIN/vs-check-frames" -q "$job" "$out" || fail "hvc1 output: frame truth"
note "hevc mp4: tag $tag"

job=$TMP/avi.json out=$TMP/out/r2997.avi
make_job "$FIX/rates/r2997.mp4" "$out" "$FIX/rates/rates.vad.json" >"$job"
run_worker "$job"
bf=$(probe "$out" v:0 stream=has_b_frames)
[[ $bf == 0 ]] || fail "AVI output has B-frames (has_b_frames=$bf)"
"$VS_BIN/vs-check-frames" --exact -q "$job" "$out" || fail "AVI: frame truth"
"$VS_BIN/vs-check-audio" --no-end "$job" "$out" || fail "AVI: lip sync within one frame"
note "avi: no B-frames, exact pictures, sound within a frame"
