# SPDX-License-Identifier: LGPL-2.1-or-later
"""logical (LVM) pools on the test VM's virtio disks: the seed's steps
(define, build, start, volumes, destroy, delete), every volume operation,
thin pools and resize, and the bad inputs, against our module and the
stock one.  After every refusal the VG is compared with what it was, as
lvm2 itself reports it (`lvs`/`vgs`, independent of the module).

Runs inside the VM:
    tests/vm/run.sh --disk 256 --disk 256 --disk 256 -- \\
        /usr/bin/python3 -m pytest tests/integration/vm/test_pool_logical.py
"""

import json
import os
import xml.etree.ElementTree as ET

import libvirt
import pytest

from poolhelpers import LoopDevice, xml_attr, xml_root, xml_text
from vmhelpers import run

MiB = 1024 * 1024
NS = "urn:uuid:fcd4cee9-111b-4922-96b0-1ade8aed05b8"


# ------------------------------------------------------------------ helpers

def expect_error(exc_info, *codes):
    """Assert a libvirtError carries one of @codes; returns its message.
    (tests/integration/conftest.py has the same; the vm conftest shadows it.)"""
    err = exc_info.value
    assert err.get_error_code() in codes, (
        "expected error code %s, got %d: %s" % (codes, err.get_error_code(), err))
    return str(err)


def lvm_report(tool, kind, *args):
    out = run([tool, "--reportformat", "json", "--units", "b", "--nosuffix"] + list(args)).stdout
    return json.loads(out)["report"][0][kind]


def lvs(vg):
    """{lv_name: {segtype, lv_size, pool_lv, data_percent}} of @vg."""
    rows = lvm_report("lvs", "lv", "-o", "lv_name,segtype,lv_size,pool_lv,data_percent", vg)
    return {r["lv_name"]: r for r in rows}


def vg_state(vg):
    """What must not change when a call is refused: the LVs and their sizes,
    the VG's free space and PVs."""
    v = lvm_report("vgs", "vg", "-o", "vg_name,vg_free,pv_count", vg)
    return ({n: (r["segtype"], r["lv_size"]) for n, r in lvs(vg).items()}, v)


def pool_xml(name, devices, vg=None, thinpool=None):
    vg = vg or name
    devs = "".join("<device path='%s'/>" % d for d in devices)
    ns = " xmlns:lvm='%s'" % NS if thinpool else ""
    thin = "<lvm:thinpool name='%s'/>" % thinpool if thinpool else ""
    return ("<pool type='logical'%s><name>%s</name><source>%s<name>%s</name>"
            "<format type='lvm2'/></source><target><path>/dev/%s</path></target>%s</pool>"
            % (ns, name, devs, vg, vg, thin))


def vol_xml(name, capacity, allocation=None):
    alloc = "<allocation unit='bytes'>%d</allocation>" % allocation if allocation is not None else ""
    return ("<volume><name>%s</name><capacity unit='bytes'>%d</capacity>%s</volume>"
            % (name, capacity, alloc))


def remove_vg(vg, disks):
    run(["vgremove", "-q", "-f", vg], check=False)
    for d in disks:
        run(["pvremove", "-q", "-y", "-ff", d], check=False)


@pytest.fixture
def lvm(conn, vm_disk_factory):
    """make(name, ndisks=1, thinpool=None, build=True) -> (pool, vg, disks):
    a defined, built and started logical pool on fresh disks.  Everything
    is destroyed and the disks freed after the test."""
    made = []

    def make(name, ndisks=1, thinpool=None, build=True, start=True):
        disks = vm_disk_factory(ndisks)
        made.append((name, disks))
        pool = conn.storagePoolDefineXML(pool_xml(name, disks, thinpool=thinpool), 0)
        if build:
            pool.build(0)
        if start:
            pool.create(0)
        return pool, name, disks

    try:
        yield make
    finally:
        for name, disks in made:
            try:
                p = conn.storagePoolLookupByName(name)
                if p.isActive():
                    p.destroy()
                p.undefine()
            except libvirt.libvirtError:
                pass
            run(["vgchange", "-an", name], check=False)
            remove_vg(name, disks)
            run(["udevadm", "settle", "--timeout=30"], check=False)


