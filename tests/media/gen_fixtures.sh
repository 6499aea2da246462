#!/usr/bin/env bash
# gen_fixtures.sh - builds the inputs of the media tests with the ffmpeg program.
#
# Usage: gen_fixtures.sh OUTDIR
#
# Every picture carries its own frame number: a strip at the bottom with 16
# blocks across the width, bit b in block b (least significant left), the
# bits in row A [0.70 H, 0.85 H) and their complement in row B [0.85 H, H)
# (read back by tests/tools/tmedia.c). Blocks are 20x27 pixels at 320x180,
# far bigger than what CRF 23 smears.
#
# The sound follows the plan of the sidecar (SPEC §3, computed below in
# awk and written next to it as *.plan): a 0.2 s tone burst (0.5 peak)
# exactly where each speech segment that follows a silent one starts (and
# at 0 when the video opens with speech), digital silence in the rest of
# the speech, and a steady 440 Hz hum (0.25 peak) in every silent segment,
# which the worker must mute. So vs-check-audio can tell where each segment
# landed in the output and whether the silences were muted.
#
# OUTDIR gets:
#   talk/    60 s, a sidecar with 16 silences (30 segments): h264.mp4
#            (H.264+AAC stereo 25 fps), hevc.mkv (HEVC+AAC), mpeg4.mov
#            (MPEG-4 part 2 + AAC 44.1 kHz, 30000/1001 fps), vp9.webm
#            (VP9+Opus 30 fps), noaudio.mp4, vfr.mp4 (frames dropped, VFR),
#            twotracks.mkv (two AAC tracks, the second ending 1.5 s early);
#            talk-window.vad.json for the window 28.9 s + 22 s of talk
#   angles/  24 s, three angles of equal length for one sidecar
#   rates/   12 s at each frame rate (H.264+AAC in MP4): r23976.mp4,
#            r25.mp4, r2997.mp4, r30.mp4, r50.mp4, r5994.mp4, r60.mp4,
#            vfr2997.mp4 (29.97 with frames dropped), start14.mov (29.97
#            H.264 + PCM, audio and video first stamped 1.4 s, as screen
#            recorders do)
#            interlaced.mp4 (25 fps H.264 coded interlaced, top field first),
#            rot90.mp4 (r25.mp4 with a display matrix: players turn it 90
#            degrees, a phone held upright)
#            and rates.vad.json (opens with 2 s of speech; 4x silences)
#   bad/     text.mp4, truncated.mp4, sidecars/*.vad.json (malformed)
# Reruns are free: a stamp holds the hash of this script.
set -euo pipefail

out=${1:?usage: gen_fixtures.sh OUTDIR}
stamp=$(sha256sum "$0" | cut -d' ' -f1)
mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock 9 # tests started in parallel wait for one generation
if [[ -f $out/.stamp && $(cat "$out/.stamp") == "$stamp" ]]; then
    echo "fixtures up to date in $out"
    exit 0
fi
rm -rf "$out"
mkdir -p "$out/talk" "$out/angles" "$out/rates" "$out/bad/sidecars" "$out/work"
work=$out/work

W=320 H=180 TOPH=126 CODEH=54

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
# bg CMD...: run in the background; join: wait for all, failing if one did.
pids=()
bg() { "$@" & pids+=($!); }
join() { local p; for p in "${pids[@]}"; do wait "$p"; done; pids=(); }

# Silence intervals (seconds) of the two sidecars. Each silence longer than
# 2 s gives its last 2 s to the speech after it; the 1.5 s one becomes
# speech; the 13.5 s one is fast-forwarded at 11.5/4 = 2.875x.
talk_silences="0.000 2.600
3.100 5.500
5.900 7.400
8.000 10.700
11.300 13.650
14.200 27.700
28.100 30.900
31.400 33.700
34.100 37.000
37.600 39.950
40.500 43.100
43.500 45.800
46.300 48.900
49.400 52.050
52.500 54.800
55.300 57.700"
angles_silences="1.500 4.500
5.200 8.000
8.800 11.300
12.000 17.500
18.100 20.600
21.000 23.300"

