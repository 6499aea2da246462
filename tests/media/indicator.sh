#!/usr/bin/env bash
# indicator.sh - the fast-forward indicator (SPEC §4): the same job with
# indicator on and off. With it, pictures of silent segments get a dark
# half-transparent box in the top-left corner with bright icon/text pixels
# in it; pictures of speech segments are untouched (vs-check-indicator
# compares the two outputs picture by picture). The box must not disturb
# the timing either.
. "$(dirname "$0")/lib.sh"

in=$FIX/talk/h264.mp4 sc=$FIX/talk/talk.vad.json
make_job "$in" "$TMP/on/h264.mp4" "$sc" --indicator >"$TMP/on.json"
make_job "$in" "$TMP/off/h264.mp4" "$sc" >"$TMP/off.json"
grep -q '"indicator":true' "$TMP/on.json" || fail "vs-make-job did not set indicator"
run_worker "$TMP/on.json"
run_worker "$TMP/off.json"
"$VS_BIN/vs-check-indicator" "$TMP/on.json" "$TMP/on/h264.mp4" "$TMP/off/h264.mp4" ||
    fail "indicator"
"$VS_BIN/vs-check-frames" --exact "$TMP/on.json" "$TMP/on/h264.mp4" || fail "frame truth with the indicator"
note "indicator OK"
