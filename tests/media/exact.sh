#!/usr/bin/env bash
# exact.sh NAME - exact frame and audio truth at one frame rate (SPEC §4).
# rates/NAME.mp4 (12 s, opens with 2 s of speech, three 4x silences)
# through vs-worker --job, then:
#   - vs-check-frames --exact: every output picture is exactly the input
#     picture with the greatest timestamp <= its planned input time (no
#     +-1; only a planned time within 1 ms of a picture's edge may go
#     either way), computed by the checker in its own integer arithmetic;
#   - every frame of the opening 1x segment was planned exactly on an
#     input picture (so the test exercised the case floating point gets
#     wrong: at 29.97 fps a third of them came out one frame late);
#   - vs-check-audio --tolerance-ms 1: the tone burst at every speech
#     start is at its planned output time within 1 ms.
# NAME: r23976 r25 r2997 r30 r50 r5994 r60 vfr2997
. "$(dirname "$0")/lib.sh"

name=${1:?usage: exact.sh NAME}
in=$FIX/rates/$name.mp4
[[ -f $in ]] || fail "no fixture $in"
job=$TMP/job.json out=$TMP/out/$name.mp4
make_job "$in" "$out" "$FIX/rates/rates.vad.json" >"$job"
run_worker "$job"
[[ -s $out ]] || fail "no output at $out"

res=$("$VS_BIN/vs-check-frames" --exact "$job" "$out") || { echo "$res"; fail "exact frame truth"; }
echo "$res"
fps=$(probe "$in" v:0 stream=r_frame_rate)
on=$(sed -n 's/.*on-picture \([0-9]*\).*/\1/p' <<<"$res")
# The opening speech segment is 2 s: all its frames land on pictures
# (fewer in the variable frame rate input, whose dropped pictures leave
# their frames on an older one).
share=1
[[ $name == vfr* ]] && share=0.7 # 1 picture in 5 and 4 in 45 dropped
min=$(awk -v r="$fps" -v s="$share" 'BEGIN { split(r, f, "/"); printf "%d", 2 * f[1] / f[2] * s - 1 }')
((on >= min)) || fail "only $on output pictures were planned exactly on an input picture (want >= $min)"

"$VS_BIN/vs-check-audio" --tolerance-ms 1 "$job" "$out" || fail "audio truth within 1 ms"
note "exact truth OK at $fps ($name)"
