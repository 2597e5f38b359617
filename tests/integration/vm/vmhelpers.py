# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers for the suites that run inside the test VM (tests/vm/run.sh).

The guest is a stock Debian kernel with the host's files: the suites use
the same isolated test daemon as on the host.  tests/vm/guest-init.sh has
already loaded loop, dm_mod, dm_thin_pool, dm_snapshot and the disk drivers
and started udev and the system D-Bus; what only one suite needs (NFS
server, iSCSI, scsi_debug, target modules) is started here, on demand.
"""

import os
import subprocess
import time

NFS_STATE = "/run/lvsb-vm-nfs"


def in_vm():
    return os.environ.get("LVSB_IN_VM") == "1" and os.path.isdir("/run/lvsb-vm")


def run(argv, check=True, timeout=120, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    res = subprocess.run([str(a) for a in argv], timeout=timeout, **kw)
    if check and res.returncode != 0:
        raise RuntimeError("%s failed (%d): %s%s" % (
            " ".join(str(a) for a in argv), res.returncode,
            (res.stdout or "").strip(), (res.stderr or "").strip()))
    return res


def vm_disks():
    """The blank virtio disks run.sh attached (--disk), in order."""
    return os.environ.get("LVSB_VM_DISKS", "").split()


def vm_scsi_disks():
    """The blank virtio-scsi disks run.sh attached (--scsi-disk), in order."""
    return os.environ.get("LVSB_VM_SCSI_DISKS", "").split()


def modprobe(*modules):
    run(["modprobe", "-a"] + list(modules))


def holders(dev):
    name = os.path.basename(os.path.realpath(dev))
    try:
        return os.listdir("/sys/block/%s/holders" % name)
    except OSError:
        return []


def wipe_disk(dev):
    """Leave @dev blank for the next test: no signature, zeroed head."""
    run(["wipefs", "-a", "-q", dev])
    with open(dev, "r+b") as f:
        f.write(b"\0" * (1 << 20))
    run(["udevadm", "settle", "--timeout=30"], check=False)


# ------------------------------------------------------------------- NFS

def start_nfs_server():
    """Start rpcbind, statd, mountd and nfsd (v3 and v4.x) once per boot,
    with a 10 s grace period."""
    if os.path.exists(NFS_STATE):
        return
    modprobe("nfsd", "nfs", "nfsv3", "nfsv4")
    if not os.path.ismount("/proc/fs/nfsd"):
        run(["mount", "-t", "nfsd", "nfsd", "/proc/fs/nfsd"])
    for d in ("/run/rpcbind", "/var/lib/nfs/rpc_pipefs", "/var/lib/nfs/v4recovery"):
        os.makedirs(d, exist_ok=True)
    if not os.path.ismount("/var/lib/nfs/rpc_pipefs"):
        run(["mount", "-t", "rpc_pipefs", "sunrpc", "/var/lib/nfs/rpc_pipefs"])
    with open("/etc/exports", "w") as f:
        f.write("# written by tests/integration/vm/vmhelpers.py\n")
    run(["rpcbind", "-w"])
    run(["rpc.statd", "--no-notify"])
    run(["exportfs", "-r"])
    run(["rpc.mountd"])
    run(["rpc.nfsd", "-G", "10", "-L", "10", "4"])
    with open(NFS_STATE, "w") as f:
        f.write("%f\n" % time.monotonic())


def nfs_export(path, fsid, options="rw,no_root_squash,insecure,no_subtree_check"):
    """Export @path (a tmpfs or another exportable file system) to 127.0.0.1."""
    start_nfs_server()
    run(["exportfs", "-o", "%s,fsid=%d" % (options, fsid), "127.0.0.1:%s" % path])


def nfs_unexport(path):
    run(["exportfs", "-u", "127.0.0.1:%s" % path], check=False)


def mount_options(target):
    """The options of the file system mounted on @target, from /proc/mounts."""
    target = os.path.realpath(target)
    with open("/proc/self/mounts") as f:
        for line in f:
            fields = line.split()
            if fields[1] == target:
                return fields[3].split(",")
    return None
