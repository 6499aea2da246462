#!/usr/bin/env bash
# output_guard.sh - the output name is the user's (docs/protocol.md,
# "Retries and refusals" 2 and 4), on vs-broker with two workers:
#  1. a file the user puts at the output name during the encode is never
#     replaced: the job ends skipped, saying so, and no temporary is left;
#  2. two jobs for the same output at once (two producers on one folder)
#     never both encode: the second waits for the first, then is skipped;
#  3. a legal 240-byte output name is processed (the temporaries fit);
#  4. a name the folder cannot take (300 bytes) fails at once, saying why:
#     no retry, and the worker is not paused (--fail-streak 1) - the next
#     job runs at once.
source "$(dirname "$0")/lib.sh"

start_broker
start_worker wA --fault slow:3 --fail-streak 1
start_worker wB --fault slow:3 --fail-streak 1
wait_log "$WORK/wA.log" "assigned" 20
wait_log "$WORK/wB.log" "assigned" 20
sleep 2 # both members settled

st=$WORK/status.jsonl
# wait_final ID SECONDS: until the job has a final status.
wait_final() {
    for _ in $(seq $((2 * $2))); do
        status_dump "$st"
        [[ $(count "$st" ".job_id == \"$1\" and (.type == \"done\" or .type == \"skipped\" or
              .type == \"failed\")") -ge 1 ]] && return 0
        sleep 0.5
    done
    fail "no final status for $1"
}

note "1. a file appears at the output name during the encode"
mkdir -p "$WORK/o1"
make_job v1 "$WORK/o1" > "$WORK/j1.jsonl"
produce_jobs "$WORK/j1.jsonl"
# started: the worker holds the output and checked it is free; slow:3
# keeps it there, as a long encode would.
for _ in $(seq 40); do
    status_dump "$st"
    [[ $(count "$st" ".job_id == \"$TEST_NAME-v1\" and .type == \"started\"") -ge 1 ]] && break
    sleep 0.5
done
sleep 1
echo "the user's own file" > "$WORK/o1/v1.mp4"
wait_final "$TEST_NAME-v1" 40
[[ $(cat "$WORK/o1/v1.mp4") == "the user's own file" ]] || fail "the user's file was replaced"
n=$(count "$st" ".job_id == \"$TEST_NAME-v1\" and .type == \"skipped\" and
         (.error | test(\"appeared\"))")
[[ $n -eq 1 ]] || fail "not skipped with a reason: $(grep "$TEST_NAME-v1" "$st" | tail -2)"
no_temp_files "$WORK/o1"

note "2. two jobs, one output, at once"
mkdir -p "$WORK/o2"
make_job v2 "$WORK/o2" | sed "s/\"job_id\":\"[^\"]*\"/\"job_id\":\"$TEST_NAME-p1\"/" > "$WORK/j2.jsonl"
make_job v2 "$WORK/o2" | sed "s/\"job_id\":\"[^\"]*\"/\"job_id\":\"$TEST_NAME-p2\"/" >> "$WORK/j2.jsonl"
produce_jobs "$WORK/j2.jsonl"
wait_final "$TEST_NAME-p1" 60
wait_final "$TEST_NAME-p2" 60
status_dump "$st"
done_n=$(count "$st" "(.job_id == \"$TEST_NAME-p1\" or .job_id == \"$TEST_NAME-p2\") and .type == \"done\"")
skip_n=$(count "$st" "(.job_id == \"$TEST_NAME-p1\" or .job_id == \"$TEST_NAME-p2\") and
             .type == \"skipped\" and (.error | test(\"meanwhile\"))")
[[ $done_n -eq 1 && $skip_n -eq 1 ]] ||
    fail "want one done and one skipped (written meanwhile), got $done_n done, $skip_n skipped"
# Both ran on different workers at once (the test is about that).
w1=$(jq -r "select(.job_id == \"$TEST_NAME-p1\" and .type == \"started\") | .worker" "$st" | head -1)
w2=$(jq -r "select(.job_id == \"$TEST_NAME-p2\" and .type == \"started\") | .worker" "$st" | head -1)
note "p1 on $w1, p2 on $w2"
check_output "$WORK/o2/v2.mp4" 4.875 122
comment=$(ffprobe -v error -show_entries format_tags=comment -of csv=p=0 "$WORK/o2/v2.mp4")
[[ $comment == "vs-job:$TEST_NAME-p1" || $comment == "vs-job:$TEST_NAME-p2" ]] || fail "the output is by $comment"
note "the output is by ${comment#vs-job:}"
no_temp_files "$WORK/o2"

note "3. a 240-byte output name"
mkdir -p "$WORK/o3"
long=$(printf 'n%.0s' $(seq 236)).mp4
make_job v3 "$WORK/o3" | jq -c --arg o "$WORK/o3/$long" '.output = $o' > "$WORK/j3.jsonl"
produce_jobs "$WORK/j3.jsonl"
wait_final "$TEST_NAME-v3" 40
[[ $(count "$st" ".job_id == \"$TEST_NAME-v3\" and .type == \"done\"") -eq 1 ]] ||
    fail "the 240-byte name was not processed: $(grep "$TEST_NAME-v3" "$st" | tail -1)"
check_output "$WORK/o3/$long" 4.875 122
no_temp_files "$WORK/o3"

note "4. a 300-byte output name: the job's own error"
mkdir -p "$WORK/o4"
toolong=$(printf 'x%.0s' $(seq 296)).mp4
make_job v4 "$WORK/o4" | jq -c --arg o "$WORK/o4/$toolong" '.output = $o' > "$WORK/j4.jsonl"
make_job v5 "$WORK/o4" >> "$WORK/j4.jsonl"
produce_jobs "$WORK/j4.jsonl"
wait_final "$TEST_NAME-v4" 40
wait_final "$TEST_NAME-v5" 40
# Refused when the worker checks the paths (attempts 0), or failed by the
# pipeline (1 attempt): either way once, permanent, saying why.
n=$(count "$st" ".job_id == \"$TEST_NAME-v4\" and .type == \"failed\" and .attempts <= 1 and
         (.error | test(\"too long\"))")
[[ $n -eq 1 ]] || fail "not one failure saying the name is too long: $(grep "$TEST_NAME-v4" "$st")"
[[ $(count "$st" ".job_id == \"$TEST_NAME-v4\" and .type == \"retry\"") -eq 0 ]] ||
    fail "the job's own error was retried"
[[ $(count "$st" ".job_id == \"$TEST_NAME-v5\" and .type == \"done\"") -eq 1 ]] ||
    fail "the next job did not run"
! grep -q "taking no jobs" "$WORK/wA.log" "$WORK/wB.log" || fail "a worker paused for the job's error"

note "5. the pipeline's own check, outside any broker (vs-worker --job)"
make_job v6 "$WORK/o4" | jq -c --arg o "$WORK/o4/y$toolong" '.output = $o' > "$WORK/j6.json"
rc=0
"$VS_BIN/vs-worker" --job "$WORK/j6.json" > "$WORK/j6.out" 2> "$WORK/j6.err" || rc=$?
((rc == 1)) || fail "--job with a 301-byte name: exit $rc, want 1"
grep -q "output name too long for a folder (301 bytes, at most 255)" "$WORK/j6.err" ||
    fail "--job: $(cat "$WORK/j6.err")"
[[ -z $(ls -A "$WORK/o4" | grep -v '^v5.mp4$') ]] || fail "left files: $(ls -A "$WORK/o4")"
note "ok"
