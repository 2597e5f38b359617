# SPDX-License-Identifier: LGPL-2.1-or-later
"""Volume data: vol-upload, vol-download, vol-wipe, vol-clone and
vol-create-from on dir pools and on fs pools over ext4, xfs and btrfs loop
devices, against our modules and the stock ones."""

import json
import os
import subprocess

import libvirt
import pytest

from conftest import expect_error
from poolhelpers import (dir_pool_xml, fails, fs_pool_xml, in_daemon_ns, ok, statvfs_in_daemon_ns,
                         sha256_path, stream_upload, vol_format)

MiB = 1024 * 1024


def allocated(path):
    return os.stat(path).st_blocks * 512


def write_random(path, size):
    with open(path, "wb") as f:
        f.write(os.urandom(size))


def write_sparse(path, size, extents):
    """A sparse file of @size with random data at each (offset, length)."""
    with open(path, "wb") as f:
        f.truncate(size)
        for off, length in extents:
            f.seek(off)
            f.write(os.urandom(length))


def vol_xml(name, capacity, allocation=0, fmt="raw"):
    return ("<volume><name>%s</name><capacity unit='bytes'>%d</capacity>"
            "<allocation unit='bytes'>%d</allocation>"
            "<target><format type='%s'/></target></volume>"
            % (name, capacity, allocation, fmt))


def all_zero(path):
    with open(path, "rb") as f:
        while True:
            chunk = f.read(MiB)
            if not chunk:
                return True
            if chunk.count(0) != len(chunk):
                return False


@pytest.fixture
def pool(conn, tmp_path):
    """A running dir pool in a fresh directory."""
    target = tmp_path / "data_pool"
    target.mkdir()
    p = conn.storagePoolCreateXML(dir_pool_xml("datapool", str(target)), 0)
    return p


def pool_path(pool, name):
    return pool.storageVolLookupByName(name).path()


def make_raw(pool, name, capacity, allocation=0):
    return pool.createXML(vol_xml(name, capacity, allocation), 0)


# ----------------------------------------------------------------- upload

def test_upload_download_roundtrip(virsh, pool, tmp_path):
    src = tmp_path / "src.bin"
    write_random(src, 4 * MiB + 512)
    make_raw(pool, "rt.img", 4 * MiB + 512)

    ok(virsh("vol-upload", "--pool", "datapool", "rt.img", src))
    path = pool_path(pool, "rt.img")
    assert sha256_path(path) == sha256_path(src)
    assert os.path.getsize(path) == 4 * MiB + 512

    out = tmp_path / "out.bin"
    ok(virsh("vol-download", "--pool", "datapool", "rt.img", out))
    assert sha256_path(out) == sha256_path(src)


def test_upload_at_offset_with_length(conn, pool):
    vol = make_raw(pool, "off.img", MiB)
    data = os.urandom(4096)
    stream_upload(conn, vol, data, offset=8192, length=4096)

    path = vol.path()
    with open(path, "rb") as f:
        content = f.read()
    assert len(content) == MiB
    assert content[8192:12288] == data
    assert content[:8192].count(0) == 8192
    assert content[12288:].count(0) == MiB - 12288


@pytest.mark.stock_differs("vol-upload-bounded",
                           reason="stock writes the whole stream, growing the file")
def test_upload_larger_than_volume_stops_at_its_end(virsh, pool, tmp_path):
    src = tmp_path / "big.bin"
    write_random(src, 3 * MiB)
    make_raw(pool, "small.img", MiB)
    path = pool_path(pool, "small.img")

    fails(virsh("vol-upload", "--pool", "datapool", "small.img", src))
    # the failed stream is aborted, so how much of the first MiB landed is
    # not defined; what matters is that nothing landed past the end
    assert os.path.getsize(path) == MiB, "the upload wrote past the end"


@pytest.mark.stock_differs("vol-upload-bounded",
                           reason="stock accepts a length past the end")
