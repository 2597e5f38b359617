# SPDX-License-Identifier: LGPL-2.1-or-later
"""gluster pools against a real Gluster volume (tests/servers/gluster-up.sh,
glusterhelpers.py), through libgfapi, ours and stock: the guide's pool
steps with virsh (pool-define-as, start, info with the volume's sizes,
volumes listed as gluster:// URIs with their formats, a subdirectory,
refresh, destroy, undefine), entries that are no volume, one connection
per active pool, and a pool's bad input (unknown host, missing and
stopped volume, missing subdirectory, a silent server, the volume's
brick killed while the pool is active).  Each test has a volume of its
own (gluster_volume); files are put into it through a FUSE mount
(glusterhelpers.FuseMount), as a client would.

Stock libvirt 9.0 connects for every call and glfs_fini takes about ten
seconds each time: its runs are kept to the scenarios both must pass."""

import os
import subprocess
import time

import pytest

from conftest import own_daemon_of
from glusterhelpers import FuseMount
from poolhelpers import fails, ok, parse_info, pool_list, xml_attr, xml_text

MiB = 1024 * 1024

# a start that fails against a server that answers (or a name that does
# not resolve) fails in well under this
START_BOUND = 20
# VIR_STORAGE_GLUSTER_CONNECT_TIME_LIMIT, and what a silent server may take
CONNECT_LIMIT = 10
SILENT_BOUND = CONNECT_LIMIT + 10


def define_as(virsh, name, host, volume, subdir=None):
    """The guide's pool-define-as for a gluster pool."""
    args = ["pool-define-as", name, "gluster", "--source-host", host,
            "--source-name", volume]
    if subdir:
        args += ["--source-path", subdir]
    return virsh(*args)


def vol_names(virsh, pool):
    return sorted(line.split()[0] for line in
                  ok(virsh("-q", "vol-list", pool)).splitlines() if line.strip())


def vol_paths(virsh, pool):
    return dict(line.split(None, 1) for line in
                ok(virsh("-q", "vol-list", pool)).splitlines() if line.strip())


def nbytes(field):
    return int(field.split()[0])


@pytest.fixture
def volume_files(gluster_server, gluster_volume, tmp_path):
    """The test's volume mounted through FUSE (a FuseMount)."""
    with FuseMount(gluster_server, gluster_volume, tmp_path / "fuse") as m:
        yield m


def qemu_img(*args):
    subprocess.run(["qemu-img"] + [str(a) for a in args], check=True,
                   capture_output=True, timeout=60)


# ------------------------------------------------------ the guide's steps

def test_define_as_start_info_volumes_destroy(virsh, gluster_server, gluster_volume,
                                              volume_files):
    host = gluster_server.host
    qemu_img("create", "-f", "raw", volume_files.file("a.img"), "8M")
    qemu_img("create", "-f", "qcow2", volume_files.file("b.qcow2"), "16M")
    os.mkdir(volume_files.file("isos"))

    assert "Pool glpool defined" in ok(define_as(virsh, "glpool", host, gluster_volume))
    assert pool_list(virsh)["glpool"] == ("inactive", "no")
    xml = ok(virsh("pool-dumpxml", "glpool"))
    assert xml_attr(xml, "source/host", "name") == host
    assert xml_text(xml, "source/name") == gluster_volume

    assert "Pool glpool started" in ok(virsh("pool-start", "glpool"))
    assert pool_list(virsh)["glpool"] == ("active", "no")
    info = parse_info(ok(virsh("pool-info", "--bytes", "glpool")))
    assert info["State"] == "running"
    # one brick: the volume's sizes are those of the brick's file system
    st = os.statvfs(gluster_server.brick_path(gluster_volume))
    capacity = nbytes(info["Capacity"])
    assert abs(capacity - st.f_frsize * st.f_blocks) < 64 * MiB
    assert nbytes(info["Allocation"]) + nbytes(info["Available"]) == capacity

    assert vol_names(virsh, "glpool") == ["a.img", "b.qcow2", "isos"]
    paths = vol_paths(virsh, "glpool")
    for name in ("a.img", "b.qcow2", "isos"):
        assert paths[name] == "gluster://%s/%s/%s" % (host, gluster_volume, name)

    xml = ok(virsh("vol-dumpxml", "--pool", "glpool", "b.qcow2"))
    assert xml_attr(xml, ".", "type") == "network"
    assert xml_text(xml, "key") == "gluster://%s/%s/b.qcow2" % (host, gluster_volume)
    assert xml_attr(xml, "target/format", "type") == "qcow2"
    assert int(xml_text(xml, "capacity")) == 16 * MiB
    xml = ok(virsh("vol-dumpxml", "--pool", "glpool", "a.img"))
    assert xml_attr(xml, "target/format", "type") == "raw"
    assert int(xml_text(xml, "capacity")) == 8 * MiB
    assert xml_attr(ok(virsh("vol-dumpxml", "--pool", "glpool", "isos")),
                    ".", "type") == "netdir"

    # files made and removed behind the pool show at the next refresh
    os.unlink(volume_files.file("a.img"))
    qemu_img("create", "-f", "raw", volume_files.file("c.img"), "1M")
    ok(virsh("pool-refresh", "glpool"))
    assert vol_names(virsh, "glpool") == ["b.qcow2", "c.img", "isos"]

    assert "Pool glpool destroyed" in ok(virsh("pool-destroy", "glpool"))
    assert pool_list(virsh)["glpool"] == ("inactive", "no")
    assert "Pool glpool has been undefined" in ok(virsh("pool-undefine", "glpool"))
    # the files stay in the volume
    assert sorted(os.listdir(volume_files.path)) == ["b.qcow2", "c.img", "isos"]


