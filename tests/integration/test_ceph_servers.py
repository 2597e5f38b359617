# SPDX-License-Identifier: LGPL-2.1-or-later
"""The test Ceph cluster scripts themselves (tests/servers/ceph-up.sh,
ceph-down.sh): a second cluster on another loopback address next to the
session's, ready with its pool 'rbd', reachable with the fixed admin key,
its capacity read through the mgr, and stopped for good by ceph-down.sh."""

import json
import os
import shutil
import subprocess
import tempfile

import pytest

import cephhelpers

DAEMONS = ("mon.a", "osd.0", "mgr.x")


def _alive(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("State:"):
                    return line.split()[1] != "Z"
    except OSError:
        return False
    return False


@pytest.fixture
def second_cluster(ceph_cluster):
    d = tempfile.mkdtemp(prefix="lvsb-ceph2-")
    try:
        yield d
    finally:
        subprocess.run([cephhelpers.CEPH_DOWN, d], capture_output=True, timeout=120)
        shutil.rmtree(d, ignore_errors=True)


def test_second_cluster_up_and_down(ceph_cluster, second_cluster):
    addr = cephhelpers.random_loopback()
    assert addr != ceph_cluster.addr
    cluster = cephhelpers.start(second_cluster, addr=addr)
    assert cluster.addr == addr and cluster.mon_host == addr
    assert cluster.conf == os.path.join(second_cluster, "ceph.conf")
    assert cluster.key == ceph_cluster.key == cephhelpers.ADMIN_KEY

    status = json.loads(cluster.ceph("status", "-f", "json").stdout)
    assert status["fsid"] != json.loads(
        ceph_cluster.ceph("status", "-f", "json").stdout)["fsid"]
    assert status["osdmap"]["num_up_osds"] == 1
    assert status["mgrmap"]["available"] is True
    monmap = json.loads(cluster.ceph("mon", "dump", "-f", "json").stdout)
    assert [a["addr"] for a in monmap["mons"][0]["public_addrs"]["addrvec"]] \
        == [addr + ":3300", addr + ":6789"]
    # the pool 'rbd', initialized for rbd; capacity read through the mgr
    apps = json.loads(cluster.ceph("osd", "pool", "application", "get", "rbd",
                                   "-f", "json").stdout)
    assert "rbd" in apps
    df = json.loads(cluster.ceph("df", "-f", "json").stdout)
    assert df["stats"]["total_bytes"] == 8 * 1024 ** 3
    rbd_pool = [p for p in df["pools"] if p["name"] == "rbd"][0]
    assert rbd_pool["stats"]["max_avail"] > 0

    # cephx on: the fixed key opens it, another key does not
    cluster.rbd("create", "--size", "4M", "rbd/probe")
    assert cluster.images("rbd") == ["probe"]
    other_key = subprocess.run(["ceph-authtool", "--gen-print-key"], check=True,
                               capture_output=True, text=True).stdout.strip()

    def ls_with(key):
        return subprocess.run(
            ["rbd", "-c", "/dev/null", "-m", addr, "--id", "admin", "--key", key,
             "--client_mount_timeout=10", "ls", "rbd"],
            capture_output=True, text=True, timeout=60)
    good = ls_with(cephhelpers.ADMIN_KEY)
    assert good.returncode == 0 and good.stdout.split() == ["probe"], good.stderr
    bad = ls_with(other_key)
    assert bad.returncode != 0
    assert "(13) Permission denied" in bad.stderr, bad.stderr
    # the session's cluster does not see the second one's images
    assert "probe" not in ceph_cluster.images("rbd")

    pids = {}
    for name in DAEMONS:
        with open(os.path.join(second_cluster, "run", name + ".pid")) as f:
            pids[name] = int(f.read())
        assert _alive(pids[name]), name
    cephhelpers.stop(second_cluster)
    assert [n for n, pid in pids.items() if _alive(pid)] == []
    # the session's cluster still answers
    assert json.loads(ceph_cluster.ceph("osd", "stat", "-f", "json").stdout)[
        "num_up_osds"] == 1
    # stopping it again is no error
    cephhelpers.stop(second_cluster)


def test_up_refuses_a_used_dir(ceph_cluster):
    res = subprocess.run([cephhelpers.CEPH_UP, ceph_cluster.dir],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert "not empty" in res.stderr
