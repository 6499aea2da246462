#!/usr/bin/env bash
# The main job end to end on one machine: vs-produce with its embedded
# broker and local workers re-times every angle of a session.
#   scripts/demo.sh [SESSION_DIR]
# With no SESSION_DIR a demo session is made in ./demo-session: three
# camera angles of one recording with real synthetic speech (espeak-ng)
# and long pauses; the speech sidecar is detected by vs-produce itself
# (--vad-master, FFmpeg's silencedetect). Outputs go to SESSION_DIR/out.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${VS_BIN:-$root/build/bin}
session=${1:-}

if [ -z "$session" ]; then
  session=$PWD/demo-session
  if [ ! -f "$session/angle3.mp4" ]; then
    echo "demo: making a demo session in $session"
    mkdir -p "$session"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    espeak-ng -w "$tmp/s1.wav" "Welcome to the demo. Every camera angle of this session is re-timed from one speech sidecar."
    espeak-ng -w "$tmp/s2.wav" "While nobody speaks, the video is fast-forwarded and muted."
    espeak-ng -w "$tmp/s3.wav" "Speech always plays at normal speed, so nothing that was said is lost."
    # speech, 12 s pause, speech, 6 s pause, speech, 25 s pause: about a minute
    ffmpeg -nostdin -loglevel error -y -i "$tmp/s1.wav" -i "$tmp/s2.wav" -i "$tmp/s3.wav" \
      -filter_complex "aevalsrc=0:d=12:s=22050[p1];aevalsrc=0:d=6:s=22050[p2];aevalsrc=0:d=25:s=22050[p3];[0][p1][1][p2][2][p3]concat=n=6:v=0:a=1[a]" \
      -map "[a]" -ar 48000 "$tmp/voice.wav"
    dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$tmp/voice.wav")
    i=1
    for src in "testsrc2=s=640x360:r=30" "smptehdbars=s=640x360:r=30" "rgbtestsrc=s=640x360:r=30"; do
      ffmpeg -nostdin -loglevel error -y -f lavfi -i "$src:d=$dur" -i "$tmp/voice.wav" \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -b:a 128k -shortest \
        "$session/angle$i.mp4"
      i=$((i + 1))
    done
  fi
  set -- --vad-master "$session/angle1.mp4" --indicator
else
  set --
fi

"$bin/vs-produce" --folder "$session" -o "$session/out" "$@"
echo "demo: outputs in $session/out:"
for f in "$session"/out/*; do
  printf '  %s  %s s\n' "$(basename "$f")" \
    "$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f" 2>/dev/null || echo '?')"
done