def test_subdirectory(virsh, gluster_server, gluster_volume, volume_files):
    host = gluster_server.host
    os.makedirs(volume_files.file("vms/prod"))
    qemu_img("create", "-f", "raw", volume_files.file("vms/prod/d.img"), "2M")
    qemu_img("create", "-f", "raw", volume_files.file("top.img"), "2M")

    ok(define_as(virsh, "glsub", host, gluster_volume, "/vms/prod/"))
    ok(virsh("pool-start", "glsub"))
    assert vol_paths(virsh, "glsub") == {
        "d.img": "gluster://%s/%s/vms/prod/d.img" % (host, gluster_volume)}


# ------------------------------------------------------------ bad input

def start_fails(virsh, name, host, volume, *words, subdir=None):
    """Define @name on @host/@volume and start it: it must fail within
    START_BOUND seconds with an error holding @words and leave the pool
    inactive; returns the error."""
    ok(define_as(virsh, name, host, volume, subdir))
    started = time.monotonic()
    err = fails(virsh("pool-start", name), *words)
    took = time.monotonic() - started
    print("pool-start: %.1f s: %s" % (took, err.strip()))
    assert took < START_BOUND, "pool-start took %.1f s" % took
    assert pool_list(virsh)[name] == ("inactive", "no")
    return err


def test_start_unknown_host(virsh, gluster_volume):
    start_fails(virsh, "glnohost", "nohost.invalid", gluster_volume, "nohost.invalid")


def test_start_missing_volume(virsh, gluster_server):
    start_fails(virsh, "glnovol", gluster_server.host, "nosuchvolume", "nosuchvolume")


def test_start_stopped_volume(virsh, gluster_server, gluster_volume):
    gluster_server.stop_volume(gluster_volume)
    start_fails(virsh, "glstopped", gluster_server.host, gluster_volume, gluster_volume)


def test_start_missing_subdirectory(virsh, gluster_server, gluster_volume):
    start_fails(virsh, "glnosub", gluster_server.host, gluster_volume, "/nosuchdir",
                "/nosuchdir", subdir="/nosuchdir")


# ------------------------------------------- entries that are no volume

def write_qcow2_cluster_bits(path, bits):
    """A qcow2 image whose header claims clusters of 2^@bits bytes."""
    qemu_img("create", "-f", "qcow2", path, "4M")
    with open(path, "r+b") as f:
        f.seek(20)
        f.write(bits.to_bytes(4, "big"))


