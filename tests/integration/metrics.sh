#!/usr/bin/env bash
# metrics.sh - `vs-worker --metrics 0` (a free loopback port) during a
# batch of jobs published with kcat: the text passes a strict check of the
# exposition format (prom_check.py) at every scrape; slots busy goes up
# while jobs run; at the end four jobs are done with four job durations in
# the histogram, the job with random bytes for input is failed with reason
# "bad_input", starts were counted, the last heartbeat is recent; only
# /metrics answers (404 elsewhere).
source "$(dirname "$0")/lib.sh"

CHECK="$VS_SRC/tests/integration/prom_check.py"
mkdir -p "$WORK/in" "$WORK/out"
head -c 65536 /dev/urandom > "$WORK/in/random.mp4"

start_broker
start_worker wA --parallel 2 --metrics 0 --fault slow:1
wait_log "$WORK/wA.log" "metrics on http://127\.0\.0\.1:[0-9]+/metrics" 20
URL=$(grep -Eo "http://127\.0\.0\.1:[0-9]+/metrics" "$WORK/wA.log" | head -n1)
note "scraping $URL"
wait_log "$WORK/wA.log" "assigned" 20

# scrape N: the metrics into $WORK/scrape-N.txt, checked, as JSON in
# $WORK/scrape-N.json; value N KEY prints one sample.
scrape() {
    curl -fsS --max-time 5 "$URL" > "$WORK/scrape-$1.txt" || fail "scrape $1 failed"
    python3 "$CHECK" "$WORK/scrape-$1.txt" > "$WORK/scrape-$1.json" ||
        fail "scrape $1 is not valid exposition text: $(head -c 2000 "$WORK/scrape-$1.txt")"
}
value() { jq -r --arg k "$2" '.[$k] // "missing"' "$WORK/scrape-$1.json"; }

scrape 0
[[ $(value 0 'vs_jobs_done_total{}') == 0 ]] || fail "done before any job"
[[ $(value 0 'vs_worker_slots{}') == 2 ]] || fail "slots: $(value 0 'vs_worker_slots{}')"
[[ $(value 0 'vs_worker_info{worker="wA"}') == 1 ]] || fail "no worker id"

note "four good jobs and one with random bytes for input"
: > "$WORK/jobs.jsonl"
for n in v1 v2 v3 v4; do make_job "$n" "$WORK/out" >> "$WORK/jobs.jsonl"; done
printf '{"type":"job","version":1,"job_id":"%s-random","run_id":"metrics","input":"%s",' \
    "$TEST_NAME" "$WORK/in/random.mp4" >> "$WORK/jobs.jsonl"
printf '"output":"%s","offset":0,"duration":6,"segments":[[0,6,1]]}\n' \
    "$WORK/out/random.mp4" >> "$WORK/jobs.jsonl"
produce_jobs "$WORK/jobs.jsonl"

busy_max=0
for i in $(seq 1 120); do
    scrape "$i"
    b=$(value "$i" 'vs_worker_slots_busy{}')
    ((b > busy_max)) && busy_max=$b
    [[ $(value "$i" 'vs_jobs_done_total{}') == 4 &&
        $(value "$i" 'vs_jobs_failed_total{reason="bad_input"}') == 1 ]] && break
    sleep 0.5
done
last=$i
note "last scrape $last: $(grep -v '^#' "$WORK/scrape-$last.txt" | grep -v ' 0$' | tr '\n' ' ')"
[[ $(value "$last" 'vs_jobs_done_total{}') == 4 ]] || fail "done: $(value "$last" 'vs_jobs_done_total{}')"
[[ $(value "$last" 'vs_jobs_failed_total{reason="bad_input"}') == 1 ]] || fail "no bad_input failure"
[[ $(value "$last" 'vs_jobs_failed_total{reason="io"}') == 0 ]] || fail "an io failure"
(( busy_max >= 1 )) || fail "slots busy never went up during the batch"
[[ $(value "$last" 'vs_jobs_started_total{}') -ge 5 ]] || fail "starts: $(value "$last" 'vs_jobs_started_total{}')"
[[ $(value "$last" 'vs_job_duration_seconds_count{}') == 4 ]] || fail "histogram count"
[[ $(value "$last" 'vs_job_duration_seconds_bucket{le="+Inf"}') == 4 ]] || fail "+Inf bucket"
python3 -c "import sys, time; sys.exit(not (time.time() - float('$(value "$last" 'vs_worker_last_heartbeat_timestamp_seconds{}')') < 30))" ||
    fail "the last heartbeat is not recent"
# Counters only move up between scrapes.
python3 - "$WORK" "$last" <<'PY' || fail "a counter went down"
import json, sys
work, last = sys.argv[1], int(sys.argv[2])
prev = {}
for i in range(0, last + 1):
    cur = json.load(open(f"{work}/scrape-{i}.json"))
    for k, v in cur.items():
        if ("_total" in k or "_bucket" in k or "_count" in k) and k in prev and v < prev[k]:
            sys.exit(f"{k}: {prev[k]} -> {v}")
    prev = cur
PY
code=$(curl -s -o /dev/null -w '%{http_code}' "${URL%/metrics}/")
[[ $code == 404 ]] || fail "/ answered $code"
note "busy at most $busy_max; ok"
