#!/usr/bin/env bash
# logs.sh - encoder libraries' own output goes through the project's log
# (issue 10): SVT-AV1 prints a 14-line banner to stderr by itself. With
# the default level vs-worker's stderr holds only its own lines (each
# prefixed "vs-worker:"); with -v (debug) the banner is there, each line
# through the log ("vs-worker: debug: encoder: Svt[info]: ...").
. "$(dirname "$0")/lib.sh"
# Lines start with the worker's prefix, after a timestamp when stderr is
# not a terminal (as here).
pfx='^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z )?vs-worker: '

job=$TMP/job.json out=$TMP/out/av1.mp4
make_job "$FIX/rates/r25.mp4" "$out" "$FIX/rates/rates.vad.json" --codec av1 >"$job"
"$VS_BIN/vs-worker" --job "$job" --encoder cpu 2>"$TMP/quiet.err" || { cat "$TMP/quiet.err"; fail "vs-worker failed"; }
[[ $(probe "$out" v:0 stream=codec_name) == av1 ]] || fail "no AV1 output"
if grep -Ev "$pfx" "$TMP/quiet.err" | grep -q .; then
    grep -Ev "$pfx" "$TMP/quiet.err" | head -5 >&2
    fail "lines on stderr that did not go through the log"
fi
! grep -q 'Svt\[' "$TMP/quiet.err" || fail "SVT-AV1 banner shown at the default log level"

job=$TMP/job2.json out=$TMP/out/av1-debug.mp4 # a fresh output: a done job is not redone
make_job "$FIX/rates/r25.mp4" "$out" "$FIX/rates/rates.vad.json" --codec av1 >"$job"
"$VS_BIN/vs-worker" -v --job "$job" --encoder cpu 2>"$TMP/debug.err" || { cat "$TMP/debug.err"; fail "vs-worker -v failed"; }
if grep -Ev "$pfx" "$TMP/debug.err" | grep -q .; then
    grep -Ev "$pfx" "$TMP/debug.err" | head -5 >&2
    fail "lines on stderr that did not go through the log (debug)"
fi
n=$(grep -Ec "${pfx}debug: encoder: Svt\[info\]: SVT \[version\]" "$TMP/debug.err" || true)
((n >= 1)) || fail "SVT-AV1 banner missing from the debug log"
note "SVT-AV1 banner: hidden by default, $(grep -c 'encoder: Svt' "$TMP/debug.err") lines at debug level"
