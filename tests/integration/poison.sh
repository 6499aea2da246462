#!/usr/bin/env bash
# poison.sh - whatever arrives on the jobs topic, the worker refuses it in
# one line and goes on. Poison messages produced with kcat (not JSON, a
# wrong version, a missing field, a 3 MB message on the partition of the
# next good job, 20001 segments, a million segments, NaN, 1e999, a
# negative time, reversed segments, a NULL value, random bytes, no key at
# all) are each:
#   - reported failed + rejected with a reason naming the fault, under the
#     job id the message carries, else its key, else TOPIC/PARTITION@OFFSET;
#   - copied to vs.jobs.dead with the reason in a header (the 3 MB one cut
#     to 64 KiB);
#   - committed (a worker that joins afterwards receives none of them);
# and the good jobs after them complete, on a worker that is still alive
# and never paused for a failure streak (refusals do not count).
source "$(dirname "$0")/lib.sh"

start_broker
start_worker wA --fail-streak 2
wait_log "$WORK/wA.log" "assigned 16" 20

mkdir -p "$WORK/p" "$WORK/out"
base=$(make_job v1 "$WORK/out" --job-id unused)
mod() { jq -c "$1" <<<"$base"; }
# name key partition expected-status-job-id reason-regex: one table row
rows=()
poison() { # NAME KEY PARTITION STATUS_ID REASON (payload in $WORK/p/NAME)
    rows+=("$1|$2|$3|$4|$5")
    if [[ $2 == - ]]; then
        kcat -b "$ADDR" -P -t vs.jobs -p "$3" "$WORK/p/$1" || fail "kcat -P $1"
    else
        kcat -b "$ADDR" -P -t vs.jobs -p "$3" -k "$2" -X message.max.bytes=10000000 \
            "$WORK/p/$1" || fail "kcat -P $1"
    fi
}

printf 'this is not json {' > "$WORK/p/notjson"
mod '.version = 7 | .job_id = "poison-version" | .run_id = "poison-run"' > "$WORK/p/version"
mod 'del(.input) | .job_id = "poison-missing"' > "$WORK/p/missing"
# 3 MB: over VS_JOB_MAX_BYTES (refused before parsing), under the embedded
# broker's ~5 MiB per partition. The next good job goes to the same partition.
{ printf '{"type":"job","version":1,"job_id":"poison-big","pad":"'
  head -c 3000000 /dev/zero | tr '\0' x; printf '"}'; } > "$WORK/p/big"
mod '.job_id = "poison-manyseg" | .segments = [range(20001) | [., . + 1, 1]] |
     .duration = 20001' > "$WORK/p/manyseg"
{ printf '{"type":"job","version":1,"job_id":"poison-million","segments":['
  awk 'BEGIN { for (i = 0; i < 999999; i++) printf "[],"; printf "[]]}" }'; } > "$WORK/p/million"
sed 's/"offset":0/"offset":NaN/' <<<"$base" > "$WORK/p/nan"
sed 's/"duration":6,/"duration":1e999,/; s/"unused"/"poison-inf"/' <<<"$base" > "$WORK/p/inf"
mod '.job_id = "poison-negative" | .segments[0][0] = -1' > "$WORK/p/negative"
mod '.job_id = "poison-reversed" | .segments = [[0, 1, 1], [2.5, 1, 4], [1, 6, 1]]' \
    > "$WORK/p/reversed"
head -c 4096 /dev/urandom > "$WORK/p/random"
printf 'not a job, no key' > "$WORK/p/nokey"
grep -q NaN "$WORK/p/nan" && grep -q 1e999 "$WORK/p/inf" || fail "test bug: NaN / 1e999 not written"

note "thirteen poison messages"
poison notjson   k-notjson   0 k-notjson      'not JSON'
poison version   k-version   1 poison-version 'version'
poison missing   k-missing   2 poison-missing '"input"'
poison big       k-big       3 k-big          'larger than 1048576 bytes'
poison manyseg   k-manyseg   4 poison-manyseg '20001 segments'
poison million   k-million   6 k-million      'larger than 1048576 bytes'
poison nan       k-nan       7 k-nan          'not JSON'
poison inf       k-inf       8 poison-inf     '"duration" must be a finite number'
poison negative  k-negative  9 poison-negative 'negative time'
poison reversed  k-reversed 10 poison-reversed 'ends at or before its start'
poison random    k-random   11 k-random       'not JSON'
printf 'k-null\t\n' | kcat -b "$ADDR" -P -t vs.jobs -p 12 -K $'\t' -Z || fail "kcat -P null"
rows+=("null|k-null|12|k-null|empty message")
poison nokey     -          13 'vs.jobs/13@0' 'not JSON'

