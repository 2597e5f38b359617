# SPDX-License-Identifier: LGPL-2.1-or-later
"""Our modules are what the daemon runs, and they keep the symbol policy.

Symbol policy (docs: DESIGN.md): of everything libvirt_driver_storage.so
defines, a module of ours may use only virStorageBackendRegister, and it
exports only its virStorageBackend*Register function(s).
"""

import glob
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import OUR_BACKEND_DIR
from testdaemon import LIBVIRT_LIBDIR, STOCK_BACKEND_DIR

DRIVER_STORAGE = os.path.join(LIBVIRT_LIBDIR, "connection-driver", "libvirt_driver_storage.so")
EXPORT_RE = re.compile(r"^virStorageBackend[A-Za-z]*Register$")

# pool types each module file serves (DESIGN.md)
MODULE_POOL_TYPES = {
    "libvirt_storage_backend_fs.so": ["dir", "fs", "netfs"],
    "libvirt_storage_backend_disk.so": ["disk"],
    "libvirt_storage_backend_logical.so": ["logical"],
    "libvirt_storage_backend_iscsi.so": ["iscsi"],
    "libvirt_storage_backend_iscsi-direct.so": ["iscsi-direct"],
    "libvirt_storage_backend_scsi.so": ["scsi"],
    "libvirt_storage_backend_rbd.so": ["rbd"],
    "libvirt_storage_backend_gluster.so": ["gluster"],
}


def our_modules():
    return sorted(glob.glob(os.path.join(OUR_BACKEND_DIR, "libvirt_storage_backend_*.so")))


def dynamic_symbols(path, which):
    """Names of the dynamic symbols of @path: which='defined' or 'undefined'."""
    out = subprocess.run(["nm", "-D", "--%s-only" % which, path],
                         capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if not parts:
            continue
        name = parts[-1].split("@")[0]
        kind = parts[-2] if len(parts) >= 2 else "U"
        if which == "defined" and kind in ("A", "a"):
            continue  # version nodes
        names.add(name)
    return names


def test_modules_are_built():
    names = [os.path.basename(m) for m in our_modules()]
    assert "libvirt_storage_backend_fs.so" in names, \
        "no fs module in %s (build first)" % OUR_BACKEND_DIR


@pytest.mark.parametrize("module", [os.path.basename(m) for m in our_modules()]
                         or ["(none built)"])
def test_symbol_policy(module):
    path = os.path.join(OUR_BACKEND_DIR, module)
    assert os.path.exists(path), "no module built in %s" % OUR_BACKEND_DIR

    driver_defined = dynamic_symbols(DRIVER_STORAGE, "defined")
    used_from_driver = dynamic_symbols(path, "undefined") & driver_defined
    assert used_from_driver <= {"virStorageBackendRegister"}, (
        "%s uses libvirt_driver_storage.so symbols other than "
        "virStorageBackendRegister: %s" % (module, sorted(used_from_driver)))

    exported = dynamic_symbols(path, "defined")
    extra = sorted(s for s in exported if not EXPORT_RE.match(s))
    assert not extra, "%s exports more than virStorageBackend*Register: %s" % (module, extra)
    assert exported, "%s exports no register function" % module


def test_symbol_check_catches_stock():
    """The check above is able to fail: the stock fs module uses many
    private symbols of libvirt_driver_storage.so."""
    stock = os.path.join(STOCK_BACKEND_DIR, "libvirt_storage_backend_fs.so")
    used = dynamic_symbols(stock, "undefined") & dynamic_symbols(DRIVER_STORAGE, "defined")
    assert "virStorageBackendRegister" in used and len(used) > 1


def loaded_backend_modules(daemon):
    with open("/proc/%d/maps" % daemon.pid) as f:
        paths = {line.split()[-1] for line in f if len(line.split()) >= 6}
    return {p for p in paths if os.path.basename(p).startswith("libvirt_storage_backend_")}


def supported_pool_types(conn):
    caps = ET.fromstring(conn.getStoragePoolCapabilities())
    return {p.get("type") for p in caps.findall("pool") if p.get("supported") == "yes"}


def test_pools_served_by_expected_modules(backend, daemon, conn):
    """The daemon maps only the modules of its backend dir, and every pool
    type of each of those modules is supported: a module missing from the
    dir would be skipped silently by libvirt."""
    expected_dir = os.path.realpath(daemon.backend_dir)
    loaded = loaded_backend_modules(daemon)
    assert loaded, "no storage backend module mapped in libvirtd"
    for path in loaded:
        assert os.path.dirname(os.path.realpath(path)) == expected_dir, \
            "%s run maps %s" % (backend, path)

    modules = {os.path.basename(p) for p in glob.glob(
        os.path.join(expected_dir, "libvirt_storage_backend_*.so"))}
    assert {os.path.basename(p) for p in loaded} == modules, \
        "modules present but not loaded: %s" % sorted(modules - {os.path.basename(p) for p in loaded})

    supported = supported_pool_types(conn)
    for module in modules:
        for pool_type in MODULE_POOL_TYPES.get(module, []):
            assert pool_type in supported, \
                "%s is loaded but pool type %s is not supported" % (module, pool_type)
    if backend == "ours":
        assert os.path.join(expected_dir, "libvirt_storage_backend_fs.so") in \
            {os.path.realpath(p) for p in loaded}
        assert {"dir", "fs", "netfs"} <= supported
