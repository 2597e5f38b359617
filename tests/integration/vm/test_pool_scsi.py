# SPDX-License-Identifier: LGPL-2.1-or-later
"""scsi pools in the test VM: the LUNs of scsi_debug hosts (two hosts, two
targets each, two LUNs per target) and of the VM's virtio-scsi disk, with
the seed's virsh steps, adapters by name and by <parentaddr>, data moved
by vol-upload/vol-download/vol-wipe, and the bad inputs, against our
module and the stock one.  What a volume must be (name, path, key, size)
is read from sysfs, /dev/disk and scsi_id, independent of the module.

Runs inside the VM (run-suites.sh attaches the virtio-scsi disk):
    tests/vm/run-suites.sh tests/integration/vm/test_pool_scsi.py
"""

import glob
import os
import re
import time

import pytest

from poolhelpers import ok, fails, xml_root
from vmhelpers import run, vm_scsi_disks

MiB = 1024 * 1024
DEBUG_MB = 8            # each scsi_debug LUN (they share one store)
DEBUG_HOSTS, DEBUG_TGTS, DEBUG_LUNS = 2, 2, 2


# ------------------------------------------------------------------ helpers

def settle():
    run(["udevadm", "settle", "--timeout=60"], check=False)


def hosts_of_driver(proc_name):
    """hostN names of the SCSI hosts whose driver is @proc_name."""
    found = []
    for path in glob.glob("/sys/class/scsi_host/host*"):
        try:
            with open(os.path.join(path, "proc_name")) as f:
                if f.read().strip() == proc_name:
                    found.append(os.path.basename(path))
        except OSError:
            pass
    return sorted(found, key=lambda h: int(h[4:]))


def luns_of(host):
    """{"unit:B:T:L": "/dev/sdX"} of the disks of @host, from sysfs."""
    n = host[4:]
    luns = {}
    for path in glob.glob("/sys/bus/scsi/devices/%s:*" % n):
        h, b, t, l = os.path.basename(path).split(":")
        with open(os.path.join(path, "type")) as f:
            if f.read().strip() != "0":
                continue
        blocks = os.listdir(os.path.join(path, "block"))
        luns["unit:%s:%s:%s" % (b, t, l)] = "/dev/" + blocks[0]
    return luns


def host_of_disk(dev):
    """hostN of the block device @dev (/dev/sda)."""
    lun = os.path.basename(os.path.realpath("/sys/block/%s/device" % os.path.basename(dev)))
    return "host" + lun.split(":")[0]


def scsi_id(path):
    """The key libvirt 9.0 gives a LUN: scsi_id's id, or the path when none."""
    res = run(["/lib/udev/scsi_id", "--replace-whitespace", "--whitelisted",
               "--device", path], check=False)
    return res.stdout.strip() if res.returncode == 0 and res.stdout.strip() else path


def by_path_link(dev):
    """The /dev/disk/by-path link of @dev (there must be exactly one)."""
    links = [p for p in glob.glob("/dev/disk/by-path/*")
             if os.path.realpath(p) == os.path.realpath(dev)]
    assert len(links) == 1, "by-path links of %s: %s" % (dev, links)
    return links[0]


def parentaddr_of(host):
    """(domain, bus, slot, function, unique_id) of @host's PCI device."""
    real = os.path.realpath("/sys/class/scsi_host/" + host)
    pci = [c for c in real.split("/") if re.fullmatch(r"[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]", c)]
    dom, bus, rest = pci[-1].split(":")
    slot, fn = rest.split(".")
    with open("/sys/class/scsi_host/%s/unique_id" % host) as f:
        uid = int(f.read())
    return int(dom, 16), int(bus, 16), int(slot, 16), int(fn, 16), uid


def vol_list(virsh, pool):
    """virsh vol-list POOL -> {name: path}."""
    out = ok(virsh("vol-list", pool))
    vols = {}
    for line in out.splitlines()[2:]:
        parts = line.split()
        if len(parts) == 2:
            vols[parts[0]] = parts[1]
    return vols


def vol_xml(virsh, pool, vol):
    return xml_root(ok(virsh("vol-dumpxml", "--pool", pool, vol)))


def read_dev(path, length, offset=0):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(length)


