# SPDX-License-Identifier: LGPL-2.1-or-later
"""fs pools on loop devices (ext4, xfs, btrfs): every step of the seed guide
(pools-with-libvirt.es.rst) and the bad inputs, against our modules and the
stock ones.  The daemon mounts in its private mount namespace: mounts are
read from /proc/<daemon pid>/mountinfo."""

import contextlib
import os
import subprocess
from xml.sax.saxutils import quoteattr

import libvirt
import pytest

from conftest import expect_error, own_daemon_of
from poolhelpers import (LoopDevice, cleanup_pools, fails, fs_pool_xml, fs_type,
                         fs_uuid, hold_file_open, in_daemon_ns, mkfs, mount_at,
                         mounts_of_device, ok, parse_info, pool_list, pool_state,
                         release, statvfs_in_daemon_ns, unmount_device, xml_attr,
                         xml_root, xml_text)

MOUNT_FLAGS = {"nodev", "nosuid", "noexec"}


def define_fs_pool(virsh, name, device, target, fmt="ext4"):
    """virsh pool-define-as of an fs pool of @device in format @fmt."""
    ok(virsh("pool-define-as", name, "fs", "--source-dev", device,
             "--source-format", fmt, "--target", target))


def assert_mounted(daemon, device, target, fstype):
    m = mount_at(daemon, target)
    assert m is not None, "%s is not mounted in the daemon's namespace" % target
    assert m["source"] == device
    assert m["fstype"] == fstype
    assert MOUNT_FLAGS <= set(m["options"]), m["options"]


def assert_not_mounted(daemon, device, target):
    assert mount_at(daemon, target) is None, "%s is still mounted" % target
    assert mounts_of_device(daemon, device) == [], "%s is still mounted" % device


def assert_info_consistent(daemon, conn, name, target):
    state, capacity, allocation, available = conn.storagePoolLookupByName(name).info()
    assert state == libvirt.VIR_STORAGE_POOL_RUNNING
    assert capacity > 0 and allocation > 0 and available > 0
    assert allocation + available <= capacity
    frsize, blocks, free, avail = statvfs_in_daemon_ns(daemon, target)
    assert capacity == frsize * blocks
    assert allocation == frsize * (blocks - free)
    assert available in (frsize * free, frsize * avail)


# ------------------------------------------------ the seed's walk-through

@pytest.mark.parametrize("fmt", ["ext4", "xfs"])
def test_define_xml_build_start_autostart(fmt, virsh, conn, daemon, loopdev, target,
                                          tmp_path):
    xml = tmp_path / "guest_images_fspool.xml"
    xml.write_text(fs_pool_xml("guest_images_fs", loopdev, target, fmt))
    assert "Pool guest_images_fs defined from %s" % xml in ok(virsh("pool-define", str(xml)))
    assert pool_list(virsh)["guest_images_fs"] == ("inactive", "no")

    assert "Pool guest_images_fs built" in ok(
        virsh("pool-build", "guest_images_fs", "--no-overwrite"))
    assert fs_type(loopdev) == fmt
    assert os.path.isdir(target)

    assert "Pool guest_images_fs started" in ok(virsh("pool-start", "guest_images_fs"))
    assert pool_list(virsh)["guest_images_fs"] == ("active", "no")
    assert_mounted(daemon, loopdev, target, fmt)

    assert "marked as autostarted" in ok(virsh("pool-autostart", "guest_images_fs"))
    assert pool_list(virsh)["guest_images_fs"] == ("active", "yes")
    info = parse_info(ok(virsh("pool-info", "guest_images_fs")))
    assert (info["State"], info["Persistent"], info["Autostart"]) == ("running", "yes", "yes")
    assert_info_consistent(daemon, conn, "guest_images_fs", target)

    assert "Pool guest_images_fs destroyed" in ok(virsh("pool-destroy", "guest_images_fs"))
    assert_not_mounted(daemon, loopdev, target)
    assert pool_list(virsh)["guest_images_fs"] == ("inactive", "yes")


