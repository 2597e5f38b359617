# SPDX-License-Identifier: LGPL-2.1-or-later
"""What a guest (or anyone who can write into a pool directory) and a
restricted client must not reach through file volumes (docs/security.rst,
"Image headers and backing files" and "Files in a pool directory"):

- symbolic links in the pool are not volumes, and a volume swapped for a
  link, a FIFO or another file after the refresh is refused by every
  operation, never followed, never waited on;
- an image header (written by the guest into its raw disk) that names a
  backing file makes no operation open, stat, copy or re-create it;
- a backing store chosen by a client must be a volume of an active pool.

The "host file" of every test is a root-only file of the test's own
temporary directory, never a real system file.  Where the stock modules
hang (they open a FIFO named by a header or planted in the pool), the test
runs against ours only, with every call bounded by a timeout."""

import hashlib
import json
import os
import stat
import struct
import subprocess
import uuid
import xml.etree.ElementTree as ET

import libvirt
import pytest

import fswatch
from conftest import expect_error
from poolhelpers import dir_pool_xml, sha256_path, xml_attr, xml_find, xml_text

MiB = 1024 * 1024
POOL = "untrusted"
SECRET = b"HOST-SECRET-BYTES!" * 4096
BOUND = 30      # seconds any call may take where stock would hang


def vol_xml(name, capacity, fmt="raw", extra=""):
    return ("<volume><name>%s</name><capacity unit='bytes'>%d</capacity>"
            "<allocation unit='bytes'>0</allocation>"
            "<target><format type='%s'/></target>%s</volume>"
            % (name, capacity, fmt, extra))


def backing_xml(path, fmt="raw"):
    return ("<backingStore><path>%s</path><format type='%s'/></backingStore>"
            % (path, fmt))


@pytest.fixture
def pool_dir(tmp_path):
    d = tmp_path / "pool"
    d.mkdir()
    return str(d)


@pytest.fixture
def pool(conn, pool_dir):
    return conn.storagePoolCreateXML(dir_pool_xml(POOL, pool_dir), 0)


@pytest.fixture
def host_secret(tmp_path):
    """A root-only file outside every pool, owned by 4242:4242."""
    d = tmp_path / "host"
    d.mkdir()
    path = str(d / "shadow")
    with open(path, "wb") as f:
        f.write(SECRET)
    os.chown(path, 4242, 4242)
    os.chmod(path, 0o600)
    return path


@pytest.fixture
def host_fifo(tmp_path):
    d = tmp_path / "hostfifo"
    d.mkdir()
    path = str(d / "fifo")
    os.mkfifo(path)
    yield path
    # a reader that opened it (a test that failed) gets EOF and goes on,
    # so the daemon can be stopped
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass        # ENXIO: nobody is waiting on it


def qcow2_v2_header(backing, size):
    """A bare qcow2 version 2 header naming @backing, with no backing
    format: a reader that wants the format must probe the file."""
    name = backing.encode()
    header = bytearray(512)
    header[0:8] = b"QFI\xfb" + struct.pack(">I", 2)
    header[8:24] = struct.pack(">QI", 256, len(name)) + struct.pack(">I", 16)
    header[24:32] = struct.pack(">Q", size)
    header[256:256 + len(name)] = name
    return bytes(header)


def plant_qcow2_header(tmp_path, path, backing, size=MiB, fmt="raw"):
    """Write over the start of the file @path the header of a qcow2
    image whose backing file is @backing (of format @fmt, or none), as a
    guest can do in its raw disk.  qemu-img -u writes the header without
    opening @backing."""
    if fmt is None:
        header = qcow2_v2_header(backing, size)
    else:
        hdr = str(tmp_path / ("hdr-%d.qcow2" % len(os.listdir(str(tmp_path)))))
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", backing,
                        "-F", fmt, hdr, str(size)], check=True)
        with open(hdr, "rb") as f:
            header = f.read()
        os.unlink(hdr)
    with open(path, "r+b" if os.path.exists(path) else "wb") as f:
        f.write(header)
        f.truncate(max(size, len(header)))


def bounded_virsh(daemon, *args):
    """virsh that must answer within BOUND seconds."""
    res = subprocess.run(["virsh", "-c", daemon.uri] + [str(a) for a in args],
                         capture_output=True, text=True, timeout=BOUND)
    return res.returncode, res.stdout, res.stderr


def listed(pool):
    pool.refresh(0)
    return sorted(pool.listVolumes())


# ---------------------------------------------------- links in the pool

