#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# setup.sh: install what the project needs on Debian 12, build it, and
# (unless --no-demo) start an isolated libvirtd serving a demo 'dir' pool
# through our storage backend modules.
#
#   build-aux/setup.sh [--no-demo]
#
# Must run as root.  Never touches the machine's own libvirtd or
# /etc/libvirt: the demo daemon runs in a private mount namespace.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${LVSB_BUILD_DIR:-$top/build}
demo=yes

for arg in "$@"; do
    case $arg in
    --no-demo) demo=no ;;
    *) echo "usage: $0 [--no-demo]" >&2; exit 2 ;;
    esac
done

die() {
    echo "setup: $*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || die "run me as root (the tests and the demo start their own libvirtd)"

packages=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$top/build-aux/packages.txt")

missing_packages() {
    for p in $packages; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
            grep -q '^install ok installed$' || echo "$p"
    done
}

install_packages() {
    missing=$(missing_packages)
    if [ -z "$missing" ] && [ "${CI:-}" != true ]; then
        return 0
    fi
    echo "setup: installing packages:" $missing
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q || die "apt-get update failed"
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $packages ||
        die "apt-get install failed"
}

prepare_loop_devices() {
    # fs and disk pool tests use loop devices
    [ -e /dev/loop-control ] || modprobe loop 2>/dev/null || true
    [ -e /dev/loop-control ] ||
        echo "setup: warning: /dev/loop-control is missing; fs pool tests will fail" >&2
}

build_project() {
    if [ ! -f "$build/build.ninja" ]; then
        meson setup "$build" "$top" || die "meson setup failed"
    fi
    ninja -C "$build" || die "the build failed"
}

install_packages
prepare_loop_devices
build_project

if [ "$demo" = yes ]; then
    exec /usr/bin/python3 "$top/build-aux/demo-daemon.py" start
fi
