# SPDX-License-Identifier: LGPL-2.1-or-later
"""Volumes of gluster pools against the real test Gluster server
(tests/servers/gluster-up.sh): the guide's virsh steps, create (raw
sparse and preallocated, qcow2), clone and conversion, delete, resize,
wipe, upload and download (sparse too, bounded by the volume's end), bad
names and sizes, links and FIFOs planted by a client.  Every test has a
Gluster volume of its own (the gluster_volume fixture); what a pool did
is checked on the volume's brick (a one-brick volume keeps each file as
a file of the brick), never through libvirt alone.

Stock libvirt 9.0's gluster backend lists, refreshes and deletes
volumes only: every other operation is a strict xfail with its parity
row.  Its pool-start and every call that connects pay glfs_fini's 10 s,
so the stock runs stop at their first refusal."""

import json
import os
import stat
import subprocess

import libvirt
import pytest

import glusterhelpers
import poolhelpers
from conftest import expect_error

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

POOL = "gvols"


def pool_xml(name, host, volume, path="/"):
    return ("<pool type='gluster'><name>%s</name><source><host name='%s'/>"
            "<dir path='%s'/><name>%s</name></source></pool>"
            % (name, host, path, volume))


def start_pool(conn, server, volume, name=POOL):
    pool = conn.storagePoolDefineXML(pool_xml(name, server.host, volume))
    pool.create()
    return pool


@pytest.fixture
def gpool(conn, gluster_server, gluster_volume):
    """An active gluster pool on a Gluster volume of this test; .brick is
    the directory that holds its files on the server."""
    pool = start_pool(conn, gluster_server, gluster_volume)
    pool.brick = gluster_server.brick_path(gluster_volume)
    pool.volume = gluster_volume
    pool.host = gluster_server.host
    return pool


def vol_xml(name, capacity, fmt=None, allocation=0):
    """A volume's XML: thin unless @allocation says otherwise (libvirt
    makes a volume without <allocation> fully allocated)."""
    parts = ["<volume><name>%s</name><capacity unit='bytes'>%d</capacity>" % (name, capacity),
             "<allocation unit='bytes'>%d</allocation>" % allocation]
    if fmt:
        parts.append("<target><format type='%s'/></target>" % fmt)
    parts.append("</volume>")
    return "".join(parts)


def create(pool, name, capacity, fmt=None, allocation=0, flags=0):
    return pool.createXML(vol_xml(name, capacity, fmt, allocation), flags)


def brick_file(pool, name):
    return os.path.join(pool.brick, name)


def brick_entries(pool):
    """The volume's files on the brick (gluster's own .glusterfs and
    .trashcan left out)."""
    return sorted(e for e in os.listdir(pool.brick) if not e.startswith("."))


def allocated(pool, name):
    return os.stat(brick_file(pool, name)).st_blocks * 512


def read_brick(pool, name, offset=0, length=None):
    with open(brick_file(pool, name), "rb") as f:
        f.seek(offset)
        return f.read() if length is None else f.read(length)


