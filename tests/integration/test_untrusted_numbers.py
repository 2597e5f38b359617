# SPDX-License-Identifier: LGPL-2.1-or-later
"""Numbers from clients that used to wrap when rounded up (issue 7, item 10;
docs/security.rst, "Numbers from untrusted places").

libvirt's driver hands a resize any capacity up to 2^64 - 1 (virsh passes
it; python3-libvirt cannot, it converts to a signed 64-bit integer).  Rounded up to
a whole sector (qemu-img) or MiB (partitions) it wrapped to 0: with the
shrink flag, a qcow2 volume was shrunk to nothing.  The lvm2 side (extent
size 0 in a report, sizes near 2^64) is tested on the parser
(storagelvmtest) and in the VM.
"""

import json
import subprocess

import pytest

from poolhelpers import dir_pool_xml
from test_pool_disk import disk, fails, ok, started_pool, table  # noqa: F401 (fixture)

MiB = 1024 * 1024
U64_MAX = 2 ** 64 - 1


def qemu_img_info(path):
    res = subprocess.run(["qemu-img", "info", "--output=json", "-U", path],
                         capture_output=True, text=True, check=True, timeout=60)
    return json.loads(res.stdout)


@pytest.fixture
def dir_pool(conn, target):
    pool = conn.storagePoolDefineXML(dir_pool_xml("numbers", target), 0)
    pool.build(0)
    pool.create(0)
    return pool


@pytest.mark.parametrize("capacity", [U64_MAX, U64_MAX - 510], ids=["max", "max-510"])
def test_qcow2_resize_near_2_64_refused(conn, virsh, dir_pool, backend, capacity):
    vol = dir_pool.createXML(
        "<volume><name>q.qcow2</name><capacity unit='bytes'>%d</capacity>"
        "<target><format type='qcow2'/></target></volume>" % MiB, 0)
    path = vol.path()
    err = fails(virsh("vol-resize", "--pool", "numbers", "q.qcow2", "%dB" % capacity,
                      "--shrink"))
    if backend == "ours":
        assert "invalid argument" in err and "too large" in err, err
    assert qemu_img_info(path)["virtual-size"] == MiB
    assert vol.info()[1] == MiB


def test_partition_resize_near_2_64_refused(virsh, conn, disk, backend):  # noqa: F811
    dev = disk()
    pool = started_pool(virsh, conn, "numbers", dev)
    ok(virsh("vol-create-as", "numbers", dev.part(1), "16M"))
    vol = pool.storageVolLookupByName(dev.part(1))
    before = table(dev.path)
    for flags in ([], ["--shrink"]):
        err = fails(virsh("vol-resize", "--pool", "numbers", dev.part(1),
                          "%dB" % U64_MAX, *flags))
        if backend == "ours":
            assert "invalid argument" in err and "larger than any disk" in err, err
        assert table(dev.path) == before
    assert vol.info()[1] == 16 * MiB
