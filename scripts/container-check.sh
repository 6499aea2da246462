#!/usr/bin/env bash
# Checks the image docker/Dockerfile describes, without Docker: makes a
# debootstrap root of the final stage's base (debian:12-slim -> bookworm,
# minbase as the official images are), installs the final stage's apt
# packages and user, copies in programs built the way the build stage
# builds them, then checks inside that root that
#   - every program's shared libraries resolve (ldd: nothing "not found"),
#   - every program's --help works as the image's non-root USER,
#   - vs-produce --dry-run plans a tiny session and vs-worker --job
#     re-times it (with the --indicator text, which needs the fonts), as
#     that user; the output is checked with ffprobe from outside,
#   - the final stage's HEALTHCHECK command exits 0 with a fresh heartbeat
#     file and 1 with a stale or missing one.
# Needs root (debootstrap, chroot, mount), ffmpeg and ffprobe on the host.
#   VS_IMAGE_ROOT=DIR   the root (default ~/.cache/vs-image-SUITE), reused
#                       while the Dockerfile's package list is unchanged.
#   VS_DOCKERFILE=FILE  another Dockerfile (default docker/Dockerfile)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/debian-root.sh
df=${VS_DOCKERFILE:-docker/Dockerfile}
mirror=${VS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
say() { echo "== container-check: $*"; }
die() { echo "container-check: FAIL: $*" >&2; exit 1; }

# stage_of NAME: the lines of stage NAME ("" = the final stage, the
# default target), continuation lines joined.
stage_of() {
    awk -v want="$1" '/^FROM /{ if (want == "") { buf = ""; on = 1 } else on = (tolower($NF) == want) }
        on {buf = buf $0 "\n"} END {printf "%s", buf}' "$df" |
        sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta'
}
# The final stage, with the stages it is built FROM in front of it (the
# worker target is FROM runtime, which is FROM debian:12-slim).
stage=$(stage_of "")
base=$(awk '/^FROM /{print $2; exit}' <<<"$stage")
while [ -n "$(stage_of "$base")" ] && [ "$(stage_of "$base")" != "$stage" ]; do
    stage="$(stage_of "$base")"$'\n'"$stage"
    base=$(awk '/^FROM /{print $2; exit}' <<<"$stage")
done
healthcheck=$(grep -o 'HEALTHCHECK .*CMD \[.*\]' <<<"$stage" | sed 's/.*CMD //' || true)
case $base in
debian:12* | debian:bookworm*) suite=bookworm ;;
debian:13* | debian:trixie*) suite=trixie ;;
*) die "base image $base: only debian:12 and debian:13 images are known here" ;;
esac
pkgs=$(grep -o 'apt-get install[^&;]*' <<<"$stage" | tr -s ' ' '\n' |
       grep -v -e '^-' -e '^apt-get$' -e '^install$' -e '^$' || true)
[ -n "$pkgs" ] || die "no apt-get install in the final stage of $df"
useradd_cmd=$(grep -o 'useradd [^&;]*' <<<"$stage" | head -n 1 || true)
user=$(awk '/^USER /{u = $2} END {print u}' <<<"$stage")
bindir=$(awk '/^COPY --from=build /{d = $NF} END {print d}' <<<"$stage")
[ -n "$bindir" ] || die "no COPY --from=build in the final stage of $df"
say "base $base ($suite), user ${user:-root}, programs in $bindir, packages: $(echo $pkgs)"

# The programs, built as the build stage builds them (the build stage is
# Debian 12, as this machine is).
say "build (as the image's build stage: Release, no tests)"
cmake -S . -B build-image -DVS_TESTS=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-image -j"${VS_JOBS:-$(nproc)}" >/dev/null