def upload(conn, vol, data, offset=0):
    st = conn.newStream(0)
    vol.upload(st, offset, len(data), 0)
    st.send(data)
    st.finish()


def download(conn, vol, length, offset=0):
    st = conn.newStream(0)
    vol.download(st, offset, length, 0)
    chunks = []
    while True:
        got = st.recv(1 * MiB)
        if not got:
            break
        chunks.append(got)
    st.finish()
    return b"".join(chunks)


def read_dev(path, length, offset=0):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(length)


# --------------------------------------------------------- the seed's steps

def test_seed_steps(virsh, vm_disk_factory, tmp_path):
    """pool-define-as, build, start, autostart, vol-create-as, vol-list,
    vol-info, find-storage-pool-sources, destroy, delete, undefine."""
    disks = vm_disk_factory(2)
    name = "lvsbseed"
    try:
        assert virsh("pool-define-as", name, "logical", "--source-dev", disks[0],
                     "--source-name", name, "--target", "/dev/" + name)[0] == 0
        # a second PV through the XML: define-as takes one --source-dev
        rc, xml, _ = virsh("pool-dumpxml", name)
        root = xml_root(xml)
        assert [d.get("path") for d in root.findall("source/device")] == disks[:1], xml
        ET.SubElement(root.find("source"), "device", path=disks[1])
        xmlfile = tmp_path / "pool.xml"
        xmlfile.write_text(ET.tostring(root, encoding="unicode"))
        rc, _, err = virsh("pool-define", str(xmlfile))
        assert rc == 0, err
        rc, _, err = virsh("pool-build", name)
        assert rc == 0, err
        pvs = {r["pv_name"]: r["vg_name"] for r in
               lvm_report("pvs", "pv", "-o", "pv_name,vg_name")}
        assert pvs[disks[0]] == name and pvs[disks[1]] == name
        assert virsh("pool-start", name)[0] == 0
        assert virsh("pool-autostart", name)[0] == 0
        rc, out, err = virsh("vol-create-as", name, "vol1", "16M")
        assert rc == 0, err
        rc, out, _ = virsh("vol-list", name)
        assert "vol1" in out and "/dev/%s/vol1" % name in out
        rc, out, _ = virsh("vol-info", "--pool", name, "vol1")
        assert "16.00 MiB" in out, out
        assert lvs(name)["vol1"]["lv_size"] == str(16 * MiB)
        rc, out, _ = virsh("pool-info", name)
        assert "running" in out
        rc, out, _ = virsh("find-storage-pool-sources", "logical")
        assert rc == 0, out
        found = {s.findtext("name"): [d.get("path") for d in s.findall("device")]
                 for s in xml_root(out).findall("source")}
        assert disks[1] in found.get(name, []), out
        assert virsh("vol-delete", "--pool", name, "vol1")[0] == 0
        assert "vol1" not in lvs(name)
        assert virsh("pool-destroy", name)[0] == 0
        rc, _, err = virsh("pool-delete", name)
        assert rc == 0, err
        assert run(["vgs", name], check=False).returncode != 0
        pvs = [r["pv_name"] for r in lvm_report("pvs", "pv", "-o", "pv_name")]
        assert disks[0] not in pvs and disks[1] not in pvs
        assert virsh("pool-undefine", name)[0] == 0
    finally:
        virsh("pool-destroy", name)
        virsh("pool-undefine", name)
        remove_vg(name, disks)


@pytest.mark.stock_differs("logical-refresh-thin-lvs",
                           reason="stock's lvs regex drops thin LVs (empty devices field)")