def qemu_img_info(path):
    res = subprocess.run(["qemu-img", "info", "--output=json", "-U", "--", path],
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(res.stdout)


# ------------------------------------------------------------- guide steps

@pytest.mark.stock_differs("gluster-vol-create", reason="stock's gluster backend has no createVol/buildVol")
def test_guide_volume_steps(virsh, gluster_server, gluster_volume, tmp_path):
    """The guide's volume steps on a gluster pool, with virsh."""
    brick = gluster_server.brick_path(gluster_volume)
    poolhelpers.ok(virsh("pool-define-as", POOL, "gluster",
                         "--source-host", gluster_server.host,
                         "--source-name", gluster_volume, "--source-path", "/"))
    poolhelpers.ok(virsh("pool-start", POOL))

    poolhelpers.ok(virsh("vol-create-as", POOL, "disk1.img", "10M", "--format", "raw"))
    assert os.path.getsize(os.path.join(brick, "disk1.img")) == 10 * MiB
    listing = poolhelpers.ok(virsh("vol-list", POOL))
    assert "gluster://%s/%s/disk1.img" % (gluster_server.host, gluster_volume) in listing
    info = poolhelpers.parse_info(poolhelpers.ok(virsh("vol-info", "--pool", POOL, "disk1.img")))
    assert info["Type"] == "network"
    assert info["Capacity"] == "10.00 MiB"

    poolhelpers.ok(virsh("vol-resize", "--pool", POOL, "disk1.img", "20M"))
    assert os.path.getsize(os.path.join(brick, "disk1.img")) == 20 * MiB

    data = os.urandom(3 * MiB + 17)
    src = tmp_path / "in.img"
    src.write_bytes(data)
    poolhelpers.ok(virsh("vol-upload", "--pool", POOL, "disk1.img", str(src)))
    with open(os.path.join(brick, "disk1.img"), "rb") as f:
        assert f.read(len(data)) == data
    out = tmp_path / "out.img"
    poolhelpers.ok(virsh("vol-download", "--pool", POOL, "disk1.img", str(out)))
    got = out.read_bytes()
    assert len(got) == 20 * MiB and got[:len(data)] == data

    poolhelpers.ok(virsh("vol-clone", "--pool", POOL, "disk1.img", "disk2.img"))
    with open(os.path.join(brick, "disk2.img"), "rb") as f:
        assert f.read(len(data)) == data
    assert os.path.getsize(os.path.join(brick, "disk2.img")) == 20 * MiB

    poolhelpers.ok(virsh("vol-wipe", "--pool", POOL, "disk2.img"))
    with open(os.path.join(brick, "disk2.img"), "rb") as f:
        assert f.read().count(0) == 20 * MiB

    poolhelpers.ok(virsh("vol-delete", "--pool", POOL, "disk1.img"))
    poolhelpers.ok(virsh("vol-delete", "--pool", POOL, "disk2.img"))
    assert not os.path.exists(os.path.join(brick, "disk1.img"))
    assert "disk2.img" not in poolhelpers.ok(virsh("vol-list", POOL))
    poolhelpers.ok(virsh("pool-destroy", POOL))
    poolhelpers.ok(virsh("pool-undefine", POOL))


# ------------------------------------------------------------------ create

# stock: every pool-start costs it glfs_fini's 10 s and it fails at the
# first volume call, as the stock runs of the gluster-vol-create tests show
@pytest.mark.ours_only
def test_create_raw_sparse_and_preallocated(gpool):
    vol = create(gpool, "thin", 64 * MiB)
    assert os.path.getsize(brick_file(gpool, "thin")) == 64 * MiB
    assert allocated(gpool, "thin") < MiB
    assert vol.path() == "gluster://%s/%s/thin" % (gpool.host, gpool.volume)
    assert vol.info()[1] == 64 * MiB

    create(gpool, "full", 16 * MiB, allocation=16 * MiB)
    assert os.path.getsize(brick_file(gpool, "full")) == 16 * MiB
    assert allocated(gpool, "full") >= 16 * MiB
    # a mode of the file's own, never the umask's
    assert stat.S_IMODE(os.stat(brick_file(gpool, "full")).st_mode) == 0o600


# stock: as test_guide_volume_steps shows (gluster-vol-create)
@pytest.mark.ours_only
def test_create_qcow2(gpool):
    vol = create(gpool, "q.qcow2", 2 * GiB, fmt="qcow2")
    info = qemu_img_info(brick_file(gpool, "q.qcow2"))
    assert info["format"] == "qcow2"
    assert info["virtual-size"] == 2 * GiB
    assert "backing-filename" not in info
    assert vol.info()[1] == 2 * GiB
    assert poolhelpers.vol_format(vol.XMLDesc(0)) == "qcow2"
    # a clone in the same format is a copy of the image file, not grown
    # to the virtual size
    gpool.createXMLFrom(vol_xml("q2.qcow2", 2 * GiB, fmt="qcow2"), vol, 0)
    info2 = qemu_img_info(brick_file(gpool, "q2.qcow2"))
    assert info2["format"] == "qcow2" and info2["virtual-size"] == 2 * GiB
    assert os.path.getsize(brick_file(gpool, "q2.qcow2")) == \
        os.path.getsize(brick_file(gpool, "q.qcow2"))


@pytest.mark.stock_differs("gluster-vol-create", reason="stock's gluster backend has no createVol, so no name check of its own")
def test_bad_names_refused(gpool):
    for name in ("a/b", ".", ".."):
        with pytest.raises(libvirt.libvirtError) as e:
            create(gpool, name, MiB)
        expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert brick_entries(gpool) == []


@pytest.mark.stock_differs("gluster-vol-create", reason="stock's gluster backend has no createVol/buildVol")
def test_create_larger_than_free_space_refused(gpool):
    free = os.statvfs(gpool.brick)
    avail = free.f_bavail * free.f_frsize
    with pytest.raises(libvirt.libvirtError) as e:
        create(gpool, "huge", avail + 64 * GiB)
    msg = expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert "'huge'" in msg and POOL in msg
    assert brick_entries(gpool) == []
    assert "huge" not in gpool.listVolumes()


# stock: every pool-start costs it glfs_fini's 10 s and it fails at the
# first volume call, as the stock runs of the gluster-vol-create tests show
@pytest.mark.ours_only
def test_create_encrypted_or_backed_refused(gpool):
    with pytest.raises(libvirt.libvirtError) as e:
        gpool.createXML("<volume><name>b</name><capacity>1048576</capacity>"
                        "<target><format type='qcow2'/></target>"
                        "<backingStore><path>/etc/passwd</path><format type='raw'/></backingStore>"
                        "</volume>", 0)
    expect_error(e, libvirt.VIR_ERR_CONFIG_UNSUPPORTED)
    assert brick_entries(gpool) == []


# ---------------------------------------------------------------- delete

# stock: every pool-start costs it glfs_fini's 10 s and it fails at the
# first volume call, as the stock runs of the gluster-vol-create tests show
@pytest.mark.ours_only
def test_delete(gpool):
    vol = create(gpool, "d", MiB)
    vol.delete(0)
    assert brick_entries(gpool) == []
    assert gpool.listVolumes() == []


# ---------------------------------------------------------------- resize

@pytest.mark.stock_differs("gluster-vol-resize", reason="stock's gluster backend has no createVol or resizeVol")
def test_resize(gpool):
    vol = create(gpool, "r", 8 * MiB)
    vol.resize(16 * MiB, 0)
    assert os.path.getsize(brick_file(gpool, "r")) == 16 * MiB
    assert allocated(gpool, "r") < MiB

    with pytest.raises(libvirt.libvirtError) as e:
        vol.resize(4 * MiB, 0)
    expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert os.path.getsize(brick_file(gpool, "r")) == 16 * MiB

    vol.resize(4 * MiB, libvirt.VIR_STORAGE_VOL_RESIZE_SHRINK)
    assert os.path.getsize(brick_file(gpool, "r")) == 4 * MiB

    vol.resize(12 * MiB, libvirt.VIR_STORAGE_VOL_RESIZE_ALLOCATE)
    assert os.path.getsize(brick_file(gpool, "r")) == 12 * MiB
    assert allocated(gpool, "r") >= 8 * MiB

    free = os.statvfs(gpool.brick)
    with pytest.raises(libvirt.libvirtError) as e:
        vol.resize(free.f_bavail * free.f_frsize + 64 * GiB, 0)
    expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert os.path.getsize(brick_file(gpool, "r")) == 12 * MiB
    assert vol.info()[1] == 12 * MiB


# ----------------------------------------------------------------- clone

@pytest.mark.stock_differs("gluster-vol-clone", reason="stock's gluster backend has no createVol or buildVolFrom")
def test_clone_and_convert(gpool, conn):
    src = create(gpool, "src", 32 * MiB)
    data = os.urandom(MiB)
    poolhelpers.stream_upload(conn, src, data, offset=8 * MiB)

    gpool.createXMLFrom(vol_xml("copy", 32 * MiB), src, 0)
    assert read_brick(gpool, "copy", 8 * MiB, MiB) == data
    assert os.path.getsize(brick_file(gpool, "copy")) == 32 * MiB
    # the copy stays thin: only the data was written
    assert allocated(gpool, "copy") < 4 * MiB

    # a larger clone
    gpool.createXMLFrom(vol_xml("bigger", 48 * MiB), src, 0)
    assert os.path.getsize(brick_file(gpool, "bigger")) == 48 * MiB

    # into qcow2, and back
    q = gpool.createXMLFrom(vol_xml("conv.qcow2", 32 * MiB, fmt="qcow2"), src, 0)
    info = qemu_img_info(brick_file(gpool, "conv.qcow2"))
    assert info["format"] == "qcow2" and info["virtual-size"] == 32 * MiB
    gpool.createXMLFrom(vol_xml("back.raw", 32 * MiB, fmt="raw"), q, 0)
    assert read_brick(gpool, "back.raw", 8 * MiB, MiB) == data
    assert os.path.getsize(brick_file(gpool, "back.raw")) == 32 * MiB


# stock: every pool-start costs it glfs_fini's 10 s and it fails at the
# first volume call, as the stock runs of the gluster-vol-clone tests show
@pytest.mark.ours_only
def test_clone_of_qcow2_never_opens_its_backing_file(gpool, conn, tmp_path):
    # a guest's image whose header names a host file as its backing file
    secret = tmp_path / "host-secret"
    secret.write_bytes(b"S" * 65536)
    local = tmp_path / "evil.qcow2"
    subprocess.run(["qemu-img", "create", "-f", "qcow2", "-F", "raw", "-b", str(secret),
                    "--", str(local), "64K"], check=True, capture_output=True, timeout=60)
    blob = local.read_bytes()
    src = create(gpool, "evil", len(blob))
    poolhelpers.stream_upload(conn, src, blob)
    gpool.refresh(0)
    src = gpool.storageVolLookupByName("evil")
    assert poolhelpers.vol_format(src.XMLDesc(0)) == "qcow2"
    gpool.createXMLFrom(vol_xml("flat.raw", 64 * KiB, fmt="raw"), src, 0)
    flat = read_brick(gpool, "flat.raw")
    assert len(flat) == 64 * KiB and flat.count(0) == 64 * KiB


# ------------------------------------------------------------------ wipe

@pytest.mark.stock_differs("gluster-vol-wipe", reason="stock's gluster backend has no createVol or wipeVol")
def test_wipe(gpool, conn):
    thin = create(gpool, "thin", 32 * MiB)
    poolhelpers.stream_upload(conn, thin, b"\xab" * (2 * MiB), offset=4 * MiB)
    thin.wipe(0)
    assert read_brick(gpool, "thin").count(0) == 32 * MiB
    # zeroed by discarding its data: it stays thin
    assert allocated(gpool, "thin") < MiB

    full = create(gpool, "full", 8 * MiB, allocation=8 * MiB)
    poolhelpers.stream_upload(conn, full, b"\xcd" * (8 * MiB))
    full.wipe(0)
    assert read_brick(gpool, "full").count(0) == 8 * MiB
    # zero-filled: the space asked for stays reserved
    assert allocated(gpool, "full") >= 8 * MiB

    poolhelpers.stream_upload(conn, full, b"\xcd" * MiB)
    full.wipePattern(libvirt.VIR_STORAGE_VOL_WIPE_ALG_TRIM, 0)
    assert read_brick(gpool, "full").count(0) == 8 * MiB

    with pytest.raises(libvirt.libvirtError) as e:
        thin.wipePattern(libvirt.VIR_STORAGE_VOL_WIPE_ALG_DOD, 0)
    expect_error(e, libvirt.VIR_ERR_CONFIG_UNSUPPORTED)

    q = create(gpool, "q.qcow2", GiB, fmt="qcow2")
    q.wipe(0)
    info = qemu_img_info(brick_file(gpool, "q.qcow2"))
    assert info["format"] == "qcow2" and info["virtual-size"] == GiB


# --------------------------------------------------------------- streams

@pytest.mark.stock_differs("gluster-vol-upload-download", reason="stock's gluster backend has no createVol, uploadVol or downloadVol")
def test_upload_download(gpool, conn):
    vol = create(gpool, "s", 16 * MiB)
    data = os.urandom(5 * MiB + 3)
    poolhelpers.stream_upload(conn, vol, data)
    assert read_brick(gpool, "s", 0, len(data)) == data
    got = poolhelpers.stream_download(conn, vol)
    assert len(got) == 16 * MiB and got[:len(data)] == data
    assert poolhelpers.stream_download(conn, vol, MiB, 4096) == data[MiB:MiB + 4096]
    poolhelpers.stream_upload(conn, vol, b"middle", offset=10 * MiB)
    assert read_brick(gpool, "s", 10 * MiB, 6) == b"middle"
    assert os.path.getsize(brick_file(gpool, "s")) == 16 * MiB


# stock: every pool-start costs it glfs_fini's 10 s and it fails at the
# first volume call, as the stock runs of the gluster-vol-upload-download tests show
@pytest.mark.ours_only
def test_upload_bounded_by_volume_end(gpool, conn):
    vol = create(gpool, "s", 4 * MiB)
    with pytest.raises(libvirt.libvirtError) as e:
        poolhelpers.stream_upload(conn, vol, b"x" * 4096, offset=4 * MiB - 100, length=4096)
    assert "'s'" in expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    for off in (4 * MiB, 8 * MiB):
        with pytest.raises(libvirt.libvirtError) as e:
            poolhelpers.stream_upload(conn, vol, b"x", offset=off)
        expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert read_brick(gpool, "s").count(0) == 4 * MiB
    # no length: the bytes past the end fail the upload and are not written
    with pytest.raises(libvirt.libvirtError):
        poolhelpers.stream_upload(conn, vol, b"y" * (5 * MiB))
    assert os.path.getsize(brick_file(gpool, "s")) == 4 * MiB
    with pytest.raises(libvirt.libvirtError) as e:
        poolhelpers.stream_download(conn, vol, offset=5 * MiB)
    expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert len(poolhelpers.stream_download(conn, vol, 3 * MiB, 4 * MiB)) == MiB


# stock: every pool-start costs it glfs_fini's 10 s and it fails at the
# first volume call, as the stock runs of the gluster-vol-upload-download tests show
@pytest.mark.ours_only
def test_sparse_upload_and_download(gpool, conn):
    vol = create(gpool, "sp", 32 * MiB)
    poolhelpers.stream_upload(conn, vol, b"\xaa" * (32 * MiB))
    parts = [b"head" * 1024, 20 * MiB, b"tail" * 1024]
    poolhelpers.stream_upload(conn, vol, parts,
                              flags=libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM)
    img = read_brick(gpool, "sp")
    assert img[:4096] == b"head" * 1024
    assert img[4096:4096 + 20 * MiB].count(0) == 20 * MiB
    assert img[4096 + 20 * MiB:8192 + 20 * MiB] == b"tail" * 1024
    assert img[8192 + 20 * MiB:] == b"\xaa" * (12 * MiB - 8192)
    # the hole was punched, not written
    assert allocated(gpool, "sp") <= 32 * MiB - 19 * MiB

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
    assert bytes(got) == img
    assert sum(holes) >= 19 * MiB


# stock: every pool-start costs it glfs_fini's 10 s and it fails at the
# first volume call, as the stock runs of the gluster-vol-upload-download tests show
@pytest.mark.ours_only
def test_upload_in_flight_guards_volume(gpool, conn):
    vol = create(gpool, "g", 8 * MiB)
    st = conn.newStream(0)
    vol.upload(st, 0, 0, 0)
    try:
        st.send(b"z" * 65536)
        with pytest.raises(libvirt.libvirtError) as e:
            vol.delete(0)
        expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
        with pytest.raises(libvirt.libvirtError) as e:
            poolhelpers.stream_download(conn, vol)
        expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
        st.finish()
    except Exception:
        st.abort()
        raise
    assert read_brick(gpool, "g", 0, 65536) == b"z" * 65536
    vol.delete(0)
    assert brick_entries(gpool) == []


# ------------------------------------------------------- planted entries

@pytest.mark.ours_only  # stock cannot create the volumes the test replaces (gluster-vol-create)
def test_create_over_unlisted_entry_keeps_it(gpool, gluster_server, tmp_path):
    with glusterhelpers.FuseMount(gluster_server, gpool.volume, tmp_path / "mnt") as m:
        with open(m.file("theirs"), "wb") as f:
            f.write(b"T" * 4096)
    with pytest.raises(libvirt.libvirtError) as e:
        create(gpool, "theirs", MiB)
    expect_error(e, libvirt.VIR_ERR_STORAGE_VOL_EXIST)
    assert read_brick(gpool, "theirs") == b"T" * 4096


@pytest.mark.ours_only  # stock cannot create the volumes the test replaces (gluster-vol-create)
def test_link_or_fifo_planted_by_client_never_followed(gpool, gluster_server, conn, tmp_path):
    """A client of the Gluster volume (a guest) replaces a volume by a
    link to another volume, then by a FIFO: every operation on it is
    refused, nothing is written through the link, nothing hangs."""
    vol = create(gpool, "v", MiB)
    other = create(gpool, "other", MiB)
    poolhelpers.stream_upload(conn, other, b"K" * MiB)
    mnt = tmp_path / "mnt"

    def refused():
        calls = [lambda: poolhelpers.stream_download(conn, vol),
                 lambda: poolhelpers.stream_upload(conn, vol, b"x" * 4096),
                 lambda: vol.wipe(0),
                 lambda: vol.resize(2 * MiB, 0),
                 lambda: gpool.createXMLFrom(vol_xml("c", MiB), vol, 0)]
        for call in calls:
            with pytest.raises(libvirt.libvirtError) as e:
                call()
            expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)

    with glusterhelpers.FuseMount(gluster_server, gpool.volume, mnt) as m:
        os.unlink(m.file("v"))
        os.symlink("other", m.file("v"))
    refused()
    assert read_brick(gpool, "other") == b"K" * MiB
    assert os.path.getsize(brick_file(gpool, "other")) == MiB
    assert "c" not in brick_entries(gpool)

    with glusterhelpers.FuseMount(gluster_server, gpool.volume, mnt) as m:
        os.unlink(m.file("v"))
        os.mkfifo(m.file("v"))
    refused()
    assert stat.S_ISFIFO(os.lstat(brick_file(gpool, "v")).st_mode)


