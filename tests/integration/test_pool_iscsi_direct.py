# SPDX-License-Identifier: LGPL-2.1-or-later
"""iscsi-direct pools against a real iSCSI target (tgtd on 127.0.0.1,
tests/servers/tgt-up.sh, libiscsi as initiator in the daemon): the steps
of the pool guide with virsh (pool-define-as with the portal, the
target's IQN and the initiator's, start, vol-list, vol-info,
find-storage-pool-sources-as, CHAP with a secret, wipe, upload and
download round trips, destroy), checked on the LUNs' backing files; and
a pool's bad input (silent portal, wrong CHAP secret, unknown IQN, a
target without LUNs, an upload past the end).  Each test has targets of
its own (tgt_target_factory)."""

import hashlib
import os
import socket
import threading
import time

import libvirt
import pytest

import poolhelpers
import tgthelpers
from poolhelpers import fails, ok, parse_info, pool_list

MiB = 1024 * 1024

# a portal that does not answer must fail the start within this: our
# login has VIR_STORAGE_ISCSI_DIRECT_LOGIN_SECONDS (10), plus the daemon
LOGIN_BOUND = 25


def define_as(virsh, name, target, iqn=None, port=None, chap_user=None, host=None):
    """The guide's pool-define-as for an iscsi-direct pool (--print-xml:
    virsh has no --source-port; the port is set in the XML it prints,
    which pool-define then takes)."""
    args = ["pool-define-as", name, "iscsi-direct", "--print-xml",
            "--source-host", host or target.server.host,
            "--source-dev", iqn or target.iqn,
            "--source-initiator", tgthelpers.INITIATOR]
    if chap_user:
        args += ["--auth-type", "chap", "--auth-username", chap_user,
                 "--secret-usage", tgthelpers.SECRET_USAGE]
    xml = ok(virsh(*args))
    port = target.server.port if port is None else port
    xml = xml.replace("<host name='%s'/>" % (host or target.server.host),
                      "<host name='%s' port='%d'/>" % (host or target.server.host, port))
    assert "port='%d'" % port in xml
    return virsh("pool-define", "/dev/stdin", input=xml)


def vol_names(virsh, pool):
    return sorted(line.split()[0] for line in
                  ok(virsh("-q", "vol-list", pool)).splitlines() if line.strip())


def nbytes(field):
    return int(field.split()[0])


def file_sha(path, length=None):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        left = length if length is not None else os.path.getsize(path)
        while left > 0:
            chunk = f.read(min(left, MiB))
            if not chunk:
                break
            h.update(chunk)
            left -= len(chunk)
    return h.hexdigest()


@pytest.fixture
def chap_secret(daemon):
    """define(password) -> the iscsi secret of usage
    tgthelpers.SECRET_USAGE holding @password, in this run's daemon
    (removed after the test)."""
    c = libvirt.open("secret:///system?socket=" + daemon.sock)
    made = []

    def define(password):
        secret = c.secretDefineXML(tgthelpers.secret_xml())
        secret.setValue(password.encode())
        made.append(secret)
        return secret

    try:
        yield define
    finally:
        for s in made:
            try:
                s.undefine()
            except libvirt.libvirtError:
                pass
        c.close()


@pytest.fixture
def idpool(virsh, tgt_target):
    """The guide's pool 'iscsidirect' on the test's target (LUNs of 64
    and 32 MiB), started: (name, Target)."""
    ok(define_as(virsh, "iscsidirect", tgt_target))
    ok(virsh("pool-start", "iscsidirect"))
    return "iscsidirect", tgt_target


# ------------------------------------------------------ define, start, info

