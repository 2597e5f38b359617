# SPDX-License-Identifier: LGPL-2.1-or-later
"""rbd pools against the real test cluster: what a refresh shows (real
allocation, many images, an image removed behind the pool's back), the
pool's sizes, a silent monitor at start, a stop while a refresh runs
(issue 9, item 2).

Images are made and removed with python3-rbd on a RADOS pool of the test
only (the rados_pool fixture), never through the pool under test.
"""

import random
import threading
import time
import xml.etree.ElementTree as ET

import libvirt
import pytest
import rados
import rbd

import cephhelpers
import serverhelpers
from conftest import expect_error, own_daemon_of

MiB = 1024 * 1024

# VIR_STORAGE_RBD_CONNECT_TIME_LIMIT (storage_rbd_cluster.h)
CONNECT_LIMIT = 10
# what a start against a silent monitor may take, all told
SILENT_BOUND = 25
# a client call that does not return within this is a hung daemon
CALL_BOUND = 120


@pytest.fixture
def ioctx(ceph_cluster, rados_pool):
    """A librados I/O context on the test's RADOS pool (admin key)."""
    cluster = rados.Rados(conffile=ceph_cluster.conf)
    cluster.connect(timeout=30)
    try:
        io = cluster.open_ioctx(rados_pool)
        try:
            yield io
        finally:
            io.close()
    finally:
        cluster.shutdown()


def create_image(io, name, size, features=None):
    kw = {"old_format": False}
    if features is not None:
        kw["features"] = features
    rbd.RBD().create(io, name, size, **kw)


def write_image(io, name, offset, data):
    with rbd.Image(io, name) as image:
        image.write(data, offset)


def start_pool(conn, ceph_cluster, rados_pool, name="rbdpool", extra=""):
    xml = cephhelpers.rbd_pool_xml(name, ceph_cluster, rados_pool)
    if extra:
        xml = xml.replace("</pool>", extra + "</pool>")
    pool = conn.storagePoolDefineXML(xml, 0)
    pool.create(0)
    return pool


def volumes(pool):
    """name -> (capacity, allocation, key, path, type, format)."""
    vols = {}
    for vol in pool.listAllVolumes(0):
        tree = ET.fromstring(vol.XMLDesc(0))
        vtype, capacity, allocation = vol.info()
        fmt = tree.find("target/format")
        vols[vol.name()] = (capacity, allocation, vol.key(), vol.path(),
                            tree.get("type"), fmt.get("type") if fmt is not None else None)
    return vols


@pytest.mark.stock_differs("rbd-allocation",
                           reason="stock shows every image's capacity as its allocation")
def test_refresh_reports_real_allocation(conn, ceph_cluster, ceph_secret, rados_pool, ioctx):
    """An image with fast-diff (the object map) and one without it, each
    64 MiB with one 4 MiB object written, and an empty one: allocation is
    what the cluster holds (whole objects), capacity the image's size."""
    create_image(ioctx, "fastdiff", 64 * MiB)
    create_image(ioctx, "plain", 64 * MiB, features=rbd.RBD_FEATURE_LAYERING)
    create_image(ioctx, "empty", 64 * MiB)
    write_image(ioctx, "fastdiff", 8 * MiB, b"\x01" * MiB)
    write_image(ioctx, "plain", 8 * MiB, b"\x02" * MiB)

    with rbd.Image(ioctx, "fastdiff") as image:
        assert image.features() & rbd.RBD_FEATURE_FAST_DIFF

    pool = start_pool(conn, ceph_cluster, rados_pool)
    vols = volumes(pool)
    assert sorted(vols) == ["empty", "fastdiff", "plain"]
    for name in vols:
        assert vols[name][0] == 64 * MiB, name
    assert vols["fastdiff"][1] == 4 * MiB
    assert vols["plain"][1] == 4 * MiB
    assert vols["empty"][1] == 0


def test_refresh_allocation_capacity_when_asked(conn, ceph_cluster, ceph_secret,
                                                rados_pool, ioctx):
    """<refresh><volume allocation='capacity'/></refresh> shows capacity as
    allocation, as libvirt 9.0 does."""
    create_image(ioctx, "img", 32 * MiB)
    write_image(ioctx, "img", 0, b"\x01" * MiB)
    pool = start_pool(conn, ceph_cluster, rados_pool,
                      extra="<refresh><volume allocation='capacity'/></refresh>")
    vols = volumes(pool)
    assert vols["img"][:2] == (32 * MiB, 32 * MiB)


def test_volumes_shown_as_libvirt_shows_them(conn, ceph_cluster, ceph_secret, rados_pool, ioctx):
    """Name, key and path 'RADOSPOOL/IMAGE', type network, format raw."""
    create_image(ioctx, "disk0", 16 * MiB)
    pool = start_pool(conn, ceph_cluster, rados_pool)
    vols = volumes(pool)
    want = "%s/disk0" % rados_pool
    assert vols["disk0"][2:] == (want, want, "network", "raw")
    assert pool.storageVolLookupByName("disk0").key() == want
    assert conn.storageVolLookupByKey(want).name() == "disk0"


