#!/usr/bin/env bash
# dash.sh - vs-dash during a real batch on loopback, seen through headless
# Chromium (tests/browser/dash.mjs): two workers are listed, a long job's
# progress advances on the page, the done count reaches 3 and the job whose
# input is random bytes is listed as failed with its reason. /api/state
# says the same as JSON and /metrics passes the strict format check. The
# screenshot stays in the build folder (dash-screenshot.png). Skips (77)
# without node, chromium or playwright-core (npm install in tests/browser).
source "$(dirname "$0")/lib.sh"

BROWSER_DIR="$VS_SRC/tests/browser"
CHROMIUM=${VS_CHROMIUM:-$(command -v chromium || true)}
command -v node > /dev/null || { echo "SKIP: no node"; exit 77; }
[[ -n $CHROMIUM ]] || { echo "SKIP: no chromium"; exit 77; }
[[ -d $BROWSER_DIR/node_modules/playwright-core ]] ||
    { echo "SKIP: no playwright-core (npm install in tests/browser)"; exit 77; }
SHOT="$VS_BIN/../dash-screenshot.png"

# A long job: 60 s of 640x360 at 25 fps, all speech (re-timed at 1x).
mkdir -p "$WORK/in" "$WORK/out"
ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc2=size=640x360:rate=25:duration=60" \
    -f lavfi -i "sine=f=300:duration=60" -c:v libx264 -preset ultrafast -c:a aac -shortest \
    "$WORK/in/long.mp4"
cat > "$WORK/in/long.vad.json" <<J
{ "version": 1, "source": {"file": "long.mp4"},
  "detection": {"backend": "silero", "analyzed_duration": 60, "params": {}},
  "speech_segments": [[0, 60]], "silence_intervals": [] }
J
head -c 65536 /dev/urandom > "$WORK/in/random.mp4"

start_broker
"$VS_BIN/vs-dash" --brokers "$ADDR" "${KAFKA_X[@]}" --listen 0 --stale 10 \
    > "$WORK/dash.out" 2> "$WORK/dash.log" &
PIDS+=($!)
wait_log "$WORK/dash.log" "dashboard on http://127\.0\.0\.1:[0-9]+/" 20
URL=$(grep -Eo "http://127\.0\.0\.1:[0-9]+/" "$WORK/dash.log" | head -n1)
note "vs-dash on $URL"
start_worker wA --parallel 1 --heartbeat 1
start_worker wB --parallel 1 --heartbeat 1
wait_log "$WORK/wA.log" "assigned" 20
wait_log "$WORK/wB.log" "assigned" 20

: > "$WORK/jobs.jsonl"
"$VS_BIN/vs-make-job" --input "$WORK/in/long.mp4" --output "$WORK/out/long.mp4" \
    --sidecar "$WORK/in/long.vad.json" --job-id "$TEST_NAME-long" >> "$WORK/jobs.jsonl"
for n in v1 v2; do make_job "$n" "$WORK/out" >> "$WORK/jobs.jsonl"; done
printf '{"type":"job","version":1,"job_id":"%s-random","run_id":"dash","input":"%s",' \
    "$TEST_NAME" "$WORK/in/random.mp4" >> "$WORK/jobs.jsonl"
printf '"output":"%s","offset":0,"duration":6,"segments":[[0,6,1]]}\n' \
    "$WORK/out/random.mp4" >> "$WORK/jobs.jsonl"
note "a long job, two short ones and one with random bytes for input"
produce_jobs "$WORK/jobs.jsonl"

(cd "$BROWSER_DIR" && VS_CHROMIUM=$CHROMIUM timeout 150 node dash.mjs "$URL" "$SHOT" \
    "$TEST_NAME-long") || fail "the page did not show the batch (screenshot: $SHOT)"
note "screenshot: $SHOT"

curl -fsS "${URL}api/state" > "$WORK/state.json" || fail "/api/state"
jq -e '(.workers | map(.id) | sort) == ["wA", "wB"] and .totals.done >= 3 and .totals.failed == 1
       and (.failures[0].file == "random.mp4") and (.failures[0].error | length > 0)
       and (.throughput | length == 60) and ([.throughput[].done] | add) >= 3' \
    "$WORK/state.json" > /dev/null || fail "/api/state: $(head -c 1500 "$WORK/state.json")"
curl -fsS "${URL}metrics" > "$WORK/metrics.txt" || fail "/metrics"
python3 "$VS_SRC/tests/integration/prom_check.py" "$WORK/metrics.txt" > "$WORK/metrics.json" ||
    fail "/metrics is not valid exposition text"
jq -e '.["vs_farm_workers_alive{}"] == 2 and .["vs_farm_jobs_done_total{}"] >= 3 and
       .["vs_farm_jobs_failed_total{}"] == 1' "$WORK/metrics.json" > /dev/null ||
    fail "/metrics: $(cat "$WORK/metrics.json")"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "${URL}api/state")
[[ $code == 405 ]] || fail "POST answered $code, want 405 (read-only)"
note "ok"