def write_dev(path, data, offset=0):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)
        os.fsync(f.fileno())


def check_pool_volumes(virsh, pool, luns, target):
    """The pool lists exactly @luns ({name: /dev/sdX}), each at its path
    under @target, with scsi_id's key and the device's size; the pool's
    capacity is their sum."""
    vols = vol_list(virsh, pool)
    assert sorted(vols) == sorted(luns), vols
    total = 0
    for name, dev in luns.items():
        path = dev if target == "/dev" else by_path_link(dev)
        assert vols[name] == path, (name, vols[name], path)
        root = vol_xml(virsh, pool, name)
        assert root.get("type") == "block"
        assert root.findtext("key") == scsi_id(path)
        size = int(open("/sys/block/%s/size" % os.path.basename(dev)).read()) * 512
        assert int(root.findtext("capacity")) == size
        total += size
    info = xml_root(ok(virsh("pool-dumpxml", pool)))
    assert int(info.findtext("capacity")) == total
    return vols


# ----------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def scsi_debug():
    """hostN names of the scsi_debug hosts: DEBUG_HOSTS hosts of
    DEBUG_TGTS targets of DEBUG_LUNS LUNs of DEBUG_MB MiB."""
    before = set(hosts_of_driver("scsi_debug"))
    assert not before, "scsi_debug is loaded already: %s" % before
    run(["modprobe", "scsi_debug", "add_host=%d" % DEBUG_HOSTS, "num_tgts=%d" % DEBUG_TGTS,
         "max_luns=%d" % DEBUG_LUNS, "dev_size_mb=%d" % DEBUG_MB])
    settle()
    try:
        hosts = hosts_of_driver("scsi_debug")
        assert len(hosts) == DEBUG_HOSTS, hosts
        for h in hosts:
            assert len(luns_of(h)) == DEBUG_TGTS * DEBUG_LUNS, (h, luns_of(h))
        yield hosts
    finally:
        settle()
        run(["rmmod", "scsi_debug"], check=False)


@pytest.fixture
def scsi_disk():
    """The virtio-scsi disk (/dev/sdX), its host and by-path link; its
    first MiB is zeroed again after the test."""
    disks = vm_scsi_disks()
    assert disks, "no virtio-scsi disk: run with tests/vm/run.sh --scsi-disk 1024"
    dev = disks[0]
    try:
        yield dev, host_of_disk(dev), by_path_link(dev)
    finally:
        write_dev(dev, b"\0" * MiB)


# --------------------------------------------------------- the seed's steps

def test_seed_steps_scsi_debug(virsh, scsi_debug):
    """pool-define-as NAME scsi --adapter-name hostN --target /dev,
    pool-start, vol-list, vol-info, pool-refresh (same volumes), and
    pool-destroy, on each scsi_debug host at once: each pool lists only
    its host's LUNs."""
    pools = {}
    try:
        for i, host in enumerate(scsi_debug):
            name = "lvsbscsi%d" % i
            ok(virsh("pool-define-as", name, "scsi", "--adapter-name", host,
                     "--target", "/dev"))
            ok(virsh("pool-start", name))
            pools[name] = host
        for name, host in pools.items():
            luns = luns_of(host)
            assert len(luns) == DEBUG_TGTS * DEBUG_LUNS
            vols = check_pool_volumes(virsh, name, luns, "/dev")
            out = ok(virsh("vol-info", "--pool", name, "unit:0:1:1"))
            assert re.search(r"Type:\s+block", out) and "8.00 MiB" in out, out
            ok(virsh("pool-refresh", name))
            assert vol_list(virsh, name) == vols
            out = ok(virsh("pool-info", name))
            assert "running" in out and "32.00 MiB" in out, out
        for name in pools:
            ok(virsh("pool-destroy", name))
            ok(virsh("pool-undefine", name))
    finally:
        for name in pools:
            virsh("pool-destroy", name)
            virsh("pool-undefine", name)


