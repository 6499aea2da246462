#!/usr/bin/env bash
# Benchmarks of the re-timing engine, reported as ratios taken in one run
# (the machines are shared and noisy: absolute seconds mean little).
#
#   bench/run.sh [BUILD_DIR]        (default: build; needs vs-make-job from the tests)
#
# 1. Memory vs segments: peak RSS of vs-worker on the same input with 2,
#    20 and 100 silences. The engine streams; memory must not follow the
#    segment count.
# 2. Against the original tool's approach: one ffmpeg filter graph with a
#    trim branch per segment, concatenated (what VideoSpeeder ran), on the
#    same input and plan: wall time and peak RSS ratios.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build}/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
DUR=${VS_BENCH_SECONDS:-300}

ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc2=s=320x180:r=30:d=$DUR" \
  -f lavfi -i "sine=f=440:d=$DUR" -c:v libx264 -preset veryfast -c:a aac "$work/in.mp4"

# sidecar with N evenly spaced 3 s silences
sidecar() {
  local n=$1 f=$2
  awk -v n="$n" -v d="$DUR" 'BEGIN {
    printf "{\"version\":1,\"source\":{\"file\":\"in.mp4\"},\"detection\":{\"backend\":\"silencedetect\",\"analyzed_duration\":%s},\"speech_segments\":[],\"silence_intervals\":[", d
    step = d / n
    for (i = 0; i < n; i++) { s = i * step + step * 0.1; printf "%s[%.3f,%.3f]", (i ? "," : ""), s, s + step * 0.8 }
    printf "]}\n" }' > "$f"
}

peak() { # peak RSS (KiB) and wall seconds of a command: "KIB SECONDS"
  /usr/bin/time -f "%M %e" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  cat "$work/time"
}

echo "== memory against segment count (${DUR} s input, 320x180)"
declare -A rss wall
for n in 2 20 100; do
  sidecar "$n" "$work/s$n.vad.json"
  "$bin/vs-make-job" --input "$work/in.mp4" --output "$work/out$n/in.mp4" \
    --sidecar "$work/s$n.vad.json" --overwrite > "$work/job$n.json"
  segs=$( (grep -o "\],\[" "$work/job$n.json" || true) | wc -l)
  read -r r w < <(peak "$bin/vs-worker" -q --encoder cpu --job "$work/job$n.json")
  rss[$n]=$r; wall[$n]=$w
  printf '  %4d silences (%4d segments): peak RSS %7d KiB\n' "$n" $((segs + 1)) "$r"
done
awk -v a="${rss[2]}" -v b="${rss[100]}" 'BEGIN { printf "  ratio RSS(100 silences) / RSS(2 silences) = %.2f\n", b / a }'

echo "== vs-worker against the original tool's filter graph (20 silences)"
# Build the original's graph from the same job's segments.
graph=$(tr -d ' \n' < "$work/job20.json" | sed 's/.*"segments":\[\[//; s/\]\].*//; s/\],\[/\n/g' | awk -F, '
  { s=$1; e=$2; v=$3
    printf "[0:v]trim=%s:%s,setpts=(PTS-STARTPTS)/%s[v%d];", s, e, v, NR
    if (v == 1) printf "[0:a]atrim=%s:%s,asetpts=PTS-STARTPTS[a%d];", s, e, NR
    else printf "aevalsrc=0:d=%.6f:s=44100:c=mono[a%d];", (e - s) / v, NR
    cat = cat sprintf("[v%d][a%d]", NR, NR); n = NR }
  END { printf "%sconcat=n=%d:v=1:a=1[v][a]", cat, n }')
read -r fr fw < <(peak ffmpeg -nostdin -loglevel error -y -i "$work/in.mp4" -filter_complex "$graph" \
  -map "[v]" -map "[a]" -r 30 -c:v libx264 -crf 23 -c:a aac -b:a 128k "$work/orig.mp4")
printf '  original graph: peak RSS %7d KiB, %s s\n' "$fr" "$fw"
printf '  vs-worker:      peak RSS %7d KiB, %s s\n' "${rss[20]}" "${wall[20]}"
awk -v a="${wall[20]}" -v b="$fw" -v ra="${rss[20]}" -v rb="$fr" \
  'BEGIN { printf "  ratio wall(original) / wall(vs) = %.2f, RSS(original) / RSS(vs) = %.2f\n", b / a, rb / ra }'