def test_define_as_positional(virsh, daemon, loop_factory, target):
    dev = loop_factory(fstype="ext4")
    os.makedirs(target)
    out = ok(virsh("pool-define-as", "guest_images_fs", "fs", "-", "-", dev, "-", target))
    assert "Pool guest_images_fs defined" in out
    xml = ok(virsh("pool-dumpxml", "guest_images_fs"))
    assert xml_attr(xml, "source/device", "path") == dev
    assert xml_text(xml, "target/path") == target
    ok(virsh("pool-start", "guest_images_fs"))
    assert_mounted(daemon, dev, target, "ext4")


@pytest.mark.parametrize("fmt", [None, "ext4"])
def test_define_as_source_dev(fmt, virsh, daemon, loop_factory, target):
    dev = loop_factory(fstype="ext4")
    args = ["pool-define-as", "guest_images_fs", "fs", "--source-dev", dev,
            "--target", target]
    if fmt:
        args += ["--source-format", fmt]
    ok(virsh(*args))
    ok(virsh("pool-build", "guest_images_fs"))
    assert fs_type(dev) == "ext4"
    ok(virsh("pool-start", "guest_images_fs"))
    assert_mounted(daemon, dev, target, "ext4")


def test_create_transient_from_xml(virsh, conn, daemon, loop_factory, target, tmp_path):
    dev = loop_factory(fstype="xfs")
    os.makedirs(target)
    xml = tmp_path / "guest_images_fspool.xml"
    xml.write_text(fs_pool_xml("guest_images_fs", dev, target, "xfs"))
    assert "Pool guest_images_fs created from %s" % xml in ok(virsh("pool-create", str(xml)))
    assert parse_info(ok(virsh("pool-info", "guest_images_fs")))["Persistent"] == "no"
    assert_mounted(daemon, dev, target, "xfs")
    ok(virsh("pool-destroy", "guest_images_fs"))
    assert_not_mounted(daemon, dev, target)
    assert pool_state(conn, "guest_images_fs") is None


def test_create_as_positional(virsh, conn, daemon, loop_factory, target):
    dev = loop_factory(fstype="ext4")
    os.makedirs(target)
    out = ok(virsh("pool-create-as", "guest_images_fs", "fs", "-", "-", dev, "-", target))
    assert "Pool guest_images_fs created" in out
    assert pool_list(virsh)["guest_images_fs"] == ("active", "no")
    assert_mounted(daemon, dev, target, "ext4")


def test_btrfs_with_auto_format(virsh, conn, daemon, loop_factory, target):
    """libvirt 9.0.0's pool XML has no 'btrfs' format: format 'auto' lets
    mount find it."""
    dev = loop_factory(fstype="btrfs")
    os.makedirs(target)
    ok(virsh("pool-define-as", "btrpool", "fs", "--source-dev", dev, "--target", target))
    ok(virsh("pool-start", "btrpool"))
    assert_mounted(daemon, dev, target, "btrfs")
    assert_info_consistent(daemon, conn, "btrpool", target)
    ok(virsh("pool-destroy", "btrpool"))
    assert_not_mounted(daemon, dev, target)


def test_refresh_sees_files_in_mounted_fs(virsh, daemon, loop_factory, target):
    dev = loop_factory(fstype="ext4")
    os.makedirs(target)
    define_fs_pool(virsh, "refpool", dev, target)
    ok(virsh("pool-start", "refpool"))
    in_daemon_ns(daemon, 'truncate -s 8M "%s/disk.img"' % target)
    assert not os.path.exists(os.path.join(target, "disk.img")), \
        "the mount leaked out of the daemon's namespace"
    ok(virsh("pool-refresh", "refpool"))
    vols = ok(virsh("-q", "vol-list", "refpool")).split()
    assert "disk.img" in vols