def test_virtio_scsi_by_path(virsh, scsi_disk, tmp_path):
    """The virtio-scsi disk's host with target /dev/disk/by-path: the
    volume's path is udev's by-path link, the same after a refresh; data
    round trips through vol-upload/vol-download, at an offset too."""
    dev, host, link = scsi_disk
    name = "lvsbscsivirtio"
    try:
        ok(virsh("pool-define-as", name, "scsi", "--adapter-name", host,
                 "--target", "/dev/disk/by-path"))
        ok(virsh("pool-start", name))
        luns = luns_of(host)
        assert list(luns.values()) == [dev], luns
        vols = check_pool_volumes(virsh, name, luns, "/dev/disk/by-path")
        vol = next(iter(vols))
        assert vols[vol] == link
        ok(virsh("pool-refresh", name))
        assert vol_list(virsh, name) == vols

        data = os.urandom(MiB + 4096)
        src = tmp_path / "up.bin"
        src.write_bytes(data)
        ok(virsh("vol-upload", "--pool", name, vol, str(src), "--offset", str(3 * MiB)))
        assert read_dev(dev, len(data), 3 * MiB) == data
        dst = tmp_path / "down.bin"
        ok(virsh("vol-download", "--pool", name, vol, str(dst),
                 "--offset", str(3 * MiB), "--length", str(len(data))))
        assert dst.read_bytes() == data
        ok(virsh("pool-destroy", name))
    finally:
        virsh("pool-destroy", name)
        virsh("pool-undefine", name)
        write_dev(dev, b"\0" * (5 * MiB))


def test_adapter_by_parentaddr(conn, virsh, scsi_disk):
    """<adapter type='scsi_host'><parentaddr unique_id=...> names the
    virtio-scsi controller by its PCI address: the same volumes as by name;
    a unique_id no host has is refused at start and leaves the pool
    inactive."""
    dev, host, link = scsi_disk
    dom, bus, slot, fn, uid = parentaddr_of(host)

    def xml(name, unique_id):
        return ("<pool type='scsi'><name>%s</name><source><adapter type='scsi_host'>"
                "<parentaddr unique_id='%d'><address domain='0x%04x' bus='0x%02x' "
                "slot='0x%02x' function='0x%x'/></parentaddr></adapter></source>"
                "<target><path>/dev/disk/by-path</path></target></pool>"
                % (name, unique_id, dom, bus, slot, fn))

    pool = conn.storagePoolDefineXML(xml("lvsbscsiaddr", uid), 0)
    try:
        pool.create(0)
        check_pool_volumes(virsh, "lvsbscsiaddr", luns_of(host), "/dev/disk/by-path")
        pool.destroy()
    finally:
        if pool.isActive():
            pool.destroy()
        pool.undefine()

    bad = conn.storagePoolDefineXML(xml("lvsbscsibadaddr", uid + 1000), 0)
    try:
        fails(virsh("pool-start", "lvsbscsibadaddr"))
        assert not bad.isActive()
    finally:
        if bad.isActive():
            bad.destroy()
        bad.undefine()


@pytest.mark.stock_differs("scsi-no-link-no-wait",
                           reason="stock waits 10 s for each LUN without a link in the target directory")
def test_lun_without_link_is_not_waited_for(virsh, scsi_debug):
    """Target /dev/disk/by-path on a scsi_debug host, whose LUNs get no
    by-path link from udev: after udev settled no LUN has one, so the pool
    starts at once with no volume (stock waits 10 s per LUN, 40 s here)."""
    host = scsi_debug[1]
    luns = luns_of(host)
    for dev in luns.values():
        assert not [p for p in glob.glob("/dev/disk/by-path/*")
                    if os.path.realpath(p) == dev], "scsi_debug LUN %s has a by-path link" % dev
    name = "lvsbscsinolink"
    try:
        ok(virsh("pool-define-as", name, "scsi", "--adapter-name", host,
                 "--target", "/dev/disk/by-path"))
        t0 = time.monotonic()
        ok(virsh("pool-start", name))
        took = time.monotonic() - t0
        assert vol_list(virsh, name) == {}
        assert took < 20, "pool-start took %.1f s" % took
    finally:
        virsh("pool-destroy", name)
        virsh("pool-undefine", name)


# ----------------------------------------------------------- volume data

