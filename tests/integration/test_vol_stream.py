# SPDX-License-Identifier: LGPL-2.1-or-later
"""Streams (vol-upload, vol-download) as issue 7 asks: a volume stays in
use while a stream on it is open, a sparse upload into a window keeps
the volume's size and zeroes its holes, a write error at the end of an
upload reaches the client, and a volume swapped for a FIFO or a link
after the refresh is refused at once.  Ours and stock; every wait on the
daemon is bounded, since stock blocks on a FIFO."""

import errno
import os
import subprocess
import sys
import textwrap
import threading
import time

import libvirt
import pytest

from conftest import expect_error
from poolhelpers import (cleanup_pools, dir_pool_xml, fs_pool_xml, in_daemon_ns,
                         statvfs_in_daemon_ns, stream_upload)
from test_pool_disk import disk, started_pool  # noqa: F401 (a fixture)
from test_vol_data import allocated, vol_xml

MiB = 1024 * 1024
SPARSE = libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM


@pytest.fixture
def pool(conn, tmp_path):
    """A running dir pool in a fresh directory."""
    target = tmp_path / "stream_pool"
    target.mkdir()
    return conn.storagePoolCreateXML(dir_pool_xml("streampool", str(target)), 0)


def pattern(size):
    """Non-zero bytes that differ from one MiB to the next."""
    block = bytes((i % 251) + 1 for i in range(4096))
    return b"".join(bytes([(b + (off // MiB)) % 255 + 1 for b in block[:16]]) * 256
                    for off in range(0, size, 4096))[:size]


def make_filled(pool, name, size):
    """A raw volume of @size bytes, every one of them written (non-zero)."""
    vol = pool.createXML(vol_xml(name, size, size), 0)
    data = pattern(size)
    with open(vol.path(), "r+b") as f:
        f.write(data)
    return vol, data


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


# ------------------------------------------- item 6: sparse uploads in a window

@pytest.mark.stock_differs("vol-upload-sparse-window",
                           reason="stock cuts the file at the hole's end and leaves old bytes in the hole")
def test_sparse_upload_into_window_keeps_size_and_zeroes_hole(conn, pool):
    vol, before = make_filled(pool, "win.img", 8 * MiB)
    data = os.urandom(MiB)

    stream_upload(conn, vol, [data, MiB], 0, 0, SPARSE)

    after = read_file(vol.path())
    assert len(after) == 8 * MiB, "the upload changed the volume's size"
    assert after[:MiB] == data
    assert after[MiB:2 * MiB].count(0) == MiB, "the hole kept old bytes"
    assert after[2 * MiB:] == before[2 * MiB:], "bytes past the window changed"
    # the hole was punched: that MiB is no longer allocated
    assert allocated(vol.path()) <= 7 * MiB + 64 * 1024


@pytest.mark.stock_differs("vol-upload-sparse-window",
                           reason="stock cuts the file at the hole's end and leaves old bytes in the hole")
def test_sparse_upload_hole_at_end_of_explicit_window(conn, pool):
    vol, before = make_filled(pool, "mid.img", 8 * MiB)
    data = os.urandom(MiB)

    stream_upload(conn, vol, [data, MiB], 2 * MiB, 2 * MiB, SPARSE)

    after = read_file(vol.path())
    assert len(after) == 8 * MiB
    assert after[:2 * MiB] == before[:2 * MiB]
    assert after[2 * MiB:3 * MiB] == data
    assert after[3 * MiB:4 * MiB].count(0) == MiB
    assert after[4 * MiB:] == before[4 * MiB:]


@pytest.mark.stock_differs("vol-upload-sparse-window",
                           reason="stock leaves old bytes in the hole")
def test_sparse_upload_holes_in_middle_and_at_end_of_volume(conn, pool):
    vol, before = make_filled(pool, "end.img", 8 * MiB)
    a, b = os.urandom(512 * 1024), os.urandom(MiB)

    # from 5 MiB: data, a hole, data, and a hole up to the volume's end
    stream_upload(conn, vol, [a, 512 * 1024, b, MiB], 5 * MiB, 0, SPARSE)

    after = read_file(vol.path())
    assert len(after) == 8 * MiB
    assert after[:5 * MiB] == before[:5 * MiB]
    assert after[5 * MiB:5 * MiB + 512 * 1024] == a
    assert after[5 * MiB + 512 * 1024:6 * MiB].count(0) == 512 * 1024
    assert after[6 * MiB:7 * MiB] == b
    assert after[7 * MiB:].count(0) == MiB


@pytest.mark.stock_differs("vol-upload-sparse-window",
                           reason="stock cuts the file at the window's end")
def test_sparse_upload_hole_past_window_is_cut(conn, pool):
    vol, before = make_filled(pool, "cut.img", 4 * MiB)

    # a hole longer than the window stops at the window's end
    stream_upload(conn, vol, [4 * MiB], MiB, MiB, SPARSE)

    after = read_file(vol.path())
    assert len(after) == 4 * MiB
    assert after[:MiB] == before[:MiB]
    assert after[MiB:2 * MiB].count(0) == MiB
    assert after[2 * MiB:] == before[2 * MiB:]


# ------------------------------------------- item 5: a stream in flight is guarded

def open_upload(conn, vol):
    """An upload stream into @vol with some data sent, not finished."""
    st = conn.newStream(0)
    vol.upload(st, 0, 0, 0)
    st.send(b"\x11" * (256 * 1024))
    return st


def assert_in_use(conn, pool, vol):
    """Every operation that must wait for the stream is refused."""
    st2 = conn.newStream(0)
    with pytest.raises(libvirt.libvirtError) as e:
        vol.upload(st2, 0, 0, 0)
    assert "in use" in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)

    st3 = conn.newStream(0)
    with pytest.raises(libvirt.libvirtError) as e:
        vol.download(st3, 0, 0, 0)
    assert "in use" in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)

    with pytest.raises(libvirt.libvirtError) as e:
        vol.delete(0)
    assert "in use" in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)

    with pytest.raises(libvirt.libvirtError) as e:
        vol.wipe(0)
    assert "in use" in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)

    with pytest.raises(libvirt.libvirtError) as e:
        vol.resize(vol.info()[1] + MiB, 0)
    assert "in use" in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)

    with pytest.raises(libvirt.libvirtError) as e:
        pool.refresh(0)
    # the driver's own message and code
    assert "asynchronous jobs" in expect_error(e, libvirt.VIR_ERR_INTERNAL_ERROR)

    with pytest.raises(libvirt.libvirtError) as e:
        pool.destroy()
    # the driver's own message and code
    assert "asynchronous jobs" in expect_error(e, libvirt.VIR_ERR_INTERNAL_ERROR)