def test_define_as_start_info(virsh, tgt_target):
    out = ok(define_as(virsh, "iscsidirect", tgt_target))
    assert "Pool iscsidirect defined" in out
    assert pool_list(virsh)["iscsidirect"] == ("inactive", "no")
    xml = ok(virsh("pool-dumpxml", "iscsidirect"))
    assert "<device path='%s'/>" % tgt_target.iqn in xml
    assert "<iqn name='%s'/>" % tgthelpers.INITIATOR in xml

    ok(virsh("pool-start", "iscsidirect"))
    assert pool_list(virsh)["iscsidirect"] == ("active", "no")
    info = parse_info(ok(virsh("pool-info", "--bytes", "iscsidirect")))
    assert info["State"] == "running"
    # stock counts a block less per LUN (test_vol_list_info)
    assert 96 * MiB - 2 * 512 <= nbytes(info["Capacity"]) <= 96 * MiB

    ok(virsh("pool-destroy", "iscsidirect"))
    assert pool_list(virsh)["iscsidirect"] == ("inactive", "no")
    ok(virsh("pool-undefine", "iscsidirect"))


@pytest.mark.stock_differs("iscsi-direct-luns", reason="stock lists the target's "
                           "controller LUN 0 as a volume and counts one block less")
def test_vol_list_info(virsh, idpool):
    pool, target = idpool
    assert vol_names(virsh, pool) == ["unit:0:0:1", "unit:0:0:2"]
    info = parse_info(ok(virsh("vol-info", "--bytes", "--pool", pool, "unit:0:0:1")))
    assert nbytes(info["Capacity"]) == 64 * MiB
    assert nbytes(info["Allocation"]) == 64 * MiB
    assert info["Type"] == "network"
    info = parse_info(ok(virsh("vol-info", "--bytes", "--pool", pool, "unit:0:0:2")))
    assert nbytes(info["Capacity"]) == 32 * MiB
    info = parse_info(ok(virsh("pool-info", "--bytes", pool)))
    assert nbytes(info["Capacity"]) == 96 * MiB


def test_vol_key_and_path_as_stock(virsh, idpool):
    pool, target = idpool
    expect = "ip-%s:%d-iscsi-%s-lun-1" % (target.server.host, target.server.port, target.iqn)
    assert ok(virsh("vol-key", "--pool", pool, "unit:0:0:1")).strip() == expect
    assert ok(virsh("vol-path", "--pool", pool, "unit:0:0:1")).strip() == expect


def test_refresh_sees_new_lun(virsh, idpool):
    pool, target = idpool
    path = target.lun_paths[0] + "-new"
    with open(path, "wb") as f:
        f.truncate(16 * MiB)
    target.lun_paths.append(path)
    target.server.adm("--op", "new", "--mode", "logicalunit", "--tid", target.tid,
                      "--lun", 3, "-b", path)
    ok(virsh("pool-refresh", pool))
    assert "unit:0:0:3" in vol_names(virsh, pool)
    info = parse_info(ok(virsh("pool-info", "--bytes", pool)))
    assert 112 * MiB - 3 * 512 <= nbytes(info["Capacity"]) <= 112 * MiB


def test_find_sources(virsh, tgt_target):
    out = ok(virsh("find-storage-pool-sources-as", "iscsi-direct",
                   tgt_target.server.host, str(tgt_target.server.port),
                   "--initiator", tgthelpers.INITIATOR))
    assert "<device path='%s'/>" % tgt_target.iqn in out
    assert "<iqn name='%s'/>" % tgthelpers.INITIATOR in out


# stock's discovery writes the second target's name through a wrong
# pointer (virISCSIDirectUpdateTargets: *targets[i++]) and its daemon
# dies: not run against stock
@pytest.mark.ours_only
def test_find_sources_several_targets(virsh, tgt_target_factory):
    a = tgt_target_factory(sizes=(MiB,))
    b = tgt_target_factory(sizes=(MiB,))
    out = ok(virsh("find-storage-pool-sources-as", "iscsi-direct",
                   a.server.host, str(a.server.port), "--initiator", tgthelpers.INITIATOR))
    assert "<device path='%s'/>" % a.iqn in out
    assert "<device path='%s'/>" % b.iqn in out


def test_chap(virsh, tgt_target_factory, chap_secret):
    target = tgt_target_factory(sizes=(8 * MiB,), chap=("lvsbuser", "lvsb-chap-pass1"))
    chap_secret("lvsb-chap-pass1")
    ok(define_as(virsh, "chappool", target, chap_user="lvsbuser"))
    ok(virsh("pool-start", "chappool"))
    assert vol_names(virsh, "chappool")[-1] == "unit:0:0:1"
    ok(virsh("pool-destroy", "chappool"))