def test_vol_upload_download_wipe(virsh, scsi_debug, tmp_path):
    """vol-upload of a whole LUN and vol-download of it back, byte for
    byte; vol-wipe leaves it reading as zeros; the device agrees."""
    host = scsi_debug[0]
    name = "lvsbscsidata"
    try:
        ok(virsh("pool-define-as", name, "scsi", "--adapter-name", host, "--target", "/dev"))
        ok(virsh("pool-start", name))
        dev = luns_of(host)["unit:0:0:0"]
        data = os.urandom(DEBUG_MB * MiB)
        src = tmp_path / "up.bin"
        src.write_bytes(data)
        ok(virsh("vol-upload", "--pool", name, "unit:0:0:0", str(src)))
        assert read_dev(dev, len(data)) == data
        dst = tmp_path / "down.bin"
        ok(virsh("vol-download", "--pool", name, "unit:0:0:0", str(dst)))
        assert dst.read_bytes() == data

        ok(virsh("vol-wipe", "--pool", name, "unit:0:0:0"))
        assert read_dev(dev, len(data)) == b"\0" * len(data)
        ok(virsh("pool-destroy", name))
    finally:
        virsh("pool-destroy", name)
        virsh("pool-undefine", name)


@pytest.mark.stock_differs("lun-upload-past-end",
                           reason="stock writes what fits and drops the rest, and virsh succeeds")
def test_upload_past_lun_end_refused(virsh, scsi_debug, tmp_path):
    """An upload that does not fit before the LUN's end: with --length it
    is refused before anything is written; without, it fails (stock
    writes what fits, drops the rest and reports success)."""
    host = scsi_debug[0]
    name = "lvsbscsiend"
    try:
        ok(virsh("pool-define-as", name, "scsi", "--adapter-name", host, "--target", "/dev"))
        ok(virsh("pool-start", name))
        dev = luns_of(host)["unit:0:1:0"]
        at = (DEBUG_MB - 1) * MiB
        write_dev(dev, b"\2" * MiB, at)
        big = tmp_path / "big.bin"
        big.write_bytes(b"\1" * (MiB + 4096))
        fails(virsh("vol-upload", "--pool", name, "unit:0:1:0", str(big),
                    "--offset", str(at), "--length", str(MiB + 4096)))
        assert read_dev(dev, MiB, at) == b"\2" * MiB
        fails(virsh("vol-upload", "--pool", name, "unit:0:1:0", str(big),
                    "--offset", str(at)))
    finally:
        virsh("pool-destroy", name)
        virsh("pool-undefine", name)


def sd_index(dev):
    """The kernel's index of /dev/sdX (sda 0, sdz 25, sdaa 26...): the
    kernel gives a new disk the lowest free one, and its name with it."""
    n = 0
    for c in os.path.basename(dev)[2:]:
        n = n * 26 + ord(c) - ord("a") + 1
    return n - 1


def delete_lun(dev):
    with open("/sys/block/%s/device/delete" % os.path.basename(dev), "w") as f:
        f.write("1")
    settle()


def scan_lun(host, unit):
    """Asks @host to scan the LUN "unit:B:T:L" again."""
    _, b, t, l = unit.split(":")
    with open("/sys/class/scsi_host/%s/scan" % host, "w") as f:
        f.write("%s %s %s" % (b, t, l))
    settle()


@pytest.mark.stock_differs("lun-path-reused",
                           reason="stock opens whatever device the recorded path names now")
