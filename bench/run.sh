#!/usr/bin/env bash
# Benchmarks of the re-timing engine, reported as ratios taken in one run
# (the machines are shared and noisy: absolute seconds mean little). Not
# part of CI; 15-20 minutes on 2 shared cores (VS_BENCH_SCALE=smoke: smaller).
#
#   bench/run.sh [BUILD_DIR]        (default: build; needs vs-make-job from the tests)
#   VS_BENCH_SESSIONS="long rss"    only some of: medium long hd rss
#
# Sessions (talks: speech, silences at 4x and longer ones faster), scaled
# down from the real sizes for a small machine (VS_BENCH_SCALE=1 for the
# real lengths):
#   medium  540p 30 fps, 945 s real (default 1/5: 189 s), ~82 segments
#   long    180p 30 fps, ~6000 s real (default 1/5: 1200 s), ~380 segments
#   hd     1080p 30 fps, 120 s real (default 1/6: 20 s), ~6 segments
# Each is run, one after the other, by:
#   vs        vs-worker --job, skipping on (the default)
#   vs-noskip the same with VS_NO_SKIP=1 (decodes every packet)
#   original  the original tool's method: one ffmpeg filter graph with a
#             trim/setpts (atrim or silence) branch per segment, concat
#   floor     a lower bound: encoding the output pictures and audio alone
#             (from raw pictures and PCM, the same encoders) plus decoding
#             only the needed input pictures (the input's full decode time
#             scaled by output pictures / input pictures)
# and, for the medium session, a GPU-like proxy: the same with libx264
# ultrafast (the encoder's cost nearly gone, as with NVENC).
# Then peak RSS against the segment count (10 to ~1000 segments).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$root/build}/bin" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
SCALE=${VS_BENCH_SCALE:-0}

# session NAME W H DUR PAIRS: input $work/NAME.mp4 and sidecar $work/NAME.vad.json.
# Pairs of speech then silence; every 25th silence is 8 times longer.
session() {
    local name=$1 w=$2 h=$3 dur=$4 pairs=$5
    ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc2=s=${w}x$h:r=30:d=$dur" \
        -f lavfi -i "sine=f=440:d=$dur:sample_rate=48000" -c:v libx264 -preset veryfast -crf 23 \
        -c:a aac -b:a 128k "$work/$name.mp4"
    awk -v d="$dur" -v p="$pairs" 'BEGIN {
        srand(7); tw = 0
        for (i = 0; i < p; i++) { w[i] = (i % 25 == 12) ? 8 : 1; tw += w[i] }
        printf "{\"version\":1,\"source\":{\"file\":\"x\"},\"detection\":{\"backend\":\"silencedetect\",\"analyzed_duration\":%s},\"speech_segments\":[],\"silence_intervals\":[", d
        t = 0
        for (i = 0; i < p; i++) {
            step = d * w[i] / tw
            s = t + step * (0.15 + 0.25 * rand()); e = t + step * 0.97
            printf "%s[%.3f,%.3f]", (i ? "," : ""), s, e
            t += step
        }
        printf "]}\n" }' >"$work/$name.vad.json"
    "$bin/vs-make-job" --input "$work/$name.mp4" --output "$work/out/$name.mp4" \
        --sidecar "$work/$name.vad.json" --overwrite >"$work/$name.job.json"
}

# measure LABEL CMD...: "wall cpu rss" of a command into $work/LABEL.m
measure() {
    local label=$1
    shift
    /usr/bin/time -f "%e %U %S %M" -o "$work/$label.t" "$@" >/dev/null 2>"$work/$label.err" ||
        { cat "$work/$label.err"; exit 1; }
    awk '{ printf "%.2f %.2f %d\n", $1, $2 + $3, $4 }' "$work/$label.t" >"$work/$label.m"
}

