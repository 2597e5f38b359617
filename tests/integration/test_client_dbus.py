# SPDX-License-Identifier: LGPL-2.1-or-later
"""libvirt-dbus 1.4.1 (what cockpit-machines uses) against the test daemon
with the qemu driver (clienthelpers.py: a private dbus-daemon, libvirt-dbus
--system reaching the daemon as qemu:///system).  Over D-Bus, with
python3-dbus: a pool defined, built and started, pools and volumes listed,
a volume created and deleted, the pool stopped and undefined.  Every step
is checked with the libvirt API."""

import json
import os
import subprocess

import dbus
import libvirt
import pytest

from poolhelpers import dir_pool_xml, vol_format, xml_root

GiB = 1024 ** 3
CONNECT = "/org/libvirt/QEMU"


class Client:
    """The org.libvirt service of @svc, as cockpit-machines calls it."""

    def __init__(self, svc):
        self.bus = dbus.bus.BusConnection(svc.address)

    def obj(self, path, iface):
        return dbus.Interface(self.bus.get_object("org.libvirt", path), iface)

    def prop(self, path, iface, name):
        props = dbus.Interface(self.bus.get_object("org.libvirt", path),
                               "org.freedesktop.DBus.Properties")
        return props.Get(iface, name)

    @property
    def connect(self):
        return self.obj(CONNECT, "org.libvirt.Connect")

    def pool(self, path):
        return self.obj(path, "org.libvirt.StoragePool")

    def vol(self, path):
        return self.obj(path, "org.libvirt.StorageVol")

    def pool_names(self):
        return {str(self.prop(p, "org.libvirt.StoragePool", "Name")): p
                for p in self.connect.ListStoragePools(0)}

    def vol_names(self, pool_path):
        return {str(self.prop(v, "org.libvirt.StorageVol", "Name")): v
                for v in self.pool(pool_path).ListStorageVolumes(0)}

    def close(self):
        self.bus.close()


@pytest.fixture
def client(libvirt_dbus):
    c = Client(libvirt_dbus)
    try:
        yield c
    finally:
        c.close()


def vol_xml(name, capacity, fmt):
    return ("<volume><name>%s</name><capacity>%d</capacity>"
            "<target><format type='%s'/></target></volume>" % (name, capacity, fmt))


def test_dir_pool_and_volume_over_dbus(client, qemu_conn, tmp_path):
    target = str(tmp_path / "dbus_images")
    path = client.connect.StoragePoolDefineXML(dir_pool_xml("dbus_dir", target), 0)
    pool = client.pool(path)
    pool.Build(0)
    pool.Create(0)
    api_pool = qemu_conn.storagePoolLookupByName("dbus_dir")
    assert api_pool.isActive() == 1 and api_pool.isPersistent() == 1
    assert os.path.isdir(target)

    # the pools, as the API lists them, each with its UUID and state
    listed = client.pool_names()
    assert set(listed) == {p.name() for p in qemu_conn.listAllStoragePools()}
    assert str(client.prop(listed["dbus_dir"], "org.libvirt.StoragePool", "UUID")) \
        == api_pool.UUIDString()
    assert bool(client.prop(listed["dbus_dir"], "org.libvirt.StoragePool", "Active"))
    state, capacity, allocation, available = (int(x) for x in pool.GetInfo(0))
    assert state == libvirt.VIR_STORAGE_POOL_RUNNING
    assert capacity == api_pool.info()[1]

    # a volume made with the API is listed
    api_pool.createXML(vol_xml("made_by_api.raw", 1024 * 1024, "raw"), 0)
    assert set(client.vol_names(path)) == {"made_by_api.raw"}

    # a qcow2 volume made over D-Bus, as cockpit-machines' Create volume
    vpath = pool.StorageVolCreateXML(vol_xml("dbus.qcow2", GiB, "qcow2"), 0)
    vols = client.vol_names(path)
    assert set(vols) == {"made_by_api.raw", "dbus.qcow2"}
    api_vol = api_pool.storageVolLookupByName("dbus.qcow2")
    file = os.path.join(target, "dbus.qcow2")
    assert api_vol.path() == file
    assert str(client.prop(vpath, "org.libvirt.StorageVol", "Path")) == file
    assert str(client.prop(vpath, "org.libvirt.StorageVol", "Key")) == api_vol.key()
    assert vol_format(api_vol.XMLDesc(0)) == "qcow2"
    assert api_vol.info()[1] == GiB
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", "-U", file],
                                     capture_output=True, text=True, check=True).stdout)
    assert (info["format"], info["virtual-size"]) == ("qcow2", GiB)
    vtype, vcap, valloc = (int(x) for x in client.vol(vpath).GetInfo(0))
    assert (vtype, vcap, valloc) == tuple(api_vol.info())
    assert xml_root(client.vol(vpath).GetXMLDesc(0)).findtext("key") == api_vol.key()

    # deleted over D-Bus: gone from the API and the disk
    client.vol(vpath).Delete(0)
    assert not os.path.exists(file)
    with pytest.raises(libvirt.libvirtError):
        api_pool.storageVolLookupByName("dbus.qcow2")
    api_pool.refresh(0)
    assert api_pool.listVolumes() == ["made_by_api.raw"]

    pool.Destroy()
    assert api_pool.isActive() == 0
    pool.Undefine()
    assert "dbus_dir" not in {p.name() for p in qemu_conn.listAllStoragePools()}