def test_destroy_delete_undefine(virsh, conn, daemon, loop_factory, target):
    dev = loop_factory(fstype="ext4")
    define_fs_pool(virsh, "delpool", dev, target)
    ok(virsh("pool-build", "delpool"))
    ok(virsh("pool-start", "delpool"))
    ok(virsh("pool-destroy", "delpool"))
    assert_not_mounted(daemon, dev, target)
    assert "Pool delpool deleted" in ok(virsh("pool-delete", "delpool"))
    assert not os.path.exists(target)
    assert fs_type(dev) == "ext4", "pool-delete of an fs pool must not wipe the device"
    ok(virsh("pool-undefine", "delpool"))
    assert pool_state(conn, "delpool") is None


@pytest.mark.stock_differs("pool-available-excludes-reserve",
                           reason="stock counts root's reserved blocks as available")
def test_available_excludes_root_reserve(conn, daemon, loop_factory, target):
    dev = loop_factory(fstype="ext4")      # ext4 reserves 5% for root
    os.makedirs(target)
    pool = conn.storagePoolCreateXML(fs_pool_xml("resvpool", dev, target, "ext4"), 0)
    frsize, blocks, free, avail = statvfs_in_daemon_ns(daemon, target)
    assert avail < free
    _, capacity, allocation, available = pool.info()
    assert available == frsize * avail


# ------------------------------------------------------------------ pool-build

@pytest.mark.stock_differs("fs-build-blank-no-flag",
                           reason="stock only makes the target directory")
def test_build_without_flag_formats_blank_device(conn, loopdev, target):
    pool = conn.storagePoolDefineXML(fs_pool_xml("blankpool", loopdev, target, "ext4"))
    pool.build(0)
    assert fs_type(loopdev) == "ext4"
    assert os.path.isdir(target)


@pytest.mark.parametrize("flags", [0, libvirt.VIR_STORAGE_POOL_BUILD_NO_OVERWRITE])
def test_build_keeps_existing_pool_fs(flags, conn, loop_factory, target):
    """The device already holds the pool's file system: never reformatted
    without --overwrite (--no-overwrite refuses, no flag keeps it)."""
    dev = loop_factory(fstype="ext4")
    uuid = fs_uuid(dev)
    pool = conn.storagePoolDefineXML(fs_pool_xml("samefs", dev, target, "ext4"))
    if flags:
        with pytest.raises(libvirt.libvirtError) as e:
            pool.build(flags)
        expect_error(e, libvirt.VIR_ERR_STORAGE_POOL_BUILT)
    else:
        pool.build(flags)
    assert fs_uuid(dev) == uuid


def test_build_no_overwrite_refuses_other_fs(conn, loop_factory, target):
    dev = loop_factory(fstype="xfs")
    uuid = fs_uuid(dev)
    pool = conn.storagePoolDefineXML(fs_pool_xml("otherfs", dev, target, "ext4"))
    with pytest.raises(libvirt.libvirtError) as e:
        pool.build(libvirt.VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)
    expect_error(e, libvirt.VIR_ERR_STORAGE_POOL_BUILT)
    assert (fs_type(dev), fs_uuid(dev)) == ("xfs", uuid)


@pytest.mark.stock_differs("fs-build-other-fs-no-flag",
                           reason="stock succeeds without looking at the device")
def test_build_without_flag_refuses_other_fs(conn, loop_factory, target):
    dev = loop_factory(fstype="xfs")
    uuid = fs_uuid(dev)
    pool = conn.storagePoolDefineXML(fs_pool_xml("otherfs", dev, target, "ext4"))
    try:
        with pytest.raises(libvirt.libvirtError) as e:
            pool.build(0)
        msg = expect_error(e, libvirt.VIR_ERR_STORAGE_POOL_BUILT)
        assert dev in msg and "overwrite" in msg
    finally:
        assert (fs_type(dev), fs_uuid(dev)) == ("xfs", uuid)


@pytest.mark.parametrize("fmt", ["ext4", "xfs"])
def test_build_overwrite_reformats(fmt, virsh, loop_factory, target):
    other = "xfs" if fmt == "ext4" else "ext4"
    dev = loop_factory(fstype=other)
    uuid = fs_uuid(dev)
    define_fs_pool(virsh, "ovrpool", dev, target, fmt)
    ok(virsh("pool-build", "ovrpool", "--overwrite"))
    assert fs_type(dev) == fmt
    assert fs_uuid(dev) != uuid