def test_stop_logs_out(virsh, idpool):
    pool, target = idpool
    ok(virsh("pool-destroy", pool))
    end = time.monotonic() + 5
    while target.server.sessions(target) and time.monotonic() < end:
        time.sleep(0.05)
    assert target.server.sessions(target) == 0


# --------------------------------------------------------------------- wipe

def test_wipe_zero(virsh, idpool):
    pool, target = idpool
    with open(target.lun_paths[0], "r+b") as f:
        f.write(b"\xaa" * MiB)
        f.seek(63 * MiB)
        f.write(b"\x55" * MiB)
    ok(virsh("vol-wipe", "--pool", pool, "unit:0:0:1"))
    with open(target.lun_paths[0], "rb") as f:
        data = f.read()
    assert len(data) == 64 * MiB
    assert data.count(0) == len(data)


@pytest.mark.stock_differs("iscsi-direct-wipe-algorithm", reason="stock writes zeros "
                           "with WRITE (16): the thin LUN becomes fully allocated")
def test_wipe_zero_releases_blocks(virsh, idpool):
    """On a thin LUN the wipe is WRITE SAME with UNMAP: tgtd punches the
    backing file's blocks out instead of writing zeros."""
    pool, target = idpool
    with open(target.lun_paths[0], "r+b") as f:
        f.write(os.urandom(8 * MiB))
        os.fsync(f.fileno())
    assert os.stat(target.lun_paths[0]).st_blocks * 512 >= 8 * MiB
    ok(virsh("vol-wipe", "--pool", pool, "unit:0:0:1"))
    assert os.stat(target.lun_paths[0]).st_blocks * 512 < MiB
    assert file_sha(target.lun_paths[0]) == hashlib.sha256(bytes(64 * MiB)).hexdigest()


@pytest.mark.stock_differs("iscsi-direct-wipe-algorithm", reason="stock refuses trim "
                           "and says only 'unsupported algorithm'")
def test_wipe_trim_and_other_algorithms(virsh, idpool):
    pool, target = idpool
    with open(target.lun_paths[1], "r+b") as f:
        f.write(b"\xaa" * MiB)
    ok(virsh("vol-wipe", "--pool", pool, "--algorithm", "trim", "unit:0:0:2"))
    assert file_sha(target.lun_paths[1]) == hashlib.sha256(bytes(32 * MiB)).hexdigest()
    fails(virsh("vol-wipe", "--pool", pool, "--algorithm", "nnsa", "unit:0:0:2"),
          "unit:0:0:2", "'zero' or 'trim'")


# ------------------------------------------------------------------ streams

@pytest.mark.stock_differs("iscsi-direct-vol-upload-download",
                           reason="stock has no uploadVol/downloadVol for iscsi-direct")
def test_upload_download_round_trip(virsh, idpool, conn, tmp_path):
    pool, target = idpool
    data = os.urandom(5 * MiB + 123)
    src = tmp_path / "src.img"
    src.write_bytes(data)
    ok(virsh("vol-upload", "--pool", pool, "unit:0:0:1", str(src)))
    with open(target.lun_paths[0], "rb") as f:
        assert f.read(len(data)) == data
    out = tmp_path / "out.img"
    ok(virsh("vol-download", "--pool", pool, "unit:0:0:1", str(out), "--length", str(len(data))))
    assert out.read_bytes() == data
    # a whole download is the LUN
    ok(virsh("vol-download", "--pool", pool, "unit:0:0:2", str(out)))
    assert out.stat().st_size == 32 * MiB

    # unaligned offsets and lengths, read back through libvirt
    vol = conn.storagePoolLookupByName(pool).storageVolLookupByName("unit:0:0:1")
    poolhelpers.stream_upload(conn, vol, b"middle", offset=10 * MiB + 7)
    assert poolhelpers.stream_download(conn, vol, 10 * MiB + 5, 10) == \
        b"\0\0middle\0\0"
    assert poolhelpers.stream_download(conn, vol, 5 * MiB, 123) == data[5 * MiB:]


