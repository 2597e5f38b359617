# SPDX-License-Identifier: LGPL-2.1-or-later
"""Faults in the VM (device-mapper): libvirtd killed with SIGKILL, with the
lvm2 command it runs, in the middle of an LV create, then started again on
the same state (tests/integration/test_faults.py has the host cases and
says what is checked).  Against our module and the stock one.

    LVSB_BUILD_DIR=$PWD/build tests/vm/run-suites.sh tests/integration/vm/test_faults_vm.py
"""

import libvirt
import pytest

import testdaemon
from faulthelpers import MiB, children, half_made_is_honest, kill_during, pool_back, sha256_path
from poolhelpers import cleanup_pools
from test_pool_logical import lvs, pool_xml, remove_vg, vol_xml
from vmhelpers import run


@pytest.fixture
def crash_daemon(backend, daemons):
    """A daemon of this test only (same modules as the session's), that
    the test may kill and restart."""
    d = testdaemon.TestDaemon(daemons.get(backend).backend_dir)
    d.start()
    conn = libvirt.open(d.uri)
    conn.listAllStoragePools()
    conn.close()
    try:
        yield d
    finally:
        if d.proc.poll() is None:
            cleanup_pools(d.uri)
        d.stop()


def lvcreate_running_for(daemon, seconds):
    """A trigger: true once the daemon's lvcreate has run for @seconds."""
    first = []

    def trigger():
        import time
        if not any(name == "lvcreate" for _, name in children(daemon.pid)):
            return False
        if not first:
            first.append(time.monotonic())
        return time.monotonic() - first[0] >= seconds
    return trigger


# lvcreate runs for about a second under TCG: killed as it starts, and
# while it works (after it has locked the VG and, likely, written the
# metadata)
@pytest.mark.parametrize("delay_ms", [0, 300])
def test_kill_during_lv_create(crash_daemon, vm_disk_factory, delay_ms):
    daemon = crash_daemon
    disks = vm_disk_factory(1)
    vg = "faultvg"
    try:
        conn = libvirt.open(daemon.uri)
        pool = conn.storagePoolDefineXML(pool_xml(vg, disks), 0)
        pool.build(0)
        pool.create(0)
        pool.setAutostart(1)
        pool.createXML(vol_xml("keep", 16 * MiB), 0)
        conn.close()
        keeper = "/dev/%s/keep" % vg
        with open(keeper, "r+b") as f:
            for i in range(16):
                f.write(bytes([i]) * 16 + b"\x5a" * (MiB - 16))
        keep_sum = sha256_path(keeper)

        def create(c):
            c.storagePoolLookupByName(vg).createXML(vol_xml("big", 64 * MiB), 0)

        conn = kill_during(daemon, create, lvcreate_running_for(daemon, delay_ms / 1000),
                           "the LV create")
        pool = pool_back(conn, vg)
        assert sha256_path(keeper) == keep_sum
        half_made_is_honest(pool, "big", lambda: "big" in lvs(vg))
        assert set(lvs(vg)) == {"keep"}
        conn.close()
    finally:
        if daemon.proc.poll() is None:
            cleanup_pools(daemon.uri)
        daemon.stop()
        run(["vgchange", "-an", vg], check=False)
        remove_vg(vg, disks)
        run(["udevadm", "settle", "--timeout=30"], check=False)