def test_refresh_volumes_and_sizes(conn, lvm):
    """Thick, striped, snapshot, old-style sparse, inactive LVs and thin LVs
    are volumes with the right sizes; the thin pool is not; an inactive LV
    does not stop the pool."""
    pool, vg, disks = lvm("lvsbrefresh", ndisks=2)
    run(["lvcreate", "-q", "-y", "-L", "8M", "-n", "plain", vg])
    run(["lvcreate", "-q", "-y", "-i", "2", "-L", "16M", "-n", "striped", vg])
    run(["lvcreate", "-q", "-y", "-s", "-L", "4M", "-n", "snap", vg + "/plain"])
    run(["lvcreate", "-q", "-y", "-L", "4M", "--type", "snapshot", "--virtualsize", "64M",
         "-n", "oldsparse", vg])
    run(["lvcreate", "-q", "-y", "--type", "thin-pool", "-L", "32M", "-n", "tp0", vg])
    run(["lvcreate", "-q", "-y", "-V", "128M", "--thinpool", "tp0", "-n", "thin", vg])
    run(["lvcreate", "-q", "-y", "-L", "4M", "-n", "asleep", vg])
    run(["lvchange", "-an", vg + "/asleep"])
    pool.refresh(0)
    assert pool.isActive()
    names = set(pool.listVolumes())
    assert {"plain", "striped", "snap", "oldsparse", "thin"} <= names, names
    assert "tp0" not in names and "tp0_tdata" not in names
    info = {n: pool.storageVolLookupByName(n).info() for n in names}
    assert info["plain"][1:] == [8 * MiB, 8 * MiB]
    assert info["striped"][1] == 16 * MiB
    assert info["oldsparse"][1] == 64 * MiB          # reads as its virtual size
    assert info["snap"][1] == 8 * MiB                # reads as its origin
    assert info["thin"][1] == 128 * MiB and info["thin"][2] < 128 * MiB
    xml = pool.storageVolLookupByName("striped").XMLDesc(0)
    assert len(xml_root(xml).findall("source/device/extent")) == 2, xml
    snap = pool.storageVolLookupByName("snap").XMLDesc(0)
    assert xml_text(snap, "backingStore/path") == "/dev/%s/plain" % vg
    pinfo = pool.info()
    v = lvm_report("vgs", "vg", "-o", "vg_size,vg_free", vg)[0]
    assert pinfo[1] == int(v["vg_size"]) and pinfo[3] == int(v["vg_free"])


# ----------------------------------------------------------------- volumes

def test_volume_data_upload_download_clone(conn, lvm):
    pool, vg, _ = lvm("lvsbdata")
    vol = pool.createXML(vol_xml("data", 4 * MiB), 0)
    payload = os.urandom(1 * MiB)
    upload(conn, vol, payload, offset=MiB)
    assert read_dev(vol.path(), MiB, MiB) == payload
    assert download(conn, vol, MiB, offset=MiB) == payload
    clone = pool.createXMLFrom(vol_xml("copy", 4 * MiB), vol, 0)
    assert read_dev(clone.path(), MiB, MiB) == payload
    assert lvs(vg)["copy"]["lv_size"] == str(4 * MiB)


@pytest.mark.stock_differs("vol-upload-bounded", reason="stock writes past the LV's end until the device refuses")
def test_upload_past_the_end_refused(conn, lvm):
    pool, vg, _ = lvm("lvsbupend")
    vol = pool.createXML(vol_xml("small", 4 * MiB), 0)
    st = conn.newStream(0)
    with pytest.raises(libvirt.libvirtError):
        vol.upload(st, 3 * MiB, 2 * MiB, 0)
        st.send(b"x" * (2 * MiB))
        st.finish()
    assert lvs(vg)["small"]["lv_size"] == str(4 * MiB)


def test_wipe_thick(conn, lvm):
    pool, vg, _ = lvm("lvsbwipe")
    vol = pool.createXML(vol_xml("w", 4 * MiB), 0)
    upload(conn, vol, b"\xab" * MiB)
    vol.wipe(0)
    assert read_dev(vol.path(), MiB) == b"\0" * MiB


