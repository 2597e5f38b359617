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
