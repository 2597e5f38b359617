# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fixtures of the integration suites.

Two isolated libvirtd daemons run for the whole session, the same Debian
binary in both: one loads OUR storage backend modules (the build dir,
$LVSB_BUILD_DIR/src/storage, default build/), the other the STOCK ones.
Every test that uses the `backend`, `daemon`, `conn` or `virsh` fixtures
runs once against each ("ours" and "stock").

A deliberate difference with stock is declared with

    @pytest.mark.stock_differs("parity-id", reason="...")

which makes the stock run a strict xfail (it must fail) and requires the
id to be listed in docs/parity.md.  @pytest.mark.ours_only drops the stock
run altogether (for checks of our build itself).
"""

import os
import re
import subprocess

import libvirt
import pytest

import cephhelpers
import poolhelpers
import sanitizer
from testdaemon import STOCK_BACKEND_DIR, TestDaemon

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_DIR = os.path.abspath(os.environ.get("LVSB_BUILD_DIR", os.path.join(TOP, "build")))
OUR_BACKEND_DIR = os.path.join(BUILD_DIR, "src", "storage")
PARITY_DOC = os.path.join(TOP, "docs", "parity.md")
BACKEND_DIRS = {"ours": OUR_BACKEND_DIR, "stock": STOCK_BACKEND_DIR}

# libvirt's default handler prints every error on stderr
libvirt.registerErrorHandler(lambda ctx, err: None, None)

# the test Gluster server and a volume per test (glusterhelpers.py)
from glusterhelpers import gluster_server, gluster_volume, silent_glusterd  # noqa: E402,F401
# the daemon with the qemu driver and libvirt-dbus of the client suites
from clienthelpers import (libvirt_dbus, libvirt_dbus_root, qemu_conn,  # noqa: E402,F401
                           qemu_daemon, qemu_daemons)
# the test iSCSI target server and targets per test (tgthelpers.py)
from tgthelpers import tgt_server, tgt_target, tgt_target_factory  # noqa: E402,F401


def pytest_configure(config):
    if os.geteuid() != 0:
        raise pytest.UsageError("the integration tests start their own libvirtd: run them as root")
    # ASan and UBSan reports of a sanitized build (sanitizer.py)
    os.environ.setdefault(sanitizer.LOG_DIR_ENV, os.path.join(BUILD_DIR, "sanitizer-logs"))
    if not hasattr(config, "workerinput"):
        sanitizer.reset()


@pytest.fixture(autouse=True)
def sanitizer_reports():
    """Fails the test during which a sanitizer wrote a report (only a
    build with -Db_sanitize writes any)."""
    before = set(sanitizer.reports())
    yield
    new = {p: t for p, t in sanitizer.reports().items() if p not in before}
    if new:
        pytest.fail("sanitizer report(s) written during this test:\n"
                    + sanitizer.format_reports(new), pytrace=False)


def pytest_sessionfinish(session, exitstatus):
    found = sanitizer.reports()
    if found:
        session.config.get_terminal_writer().line(
            "sanitizer reports of this session:\n" + sanitizer.format_reports(found),
            red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _parity_ids():
    try:
        with open(PARITY_DOC) as f:
            return set(re.findall(r"`([a-z0-9][a-z0-9-]*)`", f.read()))
    except OSError:
        return set()


# LVSB_BACKENDS=ours runs only our side (e.g. a sanitized build's
# modules alone: the stock ones are not sanitized).
BACKENDS = os.environ.get("LVSB_BACKENDS", "ours,stock").split(",")


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        kinds = ["ours"] if metafunc.definition.get_closest_marker("ours_only") \
            else ["ours", "stock"]
        kinds = [k for k in kinds if k in BACKENDS]
        metafunc.parametrize("backend", kinds, indirect=True)


def pytest_collection_modifyitems(config, items):
    ids = _parity_ids()
    for item in items:
        marker = item.get_closest_marker("stock_differs")
        callspec = getattr(item, "callspec", None)
        # An id missing from docs/parity.md must fail the stock side too
        # (pytest_runtest_setup): an xfail mark would swallow that failure.
        if marker and marker.args and marker.args[0] in ids and \
           callspec and callspec.params.get("backend") == "stock":
            reason = marker.kwargs.get("reason", marker.args[1] if len(marker.args) > 1 else "")
            item.add_marker(pytest.mark.xfail(
                strict=True, reason="stock differs (docs/parity.md %s): %s"
                % (marker.args[0] if marker.args else "?", reason)))


def pytest_runtest_setup(item):
    marker = item.get_closest_marker("stock_differs")
    if marker:
        if not marker.args:
            pytest.fail("stock_differs needs a parity id listed in docs/parity.md",
                        pytrace=False)
        if marker.args[0] not in _parity_ids():
            pytest.fail("stock_differs id `%s` is not listed in docs/parity.md"
                        % marker.args[0], pytrace=False)


# --------------------------------------------------------------------- daemons

class _Daemons:
    """The session's daemons, started on first use, restarted if one died."""

    def __init__(self):
        self.running = {}

    def get(self, kind):
        daemon = self.running.get(kind)
        if daemon is not None and daemon.proc.poll() is None:
            return daemon
        if daemon is not None:
            daemon.stop()       # its namespace holder
        if kind == "ours" and not os.path.exists(
                os.path.join(OUR_BACKEND_DIR, "libvirt_storage_backend_fs.so")):
            pytest.fail("our modules are not built in %s (run ninja -C %s)"
                        % (OUR_BACKEND_DIR, BUILD_DIR), pytrace=False)
        daemon = TestDaemon(BACKEND_DIRS[kind])
        daemon.kind = kind
        try:
            daemon.start()
            # the storage driver initialises after the socket appears
            conn = libvirt.open(daemon.uri)
            conn.listAllStoragePools()
            conn.close()
        except Exception as e:
            tail = daemon.tail()
            daemon.stop()
            pytest.fail("cannot start libvirtd with the %s modules: %s\n%s"
                        % (kind, e, tail), pytrace=False)
        self.running[kind] = daemon
        return daemon

    def stop_all(self):
        for daemon in self.running.values():
            poolhelpers.cleanup_pools(daemon.uri)
            daemon.stop()
        self.running.clear()


