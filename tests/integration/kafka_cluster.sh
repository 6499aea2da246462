#!/usr/bin/env bash
# kafka_cluster.sh - three Apache Kafka nodes ($VS_IT_KAFKA; replication
# factor 3, min.insync.replicas 2), and the node that coordinates the
# workers' group (and leads a third of vs.jobs) killed with SIGKILL in the
# middle of a batch.
#
# Two workers (--parallel 1, each attempt held 8 s by the slow fault) and
# vs-produce --json on six videos; once both workers run a job, the
# coordinator's JVM is killed. Then: vs-produce exits 0 with 6/6 done,
# every output complete and written once, one "done" per job, one
# "started" per job except redeliveries recognised by the output, and the topics' partitions have new
# leaders among the two nodes left.
source "$(dirname "$0")/lib.sh"

OUT=$WORK/out
watch_outputs() {
    while :; do
        for f in "$OUT"/*.mp4; do
            [[ -e $f ]] && stat -c '%n %i %.9Y' "$f" 2>/dev/null
        done
        sleep 0.2
    done >> "$WORK/watch.txt"
}

start_kafka --nodes 3
IFS=, read -r -a nodes <<< "$ADDR"
[[ ${#nodes[@]} -eq 3 ]] || fail "expected 3 nodes, got '$ADDR'"
start_worker wA --parallel 1 --fault slow:8
start_worker wB --parallel 1 --fault slow:8
wait_log "$WORK/wA.log" "assigned" 30
wait_log "$WORK/wB.log" "assigned" 30
kcat -b "$ADDR" -L -J > "$WORK/md.json" 2>/dev/null || fail "kcat -L failed"
jq -e '[.topics[] | select(.topic == "vs.jobs" or .topic == "vs.status") | .partitions[] |
        select((.replicas | length) == 3)] | length == 17' "$WORK/md.json" > /dev/null ||
    fail "vs.jobs and vs.status are not replicated 3 times: $(jq -c '.topics' "$WORK/md.json")"

# The group coordinator: the node whose log says it formed the group.
coord=
for _ in $(seq 100); do
    coord=$(grep -l "Stabilized group vs-workers" "$KAFKA_DIR"/node*/server.log 2>/dev/null |
        sed 's|.*/node\([0-9]\)/server.log|\1|' | head -n1)
    [[ -n $coord ]] && break
    sleep 0.1
done
[[ $coord =~ ^[123]$ ]] || fail "no node says it coordinates group vs-workers"
led=$(jq --argjson n "$coord" '[.topics[] | select(.topic == "vs.jobs") | .partitions[] |
    select(.leader == $n)] | length' "$WORK/md.json")
note "node $coord coordinates group vs-workers and leads $led of 16 vs.jobs partitions"

mkdir -p "$OUT"
watch_outputs &
PIDS+=($!)
"$VS_BIN/vs-produce" --brokers "$ADDR" "${KAFKA_X[@]}" --folder "$FIX/session" -o "$OUT" \
    --json --progress lines --timeout 240 > "$WORK/produce.json" 2> "$WORK/produce.log" &
PID_produce=$!
PIDS+=("$PID_produce")
wait_log "$WORK/wA.log" "\): started" 30
wait_log "$WORK/wB.log" "\): started" 30
sleep 2
kafka_ctl kill "$coord" || fail "could not kill node $coord"
note "node $coord killed with SIGKILL"
wait_exit "$PID_produce" 200
[[ $EXIT_CODE -eq 0 ]] || fail "vs-produce exited with $EXIT_CODE"

jq -e '.total == 6 and .processed == 6 and .failed == 0 and
    .summary == "Done. 6/6 videos processed." and
    ([.files[] | select(.state == "done" and .out_duration > 4.8)] | length) == 6' \
    "$WORK/produce.json" > /dev/null || fail "summary: $(cat "$WORK/produce.json")"
for i in 1 2 3 4 5 6; do
    check_output "$OUT/v$i.mp4" 4.875 122
done
no_temp_files "$OUT"
twice=$(sort -u "$WORK/watch.txt" | awk '{ n[$1]++ } END { for (f in n) if (n[f] > 1) print f }')
[[ -z $twice ]] || fail "written more than once: $twice"
st=$WORK/status.jsonl
status_dump "$st"
run=$(jq -r .run_id "$WORK/produce.json")
# Encoded once: one "started" and one "done" per job, except redeliveries
# a worker recognised by the output's job id before encoding: those add a
# "started" and a "done" and say "already done ...; not encoded again".
ids=$(jq -r "select(.run_id == \"$run\" and .type == \"started\") | .job_id" "$st" | sort -u)
[[ $(wc -w <<< "$ids") -eq 6 ]] || fail "not every job started: $ids"
for id in $ids; do
    s=$(count "$st" ".job_id == \"$id\" and .type == \"started\"")
    d=$(count "$st" ".job_id == \"$id\" and .type == \"done\"")
    r=$(cat "$WORK"/w[AB].log | grep -Ec "^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z )?vs-worker: $id \(.*\): already done: the output carries" || true)
    [[ $((s - r)) -eq 1 && $((d - r)) -eq 1 ]] ||
        fail "$id: $s 'started', $d 'done', $r recognised by its output"
    [[ $r -eq 0 ]] || note "$id: redelivered $r time(s), recognised by its output, not encoded"
done
kcat -b "$ADDR" -L -J > "$WORK/md2.json" 2>/dev/null || fail "kcat -L failed after the kill"
jq -e --argjson n "$coord" '[.topics[] | select(.topic == "vs.jobs" or .topic == "vs.status") |
    .partitions[] | select(.leader == $n or .leader < 0)] | length == 0' "$WORK/md2.json" > /dev/null ||
    fail "partitions still led by the dead node $coord"
note "ok"
