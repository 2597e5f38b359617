# SPDX-License-Identifier: LGPL-2.1-or-later
"""Volumes of rbd pools against the real test Ceph cluster
(tests/servers/ceph-up.sh): create, delete (snapshots, clone parents,
images open by a client), resize, clone (layering on and off), wipe,
bad names and sizes.  Every pool is on a RADOS pool of the test's own
(the rados_pool fixture); images are checked with the rbd CLI and
python3-rbd, never through libvirt alone."""

import json
import os
import time

import libvirt
import pytest

import cephhelpers
import poolhelpers
from conftest import expect_error

MiB = 1024 * 1024
GiB = 1024 * MiB
# the objects of a default image (order 22)
OBJ = 4 * MiB

RBD_NS = "http://libvirt.org/schemas/storagepool/rbd/1.0"


def pool_xml(name, cluster, rados_pool, options=None):
    """The pool XML, with <rbd:config_opts> @options (a dict) if given."""
    xml = cephhelpers.rbd_pool_xml(name, cluster, rados_pool)
    if options:
        opts = "".join("<rbd:option name='%s' value='%s'/>" % kv for kv in options.items())
        xml = xml.replace("<pool type='rbd'>",
                          "<pool type='rbd' xmlns:rbd='%s'>" % RBD_NS)
        xml = xml.replace("</pool>", "<rbd:config_opts>%s</rbd:config_opts></pool>" % opts)
    return xml


def start_pool(conn, cluster, rados_pool, name="rbdvol", options=None):
    pool = conn.storagePoolDefineXML(pool_xml(name, cluster, rados_pool, options))
    pool.create()
    return pool


@pytest.fixture
def rbd_pool(conn, ceph_cluster, ceph_secret, rados_pool):
    """An active rbd pool 'rbdvol' on a RADOS pool of this test."""
    pool = start_pool(conn, ceph_cluster, rados_pool)
    pool.rados_pool = rados_pool
    return pool


def vol_xml(name, capacity, fmt=None):
    f = "<target><format type='%s'/></target>" % fmt if fmt else ""
    return ("<volume><name>%s</name><capacity unit='bytes'>%d</capacity>%s</volume>"
            % (name, capacity, f))


def create(pool, name, capacity):
    return pool.createXML(vol_xml(name, capacity), 0)


def info(cluster, rados_pool, image):
    return cluster.image_info(rados_pool, image)


def snaps(cluster, rados_pool, image):
    out = cluster.rbd("snap", "ls", "--format", "json", "--",
                      "%s/%s" % (rados_pool, image)).stdout
    return [s["name"] for s in json.loads(out)]


def used_bytes(cluster, rados_pool, image):
    """The bytes `rbd du` says the image uses (its objects)."""
    out = cluster.rbd("du", "--format", "json", "--",
                      "%s/%s" % (rados_pool, image)).stdout
    images = json.loads(out)["images"]
    return sum(i["used_size"] for i in images if i.get("snapshot") is None)


def pool_max_avail(cluster, rados_pool):
    """The RADOS pool's max_avail in the cluster's df report (which has
    a new pool after the mgr's next report: waited for)."""
    deadline = time.monotonic() + 30
    while True:
        df = json.loads(cluster.ceph("df", "-f", "json").stdout)
        found = [p["stats"]["max_avail"] for p in df["pools"] if p["name"] == rados_pool]
        if found and found[0] > 0:
            return found[0]
        assert time.monotonic() < deadline, "RADOS pool %s not in ceph df" % rados_pool
        time.sleep(0.5)


def snap_create(cluster, rados_pool, image, snap, protect=False):
    spec = "%s/%s@%s" % (rados_pool, image, snap)
    cluster.rbd("snap", "create", "--", spec)
    if protect:
        cluster.rbd("snap", "protect", "--", spec)


# ------------------------------------------------------------------ create

