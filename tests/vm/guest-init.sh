#!/bin/sh
# guest-init.sh: PID 1 of the test VM, run from the host's files
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Started by the initramfs (initramfs-init) after switch_root.  Mounts the
# kernel file systems, puts the unpacked Debian kernel's modules in place,
# loads the common modules, configures LVM for a system without systemd,
# starts udev and the system D-Bus, then runs the command that run.sh left in
# the writable 9p share (tag 'hostout', mounted on /run/lvsb-vm) and writes
# its output and exit status there.  The guest always powers off at the end;
# run.sh reports a guest that ends without a status.

PATH=/usr/sbin:/usr/bin:/sbin:/bin
HOME=/root
export PATH HOME
out=/run/lvsb-vm

say() {
    echo "vm-guest: [$(uptime_s)] $*"
}

power_off() {
    sync
    umount "$out" 2>/dev/null
    /bin/busybox poweroff -f
    echo o >/proc/sysrq-trigger
    sleep 60
}

fail() {
    say "$*"
    if [ -d "$out" ]; then
        echo "vm-guest: $*" >>"$out/output"
    fi
    power_off
}

uptime_s() {
    cut -d' ' -f1 /proc/uptime
}

cmdline_value() {
    for word in $(cat /proc/cmdline); do
        case $word in
        "$1"=*) echo "${word#"$1"=}" ;;
        esac
    done
}

mount_kernel_filesystems() {
    mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run || return 1
    # devtmpfs lacks the links udev/systemd would make (virsh reads /dev/stdin)
    ln -sfn /proc/self/fd /dev/fd &&
        ln -sf /proc/self/fd/0 /dev/stdin &&
        ln -sf /proc/self/fd/1 /dev/stdout &&
        ln -sf /proc/self/fd/2 /dev/stderr &&
        ln -sf /proc/kcore /dev/core || return 1
    mkdir -p /dev/pts /dev/shm /run/lock || return 1
    mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts /dev/pts || return 1
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm || return 1
    mount -t tmpfs -o mode=1777 tmpfs /tmp || return 1
    mount -t debugfs debugfs /sys/kernel/debug || return 1
}

# configfs is a module: after bind_kernel_modules
mount_configfs() {
    modprobe configfs && mount -t configfs configfs /sys/kernel/config
}

mount_result_share() {
    mkdir -p "$out" &&
        mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288,cache=none \
            hostout "$out"
}

# run.sh may ask for a host directory writable at the same path
mount_host_share() {
    [ -f "$out/share-path" ] || return 0
    share=$(cat "$out/share-path")
    mkdir -p "$share" &&
        mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288,cache=none \
            hostshare "$share"
}

bind_kernel_modules() {
    kdir=$(cmdline_value lvsb_kdir)
    [ -d "$kdir/lib/modules" ] || return 1
    mkdir -p /lib/modules && mount -o bind "$kdir/lib/modules" /lib/modules
}

load_common_modules() {
    # Nothing creates /dev/loop-control or /dev/mapper/control on demand.
    # The suites load what only they need (scsi_debug, iscsi, target, nfsd).
    modprobe -a virtio_blk virtio_scsi sd_mod sg virtio_rng loop dm_mod \
        dm_thin_pool dm_snapshot dm_mirror
}

# No lvmetad, lvmpolld, dmeventd or systemd in the guest: LVM must neither
# wait for them nor autoactivate from udev events.  The guest's /etc is the
# tmpfs overlay, so this never reaches the host.
configure_lvm() {
    cat >/etc/lvm/lvmlocal.conf <<'EOF'
# written by tests/vm/guest-init.sh
devices {
    use_devicesfile = 0
}
global {
    event_activation = 0
    use_lvmpolld = 0
}
activation {
    monitoring = 0
}
EOF
}

start_udev() {
    /lib/systemd/systemd-udevd --daemon || return 1
    # only the devices the suites use: the test disks and device nodes;
    # devices made later (dm, loop, iSCSI and scsi_debug LUNs) get their
    # own events
    udevadm trigger --type=devices --action=add --subsystem-match=block \
        --subsystem-match=scsi --subsystem-match=scsi_generic \
        --subsystem-match=misc &&
        udevadm settle --timeout=60
}

start_dbus() {
    mkdir -p /run/dbus && dbus-daemon --system --fork
}

# The test disks, by the order run.sh attached them
export_disk_names() {
    disks=
    for dev in /sys/block/vd*; do
        [ -e "$dev" ] && disks="$disks /dev/${dev##*/}"
    done
    scsi=
    for dev in /sys/block/sd*; do
        [ -e "$dev" ] || continue
        grep -q '^QEMU HARDDISK' "$dev/device/model" 2>/dev/null &&
            scsi="$scsi /dev/${dev##*/}"
    done
    LVSB_VM_DISKS=${disks# }
    LVSB_VM_SCSI_DISKS=${scsi# }
    export LVSB_VM_DISKS LVSB_VM_SCSI_DISKS
}

say "started"
mount_kernel_filesystems || fail "cannot mount the kernel file systems"
mount_result_share || fail "cannot mount the result share (9p tag hostout)"
mount_host_share || fail "cannot mount the host share on $share"
bind_kernel_modules || fail "cannot bind the kernel's modules (lvsb_kdir=$(cmdline_value lvsb_kdir))"
hostname lvsb-vm
mount_configfs || fail "cannot mount configfs"
ip link set lo up || fail "cannot bring up lo"
load_common_modules || fail "cannot load the common modules"
configure_lvm || fail "cannot write /etc/lvm/lvmlocal.conf"
say "modules loaded"
start_udev || fail "udev did not start or settle"
say "udev settled"
start_dbus || fail "cannot start the system D-Bus"
export_disk_names

LVSB_IN_VM=1
export LVSB_IN_VM
uptime_s >"$out/ready-uptime"
say "ready; running the command"

sh "$out/cmd" >"$out/output" 2>&1 </dev/null
rc=$?
uptime_s >"$out/done-uptime"
echo "$rc" >"$out/rc"
say "command exited with status $rc"
power_off
