# SPDX-License-Identifier: LGPL-2.1-or-later
"""rbd pools against the real test Ceph cluster (tests/servers/ceph-up.sh):
the steps of the pool guide with virsh (pool-define-as with a cephx
secret, start, info, volumes created, listed, resized, cloned, wiped,
uploaded and downloaded, deleted, refresh, destroy), checked on the
cluster itself with the rbd CLI and python3-rbd; and a pool's bad input
(unknown monitor, wrong key, missing secret, missing RADOS pool).  Each
test has a RADOS pool of its own (rados_pool fixture)."""

import os
import time

import pytest

import cephhelpers
from poolhelpers import fails, ok, parse_info, pool_list, pool_state, xml_attr, xml_text

MiB = 1024 * 1024
GiB = 1024 * MiB

# a monitor that does not answer must fail the start within this (stock
# sets librados' client_mount_timeout to 30 s)
MON_TIMEOUT_BOUND = 75


def define_as(virsh, name, cluster, rados_pool, host=None, usage=cephhelpers.SECRET_USAGE):
    """The guide's pool-define-as for an rbd pool with a cephx secret."""
    return virsh("pool-define-as", name, "rbd",
                 "--source-host", host or cluster.mon_host,
                 "--source-name", rados_pool,
                 "--auth-type", "ceph", "--auth-username", cephhelpers.USERNAME,
                 "--secret-usage", usage)


def nbytes(field):
    """A size of virsh pool-info/vol-info --bytes ("1234 bytes")."""
    return int(field.split()[0])


def vol_names(virsh, pool):
    return sorted(line.split()[0] for line in
                  ok(virsh("-q", "vol-list", pool)).splitlines() if line.strip())


@pytest.fixture
def rbdpool(virsh, ceph_cluster, ceph_secret, rados_pool):
    """The guide's pool 'cephpool' on the test's RADOS pool, started:
    (name, RADOS pool name)."""
    ok(define_as(virsh, "cephpool", ceph_cluster, rados_pool))
    ok(virsh("pool-start", "cephpool"))
    return "cephpool", rados_pool


# ------------------------------------------------------ define, start, info

def test_define_as_start_info(virsh, ceph_cluster, ceph_secret, rados_pool):
    out = ok(define_as(virsh, "cephpool", ceph_cluster, rados_pool))
    assert "Pool cephpool defined" in out
    assert pool_list(virsh)["cephpool"] == ("inactive", "no")
    xml = ok(virsh("pool-dumpxml", "cephpool"))
    assert xml_attr(xml, "source/host", "name") == ceph_cluster.mon_host
    assert xml_text(xml, "source/name") == rados_pool
    assert xml_attr(xml, "source/auth", "type") == "ceph"
    assert xml_attr(xml, "source/auth", "username") == "admin"
    assert xml_attr(xml, "source/auth/secret", "usage") == cephhelpers.SECRET_USAGE

    assert "Pool cephpool started" in ok(virsh("pool-start", "cephpool"))
    assert pool_list(virsh)["cephpool"] == ("active", "no")
    info = parse_info(ok(virsh("pool-info", "--bytes", "cephpool")))
    assert info["State"] == "running"
    assert info["Persistent"] == "yes"
    # the cluster's numbers (read through the mgr): an 8 GiB memstore OSD,
    # size-1 pools, nothing written yet
    capacity = nbytes(info["Capacity"])
    available = nbytes(info["Available"])
    assert 7 * GiB <= capacity <= 8 * GiB
    assert 0 < available <= capacity
    assert vol_names(virsh, "cephpool") == []


def test_start_with_secret_uuid(virsh, conn, ceph_cluster, ceph_secret, rados_pool):
    ok(virsh("pool-define-as", "cephuuid", "rbd",
             "--source-host", ceph_cluster.mon_host, "--source-name", rados_pool,
             "--auth-type", "ceph", "--auth-username", "admin",
             "--secret-uuid", cephhelpers.SECRET_UUID))
    ok(virsh("pool-start", "cephuuid"))
    assert pool_state(conn, "cephuuid") == "active"


def test_start_with_host_and_port(conn, ceph_cluster, ceph_secret, rados_pool):
    # the mon's msgr2 port given explicitly, and an unreachable second
    # monitor listed after it: one answering monitor is enough
    xml = cephhelpers.rbd_pool_xml(
        "cephports", ceph_cluster, rados_pool,
        hosts=[(ceph_cluster.mon_host, 3300)])
    pool = conn.storagePoolDefineXML(xml)
    pool.create(0)
    assert pool.isActive()
    assert pool.listVolumes() == []


# ---------------------------------------------------------------- volumes