# plan SILENCES D: SPEC §3 steps 3-5 for a window of D seconds.
# Prints "S start end speed" per silent segment, "B t" per burst.
plan() {
    awk -v d="$2" '
    BEGIN { n = 0 }
    { s[n] = $1; e[n] = $2; n++ }
    END {
        if (n == 0 || s[0] > 0) print "B 0.000"
        for (i = 0; i < n; i++) {
            followed = e[i] < d && (i == n - 1 || s[i + 1] > e[i])
            ss = s[i]; se = e[i]
            if (followed) {
                if (e[i] - s[i] <= 2.0) continue
                se = e[i] - 2.0
            }
            len = se - ss; sp = len <= 10 ? 4 : len / 4
            if (sp < 1) sp = 1
            if (sp > 1000) sp = 1000
            printf "S %.3f %.3f %.6g\n", ss, se, sp
            if (followed) printf "B %.3f\n", se
        }
    }' <<<"$1"
}

# sidecar SILENCES D SOURCE: a version 1 sidecar (SPEC §2) on stdout.
sidecar() {
    awk -v d="$2" -v src="$3" '
    BEGIN { n = 0 }
    { s[n] = $1; e[n] = $2; n++ }
    END {
        printf "{ \"version\": 1,\n  \"source\": { \"file\": \"%s\" },\n", src
        printf "  \"detection\": { \"backend\": \"silero\", \"analyzed_duration\": %.3f,\n", d
        printf "    \"params\": { \"vad_threshold\": 0.75, \"offset\": 0.0, \"process_duration\": null } },\n"
        printf "  \"speech_segments\": ["
        prev = 0; sep = ""
        for (i = 0; i < n; i++) {
            if (s[i] > prev) { printf "%s[%.3f, %.3f]", sep, prev, s[i]; sep = ", " }
            prev = e[i]
        }
        if (prev < d) printf "%s[%.3f, %.3f]", sep, prev, d
        printf "],\n  \"silence_intervals\": ["
        for (i = 0; i < n; i++) printf "%s[%.3f, %.3f]", i ? ", " : "", s[i], e[i]
        printf "] }\n"
    }' <<<"$1"
}

# window SILENCES OFFSET LEN: the silences of a window of the input,
# in window seconds (what a detector run with --offset would write).
window() {
    awk -v o="$2" -v l="$3" '{
        s = $1 - o; e = $2 - o
        if (s < 0) s = 0
        if (e > l) e = l
        if (e > s) printf "%.3f %.3f\n", s, e
    }' <<<"$1"
}

