#!/bin/sh
# Builds the Debian package of our modules from this checkout:
#
#   build-aux/build-deb.sh [OUTDIR]
#
# OUTDIR (default build-deb/) receives
# libvirt-storage-backends_VERSION_ARCH.deb; its path is the last line
# printed.  The sources (tracked and new files, as git sees them) are
# copied to OUTDIR/src first, so that dpkg-buildpackage writes nothing
# into the checkout; the libvirt tree is the one build-aux/
# prepare-libvirt-tree.sh prepared for the installed libvirt.  Install
# with 'apt-get install ./FILE.deb' (docs/install.rst).

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build-deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
src=$out/src/libvirt-storage-backends

tree=$("$top/build-aux/prepare-libvirt-tree.sh" | tail -n 1)

rm -rf "$out/src"
mkdir -p "$src"
(cd "$top" &&
 git ls-files -z --cached --others --exclude-standard |
 tar --null --files-from=- --ignore-failed-read -cf -) | tar -C "$src" -xf -

(cd "$src" &&
 LVSB_LIBVIRT_TREE=$tree dpkg-buildpackage -b -uc -us >"$out/dpkg-buildpackage.log" 2>&1) || {
    tail -n 40 "$out/dpkg-buildpackage.log" >&2
    echo "build-deb: dpkg-buildpackage failed; log: $out/dpkg-buildpackage.log" >&2
    exit 1
}

rm -f "$out"/libvirt-storage-backends_*.deb
mv "$out"/src/libvirt-storage-backends_*.deb "$out"/
ls "$out"/libvirt-storage-backends_*.deb
