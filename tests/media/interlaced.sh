#!/usr/bin/env bash
# interlaced.sh - interlaced input stays interlaced (issue 10):
# rates/interlaced.mp4 (H.264 coded interlaced, top field first) to MP4
# and Matroska: the output's field order is the input's (ffprobe reads it
# from the coded stream), never progressive, and its pictures are exactly
# the planned ones.
. "$(dirname "$0")/lib.sh"

in=$FIX/rates/interlaced.mp4
want=$(probe "$in" v:0 stream=field_order)
[[ $want == tt || $want == bb || $want == tb || $want == bt ]] || fail "fixture is not interlaced ($want)"
for ext in mp4 mkv; do
    job=$TMP/$ext.json out=$TMP/out/interlaced.$ext
    make_job "$in" "$out" "$FIX/rates/rates.vad.json" >"$job"
    run_worker "$job"
    got=$(probe "$out" v:0 stream=field_order)
    [[ $got == "$want" ]] || fail "$ext: output field order $got, input $want"
    "$VS_BIN/vs-check-frames" --exact -q "$job" "$out" || fail "$ext: frame truth"
    note "$ext: field order $got"
done
