# SPDX-License-Identifier: LGPL-2.1-or-later
"""netfs pools over NFS, against the test VM's own NFS server.

Each test exports a fresh tmpfs to 127.0.0.1 (vmhelpers.nfs_export) and
drives a netfs pool on it through virsh, against our module and the stock
one.  The daemon mounts in its private mount namespace: what it mounted is
read from /proc/<daemon pid>/mountinfo.

A server that stops answering: the same server is reached as 127.0.0.2
(loopback, the client's address stays 127.0.0.1, so the exports apply),
and an nft rule dropping every packet to 127.0.0.2 makes it silent without
disturbing the other tests' mounts over 127.0.0.1.  A hung call must not
hang the suite: virsh runs with a time limit, and those tests use a daemon
of their own, stopped (with whatever thread of it waits on the server)
after the rule is gone.
"""

import itertools
import os
import subprocess
import time

import libvirt
import pytest

import vmhelpers
from poolhelpers import fails, mount_at, ok, parse_info, xml_attr, xml_root
import testdaemon
from vmhelpers import run

HOST = "127.0.0.1"
SILENT_HOST = "127.0.0.2"
# a guard against hangs, not a benchmark: our module needs about 30 s for
# the slowest case (a mount against a silent host, under TCG)
BOUND = 45
FS_NS = "http://libvirt.org/schemas/storagepool/fs/1.0"

_fsids = itertools.count(300)


@pytest.fixture
def export(tmp_path):
    """A 64 MiB tmpfs exported over NFS (v3 and v4) to 127.0.0.1."""
    path = tmp_path / "export"
    path.mkdir()
    run(["mount", "-t", "tmpfs", "-o", "size=64m", "lvsbnetfs", path])
    try:
        vmhelpers.nfs_export(str(path), fsid=next(_fsids))
        yield str(path)
        vmhelpers.nfs_unexport(str(path))
    finally:
        run(["umount", "-l", path], check=False)


@pytest.fixture
def silent_host():
    """Drop every packet to SILENT_HOST while the test runs."""
    table = "lvsbnetfs"
    run(["nft", "add", "table", "inet", table])
    try:
        run(["nft", "add", "chain", "inet", table, "in",
             "{ type filter hook input priority 0; }"])

        def block():
            run(["nft", "add", "rule", "inet", table, "in", "ip", "daddr", SILENT_HOST, "drop"])

        def unblock():
            run(["nft", "flush", "chain", "inet", table, "in"])

        yield block, unblock
    finally:
        run(["nft", "delete", "table", "inet", table], check=False)


@pytest.fixture
def own_daemon(backend, daemons):
    """A daemon for this test only (same modules as the session's): a call
    stuck on a dead server dies with it."""
    d = testdaemon.TestDaemon(daemons.get(backend).backend_dir)
    d.start()
    conn = libvirt.open(d.uri)
    conn.listAllStoragePools()
    conn.close()
    try:
        yield d
    finally:
        d.stop()


def timed_virsh(daemon, *args):
    """(rc, stdout, stderr, seconds); rc None when virsh was still waiting
    after BOUND + 5 s (then killed)."""
    start = time.monotonic()
    try:
        res = subprocess.run(["virsh", "-c", daemon.uri] + [str(a) for a in args],
                             capture_output=True, text=True, timeout=BOUND + 5)
    except subprocess.TimeoutExpired:
        return None, "", "(virsh killed after %d s)" % (BOUND + 5), time.monotonic() - start
    return res.returncode, res.stdout, res.stderr, time.monotonic() - start


def bounded(result, what):
    rc, out, err, took = result
    print("%s: rc %s in %.1f s: %s" % (what, rc, took, (err or out).strip()))
    assert rc is not None and took < BOUND, \
        "%s did not return within %d s (%.1f s)" % (what, BOUND, took)
    return rc, out, err