@pytest.mark.ours_only
def test_entries_that_are_no_volume_are_skipped(virsh, daemon, gluster_server,
                                                gluster_volume, volume_files):
    """Links (to a file or dangling), a FIFO and a qcow2 header that does
    not hold together are skipped, each with its reason in the log; the
    pool starts and lists the rest.  Ours only: stock follows the links
    (within the volume) and opens the FIFO on the brick, whose open blocks
    the brick's I/O thread until a writer comes."""
    qemu_img("create", "-f", "raw", volume_files.file("good.img"), "1M")
    os.symlink("good.img", volume_files.file("link.img"))
    os.symlink("nowhere.img", volume_files.file("dangling.img"))
    os.mkfifo(volume_files.file("fifo.img"))
    write_qcow2_cluster_bits(volume_files.file("bad.qcow2"), 30)

    ok(define_as(virsh, "glbroken", gluster_server.host, gluster_volume))
    started = time.monotonic()
    ok(virsh("pool-start", "glbroken"))
    assert time.monotonic() - started < 5
    assert vol_names(virsh, "glbroken") == ["good.img"]
    with open(daemon.log) as f:
        log = f.read()
    for name, reason in (("link.img", "a symbolic link"),
                         ("dangling.img", "a symbolic link"),
                         ("fifo.img", "neither a file nor a directory"),
                         ("bad.qcow2", "whose image header does not hold together")):
        assert "gluster pool 'glbroken': skipping '%s', %s" % (name, reason) in log, name


@pytest.mark.stock_differs("gluster-backing-uri",
                           reason="stock shows a relative backing file name as the "
                                  "header gives it, not the URI qemu opens")
def test_backing_store_is_the_uri_qemu_opens(virsh, gluster_server, gluster_volume,
                                             volume_files):
    qemu_img("create", "-f", "qcow2", volume_files.file("base.qcow2"), "8M")
    qemu_img("create", "-f", "qcow2", "-F", "qcow2", "-b", "base.qcow2",
             volume_files.file("top.qcow2"))
    ok(define_as(virsh, "glback", gluster_server.host, gluster_volume))
    ok(virsh("pool-start", "glback"))
    xml = ok(virsh("vol-dumpxml", "--pool", "glback", "top.qcow2"))
    assert xml_attr(xml, "target/format", "type") == "qcow2"
    assert int(xml_text(xml, "capacity")) == 8 * MiB
    assert xml_text(xml, "backingStore/path") == \
        "gluster://%s/%s/base.qcow2" % (gluster_server.host, gluster_volume)
    assert xml_attr(xml, "backingStore/format", "type") == "qcow2"


# ------------------------------------------- one connection per pool

def daemon_connections(daemon, host):
    """Local ports of the daemon's established TCP connections to @host."""
    out = subprocess.run(["ss", "-Htnp", "state", "established", "dst", host],
                         capture_output=True, text=True, check=True, timeout=30).stdout
    tag = "pid=%d," % daemon.pid
    return sorted(line.split()[2] for line in out.splitlines() if tag in line)


@pytest.mark.stock_differs("gluster-one-connection",
                           reason="stock connects for every call and disconnects after it")
def test_one_connection_kept_while_active(virsh, daemon, gluster_server, gluster_volume,
                                          volume_files):
    """pool-start connects once; refreshes use that connection; pool-destroy
    returns at once and the connection is closed in the background (never
    leaked)."""
    qemu_img("create", "-f", "raw", volume_files.file("a.img"), "1M")
    host = gluster_server.host
    ok(define_as(virsh, "glconn", host, gluster_volume))
    ok(virsh("pool-start", "glconn"))
    first = daemon_connections(daemon, host)
    assert first, "no connection to %s while the pool is active" % host
    for _ in range(3):
        started = time.monotonic()
        ok(virsh("pool-refresh", "glconn"))
        assert time.monotonic() - started < 1
    assert daemon_connections(daemon, host) == first

    started = time.monotonic()
    ok(virsh("pool-destroy", "glconn"))
    assert time.monotonic() - started < 1
    # glfs_fini takes about ten seconds, off the caller's path
    end = time.monotonic() + 30
    while daemon_connections(daemon, host) and time.monotonic() < end:
        time.sleep(0.2)
    assert daemon_connections(daemon, host) == [], "the connection was never released"


@pytest.fixture
def own_daemon(backend):
    """A daemon of this test only (it is restarted, or a call may hang)."""
    yield from own_daemon_of(backend)


