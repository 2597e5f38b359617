#!/bin/sh
# mkinitramfs.sh: build the test VM's busybox initramfs
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   tests/vm/mkinitramfs.sh KERNEL_DIR OUTPUT
#
# KERNEL_DIR is what prepare-kernel.sh prints.  OUTPUT is an uncompressed
# newc cpio holding the static busybox (busybox-static), tests/vm/initramfs-init
# as /init, and the modules needed to reach the host's files (virtio_pci,
# 9pnet_virtio, 9p, overlay) with their dependencies, in insmod order.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
kdir=$1
out=$2
kver=$(cat "$kdir/kver")
busybox=/bin/busybox

die() {
    echo "mkinitramfs: $*" >&2
    exit 1
}

file "$busybox" 2>/dev/null | grep -q 'statically linked' ||
    ldd "$busybox" 2>&1 | grep -q 'not a dynamic executable' ||
    die "$busybox is not static (install busybox-static)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/mods" "$tmp/proc" "$tmp/sys" "$tmp/dev"
cp "$busybox" "$tmp/bin/busybox"
cp "$here/initramfs-init" "$tmp/init"
chmod 0755 "$tmp/init"

modprobe -d "$kdir" -S "$kver" --show-depends -a virtio_pci 9pnet_virtio 9p overlay |
    awk '$1 == "insmod" && !seen[$2]++ { print $2 }' >"$tmp/paths"
[ -s "$tmp/paths" ] || die "modprobe found none of the initramfs modules in $kdir"
: >"$tmp/modules"
while read -r ko; do
    name=$(basename "$ko")
    cp "$ko" "$tmp/mods/$name"
    echo "$name" >>"$tmp/modules"
done <"$tmp/paths"
rm "$tmp/paths"

(cd "$tmp" && find . | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