def test_vol_create_list_info(virsh, ceph_cluster, rbdpool):
    pool, rpool = rbdpool
    assert "Vol vol1 created" in ok(virsh("vol-create-as", pool, "vol1", "64M"))
    assert ceph_cluster.images(rpool) == ["vol1"]
    assert ceph_cluster.image_info(rpool, "vol1")["size"] == 64 * MiB

    assert vol_names(virsh, pool) == ["vol1"]
    listed = ok(virsh("-q", "vol-list", pool)).split()
    assert listed == ["vol1", "%s/vol1" % rpool]
    info = parse_info(ok(virsh("vol-info", "--bytes", "--pool", pool, "vol1")))
    assert info["Name"] == "vol1"
    assert info["Type"] == "network"
    assert nbytes(info["Capacity"]) == 64 * MiB
    xml = ok(virsh("vol-dumpxml", "--pool", pool, "vol1"))
    assert xml_text(xml, "key") == "%s/vol1" % rpool
    assert xml_text(xml, "target/path") == "%s/vol1" % rpool


def test_vol_resize(virsh, ceph_cluster, rbdpool):
    pool, rpool = rbdpool
    ok(virsh("vol-create-as", pool, "vol1", "64M"))
    ceph_cluster.write_image(rpool, "vol1", b"keep" * 1024, 60 * MiB)
    assert "Size of volume 'vol1' successfully changed to 128M" in \
        ok(virsh("vol-resize", "--pool", pool, "vol1", "128M"))
    assert ceph_cluster.image_info(rpool, "vol1")["size"] == 128 * MiB
    info = parse_info(ok(virsh("vol-info", "--bytes", "--pool", pool, "vol1")))
    assert nbytes(info["Capacity"]) == 128 * MiB
    assert ceph_cluster.read_image(rpool, "vol1", 60 * MiB, 4096) == b"keep" * 1024


def test_vol_clone(virsh, ceph_cluster, rbdpool):
    pool, rpool = rbdpool
    ok(virsh("vol-create-as", pool, "vol1", "32M"))
    data = os.urandom(MiB)
    ceph_cluster.write_image(rpool, "vol1", data, 3 * MiB)
    out = ok(virsh("vol-clone", "--pool", pool, "vol1", "vol2"))
    assert "Vol vol2 cloned from vol1" in out
    assert ceph_cluster.images(rpool) == ["vol1", "vol2"]
    assert ceph_cluster.image_info(rpool, "vol2")["size"] == 32 * MiB
    assert ceph_cluster.read_image(rpool, "vol2", 3 * MiB, MiB) == data
    assert vol_names(virsh, pool) == ["vol1", "vol2"]
    # the clone is its own image: writing it leaves the source alone
    ceph_cluster.write_image(rpool, "vol2", b"\xff" * 4096, 3 * MiB)
    assert ceph_cluster.read_image(rpool, "vol1", 3 * MiB, MiB) == data


def test_vol_wipe(virsh, ceph_cluster, rbdpool):
    pool, rpool = rbdpool
    ok(virsh("vol-create-as", pool, "vol1", "16M"))
    ceph_cluster.write_image(rpool, "vol1", os.urandom(2 * MiB), 0)
    ceph_cluster.write_image(rpool, "vol1", os.urandom(MiB), 15 * MiB)
    assert "wiped" in ok(virsh("vol-wipe", "--pool", pool, "vol1"))
    assert ceph_cluster.read_image(rpool, "vol1") == bytes(16 * MiB)
    assert ceph_cluster.image_info(rpool, "vol1")["size"] == 16 * MiB


@pytest.mark.stock_differs("rbd-vol-upload-download",
                           reason="stock's rbd backend has no uploadVol/downloadVol")
def test_vol_upload_download(virsh, ceph_cluster, rbdpool, tmp_path):
    pool, rpool = rbdpool
    ok(virsh("vol-create-as", pool, "vol1", "8M"))
    data = os.urandom(5 * MiB + 12345)
    src = tmp_path / "in.raw"
    src.write_bytes(data)
    ok(virsh("vol-upload", "--pool", pool, "vol1", str(src)))
    assert ceph_cluster.read_image(rpool, "vol1", 0, len(data)) == data

    dst = tmp_path / "out.raw"
    ok(virsh("vol-download", "--pool", pool, "vol1", str(dst)))
    got = dst.read_bytes()
    assert len(got) == 8 * MiB
    assert got[:len(data)] == data
    assert got[len(data):] == bytes(8 * MiB - len(data))

    # a part at an offset, both ways
    part = os.urandom(MiB)
    src.write_bytes(part)
    ok(virsh("vol-upload", "--pool", pool, "vol1", str(src),
             "--offset", 6 * MiB, "--length", MiB))
    assert ceph_cluster.read_image(rpool, "vol1", 6 * MiB, MiB) == part
    ok(virsh("vol-download", "--pool", pool, "vol1", str(dst),
             "--offset", 6 * MiB, "--length", MiB))
    assert dst.read_bytes() == part
    assert ceph_cluster.image_info(rpool, "vol1")["size"] == 8 * MiB