@pytest.mark.stock_differs("iscsi-direct-vol-upload-download",
                           reason="stock has no uploadVol/downloadVol for iscsi-direct")
def test_upload_bounded_by_lun_end(idpool, conn):
    pool, target = idpool
    vol = conn.storagePoolLookupByName(pool).storageVolLookupByName("unit:0:0:2")
    size = 32 * MiB
    before = file_sha(target.lun_paths[1])
    # a length past the end is refused before anything is written
    with pytest.raises(libvirt.libvirtError) as e:
        poolhelpers.stream_upload(conn, vol, b"x" * 4096, offset=size - 100, length=4096)
    assert "unit:0:0:2" in str(e.value)
    # an offset at or past the end
    for off in (size, size + 4096):
        with pytest.raises(libvirt.libvirtError):
            poolhelpers.stream_upload(conn, vol, b"x", offset=off)
    # no length: bytes past the end fail the upload and are not written
    with pytest.raises(libvirt.libvirtError):
        poolhelpers.stream_upload(conn, vol, b"y" * (size + MiB))
    assert os.path.getsize(target.lun_paths[1]) == size
    # what fitted was written; nothing beyond the LUN
    with open(target.lun_paths[1], "rb") as f:
        assert f.read(MiB) == b"y" * MiB
    assert before != file_sha(target.lun_paths[1])
    # a download's length is cut at the end
    assert len(poolhelpers.stream_download(conn, vol, size - MiB, 4 * MiB)) == MiB


@pytest.mark.stock_differs("iscsi-direct-vol-upload-download",
                           reason="stock has no uploadVol/downloadVol for iscsi-direct")
def test_sparse_upload_zeroes_holes(idpool, conn):
    pool, target = idpool
    with open(target.lun_paths[1], "r+b") as f:
        f.write(b"\xaa" * (4 * MiB))
    vol = conn.storagePoolLookupByName(pool).storageVolLookupByName("unit:0:0:2")
    poolhelpers.stream_upload(conn, vol, [b"head", 2 * MiB + 3, b"tail"],
                              flags=libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM)
    with open(target.lun_paths[1], "rb") as f:
        got = f.read(4 * MiB)
    want = b"head" + bytes(2 * MiB + 3) + b"tail"
    assert got[:len(want)] == want
    assert got[len(want):] == b"\xaa" * (4 * MiB - len(want))


# ---------------------------------------------------------------- bad input

