#!/usr/bin/env bash
# Chunks on the farm: one long video on two workers, whole and split
# (vs-produce --chunk), side by side in one run; reported as ratios.
#
#   bench/chunks.sh [BUILD_DIR]      (default: build)
#
# Each worker is pinned to its own CPU core (taskset), so one worker is
# one encoder's worth of CPU, as one GPU's encoder is on a farm. Whole: one
# job, so one worker works and the other waits. Split: the chunks share
# out over both, then one join. Printed: wall time of each, their ratio,
# and the workers' CPU time of each (what splitting costs: a seek and an
# encoder start per chunk, a keyframe per chunk, the join's copy).
# VS_BENCH_SECONDS (default 240) sets the video's length, VS_BENCH_CHUNK
# (default 30) the chunk length.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build}/bin
DUR=${VS_BENCH_SECONDS:-240}
CHUNK=${VS_BENCH_CHUNK:-30}
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
(($(nproc) >= 2)) || { echo "needs 2 cores"; exit 1; }

mkdir -p "$work/in"
ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc2=s=640x360:r=30000/1001:d=$DUR" \
    -f lavfi -i "sine=f=440:d=$DUR" -c:v libx264 -preset veryfast -g 60 -c:a aac "$work/in/talk.mp4"
# Mostly speech: a 3 s silence every 30 s.
awk -v d="$DUR" 'BEGIN {
    printf "{\"version\":1,\"source\":{\"file\":\"talk.mp4\"},\"detection\":{\"backend\":\"silero\",\"analyzed_duration\":%s},\"speech_segments\":[],\"silence_intervals\":[", d
    for (t = 20; t + 3 < d; t += 30) { printf "%s[%d,%d]", (t > 20 ? "," : ""), t, t + 3 }
    printf "]}\n" }' > "$work/in/talk.vad.json"

"$bin/vs-broker" > "$work/broker.out" 2> "$work/broker.log" &
pids+=($!)
for _ in $(seq 100); do addr=$(head -n1 "$work/broker.out" 2>/dev/null || true); [[ -n $addr ]] && break; sleep 0.1; done
X=(-X session.timeout.ms=6000 -X heartbeat.interval.ms=500)
wpids=()
for core in 0 1; do
    taskset -c "$core" "$bin/vs-worker" --brokers "$addr" "${X[@]}" --worker-id "w$core" \
        --encoder cpu --parallel 1 --root "$work" 2> "$work/w$core.log" &
    pids+=($!)
    wpids+=($!)
done
for core in 0 1; do
    for _ in $(seq 200); do grep -q assigned "$work/w$core.log" && break; sleep 0.1; done
done

cpu() { # CPU seconds of both workers so far
    local t=0 p
    for p in "${wpids[@]}"; do
        t=$(awk -v t="$t" -v hz="$(getconf CLK_TCK)" '{ print t + ($14 + $15) / hz }' "/proc/$p/stat")
    done
    echo "$t"
}
run() { # NAME CHUNK: prints "WALL CPU"
    local c0 t0 t1 c1
    c0=$(cpu)
    t0=$(date +%s.%N)
    "$bin/vs-produce" --brokers "$addr" "${X[@]}" --folder "$work/in" -o "$work/out-$1" \
        --chunk "$2" --progress none -v --timeout 3600 > "$work/$1.txt" 2> "$work/$1.log" ||
        { cat "$work/$1.log"; exit 1; }
    t1=$(date +%s.%N)
    c1=$(cpu)
    echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') $(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')"
}

echo "== one ${DUR} s 640x360 29.97 fps video, two workers pinned to one core each"
read -r w_whole c_whole < <(run whole 0)
read -r w_split c_split < <(run split "$CHUNK")
n=$(grep -o 'split into [0-9]* chunks' "$work/split.log" | grep -o '[0-9]*' || echo "?")
printf '  whole video, one job:       wall %7.1f s, workers CPU %7.1f s\n' "$w_whole" "$c_whole"
printf '  split into %s chunks of ~%s s: wall %7.1f s, workers CPU %7.1f s\n' "$n" "$CHUNK" "$w_split" "$c_split"
awk -v a="$w_whole" -v b="$w_split" -v c="$c_whole" -v d="$c_split" 'BEGIN {
    printf "  wall whole / wall split = %.2f (2 workers: at most 2)\n", a / b
    printf "  CPU split / CPU whole   = %.3f (the cost of splitting)\n", d / c }'