root=${VS_IMAGE_ROOT:-${HOME:-/root}/.cache/vs-image-$suite}
# shellcheck disable=SC2086
vs_root_make "$root" "$suite" "$mirror" $pkgs
if [ -n "$useradd_cmd" ] && [ -n "$user" ] && ! vs_in_root "$root" id -u "$user" >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    vs_in_root "$root" $useradd_cmd
fi
rm -rf "${root:?}$bindir"
mkdir -p "$root$bindir"
cp build-image/bin/* "$root$bindir/"
progs=$(cd build-image/bin && ls)

uid=0 gid=0
if [ -n "$user" ]; then
    uid=$(vs_in_root "$root" id -u "$user") gid=$(vs_in_root "$root" id -g "$user")
    [ "$uid" -ne 0 ] || die "USER $user is root"
fi
as_user() { # as_user CMD...: CMD in the root as the image's user, its environment
    chroot --userspec="$uid:$gid" "$root" /usr/bin/env -i HOME=/nonexistent \
        PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 "$@"
}

say "shared libraries"
for p in $progs; do
    out=$(vs_in_root "$root" ldd "$bindir/$p") || die "ldd $p failed: $out"
    if grep -q 'not found' <<<"$out"; then
        die "$p: $(grep 'not found' <<<"$out" | tr -s '\t ' ' ' | tr '\n' ';')"
    fi
    echo "  $p: $(grep -c '=>' <<<"$out") libraries, all found"
done

say "--help as uid $uid"
for p in $progs; do
    as_user "$bindir/$p" --help >/dev/null 2>"$root/tmp/help.err" ||
        die "$p --help as $user: $(cat "$root/tmp/help.err")"
    echo "  $p --help: ok"
done

say "a tiny job as uid $uid"
w=$root/tmp/vs-check
rm -rf "$w"
mkdir -p "$w/in"
ffmpeg -loglevel error -nostdin -y -f lavfi -i "testsrc=size=160x120:rate=10:duration=4" \
    -f lavfi -i "sine=f=440:duration=4" -c:v libx264 -c:a aac -shortest "$w/in/a.mp4"
cat >"$w/in/a.vad.json" <<'J'
{ "version": 1, "source": {"file": "a.mp4"},
  "detection": {"backend": "silero", "analyzed_duration": 4, "params": {}},
  "speech_segments": [[0, 1]], "silence_intervals": [[1, 4]] }
J
chown -R "$uid:$gid" "$w"
as_user vs-produce --folder /tmp/vs-check/in -o /tmp/vs-check/out --indicator --dry-run \
    >"$w/jobs.jsonl" 2>"$w/produce.err" || die "vs-produce --dry-run: $(cat "$w/produce.err")"
head -n 1 "$w/jobs.jsonl" >"$w/job.json"
as_user vs-worker --job /tmp/vs-check/job.json --encoder cpu 2>"$w/worker.err" ||
    die "vs-worker --job: $(cat "$w/worker.err")"
d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$w/out/a.mp4") ||
    die "the output is not a readable video"
# 0-1 s speech, 1-4 s silent: 1 + 3/4 = 1.75 s.
awk -v d="$d" 'BEGIN { exit !(d > 1.6 && d < 1.9) }' || die "the output lasts $d s, want 1.75"
[ "$(stat -c %u "$w/out/a.mp4")" = "$uid" ] || die "the output is not owned by uid $uid"
echo "  vs-worker --job: a.mp4 -> $d s as uid $uid"

# The image's HEALTHCHECK command, run as the image runs it: healthy with
# a fresh heartbeat file, unhealthy with a stale one and with none.
[ -n "$healthcheck" ] || die "no HEALTHCHECK CMD [...] in the final stage of $df"
say "HEALTHCHECK $healthcheck as uid $uid"
mapfile -t hc < <(python3 -c 'import json, sys; print("\n".join(json.loads(sys.argv[1])))' "$healthcheck")
hfile=$(grep -o -- '--health-check [^ ]*' <<<"${hc[*]}" | awk '{print $2}')
[ -n "$hfile" ] || die "the HEALTHCHECK names no --health-check FILE"
rm -f "$root$hfile"
as_user "${hc[@]}" >/dev/null 2>&1 && die "healthy without a heartbeat file"
as_user /bin/sh -c "echo 0 > $hfile" || die "cannot write $hfile as uid $uid"
as_user "${hc[@]}" >/dev/null 2>"$w/health.err" || die "a fresh heartbeat is unhealthy: $(cat "$w/health.err")"
touch -d '-10 minutes' "$root$hfile"
as_user "${hc[@]}" >/dev/null 2>&1 && die "a heartbeat 10 minutes old is healthy"
rm -f "$root$hfile"
echo "  health check: fresh -> 0, stale -> 1, missing -> 1"
say "ok"