@pytest.mark.stock_differs("refresh-skips-symlinks",
                           reason="stock lists a link to a file as a volume whose bytes are the host file")
def test_refresh_lists_no_symbolic_link(pool, pool_dir, host_secret, tmp_path):
    with open(os.path.join(pool_dir, "real.img"), "wb") as f:
        f.truncate(MiB)
    os.symlink(host_secret, os.path.join(pool_dir, "leak.img"))
    os.symlink(str(tmp_path / "host"), os.path.join(pool_dir, "hostdir"))
    assert listed(pool) == ["real.img"]


def swap_for_link(pool_dir, name, target):
    path = os.path.join(pool_dir, name)
    os.unlink(path)
    os.symlink(target, path)


OPERATIONS = {
    "wipe": lambda pool, vol: vol.wipe(0),
    "resize": lambda pool, vol: vol.resize(2 * MiB, 0),
    "clone": lambda pool, vol: pool.createXMLFrom(vol_xml("copy.img", MiB), vol, 0),
    "info": lambda pool, vol: vol.info(),
}


@pytest.mark.stock_differs("vol-swapped-entry-refused",
                           reason="stock follows the link: wipe zeroes the host file, resize truncates it, clone copies it")
@pytest.mark.parametrize("op", sorted(OPERATIONS))
def test_volume_swapped_for_a_link_is_refused(pool, pool_dir, host_secret, op):
    vol = pool.createXML(vol_xml("v.img", MiB), 0)
    swap_for_link(pool_dir, "v.img", host_secret)
    before = sha256_path(host_secret)
    with pytest.raises(libvirt.libvirtError) as e:
        OPERATIONS[op](pool, vol)
    msg = expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
    assert "v.img" in msg and POOL in msg and "link" in msg
    assert sha256_path(host_secret) == before
    assert os.stat(host_secret).st_size == len(SECRET)
    assert not os.path.exists(os.path.join(pool_dir, "copy.img"))


@pytest.mark.stock_differs("vol-swapped-entry-refused",
                           reason="stock wipes whatever file now has the volume's name")
def test_volume_replaced_by_another_file_is_refused(pool, pool_dir):
    vol = pool.createXML(vol_xml("v.img", MiB), 0)
    other = os.path.join(pool_dir, ".other")
    with open(other, "wb") as f:
        f.write(SECRET)
    os.rename(other, os.path.join(pool_dir, "v.img"))
    with pytest.raises(libvirt.libvirtError) as e:
        vol.wipe(0)
    msg = expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
    assert "v.img" in msg and "pool-refresh" in msg
    with open(os.path.join(pool_dir, "v.img"), "rb") as f:
        assert f.read() == SECRET
    # after a refresh the pool knows the new file
    pool.refresh(0)
    pool.storageVolLookupByName("v.img").wipe(0)


@pytest.mark.ours_only  # stock opens the FIFO and waits for a writer forever
@pytest.mark.parametrize("op", ["vol-wipe", "vol-clone", "vol-resize", "vol-info", "vol-delete"])
def test_volume_swapped_for_a_fifo_fails_at_once(daemon, pool, pool_dir, op):
    pool.createXML(vol_xml("v.img", MiB), 0)
    path = os.path.join(pool_dir, "v.img")
    os.unlink(path)
    os.mkfifo(path)
    args = {"vol-wipe": ["vol-wipe", "--pool", POOL, "v.img"],
            "vol-clone": ["vol-clone", "--pool", POOL, "v.img", "copy.img"],
            "vol-resize": ["vol-resize", "--pool", POOL, "v.img", "2M"],
            "vol-info": ["vol-info", "--pool", POOL, "v.img"],
            "vol-delete": ["vol-delete", "--pool", POOL, "v.img"]}[op]
    rc, _, err = bounded_virsh(daemon, *args)
    assert rc != 0
    assert "v.img" in err and POOL in err
    assert os.path.exists(path) and not os.path.isfile(path)
    # the pool is not left with a job running
    assert bounded_virsh(daemon, "pool-refresh", POOL)[0] == 0
    assert bounded_virsh(daemon, "pool-info", POOL)[0] == 0
    assert listed(pool) == []


# ------------------------------------------- headers written by guests