def test_lun_path_reused_by_another_lun_refused(virsh, scsi_debug, tmp_path):
    """A LUN of the pool's host goes away and a LUN of another host
    takes its name (/dev/sdX, same device number) before the pool is
    refreshed: vol-upload, vol-download and vol-wipe of the listed
    volume are refused, naming the path and telling to refresh, and
    nothing is written (scsi_debug's LUNs share one store: a write to
    any of them would show); pool-refresh finds the LUN again under a
    new name, and the volume can be read there."""
    host, other = scsi_debug
    name = "lvsbscsireused"
    mine = luns_of(host)
    unit, dev = min(mine.items(), key=lambda kv: sd_index(kv[1]))
    theirs = luns_of(other)
    ounit, odev = max(theirs.items(), key=lambda kv: sd_index(kv[1]))
    assert sd_index(odev) > sd_index(dev), (dev, odev)
    try:
        ok(virsh("pool-define-as", name, "scsi", "--adapter-name", host, "--target", "/dev"))
        ok(virsh("pool-start", name))
        assert vol_list(virsh, name)[unit] == dev
        mark = os.urandom(MiB)
        write_dev(dev, mark)

        delete_lun(dev)
        delete_lun(odev)
        scan_lun(other, ounit)
        assert luns_of(other).get(ounit) == dev, \
            "LUN %s of %s did not take the name %s: %s" % (ounit, other, dev, luns_of(other))
        assert unit not in luns_of(host)

        fails(virsh("vol-wipe", "--pool", name, unit), dev, "pool-refresh")
        src = tmp_path / "up.bin"
        src.write_bytes(b"\1" * MiB)
        fails(virsh("vol-upload", "--pool", name, unit, str(src)), dev, "pool-refresh")
        fails(virsh("vol-download", "--pool", name, unit, str(tmp_path / "down.bin")),
              dev, "pool-refresh")
        assert read_dev(dev, MiB) == mark

        # the refresh scans the host: the LUN is back, under another name
        ok(virsh("pool-refresh", name))
        now = luns_of(host).get(unit)
        assert now and now != dev, (unit, now)
        assert vol_list(virsh, name)[unit] == now
        ok(virsh("vol-download", "--pool", name, unit, str(tmp_path / "down.bin")))
    finally:
        virsh("pool-destroy", name)
        virsh("pool-undefine", name)
        if unit not in luns_of(host):
            scan_lun(host, unit)
        if ounit not in luns_of(other):
            scan_lun(other, ounit)
        assert len(luns_of(host)) == DEBUG_TGTS * DEBUG_LUNS
        assert len(luns_of(other)) == DEBUG_TGTS * DEBUG_LUNS


# ------------------------------------------------------------- bad input

@pytest.mark.parametrize("adapter", ["host999", "sda"])
def test_adapter_that_does_not_exist(virsh, backend, scsi_debug, adapter):
    """A SCSI host that does not exist, or a name that is no host: the
    start fails with a message naming it and the pool stays inactive."""
    name = "lvsbscsinohost"
    try:
        ok(virsh("pool-define-as", name, "scsi", "--adapter-name", adapter,
                 "--target", "/dev"))
        err = fails(virsh("pool-start", name))
        if backend == "ours":
            assert "'%s'" % adapter in err and "nodedev-list" in err, err
        assert "inactive" in ok(virsh("pool-info", name))
    finally:
        virsh("pool-destroy", name)
        virsh("pool-undefine", name)


def test_target_outside_dev(virsh, backend, scsi_debug, tmp_path):
    """A target directory outside /dev, where udev makes no links, is
    refused and the pool stays inactive."""
    name = "lvsbscsitarget"
    try:
        ok(virsh("pool-define-as", name, "scsi", "--adapter-name", scsi_debug[0],
                 "--target", str(tmp_path)))
        err = fails(virsh("pool-start", name))
        if backend == "ours":
            assert str(tmp_path) in err and "/dev/disk/by-path" in err, err
        assert "inactive" in ok(virsh("pool-info", name))
    finally:
        virsh("pool-destroy", name)
        virsh("pool-undefine", name)


def test_fc_host_wrong_wwn(virsh, backend):
    """An fc_host adapter whose wwnn/wwpn no vHBA has, on a machine without
    an FC HBA: the start fails, the pool stays inactive and no SCSI host
    was added."""
    name = "lvsbscsifc"
    hosts = set(glob.glob("/sys/class/scsi_host/host*"))
    try:
        ok(virsh("pool-define-as", name, "scsi", "--adapter-wwnn", "5001a4ace3ee047d",
                 "--adapter-wwpn", "5001a4a9c3d2f0a1", "--target", "/dev/disk/by-path"))
        err = fails(virsh("pool-start", name))
        if backend == "ours":
            assert "5001a4ace3ee047d" in err and "5001a4a9c3d2f0a1" in err, err
        assert "inactive" in ok(virsh("pool-info", name))
        assert set(glob.glob("/sys/class/scsi_host/host*")) == hosts
    finally:
        virsh("pool-destroy", name)
        virsh("pool-undefine", name)
