#!/usr/bin/env bash
# interlaced.sh - interlaced input stays interlaced (issue 10):
# rates/interlaced.mp4 (H.264 coded interlaced, top field first) to MP4
# and Matroska, and to HEVC in Matroska (coded as frames, labelled): the
# output's field order is the input's, never progressive, and its pictures
# are exactly the planned ones.
. "$(dirname "$0")/lib.sh"

in=$FIX/rates/interlaced.mp4
want=$(probe "$in" v:0 stream=field_order)
[[ $want == tt || $want == bb || $want == tb || $want == bt ]] || fail "fixture is not interlaced ($want)"
for v in mp4: mkv: mkv:hevc; do
    ext=${v%%:*} codec=${v#*:}
    job=$TMP/$ext$codec.json out=$TMP/out/interlaced$codec.$ext
    make_job "$in" "$out" "$FIX/rates/rates.vad.json" ${codec:+--codec $codec} >"$job"
    run_worker "$job"
    got=$(probe "$out" v:0 stream=field_order)
    [[ $got == "$want" ]] || fail "$ext: output field order $got, input $want"
    "$VS_BIN/vs-check-frames" --exact -q "$job" "$out" || fail "$ext: frame truth"
    note "$ext ${codec:-h264}: field order $got"
done
