# SPDX-License-Identifier: LGPL-2.1-or-later
"""dir pools: every step of the seed guide (pools-with-libvirt.es.rst) with
virsh and python3-libvirt, run against our modules and the stock ones."""

import os
import stat

import libvirt
import pytest

from conftest import expect_error
from poolhelpers import (dir_pool_xml, fails, ok, parse_info, parse_pool_list, pool_list,
                         pool_state, xml_text)


def vol_names(virsh, pool):
    return [line.split()[0] for line in ok(virsh("-q", "vol-list", pool)).splitlines()
            if line.strip()]


def running_dir_pool(conn, name, target):
    """A persistent dir pool on a fresh @target, started."""
    os.makedirs(target)
    pool = conn.storagePoolDefineXML(dir_pool_xml(name, target))
    pool.create(0)
    return pool


# ------------------------------------------------------------- define, build

def test_define_from_xml_file(virsh, conn, target, tmp_path):
    xml = tmp_path / "guest_images_dirpool.xml"
    xml.write_text(dir_pool_xml("mydirectorypool", target))
    out = ok(virsh("pool-define", str(xml)))
    assert "Pool mydirectorypool defined from %s" % xml in out
    assert pool_list(virsh)["mydirectorypool"] == ("inactive", "no")
    assert xml_text(ok(virsh("pool-dumpxml", "mydirectorypool")), "target/path") == target
    assert not os.path.exists(target), "pool-define must not create the target"

    assert "Pool mydirectorypool built" in ok(virsh("pool-build", "mydirectorypool"))
    assert os.path.isdir(target)
    assert "Pool mydirectorypool started" in ok(virsh("pool-start", "mydirectorypool"))
    assert pool_list(virsh)["mydirectorypool"] == ("active", "no")
    info = parse_info(ok(virsh("pool-info", "mydirectorypool")))
    assert info["State"] == "running"
    assert info["Persistent"] == "yes"


def test_define_as_target(virsh, target):
    out = ok(virsh("pool-define-as", "dirpool", "dir", "--target", target))
    assert "Pool dirpool defined" in out
    ok(virsh("pool-build", "dirpool"))
    ok(virsh("pool-start", "dirpool"))
    assert pool_list(virsh)["dirpool"] == ("active", "no")


def test_define_as_positional(virsh, target):
    ok(virsh("pool-define-as", "dirpos", "dir", "-", "-", "-", "-", target))
    assert xml_text(ok(virsh("pool-dumpxml", "dirpos")), "target/path") == target
    ok(virsh("pool-build", "dirpos"))
    ok(virsh("pool-start", "dirpos"))
    assert pool_list(virsh)["dirpos"][0] == "active"


def test_build_applies_permissions(conn, target):
    pool = conn.storagePoolDefineXML(dir_pool_xml("permpool", target, mode="0750"))
    pool.build(0)
    st = os.stat(target)
    assert stat.S_IMODE(st.st_mode) == 0o750
    assert (st.st_uid, st.st_gid) == (0, 0)


def test_build_existing_dir_keeps_content(virsh, target):
    os.makedirs(target)
    with open(os.path.join(target, "keep.img"), "wb") as f:
        f.write(b"data")
    ok(virsh("pool-define-as", "keeppool", "dir", "--target", target))
    ok(virsh("pool-build", "keeppool"))
    # a dir pool has no device to format: the flags never touch the files
    virsh("pool-build", "keeppool", "--no-overwrite")
    virsh("pool-build", "keeppool", "--overwrite")
    with open(os.path.join(target, "keep.img"), "rb") as f:
        assert f.read() == b"data"


def test_build_flags_are_exclusive(conn, target):
    pool = conn.storagePoolDefineXML(dir_pool_xml("exclpool", target))
    with pytest.raises(libvirt.libvirtError) as e:
        pool.build(libvirt.VIR_STORAGE_POOL_BUILD_OVERWRITE |
                   libvirt.VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)
    expect_error(e, libvirt.VIR_ERR_INVALID_ARG)


