#!/usr/bin/env bash
# outage.sh - the broker goes away for 20 s in the middle of a batch.
#
# 1. vs-broker (with a control FIFO), two workers (--parallel 1, each
#    attempt held 8 s by the slow fault, so that when the broker goes jobs
#    are running, and others wait on the topic) and vs-produce --json on
#    six videos. Once both workers run a job: "down", 20 s, "up".
#    - Both workers lose their partitions (session timeout) and get them
#      back; the running jobs finish during the outage and their results
#      reach the status topic afterwards; the waiting jobs run after it.
#    - vs-produce exits 0 with "Done. 6/6 videos processed.", every output
#      is complete and nothing else is in the output folder.
#    - The jobs that finished during the outage had their commits lost
#      with the broker, so Kafka delivers them again: the worker that gets
#      one recognises it (the status topic says it is final, or its output
#      carries its job id) and does not encode it again. A watcher records
#      every output's inode and mtime each 0.2 s from its first appearance:
#      no output is ever written twice.
# 2. A finished job published again with kcat on the same farm: not run
#    again, its output untouched.
# 3. SIGUSR1 / SIGUSR2 take the broker down and up (kcat -L fails, then
#    works), a wrong command is refused with a warning, and "stop" on the
#    FIFO ends vs-broker with exit 0 and removes the FIFO it made.
# (A redelivery with no trace on the status topic at all: already_done.sh.)
source "$(dirname "$0")/lib.sh"

OUT=$WORK/out
CTL=$WORK/broker.ctl

# start_control_broker: vs-broker with --control $CTL; sets ADDR and
# PID_broker.
start_control_broker() {
    "$VS_BIN/vs-broker" --control "$CTL" > "$WORK/broker.out" 2> "$WORK/broker.log" &
    PID_broker=$!
    PIDS+=("$PID_broker")
    for _ in $(seq 100); do
        ADDR=$(head -n1 "$WORK/broker.out" 2>/dev/null || true)
        [[ -n $ADDR ]] && break
        sleep 0.1
    done
    [[ $ADDR =~ ^127\.0\.0\.1:[0-9]+$ ]] || fail "vs-broker printed no address ('$ADDR')"
    [[ -p $CTL ]] || fail "vs-broker made no control FIFO $CTL"
    note "broker on $ADDR"
}