def own_daemon_of(backend, env=None):
    """For a fixture (`yield from own_daemon_of(backend)`): a daemon of one
    test only, with the @backend modules and @env added to its
    environment; what the test mounts in its namespace goes with it."""
    d = TestDaemon(BACKEND_DIRS[backend], env=env)
    d.start()
    try:
        conn = libvirt.open(d.uri)
        conn.listAllStoragePools()
        conn.close()
        yield d
    finally:
        if d.proc.poll() is None:
            poolhelpers.cleanup_pools(d.uri)
        d.stop()


@pytest.fixture(scope="session")
def daemons():
    d = _Daemons()
    try:
        yield d
    finally:
        d.stop_all()


@pytest.fixture
def backend(request):
    """'ours' or 'stock': which modules serve this run of the test."""
    return request.param


@pytest.fixture
def daemon(backend, daemons):
    """The isolated libvirtd of this run; every pool left is removed after
    the test, and a daemon that died during the test is reported."""
    d = daemons.get(backend)
    try:
        yield d
    finally:
        if d.proc.poll() is not None:
            raise RuntimeError("libvirtd (%s modules) died during the test:\n%s"
                               % (backend, d.tail()))
        if poolhelpers.cleanup_pools(d.uri):
            # a pool that cannot be stopped (its devices are gone) would
            # stand in the way of the next tests: they get a fresh daemon
            d.stop()


@pytest.fixture
def conn(daemon):
    """A python3-libvirt connection to the test daemon."""
    c = libvirt.open(daemon.uri)
    try:
        yield c
    finally:
        try:
            c.close()
        except libvirt.libvirtError:
            pass


@pytest.fixture
def virsh(daemon):
    """virsh(*args) -> (rc, stdout, stderr), connected to the test daemon."""
    def run(*args, input=None):
        res = subprocess.run(["virsh", "-c", daemon.uri] + [str(a) for a in args],
                             capture_output=True, text=True, input=input, timeout=300)
        return res.returncode, res.stdout, res.stderr
    return run


@pytest.fixture
def target(tmp_path):
    """A pool target path that does not exist yet."""
    return str(tmp_path / "guest_images")


@pytest.fixture
def loop_factory(daemon, tmp_path):
    """make(size_mb=512, fstype=None) -> a fresh /dev/loopN on a sparse image,
    optionally formatted.  After the test: the pools are removed, whatever
    is left mounted from the device in the daemon's namespace is unmounted,
    and the device is detached (only the ones created here)."""
    made = []

    def make(size_mb=512, fstype=None):
        dev = poolhelpers.LoopDevice(str(tmp_path / ("loop%d.img" % len(made))), size_mb)
        made.append(dev)
        if fstype:
            poolhelpers.mkfs(dev.path, fstype)
        return dev.path

    try:
        yield make
    finally:
        poolhelpers.cleanup_pools(daemon.uri)
        for dev in made:
            try:
                if dev.path:
                    poolhelpers.unmount_device(daemon, dev.path)
            finally:
                dev.detach()


@pytest.fixture
def loopdev(loop_factory):
    """A blank 512 MiB loop device."""
    return loop_factory()


def expect_error(exc_info, *codes):
    """Assert a libvirtError carries one of @codes; returns its message."""
    err = exc_info.value
    assert err.get_error_code() in codes, (
        "expected error code %s, got %d: %s" % (codes, err.get_error_code(), err))
    return str(err)


# ------------------------------------------------------------------ ceph (rbd)

@pytest.fixture(scope="session")
def ceph_cluster():
    """The test Ceph cluster (cephhelpers.Cluster): the one of
    $LVSB_CEPH_ENV (build-aux/run-tests.sh), or one started for this
    session on a random 127.x.y.z and stopped at its end."""
    yield from cephhelpers.CEPH.session_fixture()


@pytest.fixture
def secret_conn(daemon):
    """A connection to the secret driver of this run's daemon."""
    c = libvirt.open(cephhelpers.secret_uri(daemon))
    try:
        yield c
    finally:
        try:
            c.close()
        except libvirt.libvirtError:
            pass


@pytest.fixture
def ceph_secret(secret_conn, ceph_cluster):
    """The libvirt secret of usage cephhelpers.SECRET_USAGE (uuid
    SECRET_UUID) holding the cluster's client.admin key, defined in this
    run's daemon (removed after the test)."""
    secret = cephhelpers.define_secret(secret_conn, ceph_cluster)
    try:
        yield secret
    finally:
        try:
            secret.undefine()
        except libvirt.libvirtError:
            pass


@pytest.fixture
def rados_pool_factory(daemon, ceph_cluster):
    """make() -> the name of a new RADOS pool of this test, initialized
    for rbd.  After the test, the daemon's pools are removed, then these
    RADOS pools with their images."""
    made = []

    def make():
        name = ceph_cluster.make_pool()
        made.append(name)
        return name

    try:
        yield make
    finally:
        poolhelpers.cleanup_pools(daemon.uri)
        for name in made:
            ceph_cluster.remove_pool(name)


@pytest.fixture
def rados_pool(rados_pool_factory):
    """A RADOS pool of this test only (its name), initialized for rbd."""
    return rados_pool_factory()
