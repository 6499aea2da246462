#!/usr/bin/env bash
# kill9.sh - a worker killed with SIGKILL in the middle of an encode.
#
# vs-broker, two workers and vs-produce on a folder with one 300 s video
# (an encode of several seconds). Once the worker running the job has its
# temporary output on disk (OUT/.facecam.mp4.vs-<jobid>.part, mux.c), it is
# killed with SIGKILL. Then:
#   - no partial file ever appears under the real name;
#   - the job is redelivered: its partition moves to the surviving worker
#     when the group notices the death, which takes the job once the dead
#     worker's attempt has been silent for 15 s, and completes it;
#   - vs-produce's --json summary counts the file once, done, by the
#     survivor, with 2 attempts; the status topic has 2 "started" (one per
#     worker) and exactly one "done";
#   - the output is complete, carries its job id in its metadata, and the
#     output folder holds nothing else: the retry of the same job id
#     replaced the killed attempt's temporary file, and there is no lock or
#     marker file (nor anything new in the input folder).
source "$(dirname "$0")/lib.sh"

IN=$FIX/nas/session        # facecam.mp4 only
OUT=$WORK/out
# The sidecar: four silences. Planned: 239.5 s of output at 10 fps.
cat > "$WORK/facecam.vad.json" <<'JSON'
{ "version": 1, "source": { "file": "facecam.mp4" },
  "detection": { "backend": "silero", "analyzed_duration": 300.07,
                 "params": { "vad_threshold": 0.75, "offset": 0.0, "process_duration": null } },
  "speech_segments": [[0.0, 12.0], [16.0, 22.0], [45.0, 88.0], [130.0, 290.0]],
  "silence_intervals": [[12.0, 16.0], [22.0, 45.0], [88.0, 130.0], [290.0, 300.07]] }
JSON
OUT_S=239.5
OUT_FRAMES=2395
in_before=$(cd "$IN" && ls -A)

start_broker
start_worker wA
start_worker wB
wait_log "$WORK/wA.log" "assigned" 20
wait_log "$WORK/wB.log" "assigned" 20

note "vs-produce on one 300 s video"
"$VS_BIN/vs-produce" --brokers "$ADDR" "${KAFKA_X[@]}" --folder "$IN" \
    --vad-json "$WORK/facecam.vad.json" -o "$OUT" --json --progress lines --timeout 150 \
    > "$WORK/produce.json" 2> "$WORK/produce.log" &
PID_produce=$!
PIDS+=("$PID_produce")

# Whoever starts it is the victim; wait until its temporary file holds
# some of the encode (the finished output is about 3 MB).
victim=
for _ in $(seq 300); do
    for w in wA wB; do
        grep -q "facecam.mp4): started" "$WORK/$w.log" && victim=$w
    done
    [[ -n $victim ]] && break
    sleep 0.1
done
[[ -n $victim ]] || fail "no worker started the job within 30 s"
if [[ $victim == wA ]]; then survivor=wB; else survivor=wA; fi
part=
for _ in $(seq 300); do
    for f in "$OUT"/.facecam.mp4.vs-*.part; do
        [[ -e $f ]] && part=${f##*/}
    done
    [[ -n $part && $(stat -c %s "$OUT/$part" 2>/dev/null || echo 0) -gt 200000 ]] && break
    sleep 0.1
done
[[ -n $part && -e $OUT/$part ]] || fail "no temporary output of $victim after 30 s"
grep -q "facecam.mp4): done" "$WORK/$victim.log" && fail "the encode ended before the kill"
victim_pid=PID_$victim
kill -KILL "${!victim_pid}"
wait "${!victim_pid}" 2>/dev/null || true
note "$victim killed with SIGKILL during the encode (temporary file $part, $(stat -c %s "$OUT/$part") bytes)"
[[ -e $OUT/$part ]] || fail "the temporary file vanished with the kill"

# Nothing may appear under the real name before the survivor's attempt
# starts, and then only complete: renamed from the temporary file at the
# end, so the two never exist at once.
for _ in $(seq 1500); do
    kill -0 "$PID_produce" 2>/dev/null || break
    if [[ -e $OUT/facecam.mp4 ]]; then
        grep -q "facecam.mp4): started" "$WORK/$survivor.log" ||
            fail "an output under the real name before the retry started"
        [[ -e $OUT/$part ]] && fail "the real name and the temporary file exist at once"
    fi
    sleep 0.1
done
wait_exit "$PID_produce" 10
grep -q "facecam.mp4): done" "$WORK/$survivor.log" || fail "$survivor did not finish the job"
[[ $EXIT_CODE -eq 0 ]] || fail "vs-produce exited with $EXIT_CODE"

note "the summary counts the file once, done by $survivor after 2 attempts"
jq -e --arg w "$survivor" '.total == 1 and .processed == 1 and .failed == 0 and
    .skipped == 0 and (.files | length) == 1 and .files[0].file == "facecam.mp4" and
    .files[0].state == "done" and .files[0].attempts == 2 and .files[0].worker == $w and
    .summary == "Done. 1/1 videos processed."' "$WORK/produce.json" > /dev/null ||
    fail "summary: $(jq -c '{summary, files}' "$WORK/produce.json" 2>&1)"
id=$(jq -r '.files[0].job_id' "$WORK/produce.json")

st=$WORK/status.jsonl
status_dump "$st"
[[ $(count "$st" ".job_id == \"$id\" and .type == \"done\"") -eq 1 ]] ||
    fail "expected one done for $id"
[[ $(count "$st" ".job_id == \"$id\" and .type == \"done\" and .worker == \"$survivor\"") -eq 1 ]] ||
    fail "not done by $survivor"
[[ $(count "$st" ".job_id == \"$id\" and .type == \"started\"") -eq 2 ]] ||
    fail "expected two attempts (started) of $id"
[[ $(count "$st" ".job_id == \"$id\" and .type == \"started\" and .worker == \"$victim\"") -eq 1 ]] ||
    fail "no attempt of $victim on the status topic"
[[ $(count "$st" ".job_id == \"$id\" and .type == \"failed\"") -eq 0 ]] || fail "a failed status"
# The killed attempt counts as a failed one: the retry says so.
[[ $(count "$st" ".job_id == \"$id\" and .type == \"started\" and .worker == \"$survivor\" and .attempts == 1") -eq 1 ]] ||
    fail "the retry's started status does not count the killed attempt"

note "the output is complete and alone in its folder"
check_output "$OUT/facecam.mp4" "$OUT_S" "$OUT_FRAMES"
tag=$(probe "$OUT/facecam.mp4" "" format_tags=comment)
[[ $tag == "vs-job:$id" ]] || fail "output metadata comment is '$tag', expected vs-job:$id"
[[ $part == ".facecam.mp4.vs-"*".part" && ! -e $OUT/$part ]] ||
    fail "the killed attempt's temporary file $part is still there"
left=$(cd "$OUT" && ls -A | grep -vx facecam.mp4 || true)
[[ -z $left ]] || fail "the output folder holds more than the output: $left"
[[ $(cd "$IN" && ls -A) == "$in_before" ]] || fail "files appeared in the input folder"
note "ok"
