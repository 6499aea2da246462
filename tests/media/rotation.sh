#!/usr/bin/env bash
# rotation.sh - a phone video's rotation (the display matrix) survives the
# re-timing: the output shows the same rotation as the input. The matrix
# moved inside FFmpeg in 6.1 (common/media/compat.h), so this runs on every
# FFmpeg vs builds with (5.1 on Debian 12, 7.1 on Debian 13).
. "$(dirname "$0")/lib.sh"

rotation() { # rotation FILE: the video's display-matrix rotation, "" when none
    ffprobe -v error -select_streams v:0 -show_entries stream_side_data=rotation \
        -of csv=p=0 "$1" | sed -n '/./{p;q}'
}
in=$TMP/rotated.mp4 out=$TMP/out/rotated.mp4
ffmpeg -loglevel error -nostdin -y -f lavfi -i "testsrc=size=96x64:rate=25:duration=6" \
    -f lavfi -i "sine=f=440:duration=6" -c:v libx264 -c:a aac -shortest "$TMP/plain.mp4"
# FFmpeg >= 6.1 takes -display_rotation; older ones the rotate tag.
ffmpeg -loglevel quiet -nostdin -y -display_rotation 90 -i "$TMP/plain.mp4" -c copy "$in" ||
    ffmpeg -loglevel error -nostdin -y -i "$TMP/plain.mp4" -c copy -metadata:s:v:0 rotate=90 "$in"
want=$(rotation "$in")
[[ -n $want && $want != 0 ]] || fail "could not make a rotated input (rotation '$want')"
cat >"$TMP/rotated.vad.json" <<J
{ "version": 1, "source": {"file": "rotated.mp4"},
  "detection": {"backend": "silero", "analyzed_duration": 6, "params": {}},
  "speech_segments": [[0, 2], [5, 6]], "silence_intervals": [[2, 5]] }
J
make_job "$in" "$out" "$TMP/rotated.vad.json" >"$TMP/job.json"
run_worker "$TMP/job.json"
got=$(rotation "$out")
[[ $got == "$want" ]] || fail "output rotation '$got', input '$want'"
note "rotation $got kept"
