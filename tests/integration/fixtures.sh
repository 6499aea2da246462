#!/usr/bin/env bash
# fixtures.sh - inputs of the integration tests, made with the ffmpeg program.
#
# Usage: fixtures.sh OUTDIR
#   session/  v1.mp4 .. v6.mp4: 6 s each, 160x96 H.264 + AAC, 25 fps, and
#             session.vad.json: one silence [1.0, 4.5] -> segments 1 s at 1x,
#             1.5 s at 4x, 3.5 s at 1x: 4.875 s out, 122 frames
#   nas/session/facecam.mp4: 300.07 s, for the job message of docs/protocol.md
# Reruns are free: a stamp holds the hash of this script.
set -euo pipefail
out=${1:?usage: fixtures.sh OUTDIR}
stamp=$(sha256sum "$0" | cut -d' ' -f1)
if [[ -f $out/.stamp && $(cat "$out/.stamp") == "$stamp" ]]; then
    exit 0
fi
rm -rf "$out"
mkdir -p "$out/session" "$out/nas/session"

ff() { ffmpeg -nostdin -v error -y "$@"; }
for i in 1 2 3 4 5 6; do
    ff -f lavfi -i "testsrc2=s=160x96:r=25:d=6" -f lavfi -i "sine=f=$((300 + 50 * i)):d=6" \
       -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -b:a 64k -shortest \
       "$out/session/v$i.mp4"
done
cat > "$out/session/session.vad.json" <<'JSON'
{ "version": 1, "source": { "file": "v1.mp4" },
  "detection": { "backend": "silero", "analyzed_duration": 6.0,
                 "params": { "vad_threshold": 0.75, "offset": 0.0, "process_duration": null } },
  "speech_segments": [[0.0, 1.0], [4.5, 6.0]],
  "silence_intervals": [[1.0, 4.5]] }
JSON
ff -f lavfi -i "testsrc2=s=128x72:r=10:d=300.07" -f lavfi -i "sine=f=440:d=300.07:sample_rate=16000" \
   -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 32k -shortest \
   "$out/nas/session/facecam.mp4"
echo "$stamp" > "$out/.stamp"