def netfs_xml(name, host, export, target, fmt="nfs", version=None, options=()):
    proto = "<protocol ver='%s'/>" % version if version else ""
    opts = ""
    if options:
        opts = "<fs:mount_opts>%s</fs:mount_opts>" % "".join(
            "<fs:option name='%s'/>" % o for o in options)
    return ("<pool type='netfs' xmlns:fs='%s'><name>%s</name>"
            "<source><host name='%s'/><dir path='%s'/><format type='%s'/>%s</source>"
            "<target><path>%s</path></target>%s</pool>"
            % (FS_NS, name, host, export, fmt, proto, target, opts))


def define_xml(virsh, tmp_path, xml):
    path = tmp_path / "pool.xml"
    path.write_text(xml)
    ok(virsh("pool-define", path))


def nfs_mount(daemon, target):
    m = mount_at(daemon, target)
    assert m is not None, "nothing is mounted on %s in the daemon's namespace" % target
    return m


# ------------------------------------------------------------------ the seed

def test_define_build_start_volumes_destroy(virsh, daemon, export, target):
    pool = "nfspool"
    ok(virsh("pool-define-as", pool, "netfs", "--source-host", HOST,
             "--source-path", export, "--source-format", "nfs", "--target", target))
    ok(virsh("pool-build", pool))
    assert os.path.isdir(target)
    ok(virsh("pool-start", pool))

    m = nfs_mount(daemon, target)
    assert m["source"] == "%s:%s" % (HOST, export)
    assert m["fstype"] in ("nfs", "nfs4")
    for flag in ("nodev", "nosuid", "noexec"):
        assert flag in m["options"], m["options"]
    assert "hard" in m["super"], m["super"]

    ok(virsh("vol-create-as", pool, "vol1.img", "16M"))
    ok(virsh("vol-create-as", pool, "vol2.qcow2", "1G", "--format", "qcow2"))
    # the server holds the files the pool made
    assert os.path.getsize(os.path.join(export, "vol1.img")) == 16 << 20
    with open(os.path.join(export, "vol2.qcow2"), "rb") as f:
        assert f.read(4) == b"QFI\xfb"
    names = [l.split()[0] for l in ok(virsh("vol-list", pool)).splitlines()[2:] if l.strip()]
    assert sorted(names) == ["vol1.img", "vol2.qcow2"]
    assert ok(virsh("vol-path", "--pool", pool, "vol1.img")).strip() == target + "/vol1.img"

    info = parse_info(ok(virsh("pool-info", "--bytes", pool)))
    assert info["State"] == "running"
    assert int(info["Capacity"]) == 64 << 20

    # a file written on the server side shows after a refresh
    with open(os.path.join(export, "server.raw"), "wb") as f:
        f.truncate(1 << 20)
    ok(virsh("pool-refresh", pool))
    assert "server.raw" in ok(virsh("vol-list", pool))

    ok(virsh("vol-delete", "--pool", pool, "vol1.img"))
    assert not os.path.exists(os.path.join(export, "vol1.img"))

    ok(virsh("pool-destroy", pool))
    assert mount_at(daemon, target) is None
    # the data stays on the server
    assert os.path.exists(os.path.join(export, "vol2.qcow2"))
    ok(virsh("pool-undefine", pool))


@pytest.mark.parametrize("version,fstype", [("3", "nfs"), ("4.2", "nfs4")])
def test_protocol_version_and_mount_options(virsh, daemon, export, target, tmp_path,
                                            version, fstype):
    os.makedirs(target)
    define_xml(virsh, tmp_path, netfs_xml("nfsver", HOST, export, target,
                                          version=version,
                                          options=("noatime", "rsize=65536")))
    ok(virsh("pool-start", "nfsver"))
    m = nfs_mount(daemon, target)
    assert m["fstype"] == fstype
    assert "vers=%s" % version in m["super"], m["super"]
    assert "rsize=65536" in m["super"], m["super"]
    assert "noatime" in m["options"], m["options"]
    for flag in ("nodev", "nosuid", "noexec"):
        assert flag in m["options"], m["options"]
    ok(virsh("vol-create-as", "nfsver", "v.img", "1M"))
    assert os.path.getsize(os.path.join(export, "v.img")) == 1 << 20
    ok(virsh("pool-destroy", "nfsver"))
    assert mount_at(daemon, target) is None


