#!/usr/bin/env bash
# confine.sh - a worker reads and writes only under its roots (--root DIR,
# repeatable, and VS_ROOTS): jobs whose input or output escapes them
# ("..", an absolute path elsewhere, a symlinked file or folder leading
# out) are refused with a failed + rejected status naming the path, parked
# on the dead-letter topic, and the paths outside are never touched; jobs
# inside (a root from VS_ROOTS, a symlink that stays inside) run. Also:
# the start-up line names the roots (the working directory when none is
# given), `vs-worker --job FILE` is not confined, and vs-produce's embedded
# workers are confined to the run's input and output folders.
source "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/in" "$WORK/out" "$WORK/out2" "$WORK/secret" "$WORK/cwd"
cp "$FIX/session/v1.mp4" "$WORK/in/"
cp "$FIX/session/v1.mp4" "$WORK/secret/"
echo victim > "$WORK/secret/victim.mp4"
ln -s "$WORK/secret/v1.mp4" "$WORK/in/link.mp4"     # a file leading out
ln -s "$WORK/secret" "$WORK/in/sub"                 # a folder leading out
ln -s "$WORK/in/v1.mp4" "$WORK/in/inside.mp4"       # a symlink that stays in
ln -s "$WORK/secret/victim.mp4" "$WORK/out/evil.mp4"
ln -s "$WORK/secret" "$WORK/out/dirlink"
secret_before=$(ls -lAR --time-style=full-iso "$WORK/secret"; sha256sum "$WORK/secret"/*)

start_broker
WORKER_ROOTS=(--root "$WORK/in" --root "$WORK/out")
VS_ROOTS=$WORK/out2 start_worker wA
wait_log "$WORK/wA.log" "assigned 16" 20
grep -qF "jobs may only read and write under $WORK/in:$WORK/out:$WORK/out2" "$WORK/wA.log" ||
    fail "the roots are not said at start-up"

base=$(make_job v1 "$WORK/out")
# job ID INPUT OUTPUT: the job message with these paths.
job() { jq -c --arg id "$1" --arg in "$2" --arg out "$3" \
            '.job_id = $id | .input = $in | .output = $out' <<<"$base"; }
{
    job esc-dotdot-in    "$WORK/in/../secret/v1.mp4" "$WORK/out/a.mp4"
    job esc-abs-in       "$WORK/secret/v1.mp4"       "$WORK/out/b.mp4"
    job esc-link-in      "$WORK/in/link.mp4"         "$WORK/out/c.mp4"
    job esc-dirlink-in   "$WORK/in/sub/v1.mp4"       "$WORK/out/d.mp4"
    job esc-dotdot-out   "$WORK/in/v1.mp4"           "$WORK/out/../secret/e.mp4"
    job esc-abs-out      "$WORK/in/v1.mp4"           "$WORK/secret/f.mp4"
    job esc-link-out     "$WORK/in/v1.mp4"           "$WORK/out/evil.mp4"
    job esc-dirlink-out  "$WORK/in/v1.mp4"           "$WORK/out/dirlink/g.mp4"
    job ok-root          "$WORK/in/v1.mp4"           "$WORK/out/v1.mp4"
    job ok-env-root      "$WORK/in/v1.mp4"           "$WORK/out2/v1.mp4"
    job ok-inside-link   "$WORK/in/inside.mp4"       "$WORK/out/new/inside.mp4"
} > "$WORK/jobs.jsonl"
note "eight escapes and three jobs inside the roots"
produce_jobs "$WORK/jobs.jsonl"

st=$WORK/status.jsonl
for _ in $(seq 60); do
    status_dump "$st"
    [[ $(count "$st" '.type == "done" or .type == "failed"') -ge 11 ]] && break
    sleep 1
done
refused() { # ID PATH REASON: refused, naming the path as the job gave it, for REASON
    local n
    n=$(jq -c --arg id "$1" --arg path "$2" --arg why "$3" 'select(.type == "failed" and
            .job_id == $id and .rejected == true and (.error | startswith($path + ": ")) and
            (.error | contains($why)))' "$st" | wc -l)
    [[ $n -eq 1 ]] || fail "$1: not refused with '$3': $(jq -c --arg id "$1" 'select(.job_id == $id)' "$st")"
}
refused esc-dotdot-in   "input $WORK/in/../secret/v1.mp4"   '".." is not allowed'
refused esc-abs-in      "input $WORK/secret/v1.mp4"         "outside the worker's roots"
refused esc-link-in     "input $WORK/in/link.mp4"           "outside the worker's roots"
refused esc-dirlink-in  "input $WORK/in/sub/v1.mp4"         "outside the worker's roots"
refused esc-dotdot-out  "output $WORK/out/../secret/e.mp4"  '".." is not allowed'
refused esc-abs-out     "output $WORK/secret/f.mp4"         "outside the worker's roots"
refused esc-link-out    "output $WORK/out/evil.mp4"         "is a symlink"
refused esc-dirlink-out "output $WORK/out/dirlink/g.mp4"    "outside the worker's roots"
[[ $(count "$st" '.type == "started" and (.job_id | startswith("esc-"))') -eq 0 ]] ||
    fail "an escaping job was started"
n=$(kcat -b "$ADDR" -C -t vs.jobs.dead -o beginning -e -q -f '%k\n' 2>/dev/null | grep -c '^esc-' || true)
[[ $n -eq 8 ]] || fail "expected 8 dead-letter copies, found $n"
[[ $(ls -lAR --time-style=full-iso "$WORK/secret"; sha256sum "$WORK/secret"/*) == "$secret_before" ]] ||
    fail "something outside the roots changed"

for id in ok-root ok-env-root ok-inside-link; do
    [[ $(count "$st" ".type == \"done\" and .job_id == \"$id\"") -eq 1 ]] || fail "$id not done"
done
check_output "$WORK/out/v1.mp4" 4.875 122
check_output "$WORK/out2/v1.mp4" 4.875 122
check_output "$WORK/out/new/inside.mp4" 4.875 122
[[ $(count "$st" '.type == "done" and .job_id == "ok-inside-link" and .file == "inside.mp4"') -eq 1 ]] ||
    fail "the status names the resolved file, not the job's"
kill -TERM "$PID_wA"
wait_exit "$PID_wA" 20

note "no root given: the working directory, said at start-up"
pushd "$WORK/cwd" > /dev/null
WORKER_ROOTS=()
unset VS_ROOTS
start_worker wDef --group confine-default
popd > /dev/null
wait_log "$WORK/wDef.log" "no --root and no VS_ROOTS: jobs may only read and write under the working directory $WORK/cwd" 20
kill -TERM "$PID_wDef"
wait_exit "$PID_wDef" 20

note "vs-worker --job is not confined"
job job-by-hand "$WORK/secret/v1.mp4" "$WORK/secret/by-hand.mp4" > "$WORK/by-hand.json"
(cd "$WORK/cwd" && VS_ROOTS=$WORK/out2 "$VS_BIN/vs-worker" --job "$WORK/by-hand.json" \
    2> "$WORK/by-hand.log") || fail "vs-worker --job refused a path outside any root"
check_output "$WORK/secret/by-hand.mp4" 4.875 122

note "vs-produce's embedded workers: the run's folders only"
mkdir -p "$WORK/sess"
cp "$FIX/session/v1.mp4" "$FIX/session/v2.mp4" "$FIX/session/session.vad.json" "$WORK/sess/"
(cd "$WORK/cwd" && env -u VS_BROKERS -u VS_ROOTS "$VS_BIN/vs-produce" --folder "$WORK/sess" \
    -o "$WORK/prod-out" --progress none --timeout 60 > "$WORK/produce.out" 2> "$WORK/produce.log") ||
    fail "vs-produce failed: $(cat "$WORK/produce.out")"
grep -qx "Done. 2/2 videos processed." "$WORK/produce.out" || fail "summary: $(cat "$WORK/produce.out")"
grep -qF "jobs may only read and write under $WORK/sess:$WORK/prod-out" "$WORK/produce.log" ||
    fail "the embedded workers are not confined to the run's folders"
note "ok"