def test_pool_sizes_from_cluster(conn, ceph_cluster, ceph_secret, rados_pool, ioctx):
    """Capacity and available are the cluster's raw space (rados_cluster_stat,
    as `ceph df` shows it), allocation the bytes of the RADOS pool."""
    pool = start_pool(conn, ceph_cluster, rados_pool)
    state, capacity, allocation, available = pool.info()
    assert state == libvirt.VIR_STORAGE_POOL_RUNNING
    stats = ceph_cluster.ceph("df", "--format", "json").stdout
    import json
    total = json.loads(stats)["stats"]["total_bytes"]
    assert capacity == total
    assert 0 < available <= capacity


@pytest.mark.stock_differs("rbd-allocation",
                           reason="stock shows every image's capacity as its allocation")
def test_refresh_of_hundreds_of_images(conn, ceph_cluster, ceph_secret, rados_pool, ioctx):
    """300 images of different sizes, some written: every one listed once,
    with its own capacity and allocation, after start and after a refresh
    with 50 more."""
    rng = random.Random(9)
    want = {}
    for i in range(300):
        name = "img-%03d" % i
        size = rng.randint(1, 64) * MiB
        create_image(ioctx, name, size)
        want[name] = size
    written = sorted(want)[::37]
    for name in written:
        write_image(ioctx, name, 0, b"\x05" * 4096)

    pool = start_pool(conn, ceph_cluster, rados_pool)
    vols = volumes(pool)
    assert sorted(vols) == sorted(want)
    for name, size in want.items():
        assert vols[name][0] == size, name
        assert vols[name][1] == (min(size, 4 * MiB) if name in written else 0), name

    for i in range(300, 350):
        name = "img-%03d" % i
        create_image(ioctx, name, MiB)
        want[name] = MiB
    pool.refresh(0)
    vols = volumes(pool)
    assert sorted(vols) == sorted(want)
    assert vols["img-349"][0] == MiB


def test_image_removed_behind_the_pool(conn, ceph_cluster, ceph_secret, rados_pool, ioctx):
    """An image removed outside libvirt is gone after the next refresh; the
    others stay."""
    for name in ("keep", "gone"):
        create_image(ioctx, name, 8 * MiB)
    pool = start_pool(conn, ceph_cluster, rados_pool)
    assert sorted(volumes(pool)) == ["gone", "keep"]

    rbd.RBD().remove(ioctx, "gone")
    pool.refresh(0)
    assert sorted(volumes(pool)) == ["keep"]
    with pytest.raises(libvirt.libvirtError) as exc:
        pool.storageVolLookupByName("gone")
    expect_error(exc, libvirt.VIR_ERR_NO_STORAGE_VOL)


def test_images_removed_while_refresh_reads_them(conn, ceph_cluster, ceph_secret,
                                                 rados_pool, ioctx):
    """Images removed while refreshes list and read the pool are left out,
    never an error: every refresh succeeds and lists only images that
    exist or existed during it."""
    names = ["r-%03d" % i for i in range(200)]
    for name in names:
        create_image(ioctx, name, MiB)
    pool = start_pool(conn, ceph_cluster, rados_pool)

    errors = []
    done = threading.Event()

    def refresher():
        while not done.is_set():
            try:
                pool.refresh(0)
                listed = set(pool.listVolumes())
                if not listed <= set(names):
                    errors.append("unknown images listed: %s" % (listed - set(names)))
            except libvirt.libvirtError as e:
                errors.append(str(e))

    thread = threading.Thread(target=refresher)
    thread.start()
    try:
        for name in names[::2]:
            rbd.RBD().remove(ioctx, name)
    finally:
        done.set()
        thread.join(CALL_BOUND)
    assert not thread.is_alive(), "pool-refresh did not return"
    assert not errors, errors[:3]
    pool.refresh(0)
    assert sorted(volumes(pool)) == names[1::2]


@pytest.fixture
def silent_monitor():
    """A TCP listener on a random loopback address 127.x.y.z that takes
    connections (the kernel completes them) and never answers; yields
    (host, port)."""
    with serverhelpers.silent_server(6789) as host:
        yield host, 6789


@pytest.mark.stock_differs("rbd-silent-monitor",
                           reason="stock waits 30 s (its client_mount_timeout) and only at refresh")
def test_start_with_silent_monitor_is_bounded(conn, ceph_cluster, ceph_secret, silent_monitor):
    """A monitor that takes the connection and never answers: pool-start
    fails within the connect limit, naming the host, and the pool stays
    inactive."""
    host, port = silent_monitor
    xml = cephhelpers.rbd_pool_xml("silent", ceph_cluster, "rbd", hosts=[(host, port)])
    pool = conn.storagePoolDefineXML(xml, 0)
    start = time.monotonic()
    with pytest.raises(libvirt.libvirtError) as exc:
        pool.create(0)
    elapsed = time.monotonic() - start
    msg = expect_error(exc, libvirt.VIR_ERR_OPERATION_TIMEOUT, libvirt.VIR_ERR_OPERATION_FAILED)
    assert host in msg
    assert CONNECT_LIMIT - 1 <= elapsed < SILENT_BOUND, elapsed
    assert not pool.isActive()