def test_upload_length_past_end_is_refused_untouched(conn, pool):
    vol = make_raw(pool, "len.img", MiB)
    stream_upload(conn, vol, b"\x5a" * MiB)
    before = sha256_path(vol.path())

    with pytest.raises(libvirt.libvirtError) as e:
        stream_upload(conn, vol, os.urandom(2 * MiB), offset=4096, length=MiB)
    msg = expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert "len.img" in msg and str(MiB) in msg
    assert os.path.getsize(vol.path()) == MiB
    assert sha256_path(vol.path()) == before


@pytest.mark.stock_differs("vol-upload-bounded",
                           reason="stock seeks past the end and extends the file")
def test_upload_offset_past_end_is_refused(conn, pool):
    vol = make_raw(pool, "far.img", MiB)
    with pytest.raises(libvirt.libvirtError) as e:
        stream_upload(conn, vol, b"x" * 4096, offset=2 * MiB)
    expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert os.path.getsize(vol.path()) == MiB


def test_sparse_upload_keeps_holes(virsh, pool, tmp_path):
    src = tmp_path / "sparse-src.img"
    write_sparse(src, 32 * MiB, [(MiB, 256 * 1024), (20 * MiB, 512 * 1024)])
    make_raw(pool, "sparse-up.img", 32 * MiB)

    ok(virsh("vol-upload", "--sparse", "--pool", "datapool", "sparse-up.img", src))
    path = pool_path(pool, "sparse-up.img")
    assert sha256_path(path) == sha256_path(src)
    assert os.path.getsize(path) == 32 * MiB
    assert allocated(path) < 4 * MiB


# --------------------------------------------------------------- download

def test_download_offset_and_length(virsh, pool, tmp_path):
    src = tmp_path / "src.bin"
    write_random(src, 2 * MiB)
    make_raw(pool, "dl.img", 2 * MiB)
    ok(virsh("vol-upload", "--pool", "datapool", "dl.img", src))

    out = tmp_path / "part.bin"
    ok(virsh("vol-download", "--pool", "datapool", "--offset", 1000,
             "--length", 5000, "dl.img", out))
    with open(src, "rb") as f:
        f.seek(1000)
        expected = f.read(5000)
    assert out.read_bytes() == expected


def test_sparse_download_sends_only_data(virsh, conn, pool, tmp_path):
    vol = make_raw(pool, "sparse-dl.img", 64 * MiB)
    a, b = os.urandom(300 * 1024), os.urandom(MiB)
    stream_upload(conn, vol, a, offset=3 * MiB, length=len(a))
    stream_upload(conn, vol, b, offset=40 * MiB, length=len(b))
    assert allocated(vol.path()) < 4 * MiB

    out = tmp_path / "sparse-out.img"
    ok(virsh("vol-download", "--sparse", "--pool", "datapool", "sparse-dl.img", out))
    assert os.path.getsize(out) == 64 * MiB
    assert sha256_path(out) == sha256_path(vol.path())
    assert allocated(out) < 4 * MiB, "the holes were sent as data"


@pytest.mark.stock_differs("vol-download-offset-past-end",
                           reason="stock sends an empty stream")
def test_download_offset_past_end_is_refused(conn, pool):
    vol = make_raw(pool, "dlfar.img", MiB)
    st = conn.newStream(0)
    with pytest.raises(libvirt.libvirtError) as e:
        vol.download(st, 2 * MiB, 0, 0)
    expect_error(e, libvirt.VIR_ERR_INVALID_ARG)


# ------------------------------------------------------------------- wipe

def test_wipe_zero_dense_volume(virsh, conn, pool):
    vol = make_raw(pool, "dense.img", 8 * MiB, allocation=8 * MiB)
    stream_upload(conn, vol, os.urandom(8 * MiB))

    ok(virsh("vol-wipe", "--pool", "datapool", "dense.img"))
    assert all_zero(vol.path())
    assert os.path.getsize(vol.path()) == 8 * MiB
    # the space the volume reserved stays reserved
    assert allocated(vol.path()) >= 8 * MiB


def test_wipe_zero_sparse_volume_does_not_allocate(virsh, conn, pool):
    vol = make_raw(pool, "thin.img", 64 * MiB)
    stream_upload(conn, vol, os.urandom(MiB), offset=10 * MiB, length=MiB)
    before = allocated(vol.path())

    ok(virsh("vol-wipe", "--pool", "datapool", "thin.img"))
    assert all_zero(vol.path())
    assert os.path.getsize(vol.path()) == 64 * MiB
    assert allocated(vol.path()) <= before


