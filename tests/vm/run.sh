#!/bin/bash
# run.sh: run a command inside the test VM (stock Debian kernel under qemu)
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   tests/vm/run.sh [OPTIONS] -- COMMAND [ARGS...]
#
#   --disk SIZE_MB        attach a blank sparse virtio disk (repeatable):
#                         /dev/vda, /dev/vdb... ($LVSB_VM_DISKS in the guest)
#   --scsi-disk SIZE_MB   attach a blank disk on a virtio-scsi controller
#                         (repeatable; $LVSB_VM_SCSI_DISKS in the guest)
#   --share DIR           make host DIR writable in the guest, at the same path
#   --mem MB              guest memory (default 2048)
#   --smp N               guest CPUs (default 2)
#   --timeout SECONDS     end the guest after this long (default 1800)
#   --console             copy the guest's console to stderr as it comes
#   --keep                keep the run directory (console log, disk images)
#
# The guest sees the host's / read-only through 9p under a tmpfs overlay,
# so every host path (this checkout, the build dir, installed packages) is
# at the same place and nothing is written back, except in --share dirs.
# COMMAND runs as root in the current directory, with LVSB_* variables
# passed on and LVSB_IN_VM=1.  Its output is printed as it comes, and
# run.sh exits with its status, or with 124 (guest timed out) or 125 (the
# guest ended without a status: see the console log printed).

set -u

here=$(cd "$(dirname "$0")" && pwd)
mem=2048
smp=2
timeout=1800
console=no
keep=no
share=
disks=()
scsi_disks=()

usage() {
    sed -n '4,21p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

die() {
    echo "vm: $*" >&2
    exit 125
}

while [ $# -gt 0 ]; do
    case $1 in
    --disk) disks+=("${2:?}"); shift 2 ;;
    --scsi-disk) scsi_disks+=("${2:?}"); shift 2 ;;
    --share) share=$(cd "${2:?}" && pwd) || die "no directory $2"; shift 2 ;;
    --mem) mem=${2:?}; shift 2 ;;
    --smp) smp=${2:?}; shift 2 ;;
    --timeout) timeout=${2:?}; shift 2 ;;
    --console) console=yes; shift ;;
    --keep) keep=yes; shift ;;
    --) shift; break ;;
    *) usage ;;
    esac
done
[ $# -gt 0 ] || usage

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing (install qemu-system-x86)"

# the guest sees the host's / except /tmp, /run, /proc, /sys and /dev,
# which it has of its own (initramfs-init)
top=$(cd "$here/../.." && pwd -P)
case $top/ in
/tmp/* | /run/* | /proc/* | /sys/* | /dev/*)
    die "the project is at $top, which the test VM does not see (the guest has its own /tmp, /run, /proc, /sys and /dev): clone it elsewhere, e.g. under /root or /srv"
    ;;
esac

kdir=$("$here/prepare-kernel.sh") || die "cannot prepare the guest kernel"
kver=$(cat "$kdir/kver")

run=$(mktemp -d "${TMPDIR:-/tmp}/lvsb-vm.XXXXXX") || die "mktemp failed"
qpid=
tpid=
cleanup() {
    [ -n "$qpid" ] && kill "$qpid" 2>/dev/null
    [ -n "$tpid" ] && kill "$tpid" 2>/dev/null
    if [ "$keep" = yes ]; then
        echo "vm: run directory kept: $run" >&2
    else
        rm -rf "$run"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$here/mkinitramfs.sh" "$kdir" "$run/initramfs.cpio" || die "cannot build the initramfs"
mkdir "$run/out"

quote() {
    printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

write_command() {
    {
        echo "cd $(quote "$PWD") || exit 125"
        while IFS= read -r name; do
            echo "export $name=$(quote "${!name}")"
        done < <(compgen -e | grep '^LVSB_')
        printf 'exec'
        for arg in "$@"; do
            printf ' %s' "$(quote "$arg")"
        done
        echo
    } >"$run/out/cmd"
}
write_command "$@"

qemu=(qemu-system-x86_64 -name lvsb-vm
    -machine pc -accel tcg,thread=multi,tb-size=256 -cpu max
    -smp "$smp" -m "$mem"
    -nodefaults -display none -monitor none -no-reboot
    -serial "file:$run/console.log"
    -kernel "$kdir/boot/vmlinuz-$kver" -initrd "$run/initramfs.cpio"
    -append "console=ttyS0 panic=-1 loglevel=4 mitigations=off lvsb_init=$here/guest-init.sh lvsb_kdir=$kdir"
    -device virtio-rng-pci
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
    -virtfs "local,path=$run/out,mount_tag=hostout,security_model=none,multidevs=remap")

if [ -n "$share" ]; then
    echo "$share" >"$run/out/share-path"
    qemu+=(-virtfs "local,path=$share,mount_tag=hostshare,security_model=none,multidevs=remap")
fi
i=0
for size in "${disks[@]}"; do
    truncate -s "${size}M" "$run/disk$i.img" || die "cannot create a ${size} MB disk image"
    qemu+=(-drive "if=none,id=vd$i,file=$run/disk$i.img,format=raw"
        -device "virtio-blk-pci,drive=vd$i,serial=lvsb-disk$i")
    i=$((i + 1))
done
if [ ${#scsi_disks[@]} -gt 0 ]; then
    qemu+=(-device virtio-scsi-pci,id=scsi0)
    i=0
    for size in "${scsi_disks[@]}"; do
        truncate -s "${size}M" "$run/scsi$i.img" || die "cannot create a ${size} MB disk image"
        qemu+=(-drive "if=none,id=sd$i,file=$run/scsi$i.img,format=raw"
            -device "scsi-hd,drive=sd$i,bus=scsi0.0,serial=lvsb-scsi$i")
        i=$((i + 1))
    done
fi

start=$(date +%s.%N)
timeout -k 10 "$timeout" "${qemu[@]}" </dev/null >"$run/qemu.log" 2>&1 &
qpid=$!

# print the command's output (and the console, if asked) while it runs
touch "$run/out/output" "$run/console.log"
if [ "$console" = yes ]; then
    tail -n +1 -s 0.5 -F --pid="$qpid" "$run/console.log" >&2 2>/dev/null &
    tpid=$!
fi
tail -n +1 -s 0.5 -F --pid="$qpid" "$run/out/output" 2>/dev/null
wait "$qpid"
qrc=$?
qpid=
[ -n "$tpid" ] && wait "$tpid"
tpid=
end=$(date +%s.%N)

show_console() {
    echo "vm: --- last lines of the guest console ($run/console.log) ---" >&2
    tail -n 40 "$run/console.log" >&2
    [ -s "$run/qemu.log" ] && { echo "vm: --- qemu ---" >&2; cat "$run/qemu.log" >&2; }
}

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
    show_console
    echo "vm: FAILED: the guest did not finish within $timeout s (--timeout)" >&2
    exit 124
fi
if [ ! -s "$run/out/rc" ]; then
    show_console
    echo "vm: FAILED: the guest ended (qemu status $qrc) without the command's exit status" >&2
    exit 125
fi
rc=$(cat "$run/out/rc")
awk -v s="$start" -v e="$end" \
    -v r="$(cat "$run/out/ready-uptime" 2>/dev/null)" \
    -v d="$(cat "$run/out/done-uptime" 2>/dev/null)" \
    'BEGIN { printf "vm: guest ready after %.1f s, command took %.1f s, %.1f s in all; exit status %s\n", r, d - r, e - s, "'"$rc"'" }' >&2
exit "$rc"