def silent_listener():
    """A socket on 127.0.0.1 that accepts connections and never answers."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return s


@pytest.mark.stock_differs("iscsi-direct-silent-portal", reason="stock waits for "
                           "libiscsi's synchronous login with no time limit")
def test_start_against_silent_portal_is_bounded(virsh, tgt_target):
    lsock = silent_listener()
    port = lsock.getsockname()[1]
    try:
        ok(define_as(virsh, "silent", tgt_target, port=port))
        start = time.monotonic()
        # stock would wait forever: the call is bounded here, and the
        # stock run fails on the time limit
        res = virsh_bounded(virsh, LOGIN_BOUND + 5, "pool-start", "silent")
        took = time.monotonic() - start
        err = fails(res, "127.0.0.1:%d" % port)
        assert took < LOGIN_BOUND, "pool-start took %.1f s" % took
        assert "did not answer" in err or "within" in err
        assert pool_list(virsh)["silent"] == ("inactive", "no")
    finally:
        lsock.close()


def virsh_bounded(virsh, seconds, *args):
    """virsh(*args), failed as a timeout after @seconds (the call left
    to the daemon's cleanup)."""
    result = []
    t = threading.Thread(target=lambda: result.append(virsh(*args)), daemon=True)
    t.start()
    t.join(seconds)
    assert result, "virsh %s did not return within %d s" % (" ".join(args), seconds)
    return result[0]


@pytest.mark.stock_differs("iscsi-direct-errors", reason="stock says only "
                           "'Failed to login' with libiscsi's text")
def test_wrong_chap_secret(virsh, tgt_target_factory, chap_secret):
    target = tgt_target_factory(sizes=(MiB,), chap=("lvsbuser", "lvsb-chap-pass1"))
    chap_secret("not-the-password")
    ok(define_as(virsh, "chappool", target, chap_user="lvsbuser"))
    fails(virsh("pool-start", "chappool"), "CHAP", "lvsbuser", "secret")
    assert pool_list(virsh)["chappool"] == ("inactive", "no")
    assert target.server.sessions(target) == 0


@pytest.mark.stock_differs("iscsi-direct-errors", reason="stock says only "
                           "'Failed to login' with libiscsi's text")
def test_unknown_iqn(virsh, tgt_target):
    ok(define_as(virsh, "noiqn", tgt_target, iqn="iqn.2026-12.org.lvsb:nosuchtarget"))
    fails(virsh("pool-start", "noiqn"), "iqn.2026-12.org.lvsb:nosuchtarget",
          "find-storage-pool-sources")
    assert pool_list(virsh)["noiqn"] == ("inactive", "no")


def test_target_without_luns(virsh, tgt_target_factory):
    target = tgt_target_factory(sizes=())
    ok(define_as(virsh, "empty", target))
    ok(virsh("pool-start", "empty"))
    assert vol_names(virsh, "empty") == [] or \
        vol_names(virsh, "empty") == ["unit:0:0:0"]  # stock: the controller
    ok(virsh("pool-destroy", "empty"))


@pytest.mark.stock_differs("iscsi-direct-errors", reason="stock says only "
                           "'Failed to connect' with libiscsi's text")
def test_closed_port(virsh, tgt_target):
    port = tgthelpers.free_port()
    ok(define_as(virsh, "closed", tgt_target, port=port))
    fails(virsh("pool-start", "closed"), "127.0.0.1:%d" % port, "closed")


@pytest.fixture
def own_daemon(backend):
    """A daemon of this test only (it is restarted)."""
    from conftest import own_daemon_of
    yield from own_daemon_of(backend)


def test_pool_active_after_daemon_restart(own_daemon, tgt_server):
    """A pool active when the daemon restarts logs in again (checkPool)
    and is refreshed: still active, with its LUNs."""
    target = tgt_server.make_target(sizes=(8 * MiB,))
    try:
        conn = libvirt.open(own_daemon.uri)
        try:
            pool = conn.storagePoolDefineXML(tgthelpers.pool_xml("restarted", target), 0)
            pool.create(0)
        finally:
            conn.close()

        own_daemon.restart()
        conn = libvirt.open(own_daemon.uri)
        try:
            pool = conn.storagePoolLookupByName("restarted")
            assert pool.isActive()
            assert "unit:0:0:1" in pool.listVolumes()
            vol = pool.storageVolLookupByName("unit:0:0:1")
            assert vol.info()[1] >= 8 * MiB - 512
        finally:
            conn.close()
    finally:
        poolhelpers.cleanup_pools(own_daemon.uri)
        tgt_server.remove_target(target)


# stock keeps no session between calls: there is none to drop
@pytest.mark.ours_only
def test_refresh_after_target_dropped_session(virsh, idpool):
    """The target drops the pool's session (tgtadm deletes the
    connection): the next refresh logs in again."""
    pool, target = idpool
    out = target.server.adm("--op", "show", "--mode", "conn", "--tid", target.tid).stdout
    sids = [line.split(":")[1].strip() for line in out.splitlines()
            if line.strip().startswith("Session:")]
    assert sids, out
    for sid in sids:
        target.server.adm("--op", "delete", "--mode", "conn", "--tid", target.tid,
                          "--sid", sid, "--cid", 0)
    # the refresh notices the dead session and logs in again
    end = time.monotonic() + 5
    while target.server.sessions(target) and time.monotonic() < end:
        time.sleep(0.05)
    ok(virsh("pool-refresh", pool))
    assert vol_names(virsh, pool) == ["unit:0:0:1", "unit:0:0:2"]
    assert target.server.sessions(target) == 1