@pytest.mark.stock_differs("vol-wipe-scrub-signature",
                           reason="stock leaves scrub's SCRUBBED! marker")
def test_wipe_nnsa_through_scrub(virsh, conn, pool):
    vol = make_raw(pool, "nnsa.img", MiB)
    stream_upload(conn, vol, os.urandom(MiB))

    ok(virsh("vol-wipe", "--pool", "datapool", "--algorithm", "nnsa", "nnsa.img"))
    # NNSA ends with a pass of zeros
    assert os.path.getsize(vol.path()) == MiB
    assert all_zero(vol.path())


@pytest.mark.stock_differs("vol-wipe-trim", reason="stock refuses trim for files")
def test_wipe_trim_releases_blocks(virsh, conn, pool):
    vol = make_raw(pool, "trim.img", 4 * MiB, allocation=4 * MiB)
    stream_upload(conn, vol, os.urandom(4 * MiB))

    ok(virsh("vol-wipe", "--pool", "datapool", "--algorithm", "trim", "trim.img"))
    assert all_zero(vol.path())
    assert os.path.getsize(vol.path()) == 4 * MiB
    assert allocated(vol.path()) < MiB


def qemu_img_info(path):
    res = subprocess.run(["qemu-img", "info", "-U", "--output=json", path],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout)


@pytest.mark.stock_differs("vol-wipe-image-recreated",
                           reason="stock zeroes the qcow2 header: the volume turns raw")
def test_wipe_qcow2_leaves_an_empty_image(virsh, pool):
    pool.createXML(vol_xml("img.qcow2", 64 * MiB, fmt="qcow2"), 0)
    path = pool_path(pool, "img.qcow2")
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x61 0 1M", path],
                   capture_output=True, check=True)

    ok(virsh("vol-wipe", "--pool", "datapool", "img.qcow2"))
    info = qemu_img_info(path)
    assert info["format"] == "qcow2"
    assert info["virtual-size"] == 64 * MiB
    # the image holds no data any more
    res = subprocess.run(["qemu-img", "map", "-U", "--output=json", path],
                         capture_output=True, text=True, check=True)
    assert not [e for e in json.loads(res.stdout) if e["data"]]
    assert vol_format(ok(virsh("vol-dumpxml", "--pool", "datapool", "img.qcow2"))) == "qcow2"


# ------------------------------------------------------------------ clone

def test_clone_raw_keeps_data_and_holes(virsh, conn, pool):
    vol = make_raw(pool, "orig.img", 64 * MiB)
    stream_upload(conn, vol, os.urandom(MiB), offset=5 * MiB, length=MiB)
    stream_upload(conn, vol, os.urandom(MiB), offset=50 * MiB, length=MiB)

    ok(virsh("vol-clone", "--pool", "datapool", "orig.img", "copy.img"))
    copy = pool_path(pool, "copy.img")
    assert sha256_path(copy) == sha256_path(vol.path())
    assert allocated(copy) < 8 * MiB


def test_clone_to_larger_capacity(virsh, conn, pool, tmp_path):
    vol = make_raw(pool, "base.img", 2 * MiB)
    data = os.urandom(2 * MiB)
    stream_upload(conn, vol, data)

    xml = tmp_path / "big.xml"
    xml.write_text(vol_xml("big.img", 8 * MiB))
    ok(virsh("vol-create-from", "datapool", xml, "base.img", "--inputpool", "datapool"))
    path = pool_path(pool, "big.img")
    assert os.path.getsize(path) == 8 * MiB
    with open(path, "rb") as f:
        assert f.read(2 * MiB) == data
        assert f.read().count(0) == 6 * MiB


