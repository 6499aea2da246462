#!/usr/bin/env bash
# Builds vs with -Werror and runs the unit and media tests on Debian 13
# (trixie: FFmpeg 7.1, librdkafka 2.8) inside a debootstrap root, so one
# Debian 12 machine checks both releases. Needs root (debootstrap, chroot,
# mount) and the debootstrap package (scripts/install-deps.sh installs it).
#   scripts/debian13.sh                 build + ctest -L unit and -L media
#   scripts/debian13.sh CMD...          run CMD in the prepared root instead
#                                       (the source is in /src; the build of
#                                       this checkout in /build/KEY, $VS_BUILD)
#   VS_DEBIAN_ROOT=DIR    where the root lives (default ~/.cache/vs-trixie);
#                         it is made once and reused while its package list
#                         is unchanged; the build of each checkout is kept in
#                         it between runs (one per checkout: the copy keeps
#                         the files' times, so trees must not share a build).
#   VS_DEBIAN_SUITE=S     another suite (default trixie)
#   VS_DEBIAN_MIRROR=URL  the mirror (default http://deb.debian.org/debian)
#   VS_JOBS=N             build and test jobs (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/debian-root.sh
src=$PWD
suite=${VS_DEBIAN_SUITE:-trixie}
mirror=${VS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=${VS_DEBIAN_ROOT:-${HOME:-/root}/.cache/vs-$suite}
jobs=${VS_JOBS:-$(nproc)}

# What the root needs to build and run the unit and media tests.
vs_root_make "$root" "$suite" "$mirror" build-essential cmake pkg-config ca-certificates \
    libavformat-dev libavcodec-dev libavfilter-dev libavutil-dev libswscale-dev libswresample-dev \
    librdkafka-dev libcjson-dev libcurl4-openssl-dev libssl-dev libmicrohttpd-dev libcmocka-dev \
    ffmpeg python3 procps util-linux
vs_in_root "$root" sh -c 'echo "debian13: $(. /etc/os-release; echo "$PRETTY_NAME"), libavcodec $(pkg-config --modversion libavcodec), librdkafka $(pkg-config --modversion rdkafka)"'

# A fresh copy of the working tree (not a bind mount: the tests must not
# write into the checkout).
build=/build/$(printf '%s' "$src" | md5sum | cut -c1-12)
rm -rf "$root/src"
mkdir -p "$root/src" "$root$build"
tar -C "$src" --exclude=./build --exclude='./build-*' --exclude=./.git -cf - . | tar -C "$root/src" -xf -

if [ $# -gt 0 ]; then
    vs_in_root "$root" VS_BUILD="$build" "$@"
    exit
fi

echo "== debian13: build (-Werror) in $build"
vs_in_root "$root" cmake -S /src -B "$build" -DVS_WERROR=ON >/dev/null
vs_in_root "$root" cmake --build "$build" -j"$jobs"
echo "== debian13: unit and media tests"
vs_in_root "$root" ctest --test-dir "$build" --output-on-failure -j"$jobs" -L 'unit|media'
echo "== debian13: all passed"
