#!/usr/bin/env bash
# Builds the sandbox images without any registry:
#   boxq-sandbox:bookworm  debootstrap (minbase) of Debian bookworm + bash, coreutils, python3,
#                          ca-certificates, curl, git, procps; 55-85 s here
#   boxq-sandbox:busybox   busybox-static in an otherwise empty rootfs; a 2 MB image
# Both: PATH set, USER 65534, WORKDIR /workspace, LABEL boxq.image=true.
#
# usage: scripts/build-sandbox-image.sh [--force] [--only bookworm|busybox]
#   An image that already exists is skipped unless --force.
#   DEBIAN_MIRROR overrides the mirror debootstrap uses (default http://deb.debian.org/debian).
# Needs root (debootstrap), a Docker engine that answers, debootstrap and busybox-static
# (scripts/setup.sh installs them). Hosts that can pull can use Dockerfile.sandbox instead.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BOXQ_LOG_PREFIX=image
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

force=0
only=""
while (($# > 0)); do
    case $1 in
        --force) force=1; shift ;;
        --only)
            [[ $# -ge 2 ]] || boxq_die "--only needs bookworm or busybox"
            only=$2
            shift 2
            ;;
        --only=*) only=${1#--only=}; shift ;;
        -h | --help) sed -n '2,12p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) boxq_die "unknown argument: $1 (usage: $0 [--force] [--only bookworm|busybox])" ;;
    esac
done
case $only in
    "") flavours=(bookworm busybox) ;;
    bookworm | busybox) flavours=("$only") ;;
    *) boxq_die "--only must be bookworm or busybox, not '$only'" ;;
esac

boxq_docker_answers || boxq_die "no Docker engine answers (source scripts/setup.sh first, or set DOCKER_HOST)"

IMPORT_OPTS=(
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    -c 'USER 65534'
    -c 'WORKDIR /workspace'
    -c 'LABEL boxq.image=true'
)

work=""
cleanup() {
    [[ -n "$work" && -d "$work" ]] || return 0
    # debootstrap may leave proc/sys mounted in the target when it fails: unmount first, and
    # never let rm cross into another file system.
    local m
    { findmnt -rn -o TARGET 2>/dev/null || true; } | { grep -F "$work/" || true; } | sort -r |
        while read -r m; do
            umount -l "$m" 2>/dev/null || true
        done
    rm -rf --one-file-system "$work"
    work=""
}
trap cleanup EXIT

new_workdir() {
    cleanup
    work=$(mktemp -d "${TMPDIR:-/var/tmp}/boxq-image.XXXXXX")
}

# import ROOTFS NAME CMD
import_rootfs() {
    local rootfs=$1 name=$2 cmd=$3 old=""
    old=$(docker image inspect --format '{{.Id}}' "$name" 2>/dev/null || true)
    tar --numeric-owner -C "$rootfs" -c . |
        docker import "${IMPORT_OPTS[@]}" -c "CMD [\"$cmd\"]" - "$name" >/dev/null
    if [[ -n "$old" && "$old" != "$(docker image inspect --format '{{.Id}}' "$name")" ]]; then
        docker rmi "$old" >/dev/null 2>&1 || true # still used by a container: leave it
    fi
}

# smoke NAME CMD... : runs CMD hardened the way boxq does and expects uid 65534
smoke() {
    local name=$1 out
    shift
    out=$(docker run --rm --read-only --user 65534 --network none --cap-drop ALL \
        --security-opt no-new-privileges "$name" "$@" 2>&1) ||
        boxq_die "smoke test of $name failed: $out"
    printf '%s\n' "$out"
}

build_bookworm() {
    local name=boxq-sandbox:bookworm start=$SECONDS
    [[ $(id -u) -eq 0 ]] || boxq_die "building $name needs root (debootstrap)"
    command -v debootstrap >/dev/null 2>&1 || boxq_die "debootstrap is missing: apt-get install -y debootstrap"
    new_workdir
    local rootfs="$work/rootfs" mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
    boxq_log "$name: debootstrap bookworm from $mirror (about a minute)"
    if ! debootstrap --variant=minbase \
        --include=bash,coreutils,python3,ca-certificates,curl,git,procps \
        bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
        tail -n 30 "$work/debootstrap.log" >&2
        [[ -f "$rootfs/debootstrap/debootstrap.log" ]] && tail -n 30 "$rootfs/debootstrap/debootstrap.log" >&2
        boxq_die "debootstrap failed"
    fi
    mkdir -p "$rootfs/workspace" "$rootfs/tmp"
    chown 65534:65534 "$rootfs/workspace"
    chmod 0755 "$rootfs/workspace"
    chmod 1777 "$rootfs/tmp"
    rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"* "$rootfs/debootstrap"
    local mid=$SECONDS
    boxq_log "$name: importing $(du -sm "$rootfs" | cut -f1) MB"
    import_rootfs "$rootfs" "$name" /bin/bash
    cleanup
    local py uid
    py=$(smoke "$name" python3 -c 'print(1)')
    uid=$(smoke "$name" id -u)
    boxq_log "$name: python3 says $py as uid $uid"
    boxq_log "$name: built in $((SECONDS - start)) s (debootstrap $((mid - start)) s, import $((SECONDS - mid)) s)"
}

build_busybox() {
    local name=boxq-sandbox:busybox start=$SECONDS bb=/bin/busybox
    if ! boxq_busybox_static_ok; then
        boxq_die "a static /bin/busybox is needed: apt-get install -y busybox-static"
    fi
    new_workdir
    local rootfs="$work/rootfs" p applets
    mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,workspace,dev,proc,sys,var/tmp}
    cp "$bb" "$rootfs/bin/busybox"
    chmod 0755 "$rootfs/bin/busybox"
    # `busybox --install -s` semantics: every applet as a symlink at its usual path.
    if applets=$("$bb" --list-full 2>/dev/null) && [[ -n "$applets" ]]; then
        :
    else
        applets=$("$bb" --list | sed 's|^|bin/|')
    fi
    while read -r p; do
        [[ -n "$p" && "$p" != bin/busybox && "$p" != linuxrc ]] || continue
        mkdir -p "$rootfs/$(dirname "$p")"
        [[ -e "$rootfs/$p" || -L "$rootfs/$p" ]] || ln -s /bin/busybox "$rootfs/$p"
    done <<<"$applets"
    [[ -L "$rootfs/bin/sh" ]] || ln -sf /bin/busybox "$rootfs/bin/sh"
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/sh' \
        >"$rootfs/etc/passwd"
    printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$rootfs/etc/group"
    chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
    chown 65534:65534 "$rootfs/workspace" 2>/dev/null || true
    chmod 0700 "$rootfs/root"
    import_rootfs "$rootfs" "$name" /bin/sh
    cleanup
    local uid
    uid=$(smoke "$name" sh -c 'id -u')
    boxq_log "$name: sh runs as uid $uid"
    boxq_log "$name: built in $((SECONDS - start)) s"
}

for f in "${flavours[@]}"; do
    if ((force == 0)) && boxq_image_exists "boxq-sandbox:$f"; then
        boxq_log "boxq-sandbox:$f exists (use --force to rebuild)"
        continue
    fi
    "build_$f"
done