# A watcher: "NAME INODE MTIME" of every output, every 0.2 s.
watch_outputs() {
    while :; do
        for f in "$OUT"/*.mp4; do
            [[ -e $f ]] && stat -c '%n %i %.9Y' "$f" 2>/dev/null
        done
        sleep 0.2
    done >> "$WORK/watch.txt"
}
# written_once: every output was seen with one inode and mtime only.
written_once() {
    local twice
    twice=$(sort -u "$WORK/watch.txt" | awk '{ n[$1]++ } END { for (f in n) if (n[f] > 1) print f }')
    [[ -z $twice ]] || fail "written more than once: $twice"
}
# snapshot FILE: inode and mtime of FILE.
snapshot() { stat -c '%i %.9Y' "$1"; }
now() { date +%s.%N; }
# recognised: how often the workers recognised a job as finished.
recognised() {
    cat "$WORK/wA.log" "$WORK/wB.log" | grep -Ec "${1:-}.*(already finished by|already done)" || true
}

note "1. the broker goes down for 20 s in the middle of a batch"
start_control_broker
start_worker wA --parallel 1 --fault slow:8
start_worker wB --parallel 1 --fault slow:8
wait_log "$WORK/wA.log" "assigned" 20
wait_log "$WORK/wB.log" "assigned" 20
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
echo down > "$CTL"
wait_log "$WORK/broker.log" "brokers down: 1" 5
note "broker down"
sleep 20
t_up=$(now)
echo up > "$CTL"
wait_log "$WORK/broker.log" "all brokers up" 5
note "broker up"
wait_exit "$PID_produce" 200
[[ $EXIT_CODE -eq 0 ]] || fail "vs-produce exited with $EXIT_CODE"

note "every job done, the summary right, no output written twice"
jq -e '.total == 6 and .processed == 6 and .skipped == 0 and .failed == 0 and
    .summary == "Done. 6/6 videos processed." and (.files | length) == 6 and
    ([.files[] | select(.state == "done" and .attempts >= 1 and .worker != "" and
                        .out_duration > 4.8)] | length) == 6' \
    "$WORK/produce.json" > /dev/null || fail "summary: $(cat "$WORK/produce.json")"
for i in 1 2 3 4 5 6; do
    check_output "$OUT/v$i.mp4" 4.875 122
done
no_temp_files "$OUT"
written_once
st=$WORK/status.jsonl
status_dump "$st"
run=$(jq -r .run_id "$WORK/produce.json")
[[ $(jq -r "select(.run_id == \"$run\" and .type == \"done\") | .job_id" "$st" | sort -u | wc -l) -eq 6 ]] ||
    fail "not every job has a done status"
[[ $(count "$st" ".run_id == \"$run\" and .type == \"failed\"") -eq 0 ]] || fail "a job failed"
# The batch spanned the outage: results made while the broker was down
# (delivered after it), and jobs that only ran after it.
during=$(count "$st" ".run_id == \"$run\" and .type == \"done\" and .ts > $t_down and .ts < $t_up")
after=$(count "$st" ".run_id == \"$run\" and .type == \"started\" and .ts > $t_up")
note "$during job(s) finished during the outage, $after attempt(s) started after it"
[[ $during -ge 1 ]] || fail "no job finished while the broker was down"
[[ $after -ge 1 ]] || fail "no job waited for the broker to come back"
# The outage reached the group: both workers lost their partitions and got
# them back.
for w in wA wB; do
    lost=$(grep -n "lost [0-9]* partition" "$WORK/$w.log" | head -n1 | cut -d: -f1)
    [[ -n $lost ]] || fail "$w never lost its partitions: was the broker really down?"
    tail -n +"$lost" "$WORK/$w.log" | grep -q "assigned" || fail "$w got no partition back"
done
# Jobs that finished while the broker was down came back (their commits
# were lost with it) and were recognised, not encoded again (written_once).
again=$(recognised)
note "$again redelivered job(s) recognised as finished"
[[ $again -ge 1 ]] || fail "no job came back after the outage (were no commits lost?)"

note "2. a finished job published again on the same farm is not run again"
kcat -b "$ADDR" -C -t vs.jobs -o beginning -e -q -f '%k\t%s\n' > "$WORK/jobs.tsv" 2>/dev/null ||
    fail "kcat could not read the jobs topic"
grep -F '/v3.mp4"' "$WORK/jobs.tsv" | head -n1 > "$WORK/v3.tsv"
id=$(cut -f1 "$WORK/v3.tsv")
[[ -n $id ]] || fail "the job of v3.mp4 is not on vs.jobs"
before=$(snapshot "$OUT/v3.mp4")
started=$(count "$st" ".job_id == \"$id\" and .type == \"started\"")
seen=$(recognised "$id")
kcat -b "$ADDR" -P -t vs.jobs -K $'\t' < "$WORK/v3.tsv" || fail "kcat -P failed"
for _ in $(seq 300); do
    [[ $(recognised "$id") -gt $seen ]] && break
    sleep 0.1
done
[[ $(recognised "$id") -gt $seen ]] || fail "no worker recognised $id as finished"
sleep 1
status_dump "$st"
[[ $(count "$st" ".job_id == \"$id\" and .type == \"started\"") -eq $started ]] ||
    fail "$id was started again"
[[ $(snapshot "$OUT/v3.mp4") == "$before" ]] || fail "v3.mp4 was written again"
written_once

note "3. the other controls: SIGUSR1 / SIGUSR2, a wrong command, stop"
kill -TERM "$PID_wA" "$PID_wB"
wait_exit "$PID_wA" 40
wait_exit "$PID_wB" 40
kill -USR1 "$PID_broker"
wait_log "$WORK/broker.log" "SIGUSR1: every broker goes down" 5
! timeout 10 kcat -b "$ADDR" -L -m 2 > /dev/null 2>&1 || fail "the broker answered while down"
kill -USR2 "$PID_broker"
wait_log "$WORK/broker.log" "SIGUSR2: every broker comes up" 5
timeout 20 kcat -b "$ADDR" -L -m 10 > /dev/null 2>&1 || fail "the broker did not answer after SIGUSR2"
echo sideways > "$CTL"
wait_log "$WORK/broker.log" "unknown command 'sideways'" 5
echo stop > "$CTL"
wait_exit "$PID_broker" 20
[[ $EXIT_CODE -eq 0 ]] || fail "vs-broker exited with $EXIT_CODE after stop"
[[ ! -e $CTL ]] || fail "vs-broker left its control FIFO"
no_temp_files "$OUT"
note "ok"