def test_build_flags_are_exclusive(conn, loopdev, target):
    pool = conn.storagePoolDefineXML(fs_pool_xml("exclpool", loopdev, target, "ext4"))
    with pytest.raises(libvirt.libvirtError) as e:
        pool.build(libvirt.VIR_STORAGE_POOL_BUILD_OVERWRITE |
                   libvirt.VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)
    expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert fs_type(loopdev) is None


# ------------------------------------------------------------------ bad inputs

def test_start_missing_target_fails(virsh, conn, daemon, loop_factory, target):
    dev = loop_factory(fstype="ext4")
    define_fs_pool(virsh, "notarget", dev, target)
    err = fails(virsh("pool-start", "notarget"))
    assert target in err
    assert pool_state(conn, "notarget") == "inactive"
    assert_not_mounted(daemon, dev, target)


def test_start_missing_device_fails(virsh, conn, daemon, target):
    os.makedirs(target)
    missing = "/dev/lvsb-test-no-such-device"
    assert not os.path.exists(missing)
    define_fs_pool(virsh, "nodev", missing, target)
    err = fails(virsh("pool-start", "nodev"))
    assert missing in err
    assert pool_state(conn, "nodev") == "inactive"
    assert mount_at(daemon, target) is None


def test_start_wrong_fs_type_fails_cleanly(virsh, conn, daemon, loop_factory, target):
    dev = loop_factory(fstype="xfs")
    os.makedirs(target)
    define_fs_pool(virsh, "wrongfs", dev, target)
    fails(virsh("pool-start", "wrongfs"))
    assert pool_state(conn, "wrongfs") == "inactive"
    assert_not_mounted(daemon, dev, target)
    assert fs_type(dev) == "xfs"


def test_destroy_busy_mount_fails_and_pool_stays(virsh, conn, daemon, loop_factory, target):
    dev = loop_factory(fstype="ext4")
    os.makedirs(target)
    define_fs_pool(virsh, "busypool", dev, target)
    ok(virsh("pool-start", "busypool"))
    in_daemon_ns(daemon, 'echo data > "%s/held.img"' % target)
    holder = hold_file_open(daemon, os.path.join(target, "held.img"))
    try:
        pool = conn.storagePoolLookupByName("busypool")
        with pytest.raises(libvirt.libvirtError) as e:
            pool.destroy()
        msg = str(e.value)
        assert target in msg, msg
        assert pool.isActive()
        assert_mounted(daemon, dev, target, "ext4")
        assert pool_list(virsh)["busypool"][0] == "active"
        pool.refresh(0)
    finally:
        release(holder)
    ok(virsh("pool-destroy", "busypool"))
    assert_not_mounted(daemon, dev, target)


@pytest.fixture
def german_daemon(backend, tmp_path):
    """A daemon of this test only, in the de_DE.UTF-8 locale (compiled with
    localedef into a LOCPATH of the test's own: the machine need not have
    it generated), where util-linux speaks German (util-linux-locales)."""
    locpath = tmp_path / "locale"
    locpath.mkdir()
    subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8",
                    str(locpath / "de_DE.UTF-8")], capture_output=True)
    env = {"LOCPATH": str(locpath), "LANG": "de_DE.UTF-8",
           "LC_ALL": "de_DE.UTF-8", "LANGUAGE": "de"}
    # the test means something only where umount's messages are German
    res = subprocess.run(["umount", "--", str(locpath)], capture_output=True,
                         text=True, env=dict(os.environ, **env))
    assert "eingehängt" in res.stderr, (
        "umount does not speak German with %s: %r (install util-linux-locales "
        "and locales)" % (env, res.stderr))
    yield from own_daemon_of(backend, env)


