#!/usr/bin/env bash
# formats.sh VARIANT - one input format through vs-worker --job (SPEC §4, §5).
# ffprobe confirms the codecs and stream counts, frame rate, sample rate and
# duration; vs-check-frames and vs-check-audio (every audio track) confirm
# the timing. Variants (tests/media/gen_fixtures.sh):
#   h264_mp4       H.264 + AAC stereo    -> H.264 + AAC, .mp4
#   hevc_mkv       HEVC + AAC            -> HEVC + AAC, .mkv
#   mpeg4_mov      MPEG-4 part 2 + AAC 44.1 kHz at 30000/1001 fps
#                                        -> H.264 (anything else -> H.264), .mov
#   vp9_webm       VP9 + Opus at 30 fps  -> VP9 + Opus (WebM)
#   noaudio_mp4    H.264, no audio       -> H.264, no audio stream
#   vfr_mp4        H.264 with frames dropped (VFR) -> CFR at 25 fps
#   twotracks_mkv  two AAC tracks, the second ending 1.5 s before the video
#                  -> both kept, each spanning the whole output
. "$(dirname "$0")/lib.sh"

variant=${1:?usage: formats.sh VARIANT}
case $variant in
h264_mp4)      file=h264.mp4      vcodec=h264 acodec=aac  naudio=1 ;;
hevc_mkv)      file=hevc.mkv      vcodec=hevc acodec=aac  naudio=1 ;;
mpeg4_mov)     file=mpeg4.mov     vcodec=h264 acodec=aac  naudio=1 ;;
vp9_webm)      file=vp9.webm      vcodec=vp9  acodec=opus naudio=1 ;;
noaudio_mp4)   file=noaudio.mp4   vcodec=h264 acodec=     naudio=0 ;;
vfr_mp4)       file=vfr.mp4       vcodec=h264 acodec=aac  naudio=1 ;;
twotracks_mkv) file=twotracks.mkv vcodec=h264 acodec=aac  naudio=2 ;;
*) fail "unknown variant $variant" ;;
esac
in=$FIX/talk/$file job=$TMP/job.json out=$TMP/out/$file

make_job "$in" "$out" "$FIX/talk/talk.vad.json" >"$job"
run_worker "$job"
[[ -s $out ]] || fail "no output at $out"
only_file "$TMP/out" "$file"

# Codecs and streams.
[[ $(count_streams "$out" v) == 1 ]] || fail "expected one video stream"
got=$(probe "$out" v:0 stream=codec_name)
[[ $got == "$vcodec" ]] || fail "video codec is $got, expected $vcodec"
got=$(count_streams "$out" a)
[[ $got == "$naudio" ]] || fail "$got audio streams, expected $naudio"
for ((t = 0; t < naudio; t++)); do
    got=$(probe "$out" a:$t stream=codec_name)
    [[ $got == "$acodec" ]] || fail "audio track $t codec is $got, expected $acodec"
    want=$(probe "$in" a:$t stream=sample_rate)
    got=$(probe "$out" a:$t stream=sample_rate)
    [[ $got == "$want" ]] || fail "audio track $t sample rate $got, input $want"
done
[[ $(probe "$out" v:0 stream=pix_fmt) == "$(probe "$in" v:0 stream=pix_fmt)" ]] ||
    fail "pixel format did not carry over"

# Constant frame rate at the input's rate; duration as planned.
rate=$(probe "$in" v:0 stream=r_frame_rate)
[[ $(probe "$out" v:0 stream=r_frame_rate) == "$rate" ]] || fail "output r_frame_rate is not $rate"
[[ $(probe "$out" v:0 stream=avg_frame_rate) == "$rate" ]] ||
    fail "output avg_frame_rate $(probe "$out" v:0 stream=avg_frame_rate) is not $rate (not CFR)"
planned=$(json_num "$job" out_duration)
got=$(probe "$out" "" format=duration)
near "$got" "$planned" 0.1 || fail "output lasts $got s, planned $planned s"

# Timing of every picture and every audio track.
"$VS_BIN/vs-check-frames" --exact "$job" "$out" || fail "frame truth"
for ((t = 0; t < naudio; t++)); do
    "$VS_BIN/vs-check-audio" "$job" "$out" --track $t || fail "audio truth, track $t"
done
note "$variant OK"