@pytest.mark.ours_only  # stock probes the format of the FIFO and hangs
@pytest.mark.parametrize("fmt", [None, "raw"], ids=["no-format", "raw"])
def test_refresh_does_not_open_the_backing_file_a_header_names(
        daemon, pool, pool_dir, host_fifo, tmp_path, fmt):
    plant_qcow2_header(tmp_path, os.path.join(pool_dir, "guest.img"), host_fifo, fmt=fmt)
    assert bounded_virsh(daemon, "pool-refresh", POOL)[0] == 0
    rc, out, _ = bounded_virsh(daemon, "vol-dumpxml", "--pool", POOL, "guest.img")
    assert rc == 0
    assert xml_text(out, "backingStore/path") == host_fifo
    assert xml_attr(out, "backingStore/format", "type") == "raw"
    assert bounded_virsh(daemon, "pool-info", POOL)[0] == 0


@pytest.mark.stock_differs("refresh-backing-name-only",
                           reason="stock stats the backing file a header names and shows its mode and owner")
def test_refresh_shows_no_owner_of_the_backing_file(pool, pool_dir, host_secret, tmp_path):
    plant_qcow2_header(tmp_path, os.path.join(pool_dir, "guest.img"), host_secret)
    pool.refresh(0)
    xml = pool.storageVolLookupByName("guest.img").XMLDesc(0)
    backing = xml_find(xml, "backingStore")
    assert xml_text(backing, "path") == host_secret
    assert backing.find("permissions") is None
    assert "4242" not in ET.tostring(backing, encoding="unicode")


@pytest.mark.stock_differs("refresh-backing-name-only",
                           reason="stock shows the pool's directory as the backing store of an empty name")
def test_refresh_shows_no_backing_for_an_empty_name(pool, pool_dir, tmp_path):
    """A header whose backing name is 8 NUL bytes names no backing file
    (qemu-img info agrees)."""
    path = os.path.join(pool_dir, "guest.img")
    plant_qcow2_header(tmp_path, path, "x" * 8)
    with open(path, "r+b") as f:
        offset, size = struct.unpack(">QI", f.read(20)[8:20])
        f.seek(offset)
        f.write(bytes(size))
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", "-f", "qcow2", path],
                                     capture_output=True, check=True).stdout)
    assert "backing-filename" not in info
    pool.refresh(0)
    root = ET.fromstring(pool.storageVolLookupByName("guest.img").XMLDesc(0))
    assert root.find("target/format").get("type") == "qcow2"
    assert root.find("backingStore") is None


@pytest.mark.stock_differs("vol-backing-outside-pools",
                           reason="stock's qemu-img convert follows the header's backing file and copies the host file")
def test_clone_does_not_copy_the_file_a_header_names(pool, pool_dir, host_secret, tmp_path):
    plant_qcow2_header(tmp_path, os.path.join(pool_dir, "guest.img"), host_secret)
    pool.refresh(0)
    src = pool.storageVolLookupByName("guest.img")
    with pytest.raises(libvirt.libvirtError) as e:
        pool.createXMLFrom(vol_xml("copy.img", MiB), src, 0)
    msg = expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert host_secret in msg and "pool" in msg
    copy = os.path.join(pool_dir, "copy.img")
    if os.path.exists(copy):
        with open(copy, "rb") as f:
            assert SECRET[:64] not in f.read()
    assert "copy.img" not in listed(pool)


def test_wipe_does_not_recreate_the_backing_a_header_names(pool, pool_dir, host_secret, tmp_path):
    path = os.path.join(pool_dir, "guest.img")
    plant_qcow2_header(tmp_path, path, host_secret)
    pool.refresh(0)
    pool.storageVolLookupByName("guest.img").wipe(0)
    info = subprocess.run(["qemu-img", "info", "-U", "--output=json", path],
                          capture_output=True, text=True, check=True).stdout
    assert host_secret not in info
    with open(path, "rb") as f:
        assert host_secret.encode() not in f.read()


@pytest.mark.ours_only  # stock's qemu-img resize opens the FIFO the header names and hangs
def test_resize_does_not_open_the_backing_a_header_names(daemon, pool, pool_dir, host_fifo, tmp_path):
    path = os.path.join(pool_dir, "guest.img")
    plant_qcow2_header(tmp_path, path, host_fifo)
    pool.refresh(0)
    rc, _, err = bounded_virsh(daemon, "vol-resize", "--pool", POOL, "guest.img", "2M")
    assert rc == 0, err
    info = subprocess.run(["qemu-img", "info", "-U", "--output=json",
                           "json:{\"driver\":\"qcow2\",\"file\":{\"driver\":\"file\","
                           "\"filename\":\"%s\"},\"backing\":null}" % path],
                          capture_output=True, text=True, check=True).stdout
    assert '"virtual-size": %d' % (2 * MiB) in info


