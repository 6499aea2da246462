# lib.sh - shared by the integration test scripts (sourced, not run).
#
# Each test starts real processes on loopback: vs-broker (the embedded
# broker alone), vs-worker processes and vs-produce or kcat, and checks
# real outputs with ffprobe and the status topic with kcat + jq.
#
# Environment (set by CTest, see CMakeLists.txt):
#   VS_BIN       the build's bin folder
#   VS_SRC       the source root
#   VS_IT_FIX    where fixtures.sh wrote the inputs
#   VS_IT_KEEP   when set, the work folder is kept for a post-mortem
#   VS_IT_KAFKA  a Kafka version: start_broker starts a real Apache Kafka
#                (scripts/kafka.sh, KRaft, one node; its logs stay in
#                $WORK/kafka) instead of vs-broker
# Every process a test starts is remembered and stopped on exit (only
# those, by pid).
set -euo pipefail

: "${VS_BIN:?VS_BIN must name the build bin folder}"
: "${VS_SRC:?VS_SRC must name the source root}"
TEST_NAME=$(basename "$0" .sh)
FIX=${VS_IT_FIX:-$VS_BIN/../integration-fixtures}
"$VS_SRC/tests/integration/fixtures.sh" "$FIX"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vs-it-$TEST_NAME.XXXXXX")
PIDS=()
ADDR=
KAFKA_DIR=
# Settings every client of a test uses: rebalances on the embedded broker
# take session.timeout.ms - 1 s, so keep it at the lowest the tests allow.
KAFKA_X=(-X session.timeout.ms=6000 -X heartbeat.interval.ms=500)
# Workers read and write only under their roots: the fixtures and the
# test's work folder (a test of the confinement sets its own).
WORKER_ROOTS=(--root "$FIX" --root "$WORK")