# ------------------------------------------------------------ transient pools

def test_create_transient_from_xml(virsh, conn, target, tmp_path):
    os.makedirs(target)
    xml = tmp_path / "transient.xml"
    xml.write_text(dir_pool_xml("transpool", target))
    out = ok(virsh("pool-create", str(xml)))
    assert "Pool transpool created from %s" % xml in out
    assert pool_list(virsh)["transpool"] == ("active", "no")
    assert parse_info(ok(virsh("pool-info", "transpool")))["Persistent"] == "no"
    ok(virsh("pool-destroy", "transpool"))
    assert "transpool" not in pool_list(virsh)
    assert pool_state(conn, "transpool") is None
    assert os.path.isdir(target), "destroy must not remove the target"


def test_create_as(virsh, target):
    os.makedirs(target)
    assert "Pool transas created" in ok(virsh("pool-create-as", "transas", "dir",
                                              "--target", target))
    assert pool_list(virsh)["transas"][0] == "active"


def test_create_as_with_build(virsh, target):
    ok(virsh("pool-create-as", "transbuild", "dir", "--target", target, "--build"))
    assert os.path.isdir(target)
    assert pool_list(virsh)["transbuild"][0] == "active"


# ------------------------------------------------------ start, info, refresh

def test_start_missing_target_fails(virsh, conn, target):
    ok(virsh("pool-define-as", "notarget", "dir", "--target", target))
    err = fails(virsh("pool-start", "notarget"))
    assert target in err
    assert pool_state(conn, "notarget") == "inactive"
    assert not os.path.exists(target), "start must not create the target"


def test_start_twice_is_refused(conn, target):
    pool = running_dir_pool(conn, "twice", target)
    with pytest.raises(libvirt.libvirtError) as e:
        pool.create(0)
    expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
    assert pool.isActive()


def test_autostart(virsh, conn, target):
    os.makedirs(target)
    ok(virsh("pool-define-as", "autopool", "dir", "--target", target))
    ok(virsh("pool-start", "autopool"))
    assert "Pool autopool marked as autostarted" in ok(virsh("pool-autostart", "autopool"))
    assert pool_list(virsh)["autopool"] == ("active", "yes")
    assert parse_info(ok(virsh("pool-info", "autopool")))["Autostart"] == "yes"
    assert conn.storagePoolLookupByName("autopool").autostart() == 1
    assert "unmarked" in ok(virsh("pool-autostart", "autopool", "--disable"))
    assert pool_list(virsh)["autopool"] == ("active", "no")


def test_info_of_running_pool(virsh, conn, target):
    os.makedirs(target)
    with open(os.path.join(target, "some.img"), "wb") as f:
        f.write(os.urandom(1 << 20))
    ok(virsh("pool-define-as", "infopool", "dir", "--target", target))
    ok(virsh("pool-start", "infopool"))
    pool = conn.storagePoolLookupByName("infopool")
    state, capacity, allocation, available = pool.info()
    assert state == libvirt.VIR_STORAGE_POOL_RUNNING
    assert capacity > 0 and allocation > 0 and available > 0
    assert allocation + available <= capacity
    # the file system holding the target, as statvfs sees it (others may be
    # writing to it meanwhile: allow some slack)
    vfs = os.statvfs(target)
    assert capacity == vfs.f_frsize * vfs.f_blocks
    assert abs(allocation - vfs.f_frsize * (vfs.f_blocks - vfs.f_bfree)) < 64 << 20
    info = parse_info(ok(virsh("pool-info", "infopool")))
    assert info["State"] == "running"
    for field in ("Capacity", "Allocation", "Available"):
        assert not info[field].startswith("0.00"), info


def test_info_of_inactive_pool(conn, target):
    pool = conn.storagePoolDefineXML(dir_pool_xml("idle", target))
    assert pool.info()[0] == libvirt.VIR_STORAGE_POOL_INACTIVE


