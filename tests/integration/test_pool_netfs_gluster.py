# SPDX-License-Identifier: LGPL-2.1-or-later
"""netfs pools of format glusterfs, against a real Gluster volume
(tests/servers/gluster-up.sh, glusterhelpers.py): the volume is mounted
through FUSE in the test daemon's private mount namespace (read from
/proc/<daemon pid>/mountinfo), volumes are files on the volume's brick.
Each test has a gluster volume of its own (gluster_volume), against our
module and the stock one.

The FUSE client of a mount (a glusterfs process, daemonized out of
mount's process group) must end with the pool: after pool-destroy and
after a failed pool-start, none serves the target any more."""

import hashlib
import os
import signal
import subprocess
import time

import pytest

from conftest import own_daemon_of
from glusterhelpers import client_processes, netfs_xml
from poolhelpers import cleanup_pools, fails, mount_at, ok, parse_info, pool_list

# a start that fails against a server that answers (or a name that does
# not resolve) fails in well under this
START_BOUND = 20


def wait_no_client(target, seconds=10):
    """The glusterfs clients still serving @target after up to @seconds."""
    end = time.monotonic() + seconds
    while True:
        left = client_processes(target)
        if not left or time.monotonic() > end:
            return left
        time.sleep(0.1)


def assert_nothing_left(daemon, target):
    assert mount_at(daemon, target) is None, "%s is still mounted" % target
    left = wait_no_client(target)
    assert left == [], "glusterfs clients %s still serve %s" % (left, target)


def define_gluster_pool(virsh, name, host, volume, target):
    ok(virsh("pool-define-as", name, "netfs", "--source-host", host,
             "--source-path", volume, "--source-format", "glusterfs",
             "--target", target))


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------ the seed's walk-through

def test_define_build_start_volumes_destroy(virsh, daemon, gluster_server, gluster_volume,
                                            target, tmp_path):
    host = gluster_server.host
    brick = gluster_server.brick_path(gluster_volume)
    define_gluster_pool(virsh, "glpool", host, gluster_volume, target)
    ok(virsh("pool-build", "glpool"))
    assert os.path.isdir(target)
    ok(virsh("pool-start", "glpool"))

    m = mount_at(daemon, target)
    assert m is not None, "%s is not mounted in the daemon's namespace" % target
    assert m["fstype"] == "fuse.glusterfs"
    assert m["source"].replace(":/", ":") == "%s:%s" % (host, gluster_volume)
    assert client_processes(target), "no glusterfs client serves %s" % target
    # in the daemon's private namespace only, not in the machine's
    with open("/proc/self/mountinfo") as f:
        assert " %s " % os.path.realpath(target) not in f.read()
    assert "running" in parse_info(ok(virsh("pool-info", "glpool")))["State"]

    # a raw volume is a file on the brick: this is the real volume
    ok(virsh("vol-create-as", "glpool", "a.img", "8M", "--format", "raw"))
    assert os.path.getsize(os.path.join(brick, "a.img")) == 8 << 20
    ok(virsh("vol-create-as", "glpool", "b.qcow2", "16M", "--format", "qcow2"))
    assert "<format type='qcow2'/>" in ok(virsh("vol-dumpxml", "--pool", "glpool", "b.qcow2"))
    listed = ok(virsh("vol-list", "glpool"))
    assert "a.img" in listed and "b.qcow2" in listed

    data = os.urandom(1 << 20)
    src = tmp_path / "up.bin"
    src.write_bytes(data)
    ok(virsh("vol-upload", "--pool", "glpool", "a.img", str(src), "--offset", "4096"))
    with open(os.path.join(brick, "a.img"), "rb") as f:
        f.seek(4096)
        assert sha256(f.read(len(data))) == sha256(data)
    dst = tmp_path / "down.bin"
    ok(virsh("vol-download", "--pool", "glpool", "a.img", str(dst),
             "--offset", "4096", "--length", str(len(data))))
    assert sha256(dst.read_bytes()) == sha256(data)

    ok(virsh("vol-delete", "--pool", "glpool", "a.img"))
    assert not os.path.exists(os.path.join(brick, "a.img"))
    ok(virsh("pool-refresh", "glpool"))
    listed = ok(virsh("vol-list", "glpool"))
    assert "a.img" not in listed and "b.qcow2" in listed

    ok(virsh("pool-destroy", "glpool"))
    assert_nothing_left(daemon, target)
    assert "glpool" in pool_list(virsh)
    ok(virsh("pool-undefine", "glpool"))


