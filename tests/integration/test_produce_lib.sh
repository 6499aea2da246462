# test_produce_lib.sh - shared helpers of the test_produce_* scripts (sourced, not a test).
BIN=${VS_BIN:?VS_BIN must point at the built programs}
unset VS_BROKERS
T=$(mktemp -d)
PIDS=()
cleanup() { # last started first: workers leave while the broker still runs
    local i
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        kill "${PIDS[i]}" 2>/dev/null || true
        wait "${PIDS[i]}" 2>/dev/null || true
    done
    rm -rf "$T"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$T"/*.err; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }
    done
    exit 1
}

# make_video PATH SECONDS: a tiny clip with a tone (fast to re-time).
make_video() {
    ffmpeg -loglevel error -nostdin -y -f lavfi -i "testsrc=size=96x64:rate=10:duration=$2" \
        -f lavfi -i "sine=f=440:duration=$2" -c:v libx264 -c:a aac -shortest "$1"
}

# make_session DIR SECONDS NAMES...: videos plus a sidecar with two silences.
make_session() {
    local dir=$1 secs=$2; shift 2
    mkdir -p "$dir"
    for n in "$@"; do make_video "$dir/$n" "$secs"; done
    cat > "$dir/session.vad.json" <<J
{ "version": 1, "source": {"file": "$1"},
  "detection": {"backend": "silero", "analyzed_duration": $secs, "params": {}},
  "speech_segments": [[0, 1]], "silence_intervals": [[1, $secs]] }
J
}

# start_broker: runs vs-broker, sets BROKER to its address.
start_broker() {
    "$BIN/vs-broker" >"$T/broker.out" 2>"$T/broker.err" &
    PIDS+=($!)
    for _ in $(seq 100); do
        BROKER=$(head -n 1 "$T/broker.out" 2>/dev/null || true)
        [ -n "$BROKER" ] && return 0
        sleep 0.1
    done
    fail "vs-broker did not print its address"
}

# status JSON...: publishes status messages (one per argument) to vs.status.
status() {
    printf '%s\n' "$@" | kcat -b "$BROKER" -t vs.status -P -q 2>/dev/null \
        || fail "kcat could not publish statuses"
}

# wait_jobs N: waits until N job messages are on vs.jobs, prints them.
wait_jobs() {
    for _ in $(seq 150); do
        kcat -b "$BROKER" -C -t vs.jobs -e -q -f '%p %s\n' 2>/dev/null >"$T/jobs.txt" || true
        [ "$(wc -l <"$T/jobs.txt")" -ge "$1" ] && return 0
        sleep 0.2
    done
    fail "only $(wc -l <"$T/jobs.txt") of $1 jobs appeared on vs.jobs"
}

now() { date +%s.%N | cut -c1-14; }

# st TYPE WORKER RUN JOB [FIELDS]: a job status as JSON; FIELDS are more
# members, e.g. '"error":"x"'.
st() {
    printf '{"type":"%s","version":1,"worker":"%s","ts":%s,"run_id":"%s","job_id":"%s"%s}' \
        "$1" "$2" "$(now)" "$3" "$4" "${5:+,$5}"
}

# hb WORKER SLOTS GROUP PARTITIONS: a heartbeat as JSON.
hb() {
    printf '{"type":"heartbeat","version":1,"worker":"%s","ts":%s,"slots":%s,"busy":0,%s}' \
        "$1" "$(now)" "$2" "\"group\":\"$3\",\"partitions\":\"$4\""
}