def wait_free(vol, timeout=15):
    """Resize @vol as soon as it is no longer in use (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            vol.resize(vol.info()[1] + MiB, 0)
            return
        except libvirt.libvirtError as e:
            if time.monotonic() > deadline or "in use" not in str(e):
                raise
            time.sleep(0.1)


def assert_usable(conn, pool, vol):
    """Everything works again once the stream is gone."""
    wait_free(vol)
    st = conn.newStream(0)
    vol.download(st, 0, 0, 0)
    st.abort()
    vol.wipe(0)
    pool.refresh(0)
    vol = pool.storageVolLookupByName(vol.name())
    vol.delete(0)
    assert vol.name() not in pool.listVolumes()


@pytest.mark.stock_differs("vol-stream-guard",
                           reason="stock lets a second upload, a download, delete, wipe and resize in mid-upload")
def test_upload_in_flight_guards_volume_until_finish(conn, pool):
    vol = pool.createXML(vol_xml("busy.img", 2 * MiB), 0)
    st = open_upload(conn, vol)
    try:
        assert_in_use(conn, pool, vol)
        st.send(b"\x22" * (256 * 1024))
        st.finish()
        st = None
    finally:
        if st is not None:
            st.abort()
    data = read_file(vol.path())
    assert data[:256 * 1024] == b"\x11" * (256 * 1024)
    assert data[256 * 1024:512 * 1024] == b"\x22" * (256 * 1024)
    assert_usable(conn, pool, vol)


@pytest.mark.stock_differs("vol-stream-guard",
                           reason="stock lets a second upload, a download, delete, wipe and resize in mid-upload")
def test_upload_in_flight_guards_volume_until_abort(conn, pool):
    vol = pool.createXML(vol_xml("abort.img", 2 * MiB), 0)
    st = open_upload(conn, vol)
    try:
        assert_in_use(conn, pool, vol)
    finally:
        st.abort()
    assert_usable(conn, pool, vol)


@pytest.mark.stock_differs("vol-stream-guard",
                           reason="stock lets a delete and a second upload in while a download is open")
def test_download_in_flight_guards_volume(conn, pool):
    vol = pool.createXML(vol_xml("reading.img", 4 * MiB), 0)
    st = conn.newStream(0)
    vol.download(st, 0, 0, 0)
    try:
        st2 = conn.newStream(0)
        with pytest.raises(libvirt.libvirtError) as e:
            vol.upload(st2, 0, 0, 0)
        assert "in use" in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
        with pytest.raises(libvirt.libvirtError) as e:
            vol.delete(0)
        assert "in use" in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
        # downloads may run side by side
        st3 = conn.newStream(0)
        vol.download(st3, 0, MiB, 0)
        got = b""
        while len(got) < MiB:
            chunk = st3.recv(MiB - len(got))
            assert chunk, "the second download ended early"
            got += chunk
        st3.finish()
        assert got == b"\0" * MiB
    finally:
        st.abort()
    assert_usable(conn, pool, vol)


@pytest.mark.stock_differs("vol-stream-guard",
                           reason="stock lets a delete and a second upload in while a download is open")
def test_download_aborted_midway_releases_guard(conn, pool):
    """A download aborted with most of it still queued in the daemon: the
    worker stops and the volume is free again."""
    vol, data = make_filled(pool, "half-read.img", 32 * MiB)
    st = conn.newStream(0)
    vol.download(st, 0, 0, 0)
    try:
        got = b""
        while len(got) < MiB:
            chunk = st.recv(MiB - len(got))
            assert chunk, "the download ended early"
            got += chunk
        assert got == data[:MiB]
        st2 = conn.newStream(0)
        with pytest.raises(libvirt.libvirtError) as e:
            vol.upload(st2, 0, 0, 0)
        assert "in use" in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
        with pytest.raises(libvirt.libvirtError) as e:
            vol.delete(0)
        assert "in use" in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
    finally:
        st.abort()
    assert_usable(conn, pool, vol)


@pytest.mark.stock_differs("vol-stream-guard",
                           reason="stock lets a second upload, a download, delete, wipe and resize in mid-upload")
def test_upload_aborted_midway_releases_guard(conn, pool):
    """An upload aborted after more than the stream's queue holds."""
    vol = pool.createXML(vol_xml("half-written.img", 64 * MiB), 0)
    st = conn.newStream(0)
    vol.upload(st, 0, 0, 0)
    try:
        chunk = b"\x33" * (256 * 1024)
        for _ in range(24 * 4):
            st.send(chunk)
        assert_in_use(conn, pool, vol)
    finally:
        st.abort()
    assert_usable(conn, pool, vol)