# audio PLANFILE FREQ RATE DUR OUT.wav: bursts at FREQ, hum in silences.
audio() {
    local expr
    expr=$(awk -v f="$2" '
        $1 == "B" { printf "+if(gte(t,%s)*lt(t,%.3f),0.5*sin(2*PI*%s*(t-%s)),0)", $2, $2 + 0.2, f, $2 }
        $1 == "S" { printf "+if(gte(t,%s)*lt(t,%s),0.25*sin(2*PI*440*t),0)", $2, $3 }' "$1")
    ff -f lavfi -i "aevalsrc=exprs='0$expr':s=$3:d=$4" -c:a pcm_s16le "$5"
}

# video FPS DUR TOP: the filtergraph of a coded picture source. TOP is a
# source for the picture above the code strip (W x TOPH).
video() {
    local bit='mod(floor(N/pow(2,X)),2)'
    printf '%s' "nullsrc=s=16x2:r=$1:d=$2,format=gray,geq=lum='if(eq(Y,0),16+219*$bit,235-219*$bit)',"
    printf '%s' "scale=$W:$CODEH:flags=neighbor[code];$3,format=gray[top];"
    printf '%s' "[top][code]vstack=inputs=2,format=yuv420p"
}
flat() { echo "color=c=$1:s=${W}x$TOPH:r=$2:d=$3"; }

x264=(-c:v libx264 -preset veryfast -crf 23)
aac=(-c:a aac -b:a 128k)

# ---- talk: one speaker, many segments ---------------------------------
T=60
plan "$talk_silences" $T >"$out/talk.plan"
sidecar "$talk_silences" $T h264.mp4 >"$out/talk/talk.vad.json"
# A window of talk (--offset 28.9 --process-duration 22), which opens on a
# burst; the lead-in rule is shift-invariant, so its plan matches the sound.
sidecar "$(window "$talk_silences" 28.9 22)" 22 h264.mp4 |
    sed 's/"offset": 0.0, "process_duration": null/"offset": 28.9, "process_duration": 22.0/' \
        >"$out/talk-window.vad.json"
bg audio "$out/talk.plan" 1000 48000 $T "$work/a48.wav"
bg audio "$out/talk.plan" 1000 44100 $T "$work/a44.wav"
bg audio "$out/talk.plan" 1500 48000 58.5 "$work/b48.wav"
ff -f lavfi -i "$(video 25 $T "$(flat 0xAAAAAA 25 $T)")" -c:v ffv1 "$work/v25.mkv"
ff -f lavfi -i "$(video 30 $T "$(flat 0xAAAAAA 30 $T)")" -c:v ffv1 "$work/v30.mkv"
ff -f lavfi -i "$(video 30000/1001 $T "$(flat 0xAAAAAA 30000/1001 $T)")" -c:v ffv1 "$work/v2997.mkv"
join

bg ff -i "$work/v25.mkv" -i "$work/a48.wav" "${x264[@]}" "${aac[@]}" -ac 2 "$out/talk/h264.mp4"
bg ff -i "$work/v25.mkv" "${x264[@]}" -an "$out/talk/noaudio.mp4"
join
bg ff -i "$work/v25.mkv" -i "$work/a48.wav" -c:v libx265 -preset ultrafast -crf 23 \
    -x265-params log-level=error "${aac[@]}" "$out/talk/hevc.mkv"
bg ff -i "$work/v2997.mkv" -i "$work/a44.wav" -c:v mpeg4 -q:v 3 "${aac[@]}" "$out/talk/mpeg4.mov"
join
ff -i "$work/v30.mkv" -i "$work/a48.wav" -c:v libvpx-vp9 -deadline realtime -cpu-used 8 \
    -crf 30 -b:v 0 -c:a libopus -b:a 96k "$out/talk/vp9.webm"
# Variable frame rate: drop every 7th frame and 7 frames in every 60.
bg ff -i "$work/v25.mkv" -i "$work/a48.wav" \
    -vf "select='not(eq(mod(n\,7)\,3))*not(between(mod(n\,60)\,20\,26))'" -fps_mode vfr \
    "${x264[@]}" "${aac[@]}" "$out/talk/vfr.mp4"
bg ff -i "$work/v25.mkv" -i "$work/a48.wav" -i "$work/b48.wav" -map 0:v -map 1:a -map 2:a \
    "${x264[@]}" "${aac[@]}" "$out/talk/twotracks.mkv"
join

# ---- angles: three cameras, one sidecar -------------------------------
A=24
plan "$angles_silences" $A >"$out/angles.plan"
sidecar "$angles_silences" $A angle1.mp4 >"$out/angles/session.vad.json"
audio "$out/angles.plan" 1000 48000 $A "$work/angles.wav"
bg ff -f lavfi -i "$(video 25 $A "$(flat 0xAAAAAA 25 $A)")" -i "$work/angles.wav" \
    "${x264[@]}" "${aac[@]}" "$out/angles/angle1.mp4"
bg ff -f lavfi -i "$(video 25 $A "testsrc2=s=${W}x$TOPH:r=25:d=$A")" -i "$work/angles.wav" \
    -c:v libx264 -preset veryfast -crf 28 "${aac[@]}" "$out/angles/angle2.mp4"
join
ff -f lavfi -i "$(video 25 $A "$(flat 0x304060 25 $A)")" -i "$work/angles.wav" \
    -c:v libx264 -preset ultrafast -bf 0 -g 12 -crf 20 "${aac[@]}" "$out/angles/angle3.mp4"

# ---- rates: exact frame truth at every common frame rate ---------------
# 2 s of speech first (every 1x frame planned exactly on a picture), two
# 4x silences with a 2 s lead-in after them, a 4x silence at the end.
R=12
rates_silences="2.000 5.600
6.100 8.900
9.500 12.000"
plan "$rates_silences" $R >"$out/rates.plan"
sidecar "$rates_silences" $R r25.mp4 >"$out/rates/rates.vad.json"
audio "$out/rates.plan" 1000 48000 $R "$work/rates.wav"
# 23.976 gets a 1/120000 time base (in 1/24000 a double computation
# happens to be right); the others keep the MP4 muxer's choice.
for r in 24000/1001:r23976 25:r25 30000/1001:r2997 30:r30 50:r50 60000/1001:r5994 60:r60; do
    ts=()
    [[ ${r##*:} == r23976 ]] && ts=(-video_track_timescale 120000)
    bg ff -f lavfi -i "$(video "${r%%:*}" $R "$(flat 0xAAAAAA "${r%%:*}" $R)")" -i "$work/rates.wav" \
        "${x264[@]}" "${ts[@]}" "${aac[@]}" "$out/rates/${r##*:}.mp4"
    (( ${#pids[@]} >= 2 )) && join
done
join
# Variable frame rate at 29.97: every 5th frame and 4 in every 45 dropped.
bg ff -f lavfi -i "$(video 30000/1001 $R "$(flat 0xAAAAAA 30000/1001 $R)")" -i "$work/rates.wav" \
    -vf "select='not(eq(mod(n\,5)\,2))*not(between(mod(n\,45)\,30\,33))'" -fps_mode vfr \
    "${x264[@]}" "${aac[@]}" "$out/rates/vfr2997.mp4"
# First picture and first sample stamped 1.4 s (a screen recorder's file).
bg ff -f lavfi -i "$(video 30000/1001 $R "$(flat 0xAAAAAA 30000/1001 $R)")" -i "$work/rates.wav" \
    "${x264[@]}" -c:a pcm_s16le -output_ts_offset 1.4 "$out/rates/start14.mov"
join
ff -f lavfi -i "$(video 25 $R "$(flat 0xAAAAAA 25 $R)")" -i "$work/rates.wav" \
    "${x264[@]}" -flags +ildct+ilme -top 1 "${aac[@]}" "$out/rates/interlaced.mp4"
# FFmpeg >= 6.1 takes -display_rotation (7.x ignores the rotate tag); older ones the tag.
ffmpeg -nostdin -loglevel quiet -y -display_rotation 90 -i "$out/rates/r25.mp4" -c copy "$out/rates/rot90.mp4" ||
    ff -i "$out/rates/r25.mp4" -c copy -metadata:s:v:0 rotate=90 "$out/rates/rot90.mp4"

# ---- bad inputs -------------------------------------------------------
echo "this is a text file, not a video" >"$out/bad/text.mp4"
head -c 40000 "$out/talk/h264.mp4" >"$out/bad/truncated.mp4"
s=$out/bad/sidecars
printf '{ "version": 1, "detection": { "backend": "silero", "analyzed_duration": 24.0 },\n' >"$s/notjson.vad.json"
printf '{ "version": 2, "detection": { "backend": "silero", "analyzed_duration": 24.0 },\n  "silence_intervals": [[1.0, 4.0]] }\n' >"$s/version2.vad.json"
printf '{ "version": 1, "detection": { "backend": "silero", "analyzed_duration": 24.0 },\n  "silence_intervals": [[1.0, 4.0], [3.5, 6.0]] }\n' >"$s/overlap.vad.json"
printf '{ "version": 1, "detection": { "backend": "silero", "analyzed_duration": 24.0 },\n  "silence_intervals": [[1.0, 4.0], [9.0, 6.0]] }\n' >"$s/reversed.vad.json"
printf '{ "version": 1, "detection": { "backend": "silero" },\n  "silence_intervals": [[1.0, 4.0]] }\n' >"$s/noduration.vad.json"

rm -rf "$work"
echo "$stamp" >"$out/.stamp"
echo "fixtures written to $out"