def test_wipe_of_allocated_volume_zeroes_the_brick(virsh, daemon, gluster_server,
                                                   gluster_volume, target):
    # GlusterFS's FUSE client answers fallocate(FALLOC_FL_ZERO_RANGE) with
    # success and zeroes nothing: the wipe must not rely on it
    brick = gluster_server.brick_path(gluster_volume)
    define_gluster_pool(virsh, "glwipe", gluster_server.host, gluster_volume, target)
    ok(virsh("pool-build", "glwipe"))
    ok(virsh("pool-start", "glwipe"))
    ok(virsh("vol-create-as", "glwipe", "w.img", "4M", "--format", "raw",
             "--allocation", "4M"))
    with open(os.path.join(brick, "w.img"), "r+b") as f:
        f.write(b"\xa5" * (4 << 20))
        os.fsync(f.fileno())
    ok(virsh("vol-wipe", "--pool", "glwipe", "w.img"))
    with open(os.path.join(brick, "w.img"), "rb") as f:
        data = f.read()
    assert len(data) == 4 << 20
    assert data.count(0) == len(data), "the wipe left data on the brick"


def test_start_with_volume_written_as_path(virsh, daemon, gluster_server, gluster_volume,
                                           target, tmp_path):
    """<dir path='/VOLUME'/> (the spelling of some guides) mounts the
    same volume."""
    xml = tmp_path / "pool.xml"
    xml.write_text(netfs_xml("glslash", gluster_server.host, "/" + gluster_volume, target))
    os.mkdir(target)
    ok(virsh("pool-create", str(xml)))
    m = mount_at(daemon, target)
    assert m is not None and m["fstype"] == "fuse.glusterfs"
    assert m["source"].endswith(gluster_volume)
    ok(virsh("pool-destroy", "glslash"))
    assert_nothing_left(daemon, target)


@pytest.mark.parametrize("fmt", ["glusterfs", None], ids=["glusterfs", "auto"])
def test_find_sources_lists_the_volumes(virsh, gluster_server, gluster_volume, fmt,
                                        tmp_path):
    """gluster volume info of the server (and showmount, refused at once
    on the server's address, when no format is given)."""
    spec = tmp_path / "source.xml"
    spec.write_text("<source><host name='%s'/>%s</source>" % (
        gluster_server.host, "<format type='%s'/>" % fmt if fmt else ""))
    out = ok(virsh("find-storage-pool-sources", "netfs", str(spec)))
    for volume in (gluster_server.volume, gluster_volume):
        assert "<dir path='%s'/>" % volume in out, out
    assert "<format type='glusterfs'/>" in out
    assert "<host name='%s'/>" % gluster_server.host in out


# ------------------------------------------------------------ bad input

def start_fails(virsh, daemon, name, host, volume, target, tmp_path, *words):
    """Define @name on @host:@volume, start it: it must fail within
    START_BOUND seconds with an error holding @words, leaving nothing
    mounted and no client; returns the error."""
    xml = tmp_path / ("%s.xml" % name)
    xml.write_text(netfs_xml(name, host, volume, target))
    ok(virsh("pool-define", str(xml)))
    os.makedirs(target, exist_ok=True)
    started = time.monotonic()
    err = fails(virsh("pool-start", name), *words)
    took = time.monotonic() - started
    print("pool-start: %.1f s: %s" % (took, err.strip()))
    assert took < START_BOUND, "pool-start took %.1f s" % took
    assert_nothing_left(daemon, target)
    assert "inactive" in parse_info(ok(virsh("pool-info", name)))["State"]
    return err


