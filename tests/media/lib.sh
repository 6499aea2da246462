# lib.sh - shared by the media test scripts (sourced, not run).
#
# Environment (set by CTest, see CMakeLists.txt):
#   VS_BIN       the build's bin folder (vs-worker, vs-produce, the checkers)
#   VS_SRC       the source root
#   VS_FIXTURES  where gen_fixtures.sh wrote the inputs (media_fixtures test)
#   VS_ENCODER   encoder preference for vs-worker (default: cpu)
# Each test works in a fresh temporary folder, removed on exit.
set -euo pipefail

: "${VS_BIN:?VS_BIN must name the build bin folder}"
: "${VS_SRC:?VS_SRC must name the source root}"
FIX=${VS_FIXTURES:-$VS_BIN/../media-fixtures}
ENCODER=${VS_ENCODER:-cpu}
TEST_NAME=$(basename "$0" .sh)

if [[ ! -f $FIX/.stamp ]]; then
    bash "$VS_SRC/tests/media/gen_fixtures.sh" "$FIX" >/dev/null
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vs-$TEST_NAME.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'echo "FAIL ($TEST_NAME): line $LINENO: $BASH_COMMAND" >&2' ERR

fail() {
    echo "FAIL ($TEST_NAME): $*" >&2
    exit 1
}
note() { echo "-- $*"; }

# make_job INPUT OUTPUT SIDECAR [vs-make-job options...] > JOB.json
make_job() {
    local in=$1 out=$2 sc=$3
    shift 3
    "$VS_BIN/vs-make-job" --input "$in" --output "$out" --sidecar "$sc" "$@"
}

# run_worker JOB: runs vs-worker --job JOB, fails the test if it fails.
run_worker() {
    local err=$TMP/worker.err
    if ! "$VS_BIN/vs-worker" --job "$1" --encoder "$ENCODER" 2>"$err"; then
        cat "$err" >&2
        fail "vs-worker --job $1 failed"
    fi
}

# probe FILE SELECTOR ENTRY: one value from ffprobe, e.g.
#   probe out.mp4 v:0 stream=codec_name   probe out.mp4 "" format=duration
probe() {
    local sel=()
    [[ -n $2 ]] && sel=(-select_streams "$2")
    ffprobe -v error "${sel[@]}" -show_entries "$3" -of default=nw=1:nk=1 "$1" | sed -n 1p
}
# count_streams FILE TYPE(v|a): how many streams of that type.
count_streams() {
    ffprobe -v error -select_streams "$2" -show_entries stream=index -of csv=p=0 "$1" | wc -l
}

# near A B TOL: true when |A - B| <= TOL (decimal numbers).
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; exit !(d <= t && -d <= t) }'; }

# json_num JOB KEY: a top-level number of a one-line job message.
json_num() { sed -n "s/.*\"$2\":\([-0-9.eE+]*\).*/\1/p" "$1"; }

# only_file DIR NAME: DIR holds NAME and nothing else (no temporary files).
only_file() {
    local left
    left=$(cd "$1" && ls -A)
    [[ $left == "$2" ]] || fail "$1 holds [$(echo $left)], expected only $2"
}
