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
# AAC-LC packets inside silences are left undecoded too, the decoder
# restarting after each silence (pipeline.c, VS_GAP_RESTART); VS_NO_SKIP=1
# restarts it at the same packets, so the outputs stay identical even with
# noise substitution (PNS), whose random state a restart resets: a fixture
# of pink noise encoded with PNS checks that. And a restart reproduces
# continuous decoding exactly where PNS is not used: the same job with
# VS_NO_AUDIO_RESTART=1 (one decoder throughout, every packet decoded)
# gives identical decoded audio (a fixture encoded without PNS: FFmpeg's
# AAC encoder uses it by default, even on a sine's faint bands, and there a
# restart gives other random values in those bands: on the sine of this
# test, at most 1e-3 of full scale in the re-encoded output).
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
ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc2=s=320x180:r=25:d=$D" \
    -f lavfi -i "anoisesrc=c=pink:a=0.3:d=$D:r=48000" -c:v libx264 -crf 23 -c:a aac -b:a 96k "$TMP/pns.mp4" &
wait
ffmpeg -nostdin -loglevel error -y -i "$TMP/pns.mp4" -c:v copy -c:a aac -aac_pns 0 -b:a 96k "$TMP/nopns.mp4"
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

# restart IN SIDECAR LABEL: restarting the AAC decoder after silences
# gives the samples of one decoder decoding every packet.
restart() {
    local in=$1 sc=$2 label=$3 m a1 a2 n
    for m in 0 1; do
        make_job "$in" "$TMP/r$m/$label.mp4" "$sc" >"$TMP/$label.r$m.json"
        VS_NO_AUDIO_RESTART=$m "$VS_BIN/vs-worker" -vv --job "$TMP/$label.r$m.json" --encoder "$ENCODER" \
            2>"$TMP/$label.r$m.err" || { cat "$TMP/$label.r$m.err" >&2; fail "$label: worker (restart $m)"; }
    done
    n=$(sed -n 's/.* \([0-9]*\) audio decoder restarts.*/\1/p' "$TMP/$label.r0.err")
    ((n >= 3)) || fail "$label: $n audio decoder restarts, want >= 3"
    grep -q ' 0 audio packets; 0 audio decoder restarts' "$TMP/$label.r1.err" ||
        fail "$label: VS_NO_AUDIO_RESTART=1 still left packets out"
    a1=$(ffmpeg -nostdin -loglevel error -i "$TMP/r0/$label.mp4" -map 0:a -f md5 -)
    a2=$(ffmpeg -nostdin -loglevel error -i "$TMP/r1/$label.mp4" -map 0:a -f md5 -)
    [[ $a1 == "$a2" ]] || fail "$label: restarting the audio decoder changed the audio ($a1, one decoder $a2)"
    note "$label: $n restarts of the AAC decoder give the samples of one decoder"
}

same "$TMP/x264.mp4" "$TMP/long.vad.json" x264 1000
same "$TMP/opengop.mkv" "$TMP/long.vad.json" opengop 1000
same "$TMP/mpeg4.mov" "$TMP/long.vad.json" mpeg4 1000
same "$TMP/pns.mp4" "$TMP/long.vad.json" pns 1000
restart "$TMP/nopns.mp4" "$TMP/long.vad.json" nopns
same "$TMP/jx264.mp4" "$TMP/jump.vad.json" jx264 1000 10
same "$TMP/jopengop.mkv" "$TMP/jump.vad.json" jopengop 1000 10
same "$TMP/jmpeg4.mov" "$TMP/jump.vad.json" jmpeg4 1000 10
for r in r23976 r2997 r60; do
    same "$FIX/rates/$r.mp4" "$FIX/rates/rates.vad.json" "$r"
done
note "skipping changes no output"