note "then good jobs, one on the partition of the 3 MB message"
make_job v2 "$WORK/out" | tr -d '\n' | kcat -b "$ADDR" -P -t vs.jobs -p 3 -k "$TEST_NAME-v2" ||
    fail "kcat -P v2"
make_job v3 "$WORK/out" | tr -d '\n' | kcat -b "$ADDR" -P -t vs.jobs -p 5 -k "$TEST_NAME-v3" ||
    fail "kcat -P v3"

st=$WORK/status.jsonl
for _ in $(seq 60); do
    status_dump "$st"
    [[ $(count "$st" '.type == "done"') -ge 2 &&
       $(count "$st" '.type == "failed"') -ge ${#rows[@]} ]] && break
    sleep 1
done
[[ $(count "$st" '.type == "done"') -eq 2 ]] || fail "the good jobs did not both complete"
check_output "$WORK/out/v2.mp4" 4.875 122
check_output "$WORK/out/v3.mp4" 4.875 122
kill -0 "$PID_wA" 2>/dev/null || fail "the worker died"

dead=$WORK/dead.jsonl
for _ in $(seq 30); do
    kcat -b "$ADDR" -C -t vs.jobs.dead -o beginning -e -q -J > "$dead" 2>/dev/null || true
    [[ $(wc -l < "$dead") -ge ${#rows[@]} ]] && break
    sleep 0.5
done
[[ $(wc -l < "$dead") -eq ${#rows[@]} ]] ||
    fail "expected ${#rows[@]} dead-letter copies, found $(wc -l < "$dead")"
[[ $(count "$st" '.type == "failed"') -eq ${#rows[@]} ]] || fail "more failed statuses than poisons"
[[ $(count "$st" '.type == "started" or .type == "retry"') -eq 2 ]] ||
    fail "a poison message was started or retried"
for row in "${rows[@]}"; do
    IFS='|' read -r name key part id why <<<"$row"
    n=$(jq -c --arg id "$id" --arg why "$why" 'select(.type == "failed" and .job_id == $id and
            .rejected == true and .worker == "wA" and (.error | contains($why)))' "$st" | wc -l)
    [[ $n -eq 1 ]] || fail "$name: no failed+rejected status for '$id' naming '$why':
$(jq -c --arg id "$id" 'select(.job_id == $id)' "$st")"
    # The dead-letter copy: same key, the reason and the source in headers.
    n=$(jq -c --arg key "$key" --arg why "$why" --arg src "vs.jobs/$part@0" '
            def h($n): .headers as $h | ($h | index($n)) as $i | if $i then $h[$i + 1] else null end;
            select((if $key == "-" then .key == null else .key == $key end) and
                   (h("vs-error") // "" | contains($why)) and h("vs-source") == $src and
                   h("vs-worker") == "wA")' "$dead" | wc -l)
    [[ $n -eq 1 ]] || fail "$name: no dead-letter copy with its reason"
done
note "every poison refused, parked and reported"
[[ $(count "$st" '.job_id == "poison-version" and .run_id == "poison-run"') -eq 1 ]] ||
    fail "the run id of a readable message is not in its status"
n=$(jq -c --arg n "$(stat -c %s "$WORK/p/big")" 'select(.key == "k-big" and
       (.payload | length) == 65536 and (.headers | .[index("vs-truncated") + 1]) == "true" and
       (.headers | .[index("vs-original-bytes") + 1]) == $n)' "$dead" | wc -l)
[[ $n -eq 1 ]] || fail "the 3 MB message was not cut to 64 KiB on the dead-letter topic"
n=$(jq -c 'select(.key == "k-notjson" and .payload == "this is not json {" and
       (.headers | .[index("vs-truncated") + 1]) == "false")' "$dead" | wc -l)
[[ $n -eq 1 ]] || fail "a small poison is not kept whole on the dead-letter topic"
! grep -q "taking no jobs" "$WORK/wA.log" || fail "refusals counted toward a failure streak"
[[ $(count "$st" '.type == "heartbeat" and .paused_s > 0') -eq 0 ]] ||
    fail "a heartbeat shows a pause"

note "every offset was committed: a new member receives nothing"
kill -TERM "$PID_wA"
wait_exit "$PID_wA" 20
[[ $EXIT_CODE -eq 0 ]] || fail "wA exited with $EXIT_CODE"
grep -q "jobs: 2 done, 0 skipped, ${#rows[@]} failed (${#rows[@]} messages refused)" "$WORK/wA.log" ||
    fail "wA's final count: $(grep 'jobs:' "$WORK/wA.log")"
start_worker wB
wait_log "$WORK/wB.log" "assigned 16" 20
sleep 3
! grep -Eq "refused|started|already" "$WORK/wB.log" ||
    fail "messages read again: $(grep -E 'refused|started|already' "$WORK/wB.log")"
note "ok"