def test_clone_raw_to_qcow2(virsh, conn, pool, tmp_path):
    vol = make_raw(pool, "conv.img", 16 * MiB)
    stream_upload(conn, vol, os.urandom(2 * MiB), offset=MiB, length=2 * MiB)

    xml = tmp_path / "q.xml"
    xml.write_text(vol_xml("conv.qcow2", 16 * MiB, fmt="qcow2"))
    ok(virsh("vol-create-from", "datapool", xml, "conv.img", "--inputpool", "datapool"))
    path = pool_path(pool, "conv.qcow2")
    info = qemu_img_info(path)
    assert info["format"] == "qcow2"
    assert info["virtual-size"] == 16 * MiB
    subprocess.run(["qemu-img", "compare", "-U", "-f", "raw", "-F", "qcow2",
                    vol.path(), path], check=True, capture_output=True)


def test_failed_clone_leaves_nothing(virsh, conn, pool):
    """--reflink on a file system that cannot share blocks (the test dir's)
    fails, and neither a file nor a volume is left behind."""
    vol = make_raw(pool, "noref.img", MiB)
    stream_upload(conn, vol, os.urandom(MiB))
    dirpath = os.path.dirname(vol.path())
    fstype = subprocess.run(["stat", "-f", "-c", "%T", dirpath],
                            capture_output=True, text=True).stdout.strip()
    if fstype in ("xfs", "btrfs"):
        pytest.fail("the test directory is on %s, which can reflink" % fstype)

    fails(virsh("vol-clone", "--reflink", "--pool", "datapool", "noref.img",
                "noref-copy.img"))
    assert not os.path.exists(os.path.join(dirpath, "noref-copy.img"))
    pool.refresh(0)
    assert "noref-copy.img" not in pool.listVolumes()


# ------------------------------------------------ clones on loop file systems

@pytest.fixture
def fs_pool(conn, loop_factory, tmp_path, daemon):
    """make(fstype) -> (pool, mount point): a running fs pool on a fresh
    loop device; its files are visible in the daemon's namespace only."""
    def make(fstype, size_mb=512):
        dev = loop_factory(size_mb, fstype)
        target = tmp_path / ("mnt-" + fstype)
        target.mkdir()
        # libvirt's pool formats have no btrfs: let the mount probe it
        fmt = "auto" if fstype == "btrfs" else fstype
        p = conn.storagePoolCreateXML(
            fs_pool_xml("fs" + fstype, dev, str(target), fmt), 0)
        return p, str(target)
    return make


def ns_used_bytes(daemon, mnt):
    frsize, blocks, free, _ = statvfs_in_daemon_ns(daemon, mnt)
    return (blocks - free) * frsize


def ns_sha256(daemon, path):
    return in_daemon_ns(daemon, 'sha256sum "%s"' % path).stdout.split()[0]


def ns_allocated(daemon, path):
    return int(in_daemon_ns(daemon, 'stat -c "%%b %%B" "%s"' % path)
               .stdout.split()[0]) * 512


def fill_random_in_ns(daemon, path, size_mb):
    in_daemon_ns(daemon, 'head -c %dM /dev/urandom | dd of="%s" conv=notrunc '
                 'bs=1M iflag=fullblock status=none && sync' % (size_mb, path))


def clone_big_volume(virsh, daemon, pool, mnt, *clone_opts):
    """vol-clone (with @clone_opts) of a 200 MiB volume full of random data
    in the fs pool mounted on @mnt; checks the copy and returns how much
    the file system's usage grew, in bytes."""
    vol = pool.createXML(vol_xml("big.img", 200 * MiB, 200 * MiB), 0)
    fill_random_in_ns(daemon, vol.path(), 200)
    used = ns_used_bytes(daemon, mnt)

    ok(virsh("vol-clone", *clone_opts, "--pool", pool.name(), "big.img", "big2.img"))
    copy = os.path.join(mnt, "big2.img")
    assert ns_sha256(daemon, copy) == ns_sha256(daemon, vol.path())
    return ns_used_bytes(daemon, mnt) - used


