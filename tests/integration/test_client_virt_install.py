# SPDX-License-Identifier: LGPL-2.1-or-later
"""virt-install 4.1 (Debian's virtinst) against the test daemon with the
qemu driver (clienthelpers.py): a guest defined with `--disk
pool=NAME,size=1[,format=qcow2]`, whose volume virt-install makes through
the storage API (our module, or stock's), started under TCG (`--virt-type
qemu`), then `virsh undefine --remove-all-storage`, which deletes the
volume through the storage API again.  Every step is checked with the API
and on the disk."""

import json
import os
import subprocess

import libvirt
import pytest

from clienthelpers import remove_domains
from poolhelpers import LoopDevice, cleanup_pools, dir_pool_xml, vol_format, xml_root

GiB = 1024 ** 3
# the messages the tests look for are the untranslated ones
C_LOCALE = dict({k: v for k, v in os.environ.items()
                 if k != "LIBVIRT_DEFAULT_URI" and not k.startswith("LC_")},
                LC_ALL="C", LANG="C")


def virt_install(daemon, name, disk):
    """virt-install of guest @name with --disk @disk, started under TCG;
    (returncode, stdout + stderr)."""
    res = subprocess.run(
        ["virt-install", "--connect", daemon.qemu_uri, "--name", name,
         "--disk", disk, "--import", "--virt-type", "qemu", "--memory", "128",
         "--network", "none", "--graphics", "none", "--noautoconsole",
         "--osinfo", "generic"],
        capture_output=True, text=True, timeout=300,
        env=C_LOCALE)
    return res.returncode, res.stdout + res.stderr


def virsh(daemon, *args):
    res = subprocess.run(["virsh", "-c", daemon.qemu_uri] + list(args),
                         capture_output=True, text=True, timeout=120, env=C_LOCALE)
    return res.returncode, res.stdout + res.stderr


def guest_disks(dom):
    """The source files or devices of @dom's disks."""
    root = xml_root(dom.XMLDesc(0))
    return [s.get("file") or s.get("dev") for s in root.findall("devices/disk/source")]


def undefine_with_storage(daemon, conn, name):
    """virsh destroy, then undefine --remove-all-storage of guest @name."""
    rc, out = virsh(daemon, "destroy", name)
    assert rc == 0, out
    rc, out = virsh(daemon, "undefine", "--remove-all-storage", name)
    assert rc == 0, out
    assert name not in [d.name() for d in conn.listAllDomains()]
    return out


def partitions(device):
    """The partition numbers on @device, from parted's machine-readable
    output."""
    out = subprocess.run(["parted", "-s", "-m", device, "unit", "B", "print"],
                         capture_output=True, text=True, check=True).stdout
    return [line.split(":")[0] for line in out.splitlines()[2:] if line]


@pytest.fixture
def diskpool(qemu_daemon, qemu_conn, tmp_path):
    """A started dos disk pool `vi_disk` on a 1.5 GiB loop device (the
    LoopDevice); guests and pools are removed before it is detached."""
    dev = LoopDevice(str(tmp_path / "disk.img"), 1536, partscan=True)
    try:
        pool = qemu_conn.storagePoolDefineXML(
            "<pool type='disk'><name>vi_disk</name><source><device path='%s'/>"
            "<format type='dos'/></source><target><path>/dev</path></target></pool>"
            % dev.path, 0)
        pool.build(0)
        pool.create(0)
        yield dev
    finally:
        remove_domains(qemu_daemon.qemu_uri)
        cleanup_pools(qemu_daemon.uri)
        dev.detach()


def test_dir_pool_qcow2_guest(qemu_daemon, qemu_conn, tmp_path):
    target = str(tmp_path / "vi_images")
    pool = qemu_conn.storagePoolDefineXML(dir_pool_xml("vi_dir", target), 0)
    pool.build(0)
    pool.create(0)

    rc, out = virt_install(qemu_daemon, "vi_guest", "pool=vi_dir,size=1,format=qcow2")
    assert rc == 0, out
    vol = pool.storageVolLookupByName("vi_guest.qcow2")
    file = os.path.join(target, "vi_guest.qcow2")
    assert vol.path() == file
    assert vol_format(vol.XMLDesc(0)) == "qcow2"
    assert vol.info()[1] == GiB
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", "-U", file],
                                     capture_output=True, text=True, check=True).stdout)
    assert (info["format"], info["virtual-size"]) == ("qcow2", GiB)
    dom = qemu_conn.lookupByName("vi_guest")
    assert dom.isActive() == 1
    assert xml_root(dom.XMLDesc(0)).get("type") == "qemu"     # TCG
    assert guest_disks(dom) == [file]

    out = undefine_with_storage(qemu_daemon, qemu_conn, "vi_guest")
    assert file in out
    assert not os.path.exists(file)
    pool.refresh(0)
    assert pool.listVolumes() == []


@pytest.mark.stock_differs("disk-delete-p-names",
                           reason="stock's vol-delete of loop1p1 runs `parted rm p1`: "
                           "undefine --remove-all-storage fails and the partition stays")
def test_disk_pool_guest(qemu_daemon, qemu_conn, diskpool):
    """A disk pool's volume is a partition named as the kernel names it:
    virt-install names the volume after the guest, so the guest is named
    after the next partition.  `format=qcow2` is refused by virt-install
    itself for a disk pool, before any call to the pool."""
    pool = qemu_conn.storagePoolLookupByName("vi_disk")
    part = diskpool.part(1)

    rc, out = virt_install(qemu_daemon, part, "pool=vi_disk,size=1,format=qcow2")
    assert rc != 0
    assert "Format attribute not supported for this volume type" in out
    assert partitions(diskpool.path) == []
    assert qemu_conn.listAllDomains() == []

    rc, out = virt_install(qemu_daemon, part, "pool=vi_disk,size=1")
    assert rc == 0, out
    vol = pool.storageVolLookupByName(part)
    assert vol.path() == "/dev/" + part
    assert vol.info()[1] >= GiB
    assert partitions(diskpool.path) == ["1"]
    dom = qemu_conn.lookupByName(part)
    assert dom.isActive() == 1
    assert xml_root(dom.XMLDesc(0)).get("type") == "qemu"     # TCG
    assert guest_disks(dom) == ["/dev/" + part]

    out = undefine_with_storage(qemu_daemon, qemu_conn, part)
    assert "/dev/" + part in out
    assert partitions(diskpool.path) == []
    pool.refresh(0)
    assert pool.listVolumes() == []


@pytest.mark.stock_differs("disk-bad-name-leaves-partition",
                           reason="stock makes the partition, then refuses the name "
                           "and leaves the partition on the disk")
def test_disk_pool_guest_named_otherwise(qemu_daemon, qemu_conn, diskpool):
    """virt-install names the volume after the guest: on a disk pool a
    guest not named as the next partition fails, saying which name the
    volume needs, and the disk is left as it was."""
    rc, out = virt_install(qemu_daemon, "vi_guest", "pool=vi_disk,size=1")
    assert rc != 0
    assert diskpool.part(1) in out, out
    assert "vi_guest" not in [d.name() for d in qemu_conn.listAllDomains()]
    assert partitions(diskpool.path) == []
    pool = qemu_conn.storagePoolLookupByName("vi_disk")
    pool.refresh(0)
    assert pool.listVolumes() == []