def test_delete_open_lv_refused(conn, lvm):
    pool, vg, _ = lvm("lvsbopen")
    vol = pool.createXML(vol_xml("busy", 4 * MiB), 0)
    before = vg_state(vg)
    with open(vol.path(), "rb"):
        with pytest.raises(libvirt.libvirtError):
            vol.delete(0)
        assert vg_state(vg) == before


@pytest.mark.stock_differs("logical-delete-open-lv",
                           reason="stock reports lvremove's refusal as an internal error")
@pytest.mark.parametrize("holder", ["opened", "stacked"])
def test_delete_held_lv_refused(conn, lvm, holder):
    """An LV held open, by a process or by a device-mapper device stacked
    on it, is refused with VIR_ERR_OPERATION_INVALID: told by lvm2's
    lv_device_open report field, not by lvremove's words ("in use" for
    the first, "used by another device" for the second)."""
    pool, vg, _ = lvm("lvsbheld")
    vol = pool.createXML(vol_xml("held", 4 * MiB), 0)
    before = vg_state(vg)
    stacked = "lvsbstacked"
    f = None
    if holder == "opened":
        f = open(vol.path(), "rb")
    else:
        run(["dmsetup", "create", stacked, "--table",
             "0 %d linear %s 0" % (4 * MiB // 512, vol.path())])
    try:
        with pytest.raises(libvirt.libvirtError) as e:
            vol.delete(0)
        msg = expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
        assert "'held'" in msg and "'lvsbheld'" in msg and "open" in msg, msg
        assert vg_state(vg) == before
    finally:
        if f:
            f.close()
        else:
            run(["dmsetup", "remove", stacked])
    vol.delete(0)
    assert "held" not in lvs(vg)


@pytest.mark.stock_differs("logical-delete-origin",
                           reason="stock's lvremove -f takes the origin's snapshots with it")
@pytest.mark.parametrize("refreshed", [True, False], ids=["listed", "unlisted"])
def test_delete_origin_of_snapshot_refused(conn, lvm, refreshed):
    pool, vg, _ = lvm("lvsborigin")
    pool.createXML(vol_xml("base", 8 * MiB), 0)
    run(["lvcreate", "-q", "-y", "-s", "-L", "4M", "-n", "snap", vg + "/base"])
    if refreshed:
        pool.refresh(0)
    before = vg_state(vg)
    with pytest.raises(libvirt.libvirtError) as e:
        pool.storageVolLookupByName("base").delete(0)
    assert "snapshot" in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
    assert vg_state(vg) == before
    assert set(lvs(vg)) == {"base", "snap"}


def test_volume_larger_than_free_space(conn, lvm, backend):
    pool, vg, _ = lvm("lvsbfull")
    before = vg_state(vg)
    with pytest.raises(libvirt.libvirtError) as e:
        pool.createXML(vol_xml("huge", 4096 * MiB), 0)
    if backend == "ours":
        msg = expect_error(e, libvirt.VIR_ERR_OPERATION_FAILED)
        assert "bytes free" in msg and before[1][0]["vg_free"] in msg, msg
    assert vg_state(vg) == before


@pytest.mark.parametrize("bad", ["a/b", "-dash", "x_tmeta", "snapshot1", "with space"])
def test_bad_volume_names(conn, lvm, backend, bad):
    pool, vg, _ = lvm("lvsbnames")
    before = vg_state(vg)
    with pytest.raises(libvirt.libvirtError) as e:
        pool.createXML(vol_xml(bad, 4 * MiB), 0)
    if backend == "ours" and bad != "a/b":
        expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert vg_state(vg) == before


# ------------------------------------------------------------------ resize

@pytest.mark.stock_differs("logical-resize", reason="stock has no resizeVol for LVs")
def test_resize_thick_grow(conn, lvm):
    pool, vg, _ = lvm("lvsbgrow")
    vol = pool.createXML(vol_xml("g", 8 * MiB), 0)
    vol.resize(20 * MiB, 0)
    assert lvs(vg)["g"]["lv_size"] == str(20 * MiB)
    assert vol.info()[1] == 20 * MiB
    # lvm2 rounds to whole 4 MiB extents
    vol.resize(21 * MiB, 0)
    assert lvs(vg)["g"]["lv_size"] == str(24 * MiB)


@pytest.mark.ours_only
def test_resize_beyond_free_space(conn, lvm):
    pool, vg, _ = lvm("lvsbgrowfull")
    vol = pool.createXML(vol_xml("g", 8 * MiB), 0)
    before = vg_state(vg)
    with pytest.raises(libvirt.libvirtError):
        vol.resize(4096 * MiB, 0)
    assert vg_state(vg) == before


@pytest.mark.ours_only
def test_thin_volumes_from_namespace_and_resize(conn, lvm):
    pool, vg, disks = lvm("lvsbthin", thinpool="tp0", start=False)
    run(["lvcreate", "-q", "-y", "--type", "thin-pool", "-L", "32M", "-n", "tp0", vg])
    pool.create(0)
    assert xml_attr(pool.XMLDesc(0), "{*}thinpool", "name") == "tp0"
    vol = pool.createXML(vol_xml("t1", 256 * MiB), 0)   # more than the VG
    row = lvs(vg)["t1"]
    assert row["segtype"] == "thin" and row["pool_lv"] == "tp0"
    assert "tp0" not in pool.listVolumes()
    info = vol.info()
    assert info[1] == 256 * MiB and info[2] < MiB
    # grow, then shrink only with the flag
    vol.resize(512 * MiB, 0)
    assert lvs(vg)["t1"]["lv_size"] == str(512 * MiB)
    with pytest.raises(libvirt.libvirtError):
        vol.resize(128 * MiB, 0)
    vol.resize(128 * MiB, libvirt.VIR_STORAGE_VOL_RESIZE_SHRINK)
    assert lvs(vg)["t1"]["lv_size"] == str(128 * MiB)
    # an open LV is not shrunk
    before = vg_state(vg)
    with open(vol.path(), "rb"):
        with pytest.raises(libvirt.libvirtError) as e:
            vol.resize(64 * MiB, libvirt.VIR_STORAGE_VOL_RESIZE_SHRINK)
        expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
    assert vg_state(vg) == before
    # wipe gives the blocks back to the thin pool
    upload(conn, vol, os.urandom(4 * MiB))
    used = float(lvs(vg)["t1"]["data_percent"])
    assert used > 0
    vol.wipe(0)
    assert float(lvs(vg)["t1"]["data_percent"]) < used
    assert read_dev(vol.path(), MiB) == b"\0" * MiB


@pytest.mark.ours_only
def test_thin_when_allocation_below_capacity(conn, lvm):
    pool, vg, _ = lvm("lvsbsparse")
    run(["lvcreate", "-q", "-y", "--type", "thin-pool", "-L", "32M", "-n", "tpx", vg])
    pool.refresh(0)
    pool.createXML(vol_xml("sp", 64 * MiB, allocation=0), 0)
    pool.createXML(vol_xml("full", 8 * MiB), 0)
    rows = lvs(vg)
    assert rows["sp"]["segtype"] == "thin" and rows["sp"]["pool_lv"] == "tpx"
    assert rows["full"]["segtype"] == "linear"


@pytest.mark.ours_only
def test_thinpool_named_but_missing(conn, lvm):
    pool, vg, _ = lvm("lvsbnotp", thinpool="nosuch")
    before = vg_state(vg)
    with pytest.raises(libvirt.libvirtError) as e:
        pool.createXML(vol_xml("t", 8 * MiB), 0)
    assert "nosuch" in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
    assert vg_state(vg) == before


@pytest.mark.ours_only  # stock has no thin volumes; see docs/parity.md vol-upload-thin-full
def test_thin_pool_full(conn, lvm):
    pool, vg, _ = lvm("lvsbtpfull", thinpool="small")
    pool.destroy()
    run(["vgchange", "-ay", vg])
    run(["lvcreate", "-q", "-y", "--type", "thin-pool", "-L", "8M", "-n", "small", vg])
    run(["lvchange", "-q", "--errorwhenfull", "y", vg + "/small"])
    pool.create(0)
    vol = pool.createXML(vol_xml("over", 64 * MiB), 0)
    before = vg_state(vg)
    # More than the thin pool holds: the upload must fail, not report a
    # success whose data never reached the disk.
    with pytest.raises(libvirt.libvirtError):
        upload(conn, vol, b"\x11" * (16 * MiB))
    run(["sync"])
    assert vg_state(vg) == before
    assert float(lvs(vg)["small"]["data_percent"]) == 100.0
    pool.refresh(0)
    assert pool.isActive() and "over" in pool.listVolumes()


# ------------------------------------------------------------ pool errors

def test_build_refuses_device_with_fs(conn, vm_disk, backend):
    run(["mkfs.ext4", "-q", "-F", vm_disk])
    name = "lvsbfs"
    pool = conn.storagePoolDefineXML(pool_xml(name, [vm_disk]), 0)
    try:
        with pytest.raises(libvirt.libvirtError) as e:
            pool.build(0)
        expect_error(e, libvirt.VIR_ERR_STORAGE_POOL_BUILT)
        assert run(["blkid", "-o", "value", "-s", "TYPE", vm_disk]).stdout.strip() == "ext4"
        assert run(["vgs", name], check=False).returncode != 0
        with pytest.raises(libvirt.libvirtError):
            pool.build(libvirt.VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)
        pool.build(libvirt.VIR_STORAGE_POOL_BUILD_OVERWRITE)
        assert lvm_report("vgs", "vg", "-o", "vg_name", name)[0]["vg_name"] == name
    finally:
        pool.undefine()
        remove_vg(name, [vm_disk])


def test_start_without_vg(conn, vm_disk, backend):
    name = "lvsbnovg"
    pool = conn.storagePoolDefineXML(pool_xml(name, [vm_disk]), 0)
    try:
        with pytest.raises(libvirt.libvirtError) as e:
            pool.create(0)
        if backend == "ours":
            assert name in expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
        assert not pool.isActive()
    finally:
        pool.undefine()


@pytest.mark.stock_differs("logical-start-missing-pv",
                           reason="stock starts the pool with a PV missing")
def test_start_with_missing_pv(conn, lvm, tmp_path):
    pv2 = LoopDevice(str(tmp_path / "pv2.img"), 64)
    loop = pv2.path
    name = "lvsbmissing"
    disks = None
    try:
        pool, vg, disks = lvm(name, build=False, start=False)
        run(["pvcreate", "-q", "-y", disks[0], loop])
        run(["vgcreate", "-q", vg, disks[0], loop])
        run(["lvcreate", "-q", "-y", "-L", "4M", "-n", "keep", vg, disks[0]])
        run(["vgchange", "-q", "-an", vg])
        pool.undefine()
        pool = conn.storagePoolDefineXML(pool_xml(name, [disks[0], loop]), 0)
        pv2.detach()
        with pytest.raises(libvirt.libvirtError) as e:
            pool.create(0)
        msg = expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
        assert "missing" in msg
        lv = lvm_report("lvs", "lv", "-o", "lv_name,lv_active", vg)
        assert [r["lv_active"] for r in lv] == [""], lv
    finally:
        pv2.detach()
        run(["vgremove", "-q", "-f", name], check=False)


def test_delete_pool_removes_only_its_pvs(conn, lvm, vm_disk_factory):
    other = vm_disk_factory(1)[0]
    run(["pvcreate", "-q", "-y", other])
    run(["vgcreate", "-q", "lvsbbystander", other])
    try:
        pool, vg, disks = lvm("lvsbdel")
        pool.destroy()
        pool.delete(0)
        pvs = {r["pv_name"]: r["vg_name"] for r in
               lvm_report("pvs", "pv", "-o", "pv_name,vg_name")}
        assert disks[0] not in pvs
        assert pvs.get(other) == "lvsbbystander"
    finally:
        remove_vg("lvsbbystander", [other])


# ------------------------------------------------- issue 7: names, rollback

def pv_vgs():
    """{pv_name: vg_name} as lvm2 reports it."""
    return {r["pv_name"]: r["vg_name"] for r in
            lvm_report("pvs", "pv", "-o", "pv_name,vg_name")}


def vg_names():
    return {r["vg_name"] for r in lvm_report("vgs", "vg", "-o", "vg_name")}


@pytest.mark.stock_differs("logical-vg-name-option",
                           reason="stock passes the VG name to vgremove as it is: "
                                  "'--select=vg_name=~.' removes every VG of the host")
def test_vg_name_that_is_an_option_refused(conn, vm_disk_factory, backend):
    """A pool whose <source><name> is an lvm2 option: pool-delete would run
    'vgremove --force --yes --select=vg_name=~.', every VG of the host.
    Every callback refuses the name before running lvm2, and an unrelated
    VG survives.  (The stock run removes the VG it made itself on a test
    disk of the VM, nothing else.)"""
    victim, disk = vm_disk_factory(2)
    run(["pvcreate", "-q", "-y", victim])
    run(["vgcreate", "-q", "lvsbvictim", victim])
    pool = conn.storagePoolDefineXML(
        pool_xml("lvsbinject", [disk], vg="--select=vg_name=~."), 0)
    try:
        with pytest.raises(libvirt.libvirtError) as e:
            pool.delete(0)
        assert "lvsbvictim" in vg_names()
        if backend == "ours":
            msg = expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
            assert "--select=vg_name=~." in msg and "lvsbinject" in msg, msg
        for call in (lambda: pool.build(0), lambda: pool.create(0)):
            with pytest.raises(libvirt.libvirtError) as e:
                call()
            if backend == "ours":
                expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
        assert "lvsbvictim" in vg_names()
        assert disk not in pv_vgs()
    finally:
        pool.undefine()
        remove_vg("lvsbvictim", [victim, disk])


def test_build_rollback_keeps_first_error(conn, daemon, vm_disk_factory):
    """vgcreate fails after pvcreate succeeded (the VG name is taken by
    another disk): the daemon survives the rollback, the error is
    vgcreate's, and the new PV is removed again."""
    taken, disk = vm_disk_factory(2)
    run(["pvcreate", "-q", "-y", taken])
    run(["vgcreate", "-q", "lvsbtaken", taken])
    pool = conn.storagePoolDefineXML(pool_xml("lvsbrollback", [disk], vg="lvsbtaken"), 0)
    try:
        with pytest.raises(libvirt.libvirtError) as e:
            pool.build(0)
        assert daemon.proc.poll() is None, "libvirtd died in the rollback"
        assert "already exists" in str(e.value), str(e.value)
        conn.listAllStoragePools()
        pvs = pv_vgs()
        assert disk not in pvs, pvs
        assert pvs.get(taken) == "lvsbtaken"
    finally:
        try:
            pool.undefine()
        except libvirt.libvirtError:
            pass
        remove_vg("lvsbtaken", [taken, disk])


def test_resize_near_2_64_refused(virsh, lvm, backend):
    """vol-resize to 2^64 - 1 (virsh passes it, the driver takes it):
    rounded up to whole extents it wrapped to 0.  Refused, the LV kept
    (issue 7, item 10; stock has no LV resize at all)."""
    pool, vg, _ = lvm("lvsbhuge")
    pool.createXML(vol_xml("h", 8 * MiB), 0)
    before = vg_state(vg)
    for flags in ([], ["--shrink"]):
        rc, out, err = virsh("vol-resize", "--pool", vg, "h", "%dB" % (2 ** 64 - 1), *flags)
        assert rc != 0, out
        if backend == "ours":
            assert "invalid argument" in err and "whole extents" in err, err
        assert vg_state(vg) == before
