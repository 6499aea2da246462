#!/usr/bin/env bash
# bad_input.sh - vs-worker --job refuses what it cannot process: a missing
# input, a truncated MP4, a text file named .mp4, random bytes and an empty
# file named .mp4, an audio-only file, a video claiming 100000x100000
# pixels, and malformed job
# messages. Each must give a non-zero exit, exactly one line on stderr
# (naming the input for input errors), and nothing at the output name: no
# output, no temporary file left in the output folder.
. "$(dirname "$0")/lib.sh"

# A valid job message for INPUT with output OUT (a 10 s window, 3 segments).
job_for() {
    printf '{"type":"job","version":1,"job_id":"bad-%s","run_id":"media-test","input":"%s",' \
        "$(basename "$1")" "$1"
    printf '"output":"%s","offset":0.0,"duration":10.0,"indicator":false,"overwrite":false,' "$2"
    printf '"codec":null,"out_duration":6.25,"segments":[[0.0,2.0,1.0],[2.0,7.0,4.0],[7.0,10.0,1.0]],'
    printf '"signature":null}\n'
}

# expect_refusal NAME JOB OUTDIR [WORD]: vs-worker must fail cleanly.
expect_refusal() {
    local name=$1 job=$2 outdir=$3 word=${4:-} rc=0 lines
    "$VS_BIN/vs-worker" --job "$job" --encoder "$ENCODER" >"$TMP/$name.out" 2>"$TMP/$name.err" || rc=$?
    ((rc != 0)) || fail "$name: vs-worker exited 0"
    lines=$(wc -l <"$TMP/$name.err")
    [[ $lines == 1 ]] || { cat "$TMP/$name.err" >&2; fail "$name: $lines lines on stderr, expected 1"; }
    if [[ -n $word ]] && ! grep -qF "$word" "$TMP/$name.err"; then
        cat "$TMP/$name.err" >&2
        fail "$name: the reason does not name $word"
    fi
    if [[ -d $outdir ]]; then
        [[ -z $(ls -A "$outdir") ]] || fail "$name: output folder holds [$(ls -A "$outdir" | tr '\n' ' ')]"
    fi
    note "$name: exit $rc: $(cat "$TMP/$name.err")"
}

mkdir -p "$TMP/in"
cp "$FIX/bad/truncated.mp4" "$FIX/bad/text.mp4" "$TMP/in/"
head -c 65536 /dev/urandom >"$TMP/in/random.mp4"
: >"$TMP/in/empty.mp4"
ffmpeg -nostdin -loglevel error -f lavfi -i sine=d=10 -c:a aac "$TMP/in/audioonly.mp4"
# A stream header that claims a 100000x100000 picture (YUV4MPEG2 is probed
# by content, not by the .mp4 name); nothing may try to allocate it.
{ printf 'YUV4MPEG2 W100000 H100000 F25:1 Ip A1:1 C420jpeg\nFRAME\n'; head -c 4096 /dev/zero; } \
    >"$TMP/in/huge.mp4"
for name in missing truncated text random empty audioonly huge; do
    job_for "$TMP/in/$name.mp4" "$TMP/out-$name/$name.mp4" >"$TMP/$name.json"
    expect_refusal "$name" "$TMP/$name.json" "$TMP/out-$name" "$name.mp4"
done
# The same with an output folder that already exists (and must stay empty).
mkdir -p "$TMP/out-existing"
job_for "$TMP/in/truncated.mp4" "$TMP/out-existing/truncated.mp4" >"$TMP/existing.json"
expect_refusal existing-folder "$TMP/existing.json" "$TMP/out-existing" truncated.mp4

# Malformed job messages (the input is fine, so only the message is wrong).
good=$FIX/talk/h264.mp4 o=$TMP/out-job/h264.mp4
job_for "$good" "$o" >"$TMP/whole.json"
head -c 120 "$TMP/whole.json" >"$TMP/cut.json"
echo 'not json at all' >"$TMP/garbage.json"
job_for "$good" "$o" | sed 's/"version":1/"version":7/' >"$TMP/version.json"
job_for "$good" "$o" | sed 's/,"segments":\[[^]]*\][^]]*\][^]]*\]\]//' >"$TMP/nosegments.json"
job_for "$good" "$o" | sed 's/\[2.0,7.0,4.0\]/[2.5,7.0,4.0]/' >"$TMP/gap.json"
job_for "$good" "$o" | sed 's/\[2.0,7.0,4.0\]/[2.0,7.0,-4.0]/' >"$TMP/speed.json"
: >"$TMP/empty.json"
grep -q segments "$TMP/nosegments.json" && fail "test bug: nosegments.json still has segments"
for name in cut garbage version nosegments gap speed empty; do
    expect_refusal "job-$name" "$TMP/$name.json" "$TMP/out-job"
done
expect_refusal job-missing-file "$TMP/no-such-job.json" "$TMP/out-job" no-such-job.json
note "all refusals clean"