@pytest.mark.parametrize("fstype", ["xfs", "btrfs"])
def test_reflink_clone_takes_no_space(virsh, daemon, fs_pool, fstype):
    pool, mnt = fs_pool(fstype)
    grown = clone_big_volume(virsh, daemon, pool, mnt, "--reflink")
    assert grown < 20 * MiB, "the clone took %d MiB" % (grown // MiB)


@pytest.mark.stock_differs("vol-clone-reflink-auto",
                           reason="stock copies every byte unless --reflink is given")
@pytest.mark.parametrize("fstype", ["xfs", "btrfs"])
def test_clone_shares_blocks_without_asking(virsh, daemon, fs_pool, fstype):
    pool, mnt = fs_pool(fstype)
    grown = clone_big_volume(virsh, daemon, pool, mnt)
    assert grown < 20 * MiB, "the clone took %d MiB" % (grown // MiB)


def test_clone_keeps_holes_on_ext4(virsh, daemon, fs_pool):
    pool, mnt = fs_pool("ext4")
    vol = pool.createXML(vol_xml("thin.img", 128 * MiB), 0)
    in_daemon_ns(daemon, 'head -c 1M /dev/urandom | dd of="%s" bs=1M seek=7 '
                 'conv=notrunc iflag=fullblock status=none; '
                 'head -c 2M /dev/urandom | dd of="%s" bs=1M seek=100 '
                 'conv=notrunc iflag=fullblock status=none; sync'
                 % (vol.path(), vol.path()))
    pool.refresh(0)

    ok(virsh("vol-clone", "--pool", pool.name(), "thin.img", "thin2.img"))
    copy = os.path.join(mnt, "thin2.img")
    assert ns_sha256(daemon, copy) == ns_sha256(daemon, vol.path())
    assert ns_allocated(daemon, copy) < 8 * MiB


def test_clone_reflink_refused_on_ext4(virsh, daemon, fs_pool):
    pool, mnt = fs_pool("ext4")
    pool.createXML(vol_xml("a.img", 4 * MiB, 4 * MiB), 0)

    fails(virsh("vol-clone", "--reflink", "--pool", pool.name(), "a.img", "b.img"))
    assert in_daemon_ns(daemon, 'test -e "%s/b.img"' % mnt, check=False).returncode != 0


def test_clone_qcow2_image(virsh, pool):
    pool.createXML(vol_xml("src.qcow2", 32 * MiB, fmt="qcow2"), 0)
    src = pool_path(pool, "src.qcow2")
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x62 1M 2M", src],
                   capture_output=True, check=True)
    pool.refresh(0)

    ok(virsh("vol-clone", "--pool", "datapool", "src.qcow2", "dst.qcow2"))
    dst = pool_path(pool, "dst.qcow2")
    info = qemu_img_info(dst)
    assert info["format"] == "qcow2"
    assert info["virtual-size"] == 32 * MiB
    subprocess.run(["qemu-img", "compare", "-U", src, dst], check=True,
                   capture_output=True)


@pytest.mark.stock_differs("vol-clone-image-capacity",
                           reason="stock's qemu-img convert keeps the source's size")
def test_clone_qcow2_to_larger_capacity(virsh, pool, tmp_path):
    pool.createXML(vol_xml("small.qcow2", 16 * MiB, fmt="qcow2"), 0)
    xml = tmp_path / "grow.xml"
    xml.write_text(vol_xml("grown.qcow2", 48 * MiB, fmt="qcow2"))

    ok(virsh("vol-create-from", "datapool", xml, "small.qcow2", "--inputpool", "datapool"))
    assert qemu_img_info(pool_path(pool, "grown.qcow2"))["virtual-size"] == 48 * MiB


def test_upload_qcow2_image_into_qcow2_volume(virsh, pool, tmp_path):
    """The usual import: a volume created with the image's virtual size,
    then the image uploaded into it (the image file is smaller)."""
    img = tmp_path / "guest.qcow2"
    subprocess.run(["qemu-img", "create", "-f", "qcow2", str(img), "64M"],
                   capture_output=True, check=True)
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x63 0 3M", str(img)],
                   capture_output=True, check=True)
    pool.createXML(vol_xml("guest.qcow2", 64 * MiB, fmt="qcow2"), 0)

    ok(virsh("vol-upload", "--pool", "datapool", "guest.qcow2", img))
    path = pool_path(pool, "guest.qcow2")
    # the old, larger container tail is not the image's: compare the images
    subprocess.run(["qemu-img", "compare", "-U", str(img), path], check=True,
                   capture_output=True)
