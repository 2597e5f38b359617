#!/bin/sh
# prepare-kernel.sh: fetch and cache the stock Debian kernel of the test VM
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   tests/vm/prepare-kernel.sh
#
# Prints the directory of the unpacked kernel package: DIR/boot/vmlinuz-KVER
# and DIR/lib/modules/KVER (with modules.dep), plus DIR/kver.
#
# The kernel is the versioned linux-image-6.1.* package that
# linux-image-amd64 depends on, fetched with 'apt-get download', unpacked
# with 'dpkg-deb -x' into .cache/vm-kernel/PACKAGE/ (git-ignored) and indexed
# with 'depmod -b'.  An unpacked kernel already in the cache is reused; if
# apt cannot say which package is current, the newest cached one is used.

set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${LVSB_VM_CACHE:-$top/.cache/vm-kernel}

die() {
    echo "prepare-kernel: $*" >&2
    exit 1
}

current_package() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1
}

newest_cached() {
    ls -d "$cache"/linux-image-*/kver 2>/dev/null | sort -V | tail -n 1 |
        sed 's,/kver$,,'
}

unpack() {
    pkg=$1
    dest=$cache/$pkg
    tmp=$(mktemp -d "$cache/.unpack.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    # stale package lists may name a version the archive no longer has
    (cd "$tmp" && apt-get download "$pkg" >/dev/null 2>"$tmp/apt.err") ||
        { apt-get update -q >/dev/null 2>&1 &&
            (cd "$tmp" && apt-get download "$pkg" >/dev/null 2>"$tmp/apt.err"); } || {
        cat "$tmp/apt.err" >&2
        die "cannot download $pkg"
    }
    dpkg-deb -x "$tmp"/"$pkg"_*.deb "$tmp/root" || die "cannot unpack $pkg"
    kver=$(ls "$tmp/root/lib/modules")
    [ -f "$tmp/root/boot/vmlinuz-$kver" ] || die "$pkg has no boot/vmlinuz-$kver"
    depmod -b "$tmp/root" "$kver" || die "depmod failed for $kver"
    echo "$kver" >"$tmp/root/kver"
    rm -rf "$dest"
    mv "$tmp/root" "$dest"
    rm -rf "$tmp"
    trap - EXIT
}

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

pkg=$(current_package)
if [ -n "$pkg" ]; then
    [ -f "$cache/$pkg/kver" ] || unpack "$pkg"
    echo "$cache/$pkg"
else
    dir=$(newest_cached)
    [ -n "$dir" ] || die "apt-cache does not know linux-image-amd64 and nothing is cached (run apt-get update)"
    echo "$dir"
fi