def test_format_auto(virsh, daemon, export, target):
    ok(virsh("pool-define-as", "nfsauto", "netfs", "--source-host", HOST,
             "--source-path", export, "--source-format", "auto", "--target", target))
    ok(virsh("pool-build", "nfsauto"))
    ok(virsh("pool-start", "nfsauto"))
    m = nfs_mount(daemon, target)
    assert m["source"] == "%s:%s" % (HOST, export)
    assert m["fstype"] in ("nfs", "nfs4")
    ok(virsh("pool-destroy", "nfsauto"))
    assert mount_at(daemon, target) is None


def nfs_sources(xml, fmt=None):
    """The (host, export) pairs of find-storage-pool-sources' <sources>,
    only those of format @fmt if given."""
    return [(xml_attr(s, "host", "name"), xml_attr(s, "dir", "path"))
            for s in xml_root(xml).findall("source")
            if fmt is None or xml_attr(s, "format", "type") == fmt]


def test_find_storage_pool_sources(virsh, export, tmp_path):
    out = ok(virsh("find-storage-pool-sources-as", "netfs", HOST))
    assert (HOST, export) in nfs_sources(out), out
    spec = tmp_path / "spec.xml"
    spec.write_text("<source><host name='%s'/><format type='nfs'/></source>" % HOST)
    out = ok(virsh("find-storage-pool-sources", "netfs", spec))
    assert (HOST, export) in nfs_sources(out, "nfs"), out


def test_start_of_missing_export_fails(virsh, daemon, export, target):
    ok(virsh("pool-define-as", "nfsgone", "netfs", "--source-host", HOST,
             "--source-path", export + "-missing", "--source-format", "nfs",
             "--target", target))
    ok(virsh("pool-build", "nfsgone"))
    fails(virsh("pool-start", "nfsgone"), export + "-missing")
    assert mount_at(daemon, target) is None


# ------------------------------------------------- a server that does not answer

@pytest.mark.stock_differs("netfs-silent-server",
                           reason="stock's refresh and umount wait on a silent server for ever, "
                           "its mount.nfs for minutes")
def test_silent_server(own_daemon, silent_host, export, target):
    """One daemon for the three cases (a daemon start costs seconds under
    TCG); the stock run stops at the first call that hangs."""
    block, unblock = silent_host
    pool = "nfsstop"

    def virsh(*args):
        return timed_virsh(own_daemon, *args)[:3]

    ok(virsh("pool-define-as", pool, "netfs", "--source-host", SILENT_HOST,
             "--source-path", export, "--source-format", "nfs", "--target", target))
    ok(virsh("pool-build", pool))
    ok(virsh("pool-start", pool))
    ok(virsh("vol-create-as", pool, "kept.img", "4M"))
    nfs_mount(own_daemon, target)

    # destroy while the server is silent: returns, nothing left mounted
    block()
    rc, out, err = bounded(timed_virsh(own_daemon, "pool-destroy", pool), "pool-destroy")
    assert rc == 0, err
    assert mount_at(own_daemon, target) is None
    unblock()
    assert os.path.getsize(os.path.join(export, "kept.img")) == 4 << 20

    # refresh while the server is silent: a clear error, the pool stopped
    ok(virsh("pool-start", pool))
    assert "kept.img" in ok(virsh("vol-list", pool))
    block()
    rc, out, err = bounded(timed_virsh(own_daemon, "pool-refresh", pool), "pool-refresh")
    assert rc != 0
    assert SILENT_HOST in err and "did not answer" in err, err
    assert mount_at(own_daemon, target) is None
    assert "inactive" in ok(virsh("pool-info", pool))

    # start while the server is silent: a clear error, nothing mounted
    rc, out, err = bounded(timed_virsh(own_daemon, "pool-start", pool), "pool-start")
    assert rc != 0
    assert SILENT_HOST in err and "did not answer" in err, err
    assert mount_at(own_daemon, target) is None
    assert "inactive" in ok(virsh("pool-info", pool))

    # the server back: the pool starts again with its volume
    unblock()
    ok(virsh("pool-start", pool))
    assert "kept.img" in ok(virsh("vol-list", pool))
    ok(virsh("pool-destroy", pool))
    assert mount_at(own_daemon, target) is None
