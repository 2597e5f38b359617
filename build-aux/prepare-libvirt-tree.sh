#!/bin/sh
# Prepare the libvirt source tree of the *installed* libvirt, so that our
# modules can include libvirt's internal headers and link against the
# system libvirt.so.0 (whose private symbols are versioned).
#
#   build-aux/prepare-libvirt-tree.sh [CACHE_DIR]
#
# Prints the path of the prepared tree on its last line.  The tree is
# fetched with 'apt-get source' (Debian source entries are enabled in a
# file of our own if none are present) and configured with libvirt's own
# meson, hypervisor drivers off, only to generate the headers we need.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${1:-$top/.cache}

die() {
    echo "prepare-libvirt-tree: $*" >&2
    exit 1
}

installed=$(dpkg-query -W -f='${Version}' libvirt0 2>/dev/null) ||
    die "libvirt0 is not installed; run: apt-get install libvirt-daemon"
[ -n "$installed" ] || die "libvirt0 is not installed"

upstream=${installed#*:}
upstream=${upstream%%-*}
tree=$cache/libvirt-$upstream
stamp=$tree/.prepared-for

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$installed" ] &&
   [ -f "$tree/build/meson-config.h" ]; then
    echo "$tree"
    exit 0
fi

if [ -d "$tree" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" != "$installed" ]; then
    echo "prepare-libvirt-tree: cached tree is for libvirt $(cat "$stamp")," \
         "installed is $installed: preparing it again" >&2
    rm -rf "$tree"
fi

enable_sources() {
    if apt-get source --print-uris "libvirt=$installed" >/dev/null 2>&1; then
        return 0
    fi
    list=/etc/apt/sources.list.d/libvirt-storage-backends-src.sources
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        sed 's/^Types:.*/Types: deb-src/' \
            /etc/apt/sources.list.d/debian.sources > "$list"
    else
        grep -h '^deb ' /etc/apt/sources.list 2>/dev/null |
            sed 's/^deb /deb-src /' > "${list%.sources}.list"
    fi
    apt-get update -qq >/dev/null
}

fetch_source() {
    mkdir -p "$cache/src"
    enable_sources
    (cd "$cache/src" &&
     apt-get source -qq "libvirt=$installed" >/dev/null) ||
        die "cannot fetch the source of libvirt $installed with apt-get source"
    src=$(find "$cache/src" -maxdepth 1 -type d -name "libvirt-$upstream*" | head -1)
    [ -n "$src" ] || die "apt-get source left no libvirt-$upstream directory"
    rm -rf "$tree"
    mv "$src" "$tree"
    rm -rf "$cache/src"
}

configure_tree() {
    (cd "$tree" &&
     meson setup build \
        -Ddriver_qemu=disabled -Ddriver_libxl=disabled -Ddriver_lxc=disabled \
        -Ddriver_ch=disabled -Ddriver_vbox=disabled -Ddriver_vmware=disabled \
        -Ddriver_esx=disabled -Ddriver_hyperv=disabled -Ddriver_openvz=disabled \
        -Ddriver_vz=disabled -Ddriver_bhyve=disabled -Ddriver_test=disabled \
        -Ddriver_remote=disabled -Ddriver_libvirtd=disabled \
        -Ddriver_network=disabled -Ddriver_interface=disabled \
        -Dudev=disabled -Dselinux=disabled -Dapparmor=disabled \
        -Ddocs=disabled -Dtests=disabled -Dnls=disabled \
        -Dstorage_dir=enabled -Dstorage_fs=enabled \
        >"$tree/.meson-setup.log" 2>&1) ||
        die "meson setup of the libvirt tree failed; see $tree/.meson-setup.log"
}

[ -f "$tree/meson.build" ] || fetch_source

got=$(sed -n "s/^ *version: '\([0-9.]*\)'.*/\1/p" "$tree/meson.build" | head -1)
[ "$got" = "$upstream" ] ||
    die "libvirt tree at $tree is version '$got' but the installed libvirt is $upstream"

configure_tree
echo "$installed" > "$stamp"
echo "$tree"