def test_create_sizes(rbd_pool, ceph_cluster):
    for name, size in (("small", 1 * MiB), ("odd", 5 * MiB + 512), ("big", 2 * GiB)):
        vol = create(rbd_pool, name, size)
        assert info(ceph_cluster, rbd_pool.rados_pool, name)["size"] == size
        assert vol.info()[1] == size
        assert vol.path() == "%s/%s" % (rbd_pool.rados_pool, name)
        assert vol.key() == "%s/%s" % (rbd_pool.rados_pool, name)
        xml = vol.XMLDesc()
        assert poolhelpers.xml_attr(xml, ".", "type") == "network"
        assert poolhelpers.vol_format(xml) == "raw"
    assert ceph_cluster.images(rbd_pool.rados_pool) == ["big", "odd", "small"]


def test_create_features_from_config_opts(conn, ceph_cluster, ceph_secret, rados_pool):
    """New images get the features and order the pool's
    <rbd:config_opts> give librbd (libvirt 9.0's volume XML has none)."""
    pool = start_pool(conn, ceph_cluster, rados_pool,
                      options={"rbd_default_features": "5", "rbd_default_order": "23"})
    create(pool, "v", 64 * MiB)
    i = info(ceph_cluster, rados_pool, "v")
    assert sorted(i["features"]) == ["exclusive-lock", "layering"]
    assert i["order"] == 23
    assert i["format"] == 2


def test_create_default_features(rbd_pool, ceph_cluster):
    create(rbd_pool, "v", 64 * MiB)
    i = info(ceph_cluster, rbd_pool.rados_pool, "v")
    assert "layering" in i["features"]
    assert i["order"] == 22


@pytest.mark.stock_differs("rbd-vol-name", reason="stock makes images named with '@' and gives no clear error for '/'")
@pytest.mark.parametrize("name", ["a@b", "a/b", ".", ".."])
def test_bad_names_refused(rbd_pool, ceph_cluster, name):
    with pytest.raises(libvirt.libvirtError) as e:
        create(rbd_pool, name, 4 * MiB)
    msg = expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert name in msg and "rbdvol" in msg
    assert ceph_cluster.images(rbd_pool.rados_pool) == []


def test_non_raw_format_refused(rbd_pool, ceph_cluster):
    with pytest.raises(libvirt.libvirtError) as e:
        rbd_pool.createXML(vol_xml("q", 4 * MiB, "qcow2"), 0)
    expect_error(e, libvirt.VIR_ERR_CONFIG_UNSUPPORTED, libvirt.VIR_ERR_NO_SUPPORT)
    assert ceph_cluster.images(rbd_pool.rados_pool) == []


