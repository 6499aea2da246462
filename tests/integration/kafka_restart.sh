#!/usr/bin/env bash
# kafka_restart.sh - Apache Kafka stopped and started again on the same
# data in the middle of a batch (the broker users run; $VS_IT_KAFKA).
#
# One Kafka node, two workers (--parallel 1, each attempt held 8 s by the
# slow fault, so that jobs are running when the broker goes and others
# wait on the topic) and vs-produce --json on six videos. Once both
# workers run a job, the JVM is stopped, and started again 15 s later on
# the same data. Then:
#   - vs-produce exits 0 with 6/6 done; every output is complete, nothing
#     else is in the output folder;
#   - nothing ran twice: one "done" per job on the status topic, one
#     "started" per job except redeliveries recognised by the output's
#     job id (not encoded), and a watcher saw every output written once;
#   - the outage is one clear line per program ("kafka: no broker
#     reachable ...; retrying"), not a stream of librdkafka's connection
#     errors: at most 3 lines mentioning the outage in each log.
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
now() { date +%s.%N; }

start_kafka
start_worker wA --parallel 1 --fault slow:8
start_worker wB --parallel 1 --fault slow:8
wait_log "$WORK/wA.log" "assigned" 30
wait_log "$WORK/wB.log" "assigned" 30
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
t_down=$(now)
kafka_ctl stop || fail "scripts/kafka.sh stop failed"
kcat -b "$ADDR" -L -m 2 > /dev/null 2>&1 && fail "Kafka still answers after stop"
note "Kafka stopped"
sleep 15
t_up=$(now)
kafka_ctl start > /dev/null 2>> "$WORK/kafka-start.log" || fail "Kafka did not start again"
note "Kafka started again on the same data"
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
[[ $(count "$st" ".run_id == \"$run\" and (.type == \"failed\" or .type == \"retry\")") -eq 0 ]] ||
    fail "a job failed or was retried"
during=$(count "$st" ".run_id == \"$run\" and .type == \"done\" and .ts > $t_down and .ts < $t_up")
after=$(count "$st" ".run_id == \"$run\" and .type == \"started\" and .ts > $t_up")
note "$during job(s) finished while Kafka was down, $after started after it"
[[ $during -ge 1 ]] || fail "no job finished while Kafka was down"
[[ $after -ge 1 ]] || fail "no job waited for Kafka to come back"

# The outage, as a person reads it.
for f in wA wB produce; do
    grep -q "kafka: no broker reachable" "$WORK/$f.log" || fail "$f.log does not say the broker is gone"
    n=$(grep -Eci "kafka|broker|connect" "$WORK/$f.log" || true)
    note "$f.log: $n line(s) about Kafka"
    [[ $n -le 4 ]] || fail "$f.log: $n lines about Kafka: $(grep -Ei "kafka|broker|connect" "$WORK/$f.log" | head -n 8)"
done
note "ok"
