# SPDX-License-Identifier: LGPL-2.1-or-later
"""virt-manager 4.1, the real GUI, against the test daemon with the qemu
driver (clienthelpers.py), driven like a user under Xvfb: dogtail over
AT-SPI (guihelpers.py) finds its widgets by role, accessible name or the
label of their row, and clicks them with XTest events.  Each test opens
Connection Details (--show-host-summary) on its Storage tab, makes a pool
with the Add Pool wizard, a volume with the New Volume dialog, deletes the
volume, stops and deletes the pool, and checks each step with the libvirt
API, not with what the GUI shows.  Screenshots of every step are kept in
BUILD_DIR/virt-manager-shots (docs/pools/images has the best of them)."""

import os
import subprocess
import time

import libvirt
import pytest

import poolhelpers
from conftest import BUILD_DIR
from guihelpers import WAIT, Desktop, Driver, VirtManager
from poolhelpers import vol_format, xml_attr, xml_text

GiB = 1024 ** 3
MiB = 1024 ** 2
SHOTS = os.path.join(BUILD_DIR, "virt-manager-shots")


@pytest.fixture(scope="module")
def desktop():
    """Xvfb, a session bus, the accessibility bus and the driver (vmdriver.py)
    for the module."""
    d = Desktop()
    try:
        d.start()
        d.driver = Driver(d, SHOTS)
    except (RuntimeError, OSError) as e:
        d.stop()
        pytest.fail("cannot start the desktop: %s" % e, pytrace=False)
    try:
        yield d
    finally:
        d.driver.stop()
        d.stop()


@pytest.fixture
def gui(request, backend, desktop, qemu_daemon):
    """virt-manager connected to this run's daemon, its Storage tab open;
    gui(ACTION, ARGS...) runs one of vmdriver.py's actions."""
    prefix = "%s-%s" % (request.node.originalname.replace("test_", ""), backend)
    vm = VirtManager(desktop, desktop.driver, qemu_daemon.qemu_uri, prefix)
    try:
        yield vm
    finally:
        vm.stop()


@pytest.fixture
def loops(qemu_daemon, tmp_path):
    """make(size_mb) -> a fresh loop device; after the test the pools are
    removed, the device unmounted in the daemon's namespace and detached."""
    made = []

    def make(size_mb=256, partscan=False):
        dev = poolhelpers.LoopDevice(str(tmp_path / ("vm%d.img" % len(made))),
                                     size_mb, partscan=partscan)
        made.append(dev)
        return dev

    try:
        yield make
    finally:
        poolhelpers.cleanup_pools(qemu_daemon.uri)
        for dev in made:
            try:
                if dev.path:
                    poolhelpers.unmount_device(qemu_daemon, dev.path)
            finally:
                dev.detach()


def api_wait(find, what, timeout=WAIT):
    """Poll the API until @find() returns something other than None."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            got = find()
            if got is not None:
                return got
        except libvirt.libvirtError as e:
            last = e
        time.sleep(0.2)
    pytest.fail("no %s through the API after %ss (%s)" % (what, timeout, last),
                pytrace=False)


# ------------------------------------------------------------ GUI steps

def stop_and_delete_pool(gui, conn, name):
    gui("stop_pool", name)
    api_wait(lambda: True if not conn.storagePoolLookupByName(name).isActive() else None,
             "pool %s stopped" % name)
    assert name in gui("delete_pool", name)

    def undefined():
        try:
            conn.storagePoolLookupByName(name)
        except libvirt.libvirtError as e:
            if e.get_error_code() == libvirt.VIR_ERR_NO_STORAGE_POOL:
                return True
            raise
        return None
    api_wait(undefined, "pool %s undefined" % name)


# ------------------------------------------------------------ API checks

def check_pool(conn, name, ptype, target):
    pool = api_wait(lambda: conn.storagePoolLookupByName(name), "pool %s" % name)
    api_wait(lambda: True if pool.isActive() else None, "pool %s active" % name)
    assert pool.isPersistent() == 1
    assert pool.autostart() == 1        # the wizard's default
    xml = pool.XMLDesc(0)
    assert xml_attr(xml, ".", "type") == ptype
    assert xml_text(xml, "target/path") == target
    return pool


def check_volume(conn, pool, name, capacity, fmt):
    pool.refresh(0)
    vol = api_wait(lambda: pool.storageVolLookupByName(name), "volume %s" % name)
    info = vol.info()
    assert info[1] == capacity
    assert vol_format(vol.XMLDesc(0)) == fmt
    path = vol.path()
    assert os.path.exists(path)
    return vol, path


def check_volume_gone(conn, pool, name, path):
    def gone():
        try:
            pool.storageVolLookupByName(name)
        except libvirt.libvirtError as e:
            if e.get_error_code() == libvirt.VIR_ERR_NO_STORAGE_VOL:
                return True
            raise
        return None
    api_wait(gone, "volume %s deleted" % name)
    assert not os.path.exists(path)


# ------------------------------------------------------------ the tests

def test_dir_pool(gui, qemu_conn, tmp_path):
    target = str(tmp_path / "vm_images")
    assert gui("add_pool", "vmdir", "dir: Filesystem Directory",
               [("Target Path:", target)]) is None
    pool = check_pool(qemu_conn, "vmdir", "dir", target)
    assert os.path.isdir(target)

    proposed, err = gui("new_volume", "vmdir", "vmvol", 1, "qcow2")
    assert err is None and proposed == "vol"
    vol, path = check_volume(qemu_conn, pool, "vmvol.qcow2", GiB, "qcow2")
    assert path == os.path.join(target, "vmvol.qcow2")
    img = subprocess.run(["qemu-img", "info", "--output=json", "-U", path],
                         capture_output=True, text=True, check=True).stdout
    assert '"format": "qcow2"' in img and '"virtual-size": %d' % GiB in img

    assert "vmvol.qcow2" in gui("delete_volume", "vmvol.qcow2")
    check_volume_gone(qemu_conn, pool, "vmvol.qcow2", path)
    gui("shot", "4-deleted", "host")
    stop_and_delete_pool(gui, qemu_conn, "vmdir")
