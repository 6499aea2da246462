#!/usr/bin/env bash
# start.sh - the media's own clock (SPEC §3.1, §4): rates/start14.mov has
# its first picture and first sample stamped 1.4 s, as screen recorders
# write them. Times count from there, so:
#   - the planned window d is the media's length from its first
#     presentation time (ffprobe: latest stream end - earliest stream
#     start), not the container's duration, which counts the 1.4 s;
#   - the output's last second is not a frozen picture (the old plan ran
#     1.4 s past the media and repeated its last picture);
#   - every output picture is exactly the planned one (vs-check-frames
#     --exact counts from the input's first presentation time) and every
#     speech start's burst is on time within 1 ms;
#   - in MP4, Matroska, WebM and MPEG-TS alike the output's video starts at
#     0 and its audio within one audio frame of it (the muxer's own shift
#     for encoder priming used to make the whole file 7-43 ms late).
. "$(dirname "$0")/lib.sh"

in=$FIX/rates/start14.mov
[[ $(probe "$in" v:0 stream=start_time) == 1.400000 ]] || fail "fixture does not start at 1.4 s"
want=$(ffprobe -v error -show_entries stream=start_time,duration -of csv=p=0 "$in" |
    awk -F, '$1 != "N/A" && $2 != "N/A" {
        if (!n++ || $1 < s) s = $1
        if ($1 + $2 > e) e = $1 + $2 } END { printf "%.6f", e - s }')

for ext in mp4 mkv webm ts; do
    job=$TMP/$ext.json out=$TMP/out/start14.$ext
    make_job "$in" "$out" "$FIX/rates/rates.vad.json" >"$job" 2>"$TMP/make.err"
    d=$(json_num "$job" duration)
    near "$d" "$want" 0.002 || fail "$ext: planned window $d s, the media lasts $want s from its first picture"
    ! grep -q warning "$TMP/make.err" || fail "$ext: $(cat "$TMP/make.err")"
    run_worker "$job"
    v0=$(probe "$out" v:0 stream=start_time)
    near "$v0" 0 0.0001 || fail "$ext: output video starts at $v0 s"
    "$VS_BIN/vs-check-frames" --exact -q --dump "$TMP/dump" "$job" "$out" || fail "$ext: exact frame truth"
    distinct=$(tail -n 15 "$TMP/dump" | awk '{ print $2 }' | sort -u | wc -l)
    ((distinct == 15)) || fail "$ext: the last 15 output pictures show only $distinct input pictures (frozen ending)"
    "$VS_BIN/vs-check-audio" --tolerance-ms 1 -q "$job" "$out" || fail "$ext: audio truth within 1 ms"
    note "$ext: window $d s, video starts at $v0 s, exact"
done
