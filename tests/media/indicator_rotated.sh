#!/usr/bin/env bash
# indicator_rotated.sh - the indicator on a picture players turn (issue 10):
# rates/rot90.mp4 carries a display matrix (shown turned 90 degrees). The
# box must be in the top-left corner of the picture as shown, and upright
# (wider than high there) - not in the coded picture's corner, which
# players show at another corner, sideways. vs-check-indicator judges the
# corner and shape after turning by the output's display matrix, which must
# still be there.
. "$(dirname "$0")/lib.sh"

in=$FIX/rates/rot90.mp4 sc=$FIX/rates/rates.vad.json
rot=$(probe "$in" v:0 stream_side_data=rotation)
[[ -n $rot && $rot != 0 ]] || fail "fixture has no display rotation"
make_job "$in" "$TMP/on/rot90.mp4" "$sc" --indicator >"$TMP/on.json"
make_job "$in" "$TMP/off/rot90.mp4" "$sc" >"$TMP/off.json"
run_worker "$TMP/on.json"
run_worker "$TMP/off.json"
[[ $(probe "$TMP/on/rot90.mp4" v:0 stream_side_data=rotation) == "$rot" ]] ||
    fail "the output lost the input's display rotation ($rot)"
"$VS_BIN/vs-check-indicator" "$TMP/on.json" "$TMP/on/rot90.mp4" "$TMP/off/rot90.mp4" ||
    fail "indicator on a turned picture"
"$VS_BIN/vs-check-frames" --exact -q "$TMP/on.json" "$TMP/on/rot90.mp4" || fail "frame truth with the indicator"
note "indicator upright in the shown top-left corner (rotation $rot)"
