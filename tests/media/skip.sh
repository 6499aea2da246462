#!/usr/bin/env bash
# skip.sh - decoding only what is shown changes no output (common/media/skip.h).
# Runs the same jobs with skipping on (default) and off (VS_NO_SKIP=1) and
# requires the encoded video streams to be bit-identical (md5 of the video
# packets) and the decoded audio to be identical, on:
#   - H.264, x264's defaults (3 B-frames, B-pyramid), 25 fps, AAC;
#   - H.264 open GOP, 20 s GOP, 3 B-frames, 29.97 fps, Matroska (ms
#     timestamps), AAC;
#   - MPEG-4 part 2 with 2 B-frames, 50 fps, PCM audio in MOV (audio
#     packets inside silences are skipped too);
#   - the exact-truth fixtures at 23.976, 29.97 and 60 fps;
#   - one 112 s silence (27.5x) over short GOPs, where the decoder jumps to
#     keyframes (common/media/vjump.h): x264 closed GOP (2 s), x264 open
#     GOP with B-pyramid in Matroska (2 s), MPEG-4 part 2 with B-frames
#     (1.5 s); the test requires jumps to have happened.
# It also requires that skipping did happen (the worker's debug line), so
# the test fails if the feature silently stops working. Frame truth with
# skipping on is what exact.sh and frames.sh check (skipping is the default).
. "$(dirname "$0")/lib.sh"

D=60
sil="[2.0,5.0],[6.5,9.0],[10.0,40.0],[41.2,52.0],[55.0,60.0]"
printf '{"version":1,"source":{"file":"x"},"detection":{"backend":"silencedetect","analyzed_duration":%s},"speech_segments":[],"silence_intervals":[%s]}\n' \
    "$D" "$sil" >"$TMP/long.vad.json"
src=(-f lavfi -i "testsrc2=s=320x180:r=RATE:d=$D" -f lavfi -i "sine=f=440:d=$D:sample_rate=48000")
gen() { # RATE OUT ARGS...
    local r=$1 out=$2
    shift 2
    ffmpeg -nostdin -loglevel error -y "${src[@]/RATE/$r}" "$@" "$out"
}
gen 25 "$TMP/x264.mp4" -c:v libx264 -crf 23 -c:a aac &
gen 30000/1001 "$TMP/opengop.mkv" -c:v libx264 -preset veryfast -crf 23 -bf 3 \
    -x264-params open-gop=1:keyint=600:min-keyint=600:scenecut=0 -c:a aac &
gen 50 "$TMP/mpeg4.mov" -c:v mpeg4 -q:v 4 -bf 2 -c:a pcm_s16le &
wait
# Jumps: a long silence over short GOPs.
D=120
printf '{"version":1,"source":{"file":"x"},"detection":{"backend":"silencedetect","analyzed_duration":%s},"speech_segments":[],"silence_intervals":[[3.0,115.0]]}\n' \
    "$D" >"$TMP/jump.vad.json"
src=(-f lavfi -i "testsrc2=s=320x180:r=RATE:d=$D" -f lavfi -i "sine=f=440:d=$D:sample_rate=48000")
gen 25 "$TMP/jx264.mp4" -c:v libx264 -crf 23 -g 50 -c:a aac &
gen 30000/1001 "$TMP/jopengop.mkv" -c:v libx264 -preset veryfast -crf 23 -bf 3 \
    -x264-params open-gop=1:b-pyramid=normal:keyint=60:min-keyint=60:scenecut=0 -c:a aac &
gen 50 "$TMP/jmpeg4.mov" -c:v mpeg4 -q:v 4 -bf 2 -g 75 -c:a pcm_s16le &
wait

# same IN SIDECAR LABEL [WANT_AUDIO_SKIPS [WANT_JUMPS]]: on and off give the same output.
same() {
    local in=$1 sc=$2 label=$3 want_audio=${4:-0} want_jumps=${5:-0} m
    for m in on off; do
        make_job "$in" "$TMP/$m/$label.mp4" "$sc" >"$TMP/$label.$m.json"
        local t0=$SECONDS
        VS_NO_SKIP=$([[ $m == off ]] && echo 1 || echo 0) \
            "$VS_BIN/vs-worker" -vv --job "$TMP/$label.$m.json" --encoder "$ENCODER" \
            2>"$TMP/$label.$m.err" || { cat "$TMP/$label.$m.err" >&2; fail "$label: worker ($m)"; }
        note "$label: skipping $m: $((SECONDS - t0)) s"
    done
    local v1 v2 a1 a2
    v1=$(ffmpeg -nostdin -loglevel error -i "$TMP/on/$label.mp4" -map 0:v -c copy -f md5 -)
    v2=$(ffmpeg -nostdin -loglevel error -i "$TMP/off/$label.mp4" -map 0:v -c copy -f md5 -)
    [[ $v1 == "$v2" ]] || fail "$label: video differs with skipping ($v1, without $v2)"
    a1=$(ffmpeg -nostdin -loglevel error -i "$TMP/on/$label.mp4" -map 0:a -f md5 -)
    a2=$(ffmpeg -nostdin -loglevel error -i "$TMP/off/$label.mp4" -map 0:a -f md5 -)
    [[ $a1 == "$a2" ]] || fail "$label: decoded audio differs with skipping ($a1, without $a2)"
    local line vp ap jp
    line=$(grep -o 'left undecoded: .*' "$TMP/$label.on.err") || fail "$label: no skip report"
    vp=$(sed -n 's/left undecoded: \([0-9]*\) video.*/\1/p' <<<"$line")
    ap=$(sed -n 's/.*, \([0-9]*\) audio packets.*/\1/p' <<<"$line")
    ((vp > 0)) || fail "$label: no video packet was skipped ($line)"
    ((ap >= want_audio)) || fail "$label: $ap audio packets skipped, want >= $want_audio ($line)"
    jp=$(sed -n 's/.* in \([0-9]*\) jumps to a keyframe.*/\1/p' <<<"$line")
    ((jp >= want_jumps)) || fail "$label: $jp jumps to a keyframe, want >= $want_jumps ($line)"
    grep -q 'left undecoded: 0 video packets.*, 0 jumped over in 0 jumps to a keyframe, 0 audio packets (VS_NO_SKIP)' "$TMP/$label.off.err" ||
        fail "$label: VS_NO_SKIP=1 did not turn skipping off"
    note "$label: identical with and without skipping ($line)"
}

same "$TMP/x264.mp4" "$TMP/long.vad.json" x264
same "$TMP/opengop.mkv" "$TMP/long.vad.json" opengop
same "$TMP/mpeg4.mov" "$TMP/long.vad.json" mpeg4 1000
same "$TMP/jx264.mp4" "$TMP/jump.vad.json" jx264 0 10
same "$TMP/jopengop.mkv" "$TMP/jump.vad.json" jopengop 0 10
same "$TMP/jmpeg4.mov" "$TMP/jump.vad.json" jmpeg4 1000 10
for r in r23976 r2997 r60; do
    same "$FIX/rates/$r.mp4" "$FIX/rates/rates.vad.json" "$r"
done
note "skipping changes no output"
