#!/usr/bin/env bash
# Builds vs with -Werror and runs the unit and media tests on Debian 13
# (trixie: FFmpeg 7.1, librdkafka 2.8) inside a debootstrap root, so one
# Debian 12 machine checks both releases. Needs root (debootstrap, chroot,
# mount) and the debootstrap package (scripts/install-deps.sh installs it).
#   scripts/debian13.sh                 build + ctest -L unit and -L media
#   scripts/debian13.sh CMD...          run CMD in the prepared root instead
#                                       (the source is in /src, build in /build)
#   VS_DEBIAN_ROOT=DIR    where the root lives (default ~/.cache/vs-trixie);
#                         it is made once and reused while its package list
#                         is unchanged.
#   VS_DEBIAN_SUITE=S     another suite (default trixie)
#   VS_DEBIAN_MIRROR=URL  the mirror (default http://deb.debian.org/debian)
#   VS_DEBIAN_EXTRA="pkg ..."  more packages for the root (scripts/container-check.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
suite=${VS_DEBIAN_SUITE:-trixie}
mirror=${VS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=${VS_DEBIAN_ROOT:-${HOME:-/root}/.cache/vs-$suite}
jobs=${VS_JOBS:-$(nproc)}

[ "$(id -u)" -eq 0 ] || { echo "debian13: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "debian13: debootstrap is not installed (scripts/install-deps.sh)" >&2; exit 2; }

# What the root needs to build and run the unit and media tests.
pkgs="build-essential cmake pkg-config ca-certificates
  libavformat-dev libavcodec-dev libavfilter-dev libavutil-dev libswscale-dev libswresample-dev
  librdkafka-dev libcjson-dev libcurl4-openssl-dev libssl-dev libcmocka-dev
  ffmpeg python3 procps util-linux ${VS_DEBIAN_EXTRA:-}"
pkgs=$(echo $pkgs | tr ' ' '\n' | sort -u | tr '\n' ' ')
stamp="$suite|$mirror|$pkgs"

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -l "${mounted[$i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bind() {  # bind SRC DST: mount SRC on DST for the life of this script
  mkdir -p "$2"
  mount --bind "$1" "$2"
  mounted+=("$2")
}
in_root() { chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

if [ ! -f "$root/.vs-base" ]; then
  echo "== debian13: debootstrap $suite into $root"
  rm -rf "$root"
  mkdir -p "$root"
  debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || {
    tail -20 "$root.debootstrap.log" >&2; echo "debian13: debootstrap failed" >&2; exit 1; }
  touch "$root/.vs-base"
fi

mount -t proc proc "$root/proc"; mounted+=("$root/proc")
bind /dev "$root/dev"
mount -t devpts devpts "$root/dev/pts" -o newinstance,ptmxmode=0666 2>/dev/null && mounted+=("$root/dev/pts") || true
mkdir -p "$root/tmp" && chmod 1777 "$root/tmp"

if [ "$(cat "$root/.vs-packages" 2>/dev/null)" != "$stamp" ]; then
  echo "== debian13: installing packages"
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  in_root apt-get update -qq
  # shellcheck disable=SC2086
  in_root apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
  in_root apt-get clean
  printf '%s' "$stamp" >"$root/.vs-packages"
fi
in_root sh -c 'echo "debian13: $(. /etc/os-release; echo "$PRETTY_NAME"), libavcodec $(pkg-config --modversion libavcodec), librdkafka $(pkg-config --modversion rdkafka)"'

# A fresh copy of the working tree (not a bind mount: the tests must not
# write into the checkout, and the copy survives the chroot's build files).
rm -rf "$root/src"
mkdir -p "$root/src" "$root/build"
tar -C "$src" --exclude=./build --exclude='./build-*' --exclude=./.git -cf - . | tar -C "$root/src" -xf -

if [ $# -gt 0 ]; then
  in_root "$@"
  exit
fi

echo "== debian13: build (-Werror)"
in_root cmake -S /src -B /build -DVS_WERROR=ON >/dev/null
in_root cmake --build /build -j"$jobs"
echo "== debian13: unit and media tests"
in_root ctest --test-dir /build --output-on-failure -j"$jobs" -L 'unit|media'
echo "== debian13: all passed"