cleanup() {
    local rc=$?
    local i p
    # Newest first, so workers leave the group before the broker goes.
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        p=${PIDS[i]}
        kill -TERM "$p" 2>/dev/null || continue
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
    done
    if [[ -n $KAFKA_DIR && -f $KAFKA_DIR/cluster.env ]]; then
        "$VS_SRC/scripts/kafka.sh" stop "$KAFKA_DIR" > /dev/null 2>&1 || true
    fi
    if [[ $rc -ne 0 ]]; then
        for f in "$WORK"/*.log; do
            [[ -f $f ]] || continue
            echo "---- $(basename "$f") (last 40 lines)" >&2
            tail -n 40 "$f" >&2
        done
    fi
    if [[ -n ${VS_IT_KEEP:-} ]]; then
        echo "work folder kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT

fail() {
    echo "FAIL ($TEST_NAME): $*" >&2
    exit 1
}
note() { echo "-- $(date +%T) $*"; }

# start_kafka [scripts/kafka.sh start options]: a real Apache Kafka
# ($VS_IT_KAFKA, else the script's newest) in $WORK/kafka; sets ADDR to
# the first line it prints. Stopped on exit.
start_kafka() {
    KAFKA_DIR=$WORK/kafka
    local v=()
    [[ -n ${VS_IT_KAFKA:-} ]] && v=(--version "$VS_IT_KAFKA")
    "$VS_SRC/scripts/kafka.sh" start "$KAFKA_DIR" "${v[@]}" "$@" \
        > "$WORK/kafka.addr" 2> "$WORK/kafka-start.log" ||
        fail "scripts/kafka.sh could not start Kafka: $(tail -n 3 "$WORK/kafka-start.log")"
    ADDR=$(head -n1 "$WORK/kafka.addr")
    [[ $ADDR =~ ^127\.0\.0\.1:[0-9]+(,127\.0\.0\.1:[0-9]+)*$ ]] ||
        fail "scripts/kafka.sh printed no address ('$ADDR')"
    note "Apache Kafka $(. "$KAFKA_DIR/cluster.env"; echo "$VERSION") on $ADDR"
}

# kafka_ctl stop|start|kill|tool ...: scripts/kafka.sh on this test's Kafka.
kafka_ctl() {
    local c=$1
    shift
    "$VS_SRC/scripts/kafka.sh" "$c" "$KAFKA_DIR" "$@"
}

# start_broker: runs vs-broker (or Kafka when VS_IT_KAFKA is set); sets
# ADDR from its first line on stdout.
start_broker() {
    if [[ -n ${VS_IT_KAFKA:-} ]]; then
        start_kafka
        return
    fi
    "$VS_BIN/vs-broker" > "$WORK/broker.out" 2> "$WORK/broker.log" &
    PIDS+=($!)
    for _ in $(seq 100); do
        ADDR=$(head -n1 "$WORK/broker.out" 2>/dev/null || true)
        [[ -n $ADDR ]] && break
        sleep 0.1
    done
    [[ $ADDR =~ ^127\.0\.0\.1:[0-9]+$ ]] || fail "vs-broker printed no address ('$ADDR')"
    note "broker on $ADDR"
}

# start_worker NAME [vs-worker options...]: a worker with id NAME, its log
# in $WORK/NAME.log; its pid in the variable PID_NAME.
start_worker() {
    local name=$1
    shift
    "$VS_BIN/vs-worker" --brokers "$ADDR" "${KAFKA_X[@]}" --worker-id "$name" \
        --gpu-lock-dir "$WORK/gpu-slots" "${WORKER_ROOTS[@]}" "$@" \
        > "$WORK/$name.out" 2> "$WORK/$name.log" &
    PIDS+=($!)
    printf -v "PID_$name" '%s' $!
}

# start_full_worker NAME [vs-worker options...]: as start_worker, for a
# worker that cannot write more than 64 KiB to a file (RLIMIT_FSIZE, with
# SIGXFSZ ignored): every output fails with "File too large", a real I/O
# error like a full disk, whoever runs the test (root included).
start_full_worker() {
    local name=$1
    shift
    (
        trap '' XFSZ
        ulimit -f 64
        exec "$VS_BIN/vs-worker" --brokers "$ADDR" "${KAFKA_X[@]}" --worker-id "$name" \
            --gpu-lock-dir "$WORK/gpu-slots" "${WORKER_ROOTS[@]}" "$@" \
            > "$WORK/$name.out" 2> "$WORK/$name.log"
    ) &
    PIDS+=($!)
    printf -v "PID_$name" '%s' $!
}

# wait_log FILE REGEX SECONDS: waits until FILE has a line matching REGEX.
wait_log() {
    local i
    for i in $(seq $(($3 * 10))); do
        grep -Eq -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "no line matching '$2' in $(basename "$1") after $3 s"
}

# wait_exit PID SECONDS: waits for a process to end; sets EXIT_CODE.
wait_exit() {
    local i
    for i in $(seq $(($2 * 10))); do
        if ! kill -0 "$1" 2>/dev/null; then
            EXIT_CODE=0
            wait "$1" || EXIT_CODE=$?
            return 0
        fi
        sleep 0.1
    done
    fail "process $1 still running after $2 s"
}

# status_dump FILE: every message of the status topic, one JSON per line.
status_dump() {
    kcat -b "$ADDR" -C -t vs.status -o beginning -e -q -f '%s\n' > "$1" 2>/dev/null ||
        fail "kcat could not read the status topic"
}

# count STATUS_FILE JQ_FILTER: how many messages pass the filter.
count() { jq -c "select($2)" "$1" | wc -l; }
# all_of STATUS_FILE SELECT CHECK: every message passing SELECT passes CHECK.
all_of() { jq -se "[.[] | select($2) | ($3)] | all" "$1" > /dev/null; }

# probe FILE SELECTOR ENTRY: one value from ffprobe.
probe() {
    local sel=()
    [[ -n $2 ]] && sel=(-select_streams "$2")
    ffprobe -v error "${sel[@]}" -show_entries "$3" -of default=nw=1:nk=1 "$1" | head -n1
}

# near A B TOL: |A - B| <= TOL.
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; exit !(d <= t && -d <= t) }'; }

# check_output FILE SECONDS FRAMES: a complete re-timed video (H.264 video
# of SECONDS +-0.05 with FRAMES +-1 frames, and an audio track).
check_output() {
    [[ -f $1 ]] || fail "missing output $1"
    local d n a
    d=$(probe "$1" v:0 stream=duration)
    n=$(ffprobe -v error -count_frames -select_streams v:0 \
        -show_entries stream=nb_read_frames -of csv=p=0 "$1")
    a=$(probe "$1" a:0 stream=codec_name)
    near "$d" "$2" 0.05 || fail "$1: video lasts $d s, expected $2"
    near "$n" "$3" 1 || fail "$1: $n frames, expected $3"
    [[ $a == aac ]] || fail "$1: audio codec '$a', expected aac"
}

# no_temp_files DIR: nothing but finished outputs (*.mp4) in DIR.
no_temp_files() {
    local left
    left=$(cd "$1" && ls -A | grep -v '\.mp4$' || true)
    [[ -z $left ]] || fail "$1 holds unfinished files: $left"
}

# make_job NAME OUTDIR [vs-make-job options]: a job for session/NAME.mp4.
make_job() {
    local name=$1 out=$2
    shift 2
    "$VS_BIN/vs-make-job" --input "$FIX/session/$name.mp4" --output "$out/$name.mp4" \
        --sidecar "$FIX/session/session.vad.json" --job-id "$TEST_NAME-$name" "$@"
}

# produce_jobs FILE: publishes each line of FILE (a job) keyed by its job id.
produce_jobs() {
    local line
    while IFS= read -r line; do
        printf '%s\t%s\n' "$(jq -r .job_id <<<"$line")" "$line"
    done < "$1" | kcat -b "$ADDR" -P -t vs.jobs -K $'\t' || fail "kcat could not publish the jobs"
}