def test_vol_delete(virsh, ceph_cluster, rbdpool):
    pool, rpool = rbdpool
    ok(virsh("vol-create-as", pool, "vol1", "8M"))
    ok(virsh("vol-create-as", pool, "vol2", "8M"))
    assert "Vol vol1 deleted" in ok(virsh("vol-delete", "--pool", pool, "vol1"))
    assert ceph_cluster.images(rpool) == ["vol2"]
    assert vol_names(virsh, pool) == ["vol2"]
    fails(virsh("vol-info", "--pool", pool, "vol1"), "vol1")


# ------------------------------------------------------- refresh, destroy

def test_pool_refresh_sees_cluster_changes(virsh, ceph_cluster, rbdpool):
    pool, rpool = rbdpool
    ceph_cluster.rbd("create", "--size", "8M", "--", "%s/vol1" % rpool)
    ok(virsh("pool-refresh", pool))
    assert vol_names(virsh, pool) == ["vol1"]
    # images made and removed behind libvirt's back
    ceph_cluster.rbd("create", "--size", "24M", "--", "%s/outside" % rpool)
    ceph_cluster.rbd("rm", "--", "%s/vol1" % rpool)
    assert vol_names(virsh, pool) == ["vol1"]
    assert "Pool %s refreshed" % pool in ok(virsh("pool-refresh", pool))
    assert vol_names(virsh, pool) == ["outside"]
    info = parse_info(ok(virsh("vol-info", "--bytes", "--pool", pool, "outside")))
    assert nbytes(info["Capacity"]) == 24 * MiB


def test_pool_destroy_keeps_images(virsh, conn, ceph_cluster, rbdpool):
    pool, rpool = rbdpool
    ceph_cluster.rbd("create", "--size", "8M", "--", "%s/vol1" % rpool)
    ok(virsh("pool-refresh", pool))
    assert "Pool %s destroyed" % pool in ok(virsh("pool-destroy", pool))
    assert pool_list(virsh)[pool] == ("inactive", "no")
    assert ceph_cluster.images(rpool) == ["vol1"]
    ok(virsh("pool-start", pool))
    assert vol_names(virsh, pool) == ["vol1"]
    ok(virsh("pool-destroy", pool))
    assert "Pool %s has been undefined" % pool in ok(virsh("pool-undefine", pool))
    assert pool_state(conn, pool) is None
    assert ceph_cluster.images(rpool) == ["vol1"]


# ------------------------------------------------------------ bad input

def _start_fails(virsh, conn, name, *words, bound=30):
    t0 = time.monotonic()
    err = fails(virsh("pool-start", name), *words)
    took = time.monotonic() - t0
    assert took < bound, "pool-start took %.1f s to fail: %s" % (took, err)
    assert pool_state(conn, name) == "inactive"
    return err


def test_unknown_monitor_fails_in_bounded_time(virsh, conn, ceph_cluster, ceph_secret,
                                               rados_pool):
    # a loopback address where no monitor listens: refused connections
    # retried until librados' mount timeout, which must be bounded
    silent = cephhelpers.random_loopback()
    ok(define_as(virsh, "nomon", ceph_cluster, rados_pool, host=silent))
    _start_fails(virsh, conn, "nomon", silent, bound=MON_TIMEOUT_BOUND)


def test_unresolvable_monitor(virsh, conn, ceph_cluster, ceph_secret, rados_pool):
    ok(define_as(virsh, "badname", ceph_cluster, rados_pool,
                 host="no-such-mon.invalid"))
    _start_fails(virsh, conn, "badname", "no-such-mon.invalid",
                 bound=MON_TIMEOUT_BOUND)


def test_wrong_key(virsh, conn, secret_conn, ceph_cluster, rados_pool):
    # a well-formed cephx key the cluster does not know
    other = cephhelpers.other_key()
    secret = cephhelpers.define_secret(secret_conn, ceph_cluster, value=other)
    try:
        ok(define_as(virsh, "wrongkey", ceph_cluster, rados_pool))
        _start_fails(virsh, conn, "wrongkey", ceph_cluster.mon_host)
    finally:
        secret.undefine()


def test_missing_secret(virsh, conn, ceph_cluster, rados_pool):
    ok(define_as(virsh, "nosecret", ceph_cluster, rados_pool,
                 usage="lvsb-no-such-secret"))
    _start_fails(virsh, conn, "nosecret", "lvsb-no-such-secret")


def test_missing_rados_pool(virsh, conn, ceph_cluster, ceph_secret):
    ok(define_as(virsh, "norpool", ceph_cluster, "lvsb-no-such-pool"))
    _start_fails(virsh, conn, "norpool", "lvsb-no-such-pool")
    assert "lvsb-no-such-pool" not in ceph_cluster.ceph("osd", "pool", "ls").stdout