def test_sparse_download_sends_holes_as_holes(conn, pool):
    """A sparse file goes down as its data and its holes (the holes are
    never sent as zeros), and is the same file once put together."""
    vol = pool.createXML(vol_xml("holes.img", 12 * MiB, 0), 0)
    data = pattern(2 * MiB)
    with open(vol.path(), "r+b") as f:
        f.write(data)                   # [0, 2) MiB data
        f.seek(6 * MiB)
        f.write(data)                   # [6, 8) MiB data, [8, 12) a hole
        f.truncate(12 * MiB)
    got = bytearray()
    holes = []

    def on_data(st, buf, opaque):
        got.extend(buf)
        return len(buf)

    def on_hole(st, length, opaque):
        holes.append(length)
        got.extend(b"\0" * length)
        return 0

    st = conn.newStream(0)
    vol.download(st, 0, 0, libvirt.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)
    st.sparseRecvAll(on_data, on_hole, None)
    st.finish()
    assert holes == [4 * MiB, 4 * MiB]
    assert bytes(got) == read_file(vol.path())


def daemon_status_kib(daemon, field):
    with open("/proc/%d/status" % daemon.pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s in the daemon's status" % field)


@pytest.mark.stock_differs("vol-stream-bounded-queue",
                           reason="stock's FD stream thread blocks in write holding the stream's lock, and the daemon's event loop with it")
def test_upload_into_frozen_fs_keeps_daemon_memory_bounded(daemon, conn, loop_factory, tmp_path):
    """While the storage takes nothing (its file system frozen with
    fsfreeze: the worker's write blocks), the daemon stops taking the
    client's data once the stream's queue is full: its peak RSS stays
    within 32 MiB of what it was (the 8 MiB queue, the client's messages
    it holds, the allocator's slack), while the client tries to send
    256 MiB, and the daemon still serves other calls.  Stock's writer
    thread blocks in write(2) holding the FD stream's lock, which the
    daemon's event loop then waits for: the whole daemon stops (and where
    the storage is only slow, it queues every message without limit)."""
    dev = loop_factory(512, "ext4")
    mnt = tmp_path / "frozen_mnt"
    mnt.mkdir()
    pool = conn.storagePoolCreateXML(fs_pool_xml("frozenpool", dev, str(mnt)), 0)
    vol = pool.createXML(vol_xml("big.img", 256 * MiB, 0), 0)
    before = daemon_status_kib(daemon, "VmRSS")
    with open("/proc/%d/clear_refs" % daemon.pid, "w") as f:
        f.write("5")                    # VmHWM := VmRSS

    sent = [0]
    failure = []
    opened, frozen = threading.Event(), threading.Event()

    def send():
        try:
            st = conn.newStream(0)
            vol.upload(st, 0, 0, 0)
            chunk = b"\x5a" * (256 * 1024)
            # the stream is open before the freeze (stock's open blocks)
            opened.set()
            frozen.wait(30)
            for _ in range(1024):
                st.send(chunk)
                sent[0] += len(chunk)
            st.finish()
        except libvirt.libvirtError as e:
            failure.append(e)
        opened.set()

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        assert opened.wait(30), failure
        in_daemon_ns(daemon, 'fsfreeze -f -- "%s"' % mnt)
        frozen.set()
        # wait (bounded) until the client is stalled or has sent it all
        last, still, deadline = -1, 0, time.monotonic() + 60
        while time.monotonic() < deadline and still < 10 and sent[0] < 256 * MiB:
            time.sleep(0.2)
            still = still + 1 if sent[0] == last else 0
            last = sent[0]
        peak = daemon_status_kib(daemon, "VmHWM")
        # and the daemon still serves other calls
        rc, err = virsh_bounded(daemon, "pool-info", "frozenpool")
    finally:
        in_daemon_ns(daemon, 'fsfreeze -u -- "%s"' % mnt)
        sender.join(60)
    assert rc == 0, "the daemon did not answer while the storage was frozen: %s" % err
    assert not sender.is_alive() and not failure, failure
    assert peak - before < 32 * 1024, \
        "peak %d KiB, %d KiB before, client sent %d MiB" % (peak, before, sent[0] // MiB)
    # the pool is mounted in the daemon's namespace only
    with open("/proc/%d/root%s/big.img" % (daemon.pid, mnt), "rb") as f:
        assert f.read(256 * 1024) == b"\x5a" * (256 * 1024)
    vol.delete(0)


CLIENT = textwrap.dedent("""
    import sys, time, libvirt
    conn = libvirt.open(sys.argv[1])
    vol = conn.storagePoolLookupByName(sys.argv[2]).storageVolLookupByName(sys.argv[3])
    st = conn.newStream(0)
    vol.upload(st, 0, 0, 0)
    st.send(b"x" * 65536)
    print("sent", flush=True)
    time.sleep(120)
""")


@pytest.mark.stock_differs("vol-stream-guard",
                           reason="stock lets a second upload, a download, delete, wipe and resize in mid-upload")
def test_upload_guard_released_when_client_goes_away(daemon, conn, pool):
    vol = pool.createXML(vol_xml("gone.img", 2 * MiB), 0)
    client = subprocess.Popen([sys.executable, "-c", CLIENT, daemon.uri,
                               pool.name(), vol.name()],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = client.stdout.readline()
        assert line.strip() == "sent", client.stderr.read()
        assert_in_use(conn, pool, vol)
    finally:
        client.kill()
        client.wait(timeout=10)
    assert_usable(conn, pool, vol)


# ---------------------------------------- faults: ENOSPC at the end of an upload

@pytest.fixture
def tiny_pool(conn, daemon, tmp_path):
    """(pool, directory): a running dir pool on a 16 MiB tmpfs mounted in
    the daemon's namespace (its files are visible there only).  tmpfs
    counts its space exactly: the write that does not fit is the one
    that goes past 16 MiB."""
    mnt = tmp_path / "tiny_mnt"
    mnt.mkdir()
    in_daemon_ns(daemon, 'mount -t tmpfs -o size=16m,mode=0755 -- tiny "%s"' % mnt)
    try:
        yield conn.storagePoolCreateXML(dir_pool_xml("tinypool", str(mnt)), 0), str(mnt)
    finally:
        cleanup_pools(daemon.uri)
        in_daemon_ns(daemon, 'umount -- "%s"' % mnt, check=False)


@pytest.mark.stock_differs("vol-upload-error-at-finish",
                           reason="stock loses the writer thread's error when the stream closes and reports success")
def test_upload_past_free_space_fails_at_the_client(daemon, conn, tiny_pool):
    pool, mnt = tiny_pool
    vol = pool.createXML(vol_xml("full.img", 256 * MiB), 0)
    frsize, _, free, _ = statvfs_in_daemon_ns(daemon, mnt)
    # the last chunk is the one that does not fit
    size = free * frsize + 128 * 1024

    chunk = os.urandom(256 * 1024)
    with pytest.raises(libvirt.libvirtError) as e:
        stream_upload(conn, vol, [chunk] * -(-size // len(chunk)))
    msg = str(e.value)
    assert e.value.get_error_code() == libvirt.VIR_ERR_SYSTEM_ERROR, msg
    assert e.value.get_int1() == errno.ENOSPC, msg
    assert "full.img" in msg
    # the volume is free again
    vol.delete(0)


# ------------------------------------- item 3: swapped for a FIFO or a link

def virsh_bounded(daemon, *args, timeout=10):
    """virsh with a time limit: (rc, stderr), rc None if it timed out."""
    try:
        res = subprocess.run(["virsh", "-c", daemon.uri] + [str(a) for a in args],
                             capture_output=True, text=True, timeout=timeout)
        return res.returncode, res.stderr
    except subprocess.TimeoutExpired:
        return None, "timed out"


def release_fifo(path):
    """Lets a reader blocked in open() of the FIFO @path go (stock)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
    except OSError:
        pass


@pytest.mark.stock_differs("vol-stream-swapped-entry",
                           reason="stock opens the FIFO and blocks in open() until something writes to it")
def test_download_of_volume_swapped_for_fifo_fails_at_once(daemon, pool, tmp_path):
    vol = pool.createXML(vol_xml("pipe.img", MiB), 0)
    path = vol.path()
    os.unlink(path)
    os.mkfifo(path)
    out = tmp_path / "out.bin"
    try:
        start = time.monotonic()
        rc, err = virsh_bounded(daemon, "vol-download", "--pool", pool.name(),
                                "pipe.img", out)
        assert rc is not None, "vol-download blocked on the FIFO"
        assert rc != 0 and "pipe.img" in err, err
        assert time.monotonic() - start < 5
        # and the pool is not left with a job running
        rc, err = virsh_bounded(daemon, "pool-refresh", pool.name())
        assert rc == 0, err
    finally:
        release_fifo(path)
        time.sleep(0.2)
        release_fifo(path)


@pytest.mark.stock_differs("vol-stream-swapped-entry",
                           reason="stock follows the link and sends the file it points at")
def test_download_of_volume_swapped_for_link_is_refused(daemon, pool, tmp_path):
    secret = tmp_path / "outside.bin"
    secret_data = b"host-secret-" * 1000
    secret.write_bytes(secret_data)
    vol = pool.createXML(vol_xml("link.img", MiB), 0)
    path = vol.path()
    os.unlink(path)
    os.symlink(str(secret), path)
    out = tmp_path / "out.bin"

    rc, err = virsh_bounded(daemon, "vol-download", "--pool", pool.name(),
                            "link.img", out)
    assert rc is not None
    got = out.read_bytes() if out.exists() else b""
    assert b"host-secret-" not in got, "the download read the link's target"
    assert rc != 0 and "link.img" in err and "link" in err, err


@pytest.mark.stock_differs("vol-stream-swapped-entry",
                           reason="stock follows the link and writes into the file it points at")
def test_upload_into_volume_swapped_for_link_is_refused(daemon, pool, tmp_path):
    victim = tmp_path / "victim.bin"
    victim.write_bytes(b"v" * 4096)
    vol = pool.createXML(vol_xml("ulink.img", 4096), 0)
    path = vol.path()
    os.unlink(path)
    os.symlink(str(victim), path)
    src = tmp_path / "src.bin"
    src.write_bytes(b"X" * 4096)

    rc, err = virsh_bounded(daemon, "vol-upload", "--pool", pool.name(),
                            "ulink.img", src)
    assert victim.read_bytes() == b"v" * 4096, "the upload wrote through the link"
    assert rc is not None and rc != 0 and "ulink.img" in err, err


# ----------------------------------------- block volumes: a disk pool's partition

def test_sparse_upload_into_partition_zeroes_hole(virsh, conn, disk):
    dev = disk()
    pool = started_pool(virsh, conn, "sparsedisk", dev)
    pool.createXML("<volume><name>%s</name><capacity unit='M'>8</capacity></volume>"
                   % dev.part(1), 0)
    vol = pool.storageVolLookupByName(dev.part(1))
    node = "/dev/" + dev.part(1)
    before = pattern(8 * MiB)
    with open(node, "r+b") as f:
        f.write(before)
    data = os.urandom(MiB)

    stream_upload(conn, vol, [data, MiB], 0, 2 * MiB, SPARSE)

    with open(node, "rb") as f:
        after = f.read(8 * MiB)
    assert after[:MiB] == data
    assert after[MiB:2 * MiB].count(0) == MiB
    assert after[2 * MiB:] == before[2 * MiB:]


@pytest.mark.stock_differs("vol-stream-guard",
                           reason="stock lets a second upload, a download, delete, wipe and resize in mid-upload")
def test_upload_in_flight_guards_partition(virsh, conn, disk):
    dev = disk()
    pool = started_pool(virsh, conn, "guarddisk", dev)
    pool.createXML("<volume><name>%s</name><capacity unit='M'>4</capacity></volume>"
                   % dev.part(1), 0)
    vol = pool.storageVolLookupByName(dev.part(1))
    st = open_upload(conn, vol)
    try:
        st2 = conn.newStream(0)
        with pytest.raises(libvirt.libvirtError) as e:
            vol.upload(st2, 0, 0, 0)
        assert "in use" in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
        with pytest.raises(libvirt.libvirtError) as e:
            vol.delete(0)
        assert "in use" in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
        with pytest.raises(libvirt.libvirtError) as e:
            vol.wipe(0)
        assert "in use" in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
        st.finish()
        st = None
    finally:
        if st is not None:
            st.abort()
    vol.wipe(0)
    vol.delete(0)