ENC_NAME = "enc.qcow2"
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def volume_secret(daemon, tmp_path, pool_dir):
    """A secret of the test daemon's secret driver holding PASSPHRASE, its
    usage the path of volume ENC_NAME of the pool (a refresh finds it
    there): its uuid."""
    uri = daemon.uri.replace("storage:", "secret:", 1)
    sid = str(uuid.uuid4())
    xml = tmp_path / "secret.xml"
    xml.write_text("<secret ephemeral='no' private='yes'><uuid>%s</uuid>"
                   "<usage type='volume'><volume>%s</volume></usage></secret>"
                   % (sid, os.path.join(pool_dir, ENC_NAME)))
    value = tmp_path / "secret.value"
    value.write_text(PASSPHRASE)
    for args in (["secret-define", str(xml)],
                 ["secret-set-value", sid, "--file", str(value), "--plain"]):
        subprocess.run(["virsh", "-c", uri] + args, capture_output=True,
                       text=True, timeout=BOUND, check=True)
    yield sid
    subprocess.run(["virsh", "-c", uri, "secret-undefine", sid],
                   capture_output=True, timeout=BOUND)


def plant_encrypted_qcow2(tmp_path, path, backing, size=MiB):
    """A LUKS-encrypted qcow2 image (passphrase PASSPHRASE) whose header
    names @backing as a raw backing file, as a guest can leave one in a
    volume it owns: qemu-img -u writes the name without opening the file.
    A short key derivation keeps the test fast.  qemu-img 7.2 times the
    derivation by its thread's CPU time and, on this virtual machine, now
    and then reads none and gives up ("Unable to get accurate CPU usage",
    see test_vol_file.create_luks): only that failure is retried."""
    secret = tmp_path / "passphrase"
    secret.write_text(PASSPHRASE)
    for attempt in range(6):
        res = subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-u",
                              "-b", backing, "-F", "raw",
                              "--object", "secret,id=sec0,file=%s" % secret,
                              "-o", "encrypt.format=luks,encrypt.key-secret=sec0,"
                              "encrypt.iter-time=10",
                              path, str(size)], capture_output=True, text=True)
        if res.returncode == 0:
            return
        assert "accurate CPU usage" in res.stderr and attempt < 5, res.stderr


