# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fixtures of the suites that run inside the test VM.

These suites need device-mapper, SCSI, iSCSI or NFS, which only the test
VM's kernel has.  build-aux/run-tests.sh leaves this directory out of the
host run (--ignore) and runs it in one VM boot:

    tests/vm/run.sh --disk 1024 --disk 1024 -- \\
        /usr/bin/python3 -m pytest tests/integration/vm

Run on the host by mistake, every test here fails (never skips) and says so.
"""

import pytest

import vmhelpers


@pytest.fixture(autouse=True)
def inside_the_vm():
    if not vmhelpers.in_vm():
        pytest.fail("tests/integration/vm runs inside the test VM: "
                    "tests/vm/run.sh --disk 1024 --disk 1024 -- "
                    "/usr/bin/python3 -m pytest tests/integration/vm", pytrace=False)


class _DiskPool:
    def __init__(self):
        self.free = list(vmhelpers.vm_disks())

    def take(self, count):
        if len(self.free) < count:
            pytest.fail("this test needs %d free test disks, %d are left (pass more "
                        "--disk SIZE_MB to tests/vm/run.sh)" % (count, len(self.free)),
                        pytrace=False)
        taken, self.free = self.free[:count], self.free[count:]
        return taken

    def give_back(self, disks):
        busy = {d: vmhelpers.holders(d) for d in disks if vmhelpers.holders(d)}
        for d in disks:
            if d not in busy:
                vmhelpers.wipe_disk(d)
                self.free.append(d)
        if busy:
            raise RuntimeError("the test left these disks in use: %s" % busy)


@pytest.fixture(scope="session")
def _vm_disk_pool():
    return _DiskPool()


@pytest.fixture
def vm_disk_factory(_vm_disk_pool):
    """take(count=1) -> [/dev/vdX...]: blank virtio disks for this test only.
    After the test they must have no holders left (no active LV or dm
    device on them); they are wiped and handed to the next test."""
    taken = []

    def take(count=1):
        disks = _vm_disk_pool.take(count)
        taken.extend(disks)
        return disks

    try:
        yield take
    finally:
        _vm_disk_pool.give_back(taken)


@pytest.fixture
def vm_disk(vm_disk_factory):
    """One blank virtio disk (/dev/vdX) for this test."""
    return vm_disk_factory(1)[0]
