# SPDX-License-Identifier: LGPL-2.1-or-later
"""Volumes while a job of the driver runs on them with the pool unlocked
(build, clone): other clients' vol-info and vol-dumpxml must not change
what the job works from (src/storage/storage_vol_job.h)."""

import os
import stat
import threading

import libvirt
import pytest

from poolhelpers import dir_pool_xml

MiB = 1024 * 1024
ROUNDS = 10
OWNER = 4242
MODE = 0o640


def perms_vol_xml(name, fmt, capacity):
    """A fully allocated volume owned by OWNER:OWNER, mode MODE."""
    return ("<volume><name>%s</name>"
            "<capacity unit='bytes'>%d</capacity>"
            "<allocation unit='bytes'>%d</allocation>"
            "<target><format type='%s'/>"
            "<permissions><mode>0%o</mode><owner>%d</owner><group>%d</group>"
            "</permissions></target></volume>"
            % (name, capacity, capacity, fmt, MODE, OWNER, OWNER))


class Poller(threading.Thread):
    """Calls vol-info on @name over its own connection, as fast as it can,
    until stopped; counts the calls that reached the volume."""

    def __init__(self, uri, pool_name, name):
        super().__init__(daemon=True)
        self.uri = uri
        self.pool_name = pool_name
        self.name = name
        self.stop = threading.Event()
        self.hits = 0

    def run(self):
        conn = libvirt.open(self.uri)
        try:
            pool = conn.storagePoolLookupByName(self.pool_name)
            while not self.stop.is_set():
                try:
                    pool.storageVolLookupByName(self.name).info()
                    self.hits += 1
                except libvirt.libvirtError:
                    pass
        finally:
            conn.close()


# qcow2: qemu-img makes the file, and its owner and mode are set after
# it, so the build reads them late (a raw file is created with them at
# once: too fast for a poller to race reliably)
@pytest.mark.stock_differs("vol-build-own-definition",
                           reason="stock's refresh rewrites the definition the build applies")
def test_vol_info_during_build_keeps_owner_and_mode(daemon, conn, tmp_path):
    """A client polls vol-info while another creates a fully allocated
    qcow2 volume with <permissions>: the file ends up with those, every
    round (stock, and ours before the fix: 0:0 0644 in most rounds, the
    half-made file's, which the refresh copied into the definition the
    build shares).  Bounded: ROUNDS volumes of 256 MiB, a few seconds."""
    pool_dir = tmp_path / "jobpool"
    pool_dir.mkdir()
    pool = conn.storagePoolCreateXML(dir_pool_xml("jobpool", str(pool_dir)), 0)
    wrong = []
    polled = 0
    for i in range(ROUNDS):
        name = "built%d.qcow2" % i
        poller = Poller(daemon.uri, "jobpool", name)
        poller.start()
        try:
            vol = pool.createXML(perms_vol_xml(name, "qcow2", 256 * MiB), 0)
        finally:
            poller.stop.set()
            poller.join(30)
        assert not poller.is_alive()
        polled += poller.hits
        st = os.stat(str(pool_dir / name))
        got = (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode))
        if got != (OWNER, OWNER, MODE):
            wrong.append((name, got))
        vol.delete(0)
    # the pollers did reach the volumes while they were built
    assert polled > 0
    assert wrong == [], "rounds with the wrong owner or mode: %s" % wrong