@contextlib.contextmanager
def ext4_loop_of(daemon, tmp_path):
    """(device, target, conn): an ext4 loop device and a target directory
    for a pool of @daemon (a daemon of the test's own), and a connection;
    the pools, mounts and device go after."""
    target = str(tmp_path / "guest_images")
    os.makedirs(target)
    dev = LoopDevice(str(tmp_path / "loop.img"), 64)
    conn = libvirt.open(daemon.uri)
    try:
        mkfs(dev.path, "ext4")
        yield dev.path, target, conn
    finally:
        conn.close()
        cleanup_pools(daemon.uri)
        unmount_device(daemon, dev.path)
        dev.detach()


@pytest.mark.stock_differs("fs-busy-unmount",
                           reason="stock reports a busy unmount as an internal error")
def test_destroy_held_mount_refused_in_german_locale(german_daemon, tmp_path):
    """A busy mount is told by umount2's EBUSY, not by umount's message,
    which the daemon's locale translates ("das Ziel wird gerade benutzt").
    (No "busy" in the test's name: it is in the target's path.)"""
    daemon = german_daemon
    with ext4_loop_of(daemon, tmp_path) as (dev, target, conn):
        pool = conn.storagePoolCreateXML(fs_pool_xml("heldde", dev, target, "ext4"), 0)
        in_daemon_ns(daemon, 'echo data > "%s/held.img"' % target)
        holder = hold_file_open(daemon, os.path.join(target, "held.img"))
        try:
            with pytest.raises(libvirt.libvirtError) as e:
                pool.destroy()
            msg = expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
            assert target in msg and "heldde" in msg and "fuser" in msg, msg
            assert pool.isActive()
            assert_mounted(daemon, dev, target, "ext4")
        finally:
            release(holder)
        pool.destroy()
        assert_not_mounted(daemon, dev, target)


@pytest.fixture
def own_daemon(backend):
    """A daemon of this test only: what the test mounts in its namespace
    goes with it."""
    yield from own_daemon_of(backend)


def test_start_destroy_with_a_big_mount_table(own_daemon, tmp_path):
    """The mount table is read whole, whatever its size (libmount): the
    hand-written readers stopped at 1 MiB, and pool-start then failed."""
    daemon = own_daemon
    # 200 tmpfs stacked on a 3000-character path, each with a 3000-byte
    # source: 1.2 MB of /proc/self/mountinfo in the daemon's namespace
    deep = str(tmp_path / "m")
    while len(deep) < 3000:
        deep = os.path.join(deep, "d" * 200)
    os.makedirs(deep)
    in_daemon_ns(daemon, 'cd "%s" && src=$(printf "%%03000d" 0) && '
                 'for i in $(seq 200); do mount -t tmpfs "$src" .; done' % deep)
    size = len(in_daemon_ns(daemon, "cat /proc/self/mountinfo").stdout)
    assert size > 1024 * 1024, size

    with ext4_loop_of(daemon, tmp_path) as (dev, target, conn):
        pool = conn.storagePoolCreateXML(fs_pool_xml("bigtable", dev, target, "ext4"), 0)
        assert_mounted(daemon, dev, target, "ext4")
        pool.destroy()
        assert_not_mounted(daemon, dev, target)


def test_build_of_mounted_pool_is_refused(conn, daemon, loop_factory, target):
    dev = loop_factory(fstype="ext4")
    uuid = fs_uuid(dev)
    os.makedirs(target)
    pool = conn.storagePoolDefineXML(fs_pool_xml("mounted", dev, target, "ext4"))
    pool.create(0)
    with pytest.raises(libvirt.libvirtError) as e:
        pool.build(libvirt.VIR_STORAGE_POOL_BUILD_OVERWRITE)
    expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
    assert fs_uuid(dev) == uuid
    assert_mounted(daemon, dev, target, "ext4")


def test_build_auto_format_cannot_mkfs(conn, loopdev, target):
    """Format 'auto' names no file system to make: building a blank device
    with --no-overwrite fails and writes nothing."""
    pool = conn.storagePoolDefineXML(fs_pool_xml("autopool", loopdev, target, "auto"))
    with pytest.raises(libvirt.libvirtError):
        pool.build(libvirt.VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)
    assert fs_type(loopdev) is None