@pytest.mark.stock_differs("rbd-create-larger-than-cluster", reason="stock creates a thin image of any size")
def test_create_larger_than_cluster_refused(rbd_pool, ceph_cluster):
    avail = pool_max_avail(ceph_cluster, rbd_pool.rados_pool)
    with pytest.raises(libvirt.libvirtError) as e:
        create(rbd_pool, "huge", avail + GiB)
    msg = expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert "huge" in msg and "free" in msg
    assert ceph_cluster.images(rbd_pool.rados_pool) == []
    assert rbd_pool.listVolumes() == []
    # what fits is made
    create(rbd_pool, "fits", avail // 2)
    assert ceph_cluster.images(rbd_pool.rados_pool) == ["fits"]


def test_create_over_unlisted_image_keeps_it(rbd_pool, ceph_cluster):
    """An image made outside libvirt after the pool's refresh: the create
    fails and the image keeps its data."""
    ceph_cluster.rbd("create", "--size", "8M", "--", "%s/theirs" % rbd_pool.rados_pool)
    ceph_cluster.write_image(rbd_pool.rados_pool, "theirs", b"their data")
    with pytest.raises(libvirt.libvirtError):
        create(rbd_pool, "theirs", 4 * MiB)
    assert ceph_cluster.images(rbd_pool.rados_pool) == ["theirs"]
    assert ceph_cluster.read_image(rbd_pool.rados_pool, "theirs", 0, 10) == b"their data"
    assert info(ceph_cluster, rbd_pool.rados_pool, "theirs")["size"] == 8 * MiB


def test_failed_create_leaves_no_image(conn, ceph_cluster, ceph_secret, rados_pool):
    """librbd refuses the create (its data pool does not exist): no
    image is left, and the volume is not listed."""
    pool = start_pool(conn, ceph_cluster, rados_pool,
                      options={"rbd_default_data_pool": "no-such-pool"})
    with pytest.raises(libvirt.libvirtError):
        create(pool, "v", 8 * MiB)
    assert ceph_cluster.images(rados_pool) == []
    assert pool.listVolumes() == []


# ------------------------------------------------------------------ delete

def test_delete(rbd_pool, ceph_cluster):
    vol = create(rbd_pool, "v", 16 * MiB)
    ceph_cluster.write_image(rbd_pool.rados_pool, "v", b"x" * MiB)
    vol.delete(0)
    assert ceph_cluster.images(rbd_pool.rados_pool) == []
    assert rbd_pool.listVolumes() == []


@pytest.mark.stock_differs("rbd-delete-refusals", reason="stock fails in rbd_remove with a system error that names no snapshot")
def test_delete_with_snapshots_refused_without_flag(rbd_pool, ceph_cluster):
    vol = create(rbd_pool, "v", 16 * MiB)
    snap_create(ceph_cluster, rbd_pool.rados_pool, "v", "s1")
    snap_create(ceph_cluster, rbd_pool.rados_pool, "v", "s2", protect=True)
    with pytest.raises(libvirt.libvirtError) as e:
        vol.delete(0)
    msg = expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
    assert "'v'" in msg and "s1" in msg and "snapshots" in msg
    assert ceph_cluster.images(rbd_pool.rados_pool) == ["v"]
    assert snaps(ceph_cluster, rbd_pool.rados_pool, "v") == ["s1", "s2"]


def test_delete_with_snapshots_flag(rbd_pool, ceph_cluster):
    vol = create(rbd_pool, "v", 16 * MiB)
    snap_create(ceph_cluster, rbd_pool.rados_pool, "v", "s1")
    snap_create(ceph_cluster, rbd_pool.rados_pool, "v", "s2", protect=True)
    vol.delete(libvirt.VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS)
    assert ceph_cluster.images(rbd_pool.rados_pool) == []


@pytest.mark.stock_differs("rbd-delete-refusals", reason="stock's refusal names neither the clone nor the reason")
@pytest.mark.parametrize("flags", [0, libvirt.VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS])
def test_delete_clone_parent_refused_naming_child(rbd_pool, ceph_cluster, flags):
    rp = rbd_pool.rados_pool
    vol = create(rbd_pool, "parent", 16 * MiB)
    ceph_cluster.write_image(rp, "parent", b"parent data")
    snap_create(ceph_cluster, rp, "parent", "base", protect=True)
    ceph_cluster.rbd("clone", "--", "%s/parent@base" % rp, "%s/child" % rp)
    with pytest.raises(libvirt.libvirtError) as e:
        vol.delete(flags)
    msg = expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
    assert "%s/child" % rp in msg and "parent" in msg
    assert ceph_cluster.images(rp) == ["child", "parent"]
    assert snaps(ceph_cluster, rp, "parent") == ["base"]
    assert ceph_cluster.read_image(rp, "child", 0, 11) == b"parent data"


@pytest.mark.stock_differs("rbd-delete-refusals", reason="stock fails in rbd_remove with a system error that does not say the image is open")
def test_delete_image_open_by_client_refused(rbd_pool, ceph_cluster):
    import rbd
    rp = rbd_pool.rados_pool
    vol = create(rbd_pool, "v", 16 * MiB)
    with ceph_cluster._rados().open_ioctx(rp) as io, rbd.Image(io, "v") as img:
        img.write(b"in use", 0)
        with pytest.raises(libvirt.libvirtError) as e:
            vol.delete(0)
        msg = expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
        assert "'v'" in msg and "open by a Ceph client" in msg
    assert ceph_cluster.images(rp) == ["v"]
    # closed: it goes
    vol.delete(0)
    assert ceph_cluster.images(rp) == []


def test_delete_image_gone_already(rbd_pool, ceph_cluster):
    vol = create(rbd_pool, "v", 4 * MiB)
    ceph_cluster.rbd("rm", "--", "%s/v" % rbd_pool.rados_pool)
    vol.delete(0)
    assert rbd_pool.listVolumes() == []


# ------------------------------------------------------------------ resize

def test_resize_grow(rbd_pool, ceph_cluster):
    vol = create(rbd_pool, "v", 16 * MiB)
    vol.resize(48 * MiB, 0)
    assert info(ceph_cluster, rbd_pool.rados_pool, "v")["size"] == 48 * MiB
    assert vol.info()[1] == 48 * MiB
    vol.resize(8 * MiB, libvirt.VIR_STORAGE_VOL_RESIZE_DELTA)
    assert info(ceph_cluster, rbd_pool.rados_pool, "v")["size"] == 56 * MiB


def test_resize_shrink_needs_flag(rbd_pool, ceph_cluster):
    vol = create(rbd_pool, "v", 16 * MiB)
    with pytest.raises(libvirt.libvirtError) as e:
        vol.resize(8 * MiB, 0)
    expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert info(ceph_cluster, rbd_pool.rados_pool, "v")["size"] == 16 * MiB


@pytest.mark.stock_differs("rbd-resize-shrink", reason="stock refuses every resize flag, and its allocation (the capacity) forbids any shrink")
def test_resize_shrink(rbd_pool, ceph_cluster):
    vol = create(rbd_pool, "v", 64 * MiB)
    ceph_cluster.write_image(rbd_pool.rados_pool, "v", b"keep" * 1024)
    vol.resize(8 * MiB, libvirt.VIR_STORAGE_VOL_RESIZE_SHRINK)
    assert info(ceph_cluster, rbd_pool.rados_pool, "v")["size"] == 8 * MiB
    assert vol.info()[1] == 8 * MiB
    assert ceph_cluster.read_image(rbd_pool.rados_pool, "v", 0, 4096) == b"keep" * 1024


@pytest.mark.stock_differs("rbd-resize-shrink", reason="stock shrinks an image grown outside libvirt without the flag")
def test_resize_shrink_of_image_grown_outside_needs_flag(rbd_pool, ceph_cluster):
    """The image grew behind the pool's back: a resize to less than its
    real size is a shrink, refused without the flag."""
    vol = create(rbd_pool, "v", 16 * MiB)
    ceph_cluster.rbd("resize", "--size", "64M", "--", "%s/v" % rbd_pool.rados_pool)
    with pytest.raises(libvirt.libvirtError):
        vol.resize(32 * MiB, 0)
    assert info(ceph_cluster, rbd_pool.rados_pool, "v")["size"] == 64 * MiB


# ------------------------------------------------------------------- clone

def clone(pool, src, name, capacity=None, flags=0):
    cap = "<capacity unit='bytes'>%d</capacity>" % capacity if capacity else ""
    return pool.createXMLFrom("<volume><name>%s</name>%s</volume>" % (name, cap), src, flags)


def test_clone_layered(rbd_pool, ceph_cluster):
    rp = rbd_pool.rados_pool
    src = create(rbd_pool, "src", 16 * MiB)
    ceph_cluster.write_image(rp, "src", b"golden image", 5 * MiB)
    new = clone(rbd_pool, src, "dst")
    i = info(ceph_cluster, rp, "dst")
    assert i["size"] == 16 * MiB
    assert i["parent"]["image"] == "src"
    assert ceph_cluster.read_image(rp, "dst", 5 * MiB, 12) == b"golden image"
    assert new.info()[1] == 16 * MiB
    # the clone is its own image: writing it leaves the source
    ceph_cluster.write_image(rp, "dst", b"changed", 5 * MiB)
    assert ceph_cluster.read_image(rp, "src", 5 * MiB, 12) == b"golden image"


@pytest.mark.stock_differs("rbd-clone-capacity", reason="stock's clone keeps the source's size")
def test_clone_to_larger_capacity(rbd_pool, ceph_cluster):
    rp = rbd_pool.rados_pool
    src = create(rbd_pool, "src", 16 * MiB)
    ceph_cluster.write_image(rp, "src", b"golden image")
    new = clone(rbd_pool, src, "dst", capacity=40 * MiB + 4096)
    assert info(ceph_cluster, rp, "dst")["size"] == 40 * MiB + 4096
    assert new.info()[1] == 40 * MiB + 4096
    assert ceph_cluster.read_image(rp, "dst", 0, 12) == b"golden image"
    assert ceph_cluster.read_image(rp, "dst", 30 * MiB, 4096) == bytes(4096)


@pytest.mark.stock_differs("rbd-clone-no-layering", reason="stock clones only with rbd_clone2, which needs layering")
def test_clone_without_layering_copies(conn, ceph_cluster, ceph_secret, rados_pool):
    pool = start_pool(conn, ceph_cluster, rados_pool, options={"rbd_default_features": "0"})
    src = create(pool, "src", 16 * MiB)
    assert info(ceph_cluster, rados_pool, "src")["features"] == []
    ceph_cluster.write_image(rados_pool, "src", b"golden image", 9 * MiB)
    clone(pool, src, "dst", capacity=24 * MiB)
    i = info(ceph_cluster, rados_pool, "dst")
    assert i["size"] == 24 * MiB and "parent" not in i
    assert ceph_cluster.read_image(rados_pool, "dst", 9 * MiB, 12) == b"golden image"
    assert snaps(ceph_cluster, rados_pool, "src") == []
    # a sparse copy: only the object holding data
    assert used_bytes(ceph_cluster, rados_pool, "dst") <= OBJ


@pytest.mark.stock_differs("rbd-clone-existing-image", reason="stock's failed clone is cleaned up by deleting the image of that name, which was someone else's")
def test_clone_over_unlisted_image_keeps_it(rbd_pool, ceph_cluster):
    rp = rbd_pool.rados_pool
    src = create(rbd_pool, "src", 16 * MiB)
    ceph_cluster.rbd("create", "--size", "8M", "--", "%s/theirs" % rp)
    ceph_cluster.write_image(rp, "theirs", b"their data")
    with pytest.raises(libvirt.libvirtError):
        clone(rbd_pool, src, "theirs")
    assert ceph_cluster.images(rp) == ["src", "theirs"]
    assert ceph_cluster.read_image(rp, "theirs", 0, 10) == b"their data"
    # and nothing was made on the source
    assert snaps(ceph_cluster, rp, "src") == []


@pytest.mark.stock_differs("rbd-clone-other-pool", reason="stock clones the image of the rbd pool that has the source volume's name")
def test_clone_from_other_pool_refused(rbd_pool, ceph_cluster, conn, tmp_path):
    rp = rbd_pool.rados_pool
    create(rbd_pool, "src", 16 * MiB)
    ceph_cluster.write_image(rp, "src", b"rbd data")
    d = tmp_path / "dirpool"
    d.mkdir()
    dirpool = conn.storagePoolCreateXML(poolhelpers.dir_pool_xml("rbdvol-dir", str(d)), 0)
    filevol = dirpool.createXML(vol_xml("src", 16 * MiB), 0)
    with pytest.raises(libvirt.libvirtError) as e:
        clone(rbd_pool, filevol, "dst")
    msg = expect_error(e, libvirt.VIR_ERR_CONFIG_UNSUPPORTED)
    assert "src" in msg
    assert ceph_cluster.images(rp) == ["src"]
    assert snaps(ceph_cluster, rp, "src") == []


@pytest.mark.stock_differs("rbd-clone-snapshot-cleanup", reason="stock leaves its protected clone snapshot on the source forever")
def test_delete_clone_removes_its_snapshot(rbd_pool, ceph_cluster):
    rp = rbd_pool.rados_pool
    src = create(rbd_pool, "src", 16 * MiB)
    a = clone(rbd_pool, src, "a")
    b = clone(rbd_pool, src, "b")
    assert len(snaps(ceph_cluster, rp, "src")) == 2
    a.delete(0)
    assert len(snaps(ceph_cluster, rp, "src")) == 1
    b.delete(0)
    assert snaps(ceph_cluster, rp, "src") == []
    # so the source goes without --delete-snapshots
    src.delete(0)
    assert ceph_cluster.images(rp) == []


@pytest.mark.stock_differs("rbd-clone-capacity", reason="stock's clone keeps the source's size")
def test_clone_smaller_than_source_is_source_size(rbd_pool, ceph_cluster):
    """libvirt's driver raises a capacity below the source's to the
    source's: the clone is exactly that."""
    rp = rbd_pool.rados_pool
    src = create(rbd_pool, "src", 16 * MiB)
    new = clone(rbd_pool, src, "dst", capacity=4 * MiB)
    assert info(ceph_cluster, rp, "dst")["size"] == 16 * MiB
    assert new.info()[1] == 16 * MiB
    # and one larger than the source is exactly that
    clone(rbd_pool, src, "dst2", capacity=20 * MiB)
    assert info(ceph_cluster, rp, "dst2")["size"] == 20 * MiB


# -------------------------------------------------------------------- wipe

def test_wipe_zero_reads_zeros(rbd_pool, ceph_cluster):
    rp = rbd_pool.rados_pool
    vol = create(rbd_pool, "v", 64 * MiB)
    for off in (0, 5 * MiB + 17, 63 * MiB):
        ceph_cluster.write_image(rp, "v", b"\xaa" * 70000, off)
    vol.wipe(0)
    data = ceph_cluster.read_image(rp, "v")
    assert len(data) == 64 * MiB
    assert data.count(0) == len(data)
    assert info(ceph_cluster, rp, "v")["size"] == 64 * MiB


@pytest.mark.stock_differs("rbd-wipe-zero-thin", reason="stock writes zeros over every byte: the image becomes fully allocated")
def test_wipe_zero_releases_objects(rbd_pool, ceph_cluster):
    rp = rbd_pool.rados_pool
    vol = create(rbd_pool, "v", 64 * MiB)
    ceph_cluster.write_image(rp, "v", b"\xaa" * (8 * MiB), 4 * MiB)
    assert used_bytes(ceph_cluster, rp, "v") >= 8 * MiB
    vol.wipe(0)
    assert used_bytes(ceph_cluster, rp, "v") == 0
    assert ceph_cluster.read_image(rp, "v", 4 * MiB, 8 * MiB).count(0) == 8 * MiB


def test_wipe_zero_of_clone_hides_parent(rbd_pool, ceph_cluster):
    rp = rbd_pool.rados_pool
    src = create(rbd_pool, "src", 16 * MiB)
    ceph_cluster.write_image(rp, "src", b"\xbb" * MiB, 2 * MiB)
    new = clone(rbd_pool, src, "dst")
    new.wipe(0)
    assert ceph_cluster.read_image(rp, "dst").count(0) == 16 * MiB
    assert ceph_cluster.read_image(rp, "src", 2 * MiB, MiB) == b"\xbb" * MiB


def test_wipe_trim(rbd_pool, ceph_cluster):
    rp = rbd_pool.rados_pool
    vol = create(rbd_pool, "v", 32 * MiB)
    ceph_cluster.write_image(rp, "v", b"\xcc" * (8 * MiB))
    vol.wipePattern(libvirt.VIR_STORAGE_VOL_WIPE_ALG_TRIM, 0)
    assert used_bytes(ceph_cluster, rp, "v") == 0
    assert info(ceph_cluster, rp, "v")["size"] == 32 * MiB


@pytest.mark.stock_differs("rbd-wipe-algorithm", reason="stock says 'unsupported algorithm 1' with VIR_ERR_INVALID_ARG")
def test_wipe_other_algorithm_refused(rbd_pool, ceph_cluster):
    rp = rbd_pool.rados_pool
    vol = create(rbd_pool, "v", 8 * MiB)
    ceph_cluster.write_image(rp, "v", b"data")
    with pytest.raises(libvirt.libvirtError) as e:
        vol.wipePattern(libvirt.VIR_STORAGE_VOL_WIPE_ALG_NNSA, 0)
    msg = expect_error(e, libvirt.VIR_ERR_CONFIG_UNSUPPORTED)
    assert "nnsa" in msg and "zero" in msg and "trim" in msg
    assert ceph_cluster.read_image(rp, "v", 0, 4) == b"data"



# ----------------------------------------------------------------- streams

@pytest.mark.stock_differs("rbd-vol-upload-download", reason="stock has no uploadVol/downloadVol for rbd")
def test_upload_download_round_trip(rbd_pool, ceph_cluster, conn, virsh, tmp_path):
    rp = rbd_pool.rados_pool
    vol = create(rbd_pool, "v", 16 * MiB)
    ceph_cluster.write_image(rp, "v", b"\xee" * MiB, 15 * MiB)
    data = os.urandom(12 * MiB + 5)
    src = tmp_path / "in.img"
    src.write_bytes(data)
    poolhelpers.ok(virsh("vol-upload", "--pool", "rbdvol", "v", str(src)))
    assert ceph_cluster.read_image(rp, "v", 0, len(data)) == data
    # what the upload did not cover is as it was
    assert ceph_cluster.read_image(rp, "v", 15 * MiB, MiB) == b"\xee" * MiB
    assert info(ceph_cluster, rp, "v")["size"] == 16 * MiB

    out = tmp_path / "out.img"
    poolhelpers.ok(virsh("vol-download", "--pool", "rbdvol", "v", str(out)))
    got = out.read_bytes()
    assert len(got) == 16 * MiB
    assert got[:len(data)] == data
    assert got[15 * MiB:] == b"\xee" * MiB
    # a window of it
    assert poolhelpers.stream_download(conn, vol, 5 * MiB, 4096) == data[5 * MiB:5 * MiB + 4096]
    # at an offset
    poolhelpers.stream_upload(conn, vol, b"middle", offset=10 * MiB)
    assert ceph_cluster.read_image(rp, "v", 10 * MiB, 6) == b"middle"


@pytest.mark.stock_differs("rbd-vol-upload-download", reason="stock has no uploadVol/downloadVol for rbd")
def test_upload_bounded_by_image_end(rbd_pool, ceph_cluster, conn):
    rp = rbd_pool.rados_pool
    vol = create(rbd_pool, "v", 4 * MiB)
    # an explicit length past the end: refused before anything is written
    with pytest.raises(libvirt.libvirtError) as e:
        poolhelpers.stream_upload(conn, vol, b"x" * 4096, offset=4 * MiB - 100, length=4096)
    msg = expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert "'v'" in msg
    # an offset at or past the end
    for off in (4 * MiB, 8 * MiB):
        with pytest.raises(libvirt.libvirtError) as e:
            poolhelpers.stream_upload(conn, vol, b"x", offset=off)
        expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert used_bytes(ceph_cluster, rp, "v") == 0
    # no length: the bytes past the end fail the upload and are not written
    with pytest.raises(libvirt.libvirtError):
        poolhelpers.stream_upload(conn, vol, b"y" * (5 * MiB))
    assert info(ceph_cluster, rp, "v")["size"] == 4 * MiB
    # a download past the end
    with pytest.raises(libvirt.libvirtError) as e:
        poolhelpers.stream_download(conn, vol, offset=5 * MiB)
    expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    # a download's length is cut at the end
    assert len(poolhelpers.stream_download(conn, vol, 3 * MiB, 4 * MiB)) == MiB


@pytest.mark.stock_differs("rbd-vol-upload-download", reason="stock has no uploadVol/downloadVol for rbd")
def test_sparse_upload_zeroes_holes(rbd_pool, ceph_cluster, conn):
    rp = rbd_pool.rados_pool
    vol = create(rbd_pool, "v", 32 * MiB)
    ceph_cluster.write_image(rp, "v", b"\xaa" * (32 * MiB))
    parts = [b"head" * 1024, 20 * MiB, b"tail" * 1024]
    poolhelpers.stream_upload(conn, vol, parts,
                              flags=libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM)
    img = ceph_cluster.read_image(rp, "v")
    assert img[:4096] == b"head" * 1024
    assert img[4096:4096 + 20 * MiB].count(0) == 20 * MiB
    assert img[4096 + 20 * MiB:8192 + 20 * MiB] == b"tail" * 1024
    assert img[8192 + 20 * MiB:] == b"\xaa" * (12 * MiB - 8192)
    # the whole objects inside the hole were released
    assert used_bytes(ceph_cluster, rp, "v") <= 32 * MiB - 16 * MiB


@pytest.mark.stock_differs("rbd-vol-upload-download", reason="stock has no uploadVol/downloadVol for rbd")
def test_sparse_download_sends_holes(rbd_pool, ceph_cluster, conn):
    rp = rbd_pool.rados_pool
    vol = create(rbd_pool, "v", 64 * MiB)
    ceph_cluster.write_image(rp, "v", b"first", 0)
    ceph_cluster.write_image(rp, "v", b"second", 40 * MiB + 3)
    got = bytearray()
    holes = []

    def on_data(st, data, _):
        got.extend(data)
        return len(data)

    def on_hole(st, length, _):
        holes.append(length)
        got.extend(bytes(length))
        return 0

    st = conn.newStream(0)
    vol.download(st, 0, 0, libvirt.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)
    st.sparseRecvAll(on_data, on_hole, None)
    st.finish()
    assert len(got) == 64 * MiB
    assert got[:5] == b"first" and got[40 * MiB + 3:40 * MiB + 9] == b"second"
    assert got.count(0) == 64 * MiB - 11
    # only the two objects holding data were sent as data
    assert sum(holes) == 64 * MiB - 2 * OBJ


@pytest.mark.stock_differs("rbd-vol-upload-download", reason="stock has no uploadVol/downloadVol for rbd")
def test_upload_in_flight_guards_volume(rbd_pool, ceph_cluster, conn):
    rp = rbd_pool.rados_pool
    vol = create(rbd_pool, "v", 8 * MiB)
    st = conn.newStream(0)
    vol.upload(st, 0, 0, 0)
    try:
        st.send(b"z" * 65536)
        with pytest.raises(libvirt.libvirtError) as e:
            vol.delete(0)
        assert "in use" in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
        with pytest.raises(libvirt.libvirtError) as e:
            poolhelpers.stream_download(conn, vol)
        expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
        st.finish()
    except Exception:
        st.abort()
        raise
    assert ceph_cluster.read_image(rp, "v", 0, 65536) == b"z" * 65536
    vol.delete(0)
    assert ceph_cluster.images(rp) == []
