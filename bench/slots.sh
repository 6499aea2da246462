#!/usr/bin/env bash
# Worker slots on a CPU machine: two jobs of each size run one after the
# other with every codec thread (one slot), at once with one thread each
# (two slots, --threads 1, the default on 2 cores) and at once with every
# thread each. Prints wall and CPU seconds per run, twice each. Not part of
# CI; about 5 minutes on 2 cores.
#
#   bench/slots.sh [BUILD_DIR]        (default: build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$root/build}/bin" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make_input() { # NAME W H DUR PAIRS: speech and silence pairs, as bench/run.sh
    local name=$1 w=$2 h=$3 dur=$4 pairs=$5 k
    ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc2=s=${w}x$h:r=30:d=$dur" \
        -f lavfi -i "sine=f=440:d=$dur:sample_rate=48000" -c:v libx264 -preset veryfast -crf 23 \
        -c:a aac -b:a 128k "$work/$name.mp4"
    awk -v d="$dur" -v p="$pairs" 'BEGIN {
        printf "{\"version\":1,\"source\":{\"file\":\"x\"},\"detection\":{\"backend\":\"silencedetect\",\"analyzed_duration\":%s},\"speech_segments\":[],\"silence_intervals\":[", d
        step = d / p
        for (i = 0; i < p; i++) printf "%s[%.3f,%.3f]", (i ? "," : ""), i * step + step * 0.3, i * step + step * 0.95
        printf "]}\n" }' >"$work/$name.vad.json"
    for k in 1 2; do
        "$bin/vs-make-job" --input "$work/$name.mp4" --output "$work/out/$name.$k.mp4" \
            --sidecar "$work/$name.vad.json" --overwrite >"$work/$name.$k.json"
    done
}

job() { # NAME K [WORKER OPTIONS]: one job, its CPU seconds into $work/cpu.K
    local name=$1 k=$2
    shift 2
    /usr/bin/time -f "%U %S" -o "$work/cpu.$k" "$bin/vs-worker" -q --encoder cpu "$@" \
        --job "$work/$name.$k.json"
}

run() { # NAME MODE
    rm -rf "$work/out"
    local t0 t1
    t0=$(date +%s.%N)
    case $2 in
    "one slot") job "$1" 1 && job "$1" 2 ;;
    "two x 1 thread") job "$1" 1 --threads 1 & job "$1" 2 --threads 1; wait ;;
    "two x all threads") job "$1" 1 & job "$1" 2; wait ;;
    esac
    t1=$(date +%s.%N)
    printf '| %s | %s | %.1f | %.1f |\n' "$1" "$2" "$(echo "$t1 - $t0" | bc)" \
        "$(cat "$work/cpu.1" "$work/cpu.2" | awk '{ s += $1 + $2 } END { print s }')"
}

make_input 180p 320 180 240 38
make_input 540p 960 540 60 10
make_input 1080p 1920 1080 20 3
echo "## $(date -u +%F) $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo
echo "| size | slots | wall s | CPU s |"
echo "|---|---|---:|---:|"
for n in 180p 540p 1080p; do
    for rep in 1 2; do
        for m in "one slot" "two x 1 thread" "two x all threads"; do run "$n" "$m"; done
    done
done