def test_refresh_sees_new_files(virsh, conn, target):
    os.makedirs(target)
    ok(virsh("pool-define-as", "refpool", "dir", "--target", target))
    ok(virsh("pool-start", "refpool"))
    assert vol_names(virsh, "refpool") == []
    with open(os.path.join(target, "new.img"), "wb") as f:
        f.truncate(4 << 20)
    ok(virsh("pool-refresh", "refpool"))
    assert vol_names(virsh, "refpool") == ["new.img"]
    vol = conn.storagePoolLookupByName("refpool").storageVolLookupByName("new.img")
    assert vol.info()[1] == 4 << 20


def test_refresh_inactive_is_refused(conn, target):
    pool = conn.storagePoolDefineXML(dir_pool_xml("refidle", target))
    with pytest.raises(libvirt.libvirtError) as e:
        pool.refresh(0)
    expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)


# --------------------------------------------------- destroy, delete, undefine

def test_destroy_keeps_target(virsh, conn, target):
    os.makedirs(target)
    open(os.path.join(target, "a.img"), "wb").close()
    ok(virsh("pool-define-as", "dstpool", "dir", "--target", target))
    ok(virsh("pool-start", "dstpool"))
    assert "Pool dstpool destroyed" in ok(virsh("pool-destroy", "dstpool"))
    assert pool_list(virsh)["dstpool"] == ("inactive", "no")
    assert os.path.exists(os.path.join(target, "a.img"))


def test_delete_removes_dir(virsh, target):
    ok(virsh("pool-define-as", "delpool", "dir", "--target", target))
    ok(virsh("pool-build", "delpool"))
    assert os.path.isdir(target)
    assert "Pool delpool deleted" in ok(virsh("pool-delete", "delpool"))
    assert not os.path.exists(target)
    assert pool_list(virsh)["delpool"][0] == "inactive"


def test_delete_non_empty_dir_is_refused(virsh, conn, target):
    os.makedirs(target)
    with open(os.path.join(target, "precious.img"), "wb") as f:
        f.write(b"precious")
    ok(virsh("pool-define-as", "fullpool", "dir", "--target", target))
    err = fails(virsh("pool-delete", "fullpool"))
    assert target in err
    with open(os.path.join(target, "precious.img"), "rb") as f:
        assert f.read() == b"precious"
    assert pool_state(conn, "fullpool") == "inactive"


def test_delete_active_is_refused(conn, target):
    pool = running_dir_pool(conn, "delactive", target)
    with pytest.raises(libvirt.libvirtError) as e:
        pool.delete(0)
    expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
    assert os.path.isdir(target) and pool.isActive()


def test_undefine(virsh, conn, target):
    ok(virsh("pool-define-as", "undefpool", "dir", "--target", target))
    assert "Pool undefpool has been undefined" in ok(virsh("pool-undefine", "undefpool"))
    assert "undefpool" not in pool_list(virsh)
    assert pool_state(conn, "undefpool") is None


def test_undefine_running_pool_is_refused(virsh, conn, target):
    os.makedirs(target)
    ok(virsh("pool-define-as", "runundef", "dir", "--target", target))
    ok(virsh("pool-start", "runundef"))
    pool = conn.storagePoolLookupByName("runundef")
    with pytest.raises(libvirt.libvirtError) as e:
        pool.undefine()
    expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
    assert pool.isActive() and pool.isPersistent()


def test_list_all_shows_every_state(virsh, target, tmp_path):
    other = str(tmp_path / "other")
    os.makedirs(target)
    os.makedirs(other)
    ok(virsh("pool-define-as", "listinactive", "dir", "--target", other))
    ok(virsh("pool-define-as", "listactive", "dir", "--target", target))
    ok(virsh("pool-start", "listactive"))
    ok(virsh("pool-autostart", "listactive"))
    pools = pool_list(virsh)
    assert pools["listinactive"] == ("inactive", "no")
    assert pools["listactive"] == ("active", "yes")
    assert "listinactive" not in parse_pool_list(ok(virsh("pool-list")))
