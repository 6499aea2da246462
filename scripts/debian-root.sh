# debian-root.sh - a Debian root made with debootstrap, for running vs on
# another Debian release or inside the image's base without Docker. Sourced
# by scripts/debian13.sh and scripts/container-check.sh (not run). Needs
# root (debootstrap, chroot, mount).
#   vs_root_make ROOT SUITE MIRROR PKGS...  makes ROOT once (minbase, as the
#       Docker images are), installs PKGS with apt, reuses it while the
#       suite, mirror and package list are unchanged (else starts over).
#   vs_root_mount ROOT   /proc, /dev, /dev/pts and a /tmp, undone on exit.
#   vs_in_root ROOT CMD...   runs CMD in ROOT with a clean environment.

vs_root_mounted=()
vs_root_cleanup() {
    local i
    for ((i = ${#vs_root_mounted[@]} - 1; i >= 0; i--)); do
        umount -l "${vs_root_mounted[$i]}" 2>/dev/null || true
    done
    vs_root_mounted=()
}
trap vs_root_cleanup EXIT
trap 'exit 130' INT TERM

vs_root_check() {
    [ "$(id -u)" -eq 0 ] || { echo "$0: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
    command -v debootstrap >/dev/null ||
        { echo "$0: debootstrap is not installed (scripts/install-deps.sh)" >&2; exit 2; }
}

vs_in_root() {
    local root=$1
    shift
    chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

vs_root_mount() {
    local root=$1
    mount -t proc proc "$root/proc" && vs_root_mounted+=("$root/proc")
    mkdir -p "$root/dev"
    mount --bind /dev "$root/dev" && vs_root_mounted+=("$root/dev")
    if mount -t devpts devpts "$root/dev/pts" -o newinstance,ptmxmode=0666 2>/dev/null; then
        vs_root_mounted+=("$root/dev/pts")
    fi
    mkdir -p "$root/tmp" && chmod 1777 "$root/tmp"
}

vs_root_make() {
    local root=$1 suite=$2 mirror=$3
    shift 3
    local pkgs stamp
    pkgs=$(printf '%s\n' "$@" | sort -u | tr '\n' ' ')
    stamp="$suite|$mirror|$pkgs"
    vs_root_check
    # A changed package list starts over: apt would add packages but keep
    # the ones no longer listed, and the root would hide a missing one.
    if [ "$(cat "$root/.vs-base" 2>/dev/null)" != "$suite|$mirror" ] ||
       { [ -f "$root/.vs-packages" ] && [ "$(cat "$root/.vs-packages")" != "$stamp" ]; }; then
        echo "== $(basename "$0"): debootstrap $suite into $root"
        # A run killed before its clean-up can leave /dev bound in there:
        # never delete through a mount.
        if awk -v r="$root/" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
            echo "$0: something is still mounted under $root; umount it first" >&2
            exit 1
        fi
        rm -rf "$root"
        mkdir -p "$root"
        debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || {
            tail -20 "$root.debootstrap.log" >&2
            echo "$0: debootstrap failed (log: $root.debootstrap.log)" >&2
            exit 1
        }
        printf '%s' "$suite|$mirror" >"$root/.vs-base"
    fi
    vs_root_mount "$root"
    if [ "$(cat "$root/.vs-packages" 2>/dev/null)" != "$stamp" ]; then
        echo "== $(basename "$0"): installing packages into $root"
        cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
        vs_in_root "$root" apt-get update -qq
        # shellcheck disable=SC2086
        vs_in_root "$root" apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
        vs_in_root "$root" apt-get clean
        printf '%s' "$stamp" >"$root/.vs-packages"
    fi
}
