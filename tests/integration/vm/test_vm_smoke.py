# SPDX-License-Identifier: LGPL-2.1-or-later
"""The test VM works: device-mapper, LVM on a virtio disk, the isolated test
daemon serving a logical pool with the stock module, and NFS v4.2 and v3
exports of a guest tmpfs.  Runs inside the VM (see conftest.py)."""

import os
import platform
import subprocess

import pytest

import vmhelpers
from vmhelpers import run


def test_guest_runs_the_debian_kernel():
    assert platform.release().endswith("-amd64"), platform.release()
    assert os.path.exists("/dev/mapper/control")
    assert os.path.exists("/dev/loop-control")
    for link in ("/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/fd"):
        assert os.path.islink(link), link
    res = subprocess.run(["cat", "/dev/stdin"], input="through /dev/stdin",
                         capture_output=True, text=True)
    assert res.stdout == "through /dev/stdin"


def test_device_mapper_has_thin_pool():
    targets = run(["dmsetup", "targets"]).stdout.split()
    assert "thin-pool" in targets
    assert "thin" in targets
    assert "snapshot" in targets


def test_lvm_vg_on_virtio_disk(vm_disk):
    vg = "lvsbsmoke"
    try:
        run(["pvcreate", "-q", "-y", vm_disk])
        run(["vgcreate", "-q", vg, vm_disk])
        run(["lvcreate", "-q", "-y", "-L", "16M", "-n", "plain", vg])
        run(["lvcreate", "-q", "-y", "--type", "thin-pool", "-L", "32M", "-n", "tpool", vg])
        run(["lvcreate", "-q", "-y", "-V", "64M", "--thinpool", "tpool", "-n", "thin", vg])
        run(["udevadm", "settle", "--timeout=30"])
        assert os.path.exists("/dev/%s/plain" % vg), "udev made no /dev/VG/LV link"
        assert os.path.exists("/dev/%s/thin" % vg)
        lvs = run(["lvs", "--noheadings", "-o", "lv_name,segtype", vg]).stdout.split()
        assert lvs[lvs.index("tpool") + 1] == "thin-pool"
        assert lvs[lvs.index("thin") + 1] == "thin"
        assert vmhelpers.holders(vm_disk), "no dm device sits on the disk"
    finally:
        run(["vgremove", "-q", "-f", vg], check=False)
        run(["pvremove", "-q", "-y", vm_disk], check=False)
    assert not vmhelpers.holders(vm_disk)
    res = run(["vgs", vg], check=False)
    assert res.returncode != 0, "the VG is still there"


def test_test_daemon_serves_a_logical_pool_with_stock_module(daemons, vm_disk):
    daemon = daemons.get("stock")
    pool = "lvsbsmokepool"

    def virsh(*args):
        return run(["virsh", "-q", "-c", daemon.uri] + list(args))

    try:
        virsh("pool-define-as", pool, "logical", "--source-dev", vm_disk,
              "--source-name", pool, "--target", "/dev/" + pool)
        virsh("pool-build", pool)
        pvs = run(["pvs", "--noheadings", "-o", "pv_name,vg_name"]).stdout.split()
        assert pvs[pvs.index(vm_disk) + 1] == pool
        virsh("pool-start", pool)
        virsh("vol-create-as", pool, "vol1", "16M")
        assert "vol1" in virsh("vol-list", pool).stdout
        path = virsh("vol-path", "--pool", pool, "vol1").stdout.strip()
        assert path == "/dev/%s/vol1" % pool
        run(["udevadm", "settle", "--timeout=30"])
        assert os.path.exists(path)
        size = run(["blockdev", "--getsize64", path]).stdout.strip()
        assert int(size) == 16 << 20
        virsh("vol-delete", "--pool", pool, "vol1")
        assert run(["lvs", "--noheadings", pool]).stdout.strip() == ""
        virsh("pool-destroy", pool)
        virsh("pool-delete", pool)
        assert run(["vgs", pool], check=False).returncode != 0
    finally:
        subprocess.run(["virsh", "-c", daemon.uri, "pool-destroy", pool], capture_output=True)
        subprocess.run(["virsh", "-c", daemon.uri, "pool-undefine", pool], capture_output=True)
        run(["vgremove", "-q", "-f", pool], check=False)
        run(["pvremove", "-q", "-y", vm_disk], check=False)


@pytest.fixture
def nfs_export(tmp_path):
    """A tmpfs exported to 127.0.0.1 over NFS; yields its path."""
    export = tmp_path / "export"
    export.mkdir()
    run(["mount", "-t", "tmpfs", "-o", "size=64m", "lvsbnfs", export])
    try:
        vmhelpers.nfs_export(str(export), fsid=1)
        yield export
        vmhelpers.nfs_unexport(str(export))
    finally:
        run(["umount", export], check=False)


@pytest.mark.parametrize("vers", ["4.2", "3"])
def test_nfs_export_of_tmpfs_mounts(nfs_export, tmp_path, vers):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    run(["mount", "-t", "nfs", "-o", "vers=%s,soft,timeo=100,retrans=3" % vers,
         "127.0.0.1:%s" % nfs_export, mnt], timeout=180)
    try:
        opts = vmhelpers.mount_options(mnt)
        assert "vers=%s" % vers in opts, opts
        (mnt / "hello").write_text("over nfs %s\n" % vers)
        assert (nfs_export / "hello").read_text() == "over nfs %s\n" % vers
    finally:
        run(["umount", mnt], check=False, timeout=180)
