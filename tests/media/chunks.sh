#!/usr/bin/env bash
# chunks.sh NAME - a video split into 8 chunks and joined (chunk.h) is
# exactly the video a single job makes (SPEC §4), at one frame rate.
# The fixture rates/NAME.mp4 is re-encoded with a keyframe every 15
# pictures and 3 B-frames in a pyramid (x264's default pyramid), so every
# chunk but the first seeks to the keyframe before its first picture;
# "opengop" also uses open GOPs (leading pictures that reference the GOP
# before) into Matroska. The chunk jobs run in two worker processes at
# once, then the join, then:
#   - vs-check-frames --exact: every output picture, the ones on both sides
#     of each chunk edge included, is exactly the planned input picture;
#   - vs-check-audio --tolerance-ms 1 (the audio is re-timed whole);
#   - the stream decodes without a single error and has every output frame
#     once: timestamps unique, one frame apart, as many as planned;
#   - chunks after the first decoded from a keyframe after the start (the
#     seek happened), and the pieces are gone after the join.
# "hevc" is 25 fps HEVC (x265, the same GOP), joined into MP4 as hvc1.
# NAME: r23976 r25 r2997 r50 r5994 vfr2997 opengop hevc
. "$(dirname "$0")/lib.sh"

name=${1:?usage: chunks.sh NAME}
N=8
base=${name/opengop/r2997}
src=$FIX/rates/${base/hevc/r25}.mp4
[[ -f $src ]] || fail "no fixture $src"
in=$TMP/$name.mp4 ext=mp4
gop=(-g 15 -keyint_min 15 -sc_threshold 0 -bf 3)
if [[ $name == opengop ]]; then
    gop=(-bf 3 -x264-params open-gop=1:keyint=15:min-keyint=15:scenecut=0)
    ext=mkv # the output; the input stays MP4 (Matroska would move its video by the AAC priming)
fi
venc=(-c:v libx264 -preset veryfast -crf 18 "${gop[@]}")
[[ $name == hevc ]] && venc=(-c:v libx265 -preset ultrafast -crf 18 -tag:v hvc1
    -x265-params keyint=15:min-keyint=15:scenecut=0:bframes=3:log-level=error)
ffmpeg -nostdin -loglevel error -y -i "$src" -fps_mode passthrough "${venc[@]}" -c:a copy "$in" ||
    fail "cannot make the fixture"

out=$TMP/out/$name.$ext
make_job "$in" "$out" "$FIX/rates/rates.vad.json" >"$TMP/whole.json"
make_job "$in" "$out" "$FIX/rates/rates.vad.json" --chunks $N >"$TMP/parts.jsonl"
(($(wc -l <"$TMP/parts.jsonl") == N + 1)) || fail "vs-make-job --chunks $N: not $N chunks and a join"
for i in $(seq 0 $N); do sed -n "$((i + 1))p" "$TMP/parts.jsonl" >"$TMP/part$i.json"; done

# Two workers: even chunks in one, odd in the other.
work() {
    local i
    for ((i = $1; i < N; i += 2)); do
        "$VS_BIN/vs-worker" -vv --job "$TMP/part$i.json" --encoder "$ENCODER" 2>"$TMP/chunk$i.err" ||
            { cat "$TMP/chunk$i.err" >&2; return 1; }
    done
}
work 0 & w0=$!
work 1 & w1=$!
wait $w0 || fail "a chunk failed"
wait $w1 || fail "a chunk failed"
[[ ! -e $out ]] || fail "the output exists before the join"
"$VS_BIN/vs-worker" --job "$TMP/part$N.json" --encoder "$ENCODER" 2>"$TMP/join.err" ||
    { cat "$TMP/join.err" >&2; fail "the join failed"; }
[[ -s $out ]] || fail "no output at $out"

res=$("$VS_BIN/vs-check-frames" --exact "$TMP/whole.json" "$out") || { echo "$res"; fail "exact frame truth"; }
echo "$res"
"$VS_BIN/vs-check-audio" --tolerance-ms 1 "$TMP/whole.json" "$out" || fail "audio truth within 1 ms"
errs=$(ffmpeg -nostdin -v error -i "$out" -f null - 2>&1)
[[ -z $errs ]] || fail "the joined stream does not decode cleanly: $errs"
want=$(sed -n 's/.*pictures (expected \([0-9]*\)).*/\1/p' <<<"$res")
fps=$(probe "$out" v:0 stream=r_frame_rate)
# Matroska keeps milliseconds: a step is one frame to within a millisecond.
ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 "$out" | sort -g |
    awk -v want="$want" -v fps="$fps" '
        BEGIN { split(fps, f, "/"); step = f[2] / f[1] }
        NR > 1 { d = $1 - prev; if (d < step - 0.0011 || d > step + 0.0011) bad++ }
        { prev = $1 } END { if (NR != want || bad) { printf "%d packets (want %d), %d steps not one frame\n", NR, want, bad; exit 1 } }' ||
    fail "the joined video does not hold every output frame exactly once"

seeks=$(cat "$TMP"/chunk*.err | grep -c 'decodes from the keyframe at [1-9]\|decodes from the keyframe at 0\.[0-9]*[1-9]' || true)
((seeks >= N - 2)) || { cat "$TMP"/chunk*.err | grep 'decodes from' >&2; fail "only $seeks chunks seeked"; }
ls -A "$(dirname "$out")" | grep -q vs-pieces && fail "the pieces are still there after the join"
if [[ $name == hevc ]]; then
    [[ $(probe "$out" v:0 stream=codec_name) == hevc && $(probe "$out" v:0 stream=codec_tag_string) == hvc1 ]] ||
        fail "not HEVC tagged hvc1: $(probe "$out" v:0 stream=codec_tag_string)"
fi
note "8 chunks joined exactly at $name ($seeks chunks seeked)"