# original NAME PRESET OUT: the original tool's graph, rebuilt from the job's segments.
original() {
    local name=$1 preset=$2 graph
    graph=$(tr -d ' \n' <"$work/$name.job.json" | sed 's/.*"segments":\[\[//; s/\]\].*//; s/\],\[/\n/g' | awk -F, '
      { s=$1; e=$2; v=$3
        printf "[0:v]trim=%s:%s,setpts=(PTS-STARTPTS)/%s[v%d];", s, e, v, NR
        if (v == 1) printf "[0:a]atrim=%s:%s,asetpts=PTS-STARTPTS[a%d];", s, e, NR
        else printf "aevalsrc=0:d=%.6f:s=48000:c=mono[a%d];", (e - s) / v, NR
        cat = cat sprintf("[v%d][a%d]", NR, NR); n = NR }
      END { printf "%sconcat=n=%d:v=1:a=1[v][a]", cat, n }')
    printf '%s' "$graph" >"$work/$name.graph"
    measure "$3" ffmpeg -nostdin -loglevel error -y -i "$work/$name.mp4" -filter_complex_script "$work/$name.graph" \
        -map "[v]" -map "[a]" -r 30 -c:v libx264 -preset "$preset" -crf 23 -c:a aac -b:a 128k "$work/$3.mp4"
}

# floor NAME PRESET LABEL: encode-only of the output pictures + needed decode.
floor_of() {
    local name=$1 preset=$2 label=$3 out=$work/out/$name.mp4 w h n_in n_out
    IFS=, read -r w h < <(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$out")
    n_out=$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$out")
    n_in=$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$work/$name.mp4")
    ffmpeg -nostdin -loglevel error -y -i "$out" -map 0:v -f rawvideo -pix_fmt yuv420p "$work/raw.yuv"
    measure "$label.enc" ffmpeg -nostdin -loglevel error -y -f rawvideo -pix_fmt yuv420p -s "${w}x$h" -r 30 \
        -i "$work/raw.yuv" -c:v libx264 -preset "$preset" -crf 23 "$work/$label.mp4"
    rm -f "$work/raw.yuv"
    # The output's audio too: the same output needs its AAC encoded, whoever makes it.
    ffmpeg -nostdin -loglevel error -y -i "$out" -map 0:a -f wav "$work/raw.wav"
    measure "$label.aenc" ffmpeg -nostdin -loglevel error -y -i "$work/raw.wav" -c:a aac -b:a 128k "$work/$label.m4a"
    rm -f "$work/raw.wav"
    [[ -f $work/$name.dec.m ]] ||
        measure "$name.dec" ffmpeg -nostdin -loglevel error -i "$work/$name.mp4" -map 0:v -f null -
    paste "$work/$label.enc.m" "$work/$label.aenc.m" "$work/$name.dec.m" | awk -v a="$n_out" -v b="$n_in" \
        '{ r = a / b; if (r > 1) r = 1; printf "%.2f %.2f %d\n", $1 + $4 + $7 * r, $2 + $5 + $8 * r, $3 }' >"$work/$label.m"
}

# run_vs NAME LABEL [ENV...]
run_vs() {
    local name=$1 label=$2
    shift 2
    rm -rf "$work/out/$name.mp4"
    measure "$label" env "$@" "$bin/vs-worker" -q --encoder cpu --job "$work/$name.job.json"
}

row() { # LABEL FILE-STEM BASE-STEM
    read -r w c r <"$work/$2.m"
    read -r bw bc br <"$work/$3.m"
    awk -v l="$1" -v w="$w" -v c="$c" -v r="$r" -v bw="$bw" -v bc="$bc" -v br="$br" 'BEGIN {
        printf "| %-22s | %8.1f | %8.1f | %9d | %6.2f | %6.2f |\n", l, w, c, r, w / bw, c / bc }'
}

bench_session() { # NAME W H DUR PAIRS [proxy]
    local name=$1
    session "$@"
    local segs
    segs=$( (tr -d ' \n' <"$work/$name.job.json" | grep -o "\],\[" || true) | wc -l)
    echo
    echo "### $name: ${2}x$3, $4 s, $((segs + 1)) segments"
    run_vs "$name" "$name.vs"
    run_vs "$name" "$name.noskip" VS_NO_SKIP=1
    original "$name" medium "$name.orig"
    floor_of "$name" medium "$name.floor"
    if [[ ${6:-} == proxy ]]; then
        run_vs "$name" "$name.uf.vs" VS_BENCH_X264_PRESET=ultrafast
        run_vs "$name" "$name.uf.noskip" VS_BENCH_X264_PRESET=ultrafast VS_NO_SKIP=1
        original "$name" ultrafast "$name.uf.orig"
        floor_of "$name" ultrafast "$name.uf.floor"
    fi
    echo
    echo "| run | wall s | CPU s | peak RSS KiB | wall / vs | CPU / vs |"
    echo "|---|---:|---:|---:|---:|---:|"
    row "vs (skipping)" "$name.vs" "$name.vs"
    row "vs (VS_NO_SKIP=1)" "$name.noskip" "$name.vs"
    row "original filter graph" "$name.orig" "$name.vs"
    row "floor" "$name.floor" "$name.vs"
    if [[ ${6:-} == proxy ]]; then
        row "ultrafast: vs" "$name.uf.vs" "$name.uf.vs"
        row "ultrafast: vs noskip" "$name.uf.noskip" "$name.uf.vs"
        row "ultrafast: original" "$name.uf.orig" "$name.uf.vs"
        row "ultrafast: floor" "$name.uf.floor" "$name.uf.vs"
    fi
}

if [[ $SCALE == 1 ]]; then m=945 l=6000 h=120
elif [[ $SCALE == smoke ]]; then m=120 l=200 h=6
else m=189 l=1200 h=20; fi
echo "## $(date -u +%F) $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(ffmpeg -version | head -1 | cut -d' ' -f1-3)"
only=" ${VS_BENCH_SESSIONS:-medium long hd rss} "
[[ $only != *" medium "* ]] || bench_session medium 960 540 "$m" 41 proxy
[[ $only != *" long "* ]] || bench_session long 320 180 "$l" 190
[[ $only != *" hd "* ]] || bench_session hd 1920 1080 "$h" 3
[[ $only == *" rss "* ]] || exit 0
[[ -f $work/long.mp4 ]] || session long 320 180 "$l" 190

echo
echo "### peak RSS against the segment count (long session's input)"
echo
echo "| silences | segments | peak RSS KiB |"
echo "|---:|---:|---:|"
for n in 5 480; do
    awk -v n="$n" -v d="$l" 'BEGIN {
        printf "{\"version\":1,\"source\":{\"file\":\"x\"},\"detection\":{\"backend\":\"silencedetect\",\"analyzed_duration\":%s},\"speech_segments\":[],\"silence_intervals\":[", d
        step = d / n
        for (i = 0; i < n; i++) { s = i * step + step * 0.1; printf "%s[%.3f,%.3f]", (i ? "," : ""), s, s + step * 0.85 }
        printf "]}\n" }' >"$work/rss$n.vad.json"
    "$bin/vs-make-job" --input "$work/long.mp4" --output "$work/out/rss$n.mp4" \
        --sidecar "$work/rss$n.vad.json" --overwrite >"$work/rss$n.job.json"
    segs=$( (tr -d ' \n' <"$work/rss$n.job.json" | grep -o "\],\[" || true) | wc -l)
    measure "rss$n" "$bin/vs-worker" -q --encoder cpu --job "$work/rss$n.job.json"
    read -r _ _ r <"$work/rss$n.m"
    echo "| $n | $((segs + 1)) | $r |"
done