# ------------------------------------------------------- fs:mount_opts

FS_NS = "http://libvirt.org/schemas/storagepool/fs/1.0"


def mount_opts_xml(options):
    return ("<fs:mount_opts>%s</fs:mount_opts>"
            % "".join("<fs:option name=%s/>" % quoteattr(o) for o in options))


def fs_pool_with_options_xml(name, device, target, fmt, options):
    return ("<pool type='fs' xmlns:fs='%s'><name>%s</name>"
            "<source><device path='%s'/><format type='%s'/></source>"
            "<target><path>%s</path></target>%s</pool>"
            % (FS_NS, name, device, fmt, target, mount_opts_xml(options)))


def netfs_pool_with_options_xml(name, fmt, target, options):
    return ("<pool type='netfs' xmlns:fs='%s'><name>%s</name>"
            "<source><host name='server.example.com'/><dir path='/export'/>"
            "<format type='%s'/></source>"
            "<target><path>%s</path></target>%s</pool>"
            % (FS_NS, name, fmt, target, mount_opts_xml(options)))


# one option of each class the allow-list refuses
REFUSED_OPTIONS = [
    ("fs", "suid"), ("fs", "dev"), ("fs", "exec"), ("fs", "noatime,suid"),
    ("fs", "remount"), ("fs", "bind"), ("fs", "X-mount.mkdir=0755"),
    ("fs", "context=system_u:object_r:tmp_t:s0"), ("fs", "errors=panic"),
    ("nfs", "x-systemd.automount"), ("nfs", "helper=/tmp/grab"),
    ("nfs", "sec=sys,exec"), ("cifs", "credentials=/root/.smbcredentials"),
    ("glusterfs", "log-file=/etc/passwd"),
]


@pytest.mark.stock_differs("fs-mount-options-allow-list",
                           reason="stock passes any fs:mount_opts option to mount(8)")
@pytest.mark.parametrize("fmt,option", REFUSED_OPTIONS,
                         ids=["%s-%s" % c for c in REFUSED_OPTIONS])
def test_define_refuses_unsafe_mount_option(fmt, option, conn, target):
    if fmt == "fs":
        xml = fs_pool_with_options_xml("optpool", "/dev/loop-none", target, "ext4",
                                       ["noatime", option])
    else:
        xml = netfs_pool_with_options_xml("optpool", fmt, target, ["noatime", option])
    with pytest.raises(libvirt.libvirtError) as exc:
        conn.storagePoolDefineXML(xml, 0)
    msg = expect_error(exc, libvirt.VIR_ERR_CONFIG_UNSUPPORTED)
    assert "'optpool'" in msg and "'%s'" % option in msg, msg
    assert pool_state(conn, "optpool") is None
    # pool-create is refused too: nothing is mounted
    with pytest.raises(libvirt.libvirtError) as exc:
        conn.storagePoolCreateXML(xml, 0)
    expect_error(exc, libvirt.VIR_ERR_CONFIG_UNSUPPORTED)


def test_allowed_mount_options_keep_nodev_nosuid_noexec(virsh, conn, daemon,
                                                        loop_factory, target):
    dev = loop_factory(fstype="ext4")
    os.makedirs(target)
    xml = fs_pool_with_options_xml("optpool", dev, target, "ext4",
                                   ["noatime", "nodiratime", "commit=30"])
    pool = conn.storagePoolDefineXML(xml, 0)
    options = xml_root(pool.XMLDesc(0)).findall("{%s}mount_opts/{%s}option" % (FS_NS, FS_NS))
    assert [o.get("name") for o in options] == ["noatime", "nodiratime", "commit=30"]
    pool.create(0)
    m = mount_at(daemon, target)
    assert m is not None, "%s is not mounted" % target
    assert MOUNT_FLAGS | {"noatime", "nodiratime"} <= set(m["options"]), m["options"]
    assert "commit=30" in m["super"], m["super"]
    pool.destroy()
    assert_not_mounted(daemon, dev, target)