def own_virsh(daemon, *args, timeout=60):
    run = subprocess.run(["virsh", "-c", daemon.uri] + list(args),
                         capture_output=True, text=True, timeout=timeout)
    return run.returncode, run.stdout, run.stderr


def test_pool_active_after_daemon_restart(own_daemon, gluster_server, gluster_volume,
                                          volume_files):
    """A pool active when the daemon restarts is active after it, with its
    volumes (ours connects again in checkPool)."""
    qemu_img("create", "-f", "raw", volume_files.file("kept.img"), "2M")
    ok(own_virsh(own_daemon, "pool-define-as", "glrestart", "gluster", "--source-host",
                 gluster_server.host, "--source-name", gluster_volume))
    ok(own_virsh(own_daemon, "pool-start", "glrestart"))
    own_daemon.restart()
    info = parse_info(ok(own_virsh(own_daemon, "pool-info", "glrestart")))
    assert info["State"] == "running"
    assert ok(own_virsh(own_daemon, "-q", "vol-list", "glrestart")).split()[0] == "kept.img"
    ok(own_virsh(own_daemon, "pool-refresh", "glrestart"))


# ------------------------------------------------ servers that fail

@pytest.mark.stock_differs("gluster-silent-server",
                           reason="stock's glfs_init waits for a glusterd that never "
                                  "answers with no limit of its own")
def test_start_against_silent_server_is_bounded(own_daemon, silent_glusterd):
    ok(own_virsh(own_daemon, "pool-define-as", "glsilent", "gluster", "--source-host",
                 silent_glusterd, "--source-name", "gv0"))
    started = time.monotonic()
    try:
        err = fails(own_virsh(own_daemon, "pool-start", "glsilent", timeout=SILENT_BOUND),
                    silent_glusterd, "'gv0'",
                    "did not serve volume 'gv0' within %d seconds" % CONNECT_LIMIT)
    except subprocess.TimeoutExpired:
        pytest.fail("pool-start did not return within %d s" % SILENT_BOUND, pytrace=False)
    print("pool-start: %.1f s: %s" % (time.monotonic() - started, err.strip()))
    # the daemon still answers, and the pool is inactive
    assert "inactive" in parse_info(ok(own_virsh(own_daemon, "pool-info", "glsilent",
                                                 timeout=10)))["State"]


def test_refresh_with_brick_killed_fails_then_restarts(virsh, gluster_server, gluster_volume,
                                                       volume_files):
    """The volume's brick stopped while the pool is active: a refresh fails
    at once naming the host and the volume (and the driver stops the
    pool); once the brick is back, the pool starts again."""
    qemu_img("create", "-f", "raw", volume_files.file("a.img"), "1M")
    host = gluster_server.host
    ok(define_as(virsh, "glkilled", host, gluster_volume))
    ok(virsh("pool-start", "glkilled"))
    gluster_server.stop_volume(gluster_volume)
    started = time.monotonic()
    fails(virsh("pool-refresh", "glkilled"), host, gluster_volume)
    assert time.monotonic() - started < START_BOUND
    assert pool_list(virsh)["glkilled"] == ("inactive", "no")

    gluster_server.start_volume(gluster_volume)
    ok(virsh("pool-start", "glkilled"))
    assert vol_names(virsh, "glkilled") == ["a.img"]


# ------------------------------------------------------- source discovery

def test_find_sources_lists_the_volumes(virsh, gluster_server, gluster_volume, tmp_path):
    """find-storage-pool-sources gluster: gluster --xml volume info of the
    server, one source per volume with <name> and <dir path='/'/>."""
    spec = tmp_path / "source.xml"
    spec.write_text("<source><host name='%s'/></source>" % gluster_server.host)
    out = ok(virsh("find-storage-pool-sources", "gluster", str(spec)))
    for volume in (gluster_server.volume, gluster_volume):
        assert "<name>%s</name>" % volume in out, out
    assert "<dir path='/'/>" in out
    assert "<host name='%s'/>" % gluster_server.host in out
    out = ok(virsh("find-storage-pool-sources-as", "gluster", gluster_server.host))
    assert "<name>%s</name>" % gluster_volume in out