def test_start_with_missing_rados_pool(conn, ceph_cluster, ceph_secret):
    """A RADOS pool that does not exist: the message names it and says to
    create it."""
    xml = cephhelpers.rbd_pool_xml("nopool", ceph_cluster, "no-such-rados-pool")
    pool = conn.storagePoolDefineXML(xml, 0)
    with pytest.raises(libvirt.libvirtError) as exc:
        pool.create(0)
    msg = str(exc.value)
    assert "no-such-rados-pool" in msg
    assert not pool.isActive()


def test_stop_with_refresh_in_flight(conn, daemon, ceph_cluster, ceph_secret, rados_pool, ioctx):
    """pool-destroy while pool-refresh reads 200 images: both return, the
    pool is inactive, the daemon is alive and the pool starts again."""
    names = ["s-%03d" % i for i in range(200)]
    for name in names:
        create_image(ioctx, name, MiB)
    pool = start_pool(conn, ceph_cluster, rados_pool)

    results = {}

    def call(what, fn):
        try:
            fn()
            results[what] = None
        except libvirt.libvirtError as e:
            results[what] = e

    for _ in range(3):
        refresh_conn = libvirt.open(daemon.uri)
        try:
            rpool = refresh_conn.storagePoolLookupByName("rbdpool")
            refresh = threading.Thread(target=call, args=("refresh", lambda: rpool.refresh(0)))
            refresh.start()
            time.sleep(0.01)
            call("destroy", pool.destroy)
            refresh.join(CALL_BOUND)
            assert not refresh.is_alive(), "pool-refresh did not return"
        finally:
            refresh_conn.close()
        assert results["destroy"] is None, results["destroy"]
        # the refresh either ran before the destroy or found the pool inactive
        if results["refresh"] is not None:
            expect_error_code = results["refresh"].get_error_code()
            assert expect_error_code == libvirt.VIR_ERR_OPERATION_INVALID, results["refresh"]
        assert not pool.isActive()
        pool.create(0)
        assert sorted(volumes(pool)) == names


@pytest.mark.stock_differs("rbd-config-opts-host-files",
                           reason="stock passes any librados option, log_file too")
@pytest.mark.parametrize("option", ["log_file", "admin socket", "Keyring"])
def test_define_refuses_config_opt_naming_host_file(conn, option, tmp_path):
    """An <rbd:option> naming a host file is refused at define time; no
    pool is defined."""
    xml = ("<pool type='rbd' xmlns:rbd='http://libvirt.org/schemas/storagepool/rbd/1.0'>"
           "<name>hostfile</name><source><host name='127.0.0.1'/><name>rbd</name></source>"
           "<rbd:config_opts><rbd:option name='%s' value='%s'/></rbd:config_opts></pool>"
           % (option, tmp_path / "written-by-root"))
    with pytest.raises(libvirt.libvirtError) as exc:
        conn.storagePoolDefineXML(xml, 0)
    msg = expect_error(exc, libvirt.VIR_ERR_CONFIG_UNSUPPORTED)
    assert option in msg
    assert "hostfile" not in conn.listStoragePools() + conn.listDefinedStoragePools()


def test_start_with_several_monitors_one_dead(conn, ceph_cluster, ceph_secret, rados_pool, ioctx):
    """Several <host> monitors, the first on an address nothing listens on:
    librados finds the one that answers."""
    create_image(ioctx, "m", MiB)
    dead = serverhelpers.random_loopback(ports=(6789,))
    xml = cephhelpers.rbd_pool_xml("monitors", ceph_cluster, rados_pool,
                                   hosts=[(dead, 6789),
                                          (ceph_cluster.mon_host, ceph_cluster.mon_port)])
    pool = conn.storagePoolDefineXML(xml, 0)
    pool.create(0)
    assert pool.listVolumes() == ["m"]


@pytest.fixture
def own_daemon(backend):
    """A daemon of this test only (it is restarted)."""
    yield from own_daemon_of(backend)


@pytest.mark.stock_differs("rbd-active-after-restart",
                           reason="stock has no checkPool: an active rbd pool is inactive after a daemon restart")
def test_pool_active_after_daemon_restart(own_daemon, ceph_cluster, rados_pool, ioctx):
    """A pool active when the daemon restarts is connected again (checkPool)
    and refreshed: still active, with its volumes."""
    create_image(ioctx, "kept", 2 * MiB)
    conn = libvirt.open(own_daemon.uri)
    try:
        secret_conn = libvirt.open(cephhelpers.secret_uri(own_daemon))
        cephhelpers.define_secret(secret_conn, ceph_cluster)
        secret_conn.close()
        start_pool(conn, ceph_cluster, rados_pool)
    finally:
        conn.close()

    own_daemon.restart()
    conn = libvirt.open(own_daemon.uri)
    try:
        pool = conn.storagePoolLookupByName("rbdpool")
        assert pool.isActive()
        assert volumes(pool)["kept"][0] == 2 * MiB
    finally:
        conn.close()