def encrypted_virtual_size(tmp_path, path):
    """The capacity of the encrypted image @path, opened with its
    passphrase and no backing file."""
    secret = tmp_path / "passphrase"
    spec = json.dumps({"driver": "qcow2", "backing": None,
                       "file": {"driver": "file", "filename": path},
                       "encrypt": {"key-secret": "sec0"}})
    out = subprocess.run(["qemu-img", "info", "-U", "--output=json",
                          "--object", "secret,id=sec0,file=%s" % secret,
                          "json:" + spec],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["virtual-size"]


def refresh_encrypted(pool, secret_uuid):
    pool.refresh(0)
    xml = pool.storageVolLookupByName(ENC_NAME).XMLDesc(0)
    assert "<encryption format='luks'>" in xml
    assert "<secret type='passphrase' uuid='%s'/>" % secret_uuid in xml


@pytest.mark.stock_differs("vol-resize-encrypted-backing",
                           reason="stock's qemu-img resize of an encrypted qcow2 opens the backing file its header names")
def test_resize_of_encrypted_image_does_not_open_the_backing_a_header_names(
        daemon, pool, pool_dir, host_secret, tmp_path, volume_secret):
    """A guest's encrypted qcow2 names a root-only host file as its
    backing file: resize grows the image without opening it (inotify on
    the host file sees every open, by any process)."""
    path = os.path.join(pool_dir, ENC_NAME)
    plant_encrypted_qcow2(tmp_path, path, host_secret)
    refresh_encrypted(pool, volume_secret)
    with fswatch.OpenWatch(host_secret) as watch:
        rc, _, err = bounded_virsh(daemon, "vol-resize", "--pool", POOL, ENC_NAME, "8M")
        opened = watch.events()
    assert rc == 0, err
    assert opened == []
    assert encrypted_virtual_size(tmp_path, path) == 8 * MiB
    assert sha256_path(host_secret) == hashlib.sha256(SECRET).hexdigest()


@pytest.mark.ours_only  # stock's qemu-img resize opens the FIFO the header names and hangs
def test_resize_of_encrypted_image_does_not_wait_on_a_backing_fifo(
        daemon, pool, pool_dir, host_fifo, tmp_path, volume_secret):
    path = os.path.join(pool_dir, ENC_NAME)
    plant_encrypted_qcow2(tmp_path, path, host_fifo)
    refresh_encrypted(pool, volume_secret)
    rc, _, err = bounded_virsh(daemon, "vol-resize", "--pool", POOL, ENC_NAME, "8M")
    assert rc == 0, err
    assert encrypted_virtual_size(tmp_path, path) == 8 * MiB
    assert bounded_virsh(daemon, "pool-info", POOL)[0] == 0


# ------------------------------------------- backing stores of clients

@pytest.mark.stock_differs("vol-backing-outside-pools",
                           reason="stock creates an overlay of any host file a client names")
def test_client_backing_outside_pools_is_refused(pool, pool_dir, host_secret):
    with pytest.raises(libvirt.libvirtError) as e:
        pool.createXML(vol_xml("overlay.qcow2", MiB, fmt="qcow2",
                               extra=backing_xml(host_secret)), 0)
    msg = expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert host_secret in msg and "create the backing volume in a pool first" in msg
    assert os.listdir(pool_dir) == []
    assert listed(pool) == []


@pytest.mark.stock_differs("vol-backing-outside-pools",
                           reason="stock follows a link in the backing store's path")
def test_client_backing_through_a_link_is_refused(pool, pool_dir, tmp_path):
    base = pool.createXML(vol_xml("base.img", MiB), 0).path()
    alias = str(tmp_path / "alias.img")
    os.symlink(base, alias)
    with pytest.raises(libvirt.libvirtError) as e:
        pool.createXML(vol_xml("overlay.qcow2", MiB, fmt="qcow2",
                               extra=backing_xml(alias)), 0)
    msg = expect_error(e, libvirt.VIR_ERR_INVALID_ARG)
    assert alias in msg and "link" in msg
    assert listed(pool) == ["base.img"]


def make_overlay(pool):
    base = pool.createXML(vol_xml("base.img", MiB), 0)
    data = os.urandom(MiB)
    with open(base.path(), "wb") as f:
        f.write(data)
    overlay = pool.createXML(vol_xml("overlay.qcow2", MiB, fmt="qcow2",
                                     extra=backing_xml(base.path())), 0)
    return base, overlay, data


def test_clone_of_an_overlay_copies_its_backing_volume(pool):
    """The chain qemu-img gets explicitly is the whole chain."""
    _, overlay, data = make_overlay(pool)
    clone = pool.createXMLFrom(vol_xml("flat.img", MiB), overlay, 0)
    with open(clone.path(), "rb") as f:
        assert f.read() == data


@pytest.mark.stock_differs("vol-wipe-image-recreated",
                           reason="stock leaves a wiped qcow2 as raw zeros")
def test_wipe_keeps_the_backing_volume_it_was_created_with(pool):
    base, overlay, _ = make_overlay(pool)
    overlay.wipe(0)
    info = subprocess.run(["qemu-img", "info", "-U", "--output=json", overlay.path()],
                          capture_output=True, text=True, check=True).stdout
    assert base.path() in info


def test_image_is_written_into_the_file_create_made(pool, pool_dir):
    """qemu-img writes the qcow2 image through /dev/fd/N into the file the
    build made with O_EXCL and gave its owner and mode: the result is an
    image with that owner and mode (a file qemu-img made itself would be
    root's, with its own mode)."""
    perms = ("<permissions><mode>0640</mode><owner>4242</owner>"
             "<group>4343</group></permissions>")
    xml = ("<volume><name>owned.qcow2</name><capacity unit='bytes'>%d</capacity>"
           "<target><format type='qcow2'/>%s</target></volume>" % (MiB, perms))
    pool.createXML(xml, 0)
    path = os.path.join(pool_dir, "owned.qcow2")
    st = os.stat(path)
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (4242, 4343, 0o640)
    info = subprocess.run(["qemu-img", "info", "-U", "--output=json", path],
                          capture_output=True, text=True, check=True).stdout
    assert '"format": "qcow2"' in info and '"virtual-size": %d' % MiB in info


# ------------------------------------------------------- create races
#
# The entry of a volume being created is swapped at the very moment the
# build opens the new file: fanotify holds that open (fswatch.OpenGate)
# while the test renames a link to a host file, or another file, over
# the new entry, then lets the open go on.  No timing is involved.

SWAPPED = b"ANOTHER-FILE-NOT-MADE-BY-THE-BUILD" * 100
RACE_PERMS = ("<permissions><mode>0644</mode><owner>107</owner>"
              "<group>107</group></permissions>")


def race_vol_xml(name, fmt):
    return ("<volume><name>%s</name><capacity unit='bytes'>%d</capacity>"
            "<allocation unit='bytes'>0</allocation>"
            "<target><format type='%s'/>%s</target></volume>"
            % (name, 4 * MiB, fmt, RACE_PERMS))


def prepare_swap(pool_dir, kind, host_secret):
    """A hidden entry of the pool's directory, renamed over the new
    volume's entry by the returned function: a link to @host_secret, or
    a regular file the build did not make."""
    spare = os.path.join(pool_dir, ".swap")
    if kind == "link":
        os.symlink(host_secret, spare)
    else:
        with open(spare, "wb") as f:
            f.write(SWAPPED)
    return lambda name: os.rename(spare, os.path.join(pool_dir, name))


def host_file_state(path):
    st = os.lstat(path)
    return (sha256_path(path), st.st_size, st.st_uid, st.st_gid, st.st_mode)


def assert_swapped_entry_left_alone(pool_dir, name, kind, host_secret, host_before):
    entry = os.path.join(pool_dir, name)
    assert host_file_state(host_secret) == host_before
    if kind == "link":
        assert os.readlink(entry) == host_secret
    else:
        st = os.lstat(entry)
        assert stat.S_ISREG(st.st_mode)
        with open(entry, "rb") as f:
            assert f.read() == SWAPPED


@pytest.mark.stock_differs("vol-create-swapped-entry",
                           reason="stock's qemu-img create and chown follow a link renamed over the new file, and its pool lists the link as the new volume")
@pytest.mark.parametrize("fmt,clone", [("raw", False), ("qcow2", False),
                                       ("raw", True), ("qcow2", True)],
                         ids=["raw", "qcow2", "clone-raw", "clone-qcow2"])
def test_create_whose_entry_is_swapped_for_a_link_leaves_the_host_file(
        pool, pool_dir, host_secret, fmt, clone):
    """The new file (of a create, or of a clone of a volume of the same
    format) is swapped for a link to a root-only host file as the build
    opens it: the build goes on in its own inode; the host file keeps its
    bytes, owner and mode; the call fails and the pool lists no volume
    that is a link."""
    name = "new." + fmt
    source = pool.createXML(race_vol_xml("source." + fmt, fmt), 0) if clone else None
    host_before = host_file_state(host_secret)
    swap = prepare_swap(pool_dir, "link", host_secret)
    with fswatch.OpenGate(pool_dir, name, lambda: swap(name)) as gate:
        with pytest.raises(libvirt.libvirtError) as e:
            if clone:
                pool.createXMLFrom(race_vol_xml(name, fmt), source, 0)
            else:
                pool.createXML(race_vol_xml(name, fmt), 0)
    assert gate.fired
    msg = expect_error(e, libvirt.VIR_ERR_OPERATION_INVALID)
    assert name in msg and POOL in msg
    assert_swapped_entry_left_alone(pool_dir, name, "link", host_secret, host_before)
    assert name not in pool.listVolumes()
    assert name not in listed(pool)


@pytest.mark.parametrize("kind", [
    pytest.param("link", marks=pytest.mark.stock_differs(
        "vol-create-swapped-entry",
        reason="stock's qemu-img create follows a link renamed over the new file")),
    # stock's qemu-img fails on the file swapped in, and stock leaves it
    "file"])
def test_failed_create_leaves_the_entry_swapped_in(pool, pool_dir, host_secret, kind):
    """The new qcow2 file is swapped (for a link to a host file, or for
    another file) as the build opens it, then qemu-img's own open of the
    new file is refused (EPERM, by fanotify): the build fails, and its
    undo removes only the inode it made, so the entry swapped in stays."""
    name = "new.qcow2"
    host_before = host_file_state(host_secret)
    swap = prepare_swap(pool_dir, kind, host_secret)
    with fswatch.OpenGate(pool_dir, name, lambda: swap(name), deny_after=True) as gate:
        with pytest.raises(libvirt.libvirtError):
            pool.createXML(race_vol_xml(name, "qcow2"), 0)
    assert gate.fired
    # the build failed after the swap, in the tool that writes the image
    assert gate.denied
    assert_swapped_entry_left_alone(pool_dir, name, kind, host_secret, host_before)
    assert name not in pool.listVolumes()
    if kind == "link":
        assert name not in listed(pool)