def test_start_unknown_host(virsh, daemon, gluster_volume, target, tmp_path):
    start_fails(virsh, daemon, "glnohost", "nohost.invalid", gluster_volume, target,
                tmp_path, "nohost.invalid", gluster_volume)


def test_start_missing_volume(virsh, daemon, gluster_server, target, tmp_path):
    start_fails(virsh, daemon, "glnovol", gluster_server.host, "nosuchvolume", target,
                tmp_path, gluster_server.host, "nosuchvolume")


def test_start_stopped_volume(virsh, daemon, gluster_server, target, tmp_path):
    volume = gluster_server.make_volume(start=False)
    try:
        start_fails(virsh, daemon, "glstopped", gluster_server.host, volume, target,
                    tmp_path, gluster_server.host, volume)
    finally:
        cleanup_pools(daemon.uri)
        gluster_server.remove_volume(volume)


def test_start_names_no_volume(virsh, daemon, gluster_server, target, tmp_path):
    """<dir path='/'/>: no volume named; nothing is mounted."""
    start_fails(virsh, daemon, "glroot", gluster_server.host, "/", target, tmp_path,
                "glroot")


def test_define_without_volume_is_refused(virsh, gluster_server, target, tmp_path):
    xml = tmp_path / "pool.xml"
    xml.write_text(netfs_xml("glnodir", gluster_server.host, None, target))
    fails(virsh("pool-define", str(xml)))
    assert "glnodir" not in pool_list(virsh)


# ------------------------------------------------- a server that is silent

GLUSTER_LIMIT = 30          # VIR_STORAGE_MOUNT_GLUSTER_TIME_LIMIT
GRACE = 5                   # VIR_STORAGE_COMMAND_KILL_GRACE
SILENT_BOUND = GLUSTER_LIMIT + 2 * GRACE + 5


@pytest.fixture
def own_daemon(backend):
    """A daemon for this test only: a call stuck on a silent server dies
    with it."""
    yield from own_daemon_of(backend)


@pytest.mark.stock_differs("netfs-gluster-mount-time-limit",
                           reason="stock's mount of a glusterd that never answers waits "
                                  "as long as mount.glusterfs does (for ever)")
def test_start_against_silent_server_is_bounded(backend, own_daemon, silent_glusterd,
                                                target, tmp_path):
    """mount.glusterfs's FUSE client is daemonized out of mount's process
    group and mounts before it reaches the server: the time limit must
    stop it and detach its mount too."""
    xml = tmp_path / "pool.xml"
    xml.write_text(netfs_xml("glsilent", silent_glusterd, "gv0", target))
    os.mkdir(target)
    uri = own_daemon.uri
    run = subprocess.run(["virsh", "-c", uri, "pool-define", str(xml)],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    started = time.monotonic()
    try:
        run = subprocess.run(["virsh", "-c", uri, "pool-start", "glsilent"],
                             capture_output=True, text=True, timeout=SILENT_BOUND)
        took = time.monotonic() - started
        print("pool-start: rc %d in %.1f s: %s" % (run.returncode, took, run.stderr.strip()))
        assert run.returncode != 0, "pool-start succeeded against a silent server"
        assert "did not answer within %d seconds" % GLUSTER_LIMIT in run.stderr
        assert silent_glusterd in run.stderr and "'gv0'" in run.stderr
        assert_nothing_left(own_daemon, target)
    except subprocess.TimeoutExpired:
        pytest.fail("pool-start did not return within %d s" % SILENT_BOUND, pytrace=False)
    finally:
        # what stock leaves: a client retrying the server, and its mount
        for pid in client_processes(target):
            os.kill(pid, signal.SIGKILL)