@pytest.mark.ours_only  # stock cannot clone at all (gluster-vol-clone)
def test_clone_from_other_pool_refused(gpool, conn, tmp_path):
    """libvirt's driver hands a clone a source volume of any pool: a dir
    pool's file named like a volume of the gluster pool must not make the
    gluster pool copy its own volume of that name."""
    create(gpool, "same", MiB)
    d = tmp_path / "dirpool"
    d.mkdir()
    dpool = conn.storagePoolCreateXML(poolhelpers.dir_pool_xml("gvdir", str(d)), 0)
    other = dpool.createXML(vol_xml("same", MiB), 0)
    with pytest.raises(libvirt.libvirtError) as e:
        gpool.createXMLFrom(vol_xml("copy", MiB), other, 0)
    expect_error(e, libvirt.VIR_ERR_CONFIG_UNSUPPORTED)
    assert brick_entries(gpool) == ["same"]


@pytest.mark.ours_only  # stock cannot create at all (gluster-vol-create)
def test_failed_build_leaves_nothing(gpool):
    """qemu-img refuses the image after the file was made: the file goes."""
    with pytest.raises(libvirt.libvirtError) as e:
        gpool.createXML("<volume><name>bad.qcow2</name><capacity>1048576</capacity>"
                        "<allocation>0</allocation><target><format type='qcow2'/>"
                        "<compat>9.9</compat></target></volume>", 0)
    assert "qemu-img" in expect_error(e, libvirt.VIR_ERR_OPERATION_FAILED)
    assert brick_entries(gpool) == []
    gpool.refresh(0)
    assert gpool.listVolumes() == []
