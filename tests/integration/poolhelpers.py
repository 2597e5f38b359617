# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers for the pool integration tests: loop devices, file systems, the
test daemon's mounts, pool XML and cleanup.

Loop devices: a test only ever detaches the device it attached itself, and
only while that device is still backed by its own image file.
"""

import hashlib
import json
import os
import subprocess
import time
import xml.etree.ElementTree as ET

import libvirt

MiB = 1024 * 1024

MKFS = {
    "ext4": ["mkfs.ext4", "-F", "-q"],
    "ext3": ["mkfs.ext3", "-F", "-q"],
    "ext2": ["mkfs.ext2", "-F", "-q"],
    "xfs": ["mkfs.xfs", "-f", "-q"],
    "btrfs": ["mkfs.btrfs", "-f", "-q"],
    "vfat": ["mkfs.vfat"],
}


def run(argv, check=True, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    res = subprocess.run(argv, **kw)
    if check and res.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), res.returncode,
                                                   (res.stderr or "").strip()))
    return res


def sha256_path(path, length=None):
    """The SHA-256 of the file @path, or of its first @length bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        left = length
        while left is None or left > 0:
            chunk = f.read(MiB if left is None else min(MiB, left))
            if not chunk:
                break
            h.update(chunk)
            if left is not None:
                left -= len(chunk)
    return h.hexdigest()


def _stream_run(conn, start, transfer):
    """start(stream) opens a transfer on a new stream, transfer(stream)
    does it; the stream is finished, or aborted when libvirt refuses
    (the libvirtError is raised).  Returns what transfer() returned."""
    st = conn.newStream(0)
    try:
        start(st)
        result = transfer(st)
        st.finish()
        return result
    except libvirt.libvirtError:
        try:
            st.abort()
        except libvirt.libvirtError:
            pass
        raise


def stream_upload(conn, vol, data, offset=0, length=0, flags=0):
    """Upload @data to @vol with python3-libvirt: bytes, or a list of parts,
    each bytes or an int (a hole of that many bytes: a sparse stream, with
    @flags VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM).  On a refusal the stream
    is aborted and the libvirtError raised."""
    parts = [data] if isinstance(data, bytes) else data

    def send(st):
        for part in parts:
            if isinstance(part, int):
                st.sendHole(part, 0)
                continue
            pos = 0
            while pos < len(part):
                pos += st.send(part[pos:pos + 256 * 1024])

    _stream_run(conn, lambda st: vol.upload(st, offset, length, flags), send)


def stream_download(conn, vol, offset=0, length=0, flags=0):
    """The bytes of @vol from @offset (@length, 0 for up to the end)
    downloaded with python3-libvirt; on a refusal the stream is aborted
    and the libvirtError raised."""
    def recv(st):
        chunks = []
        while True:
            got = st.recv(256 * 1024)
            if not got:
                return b"".join(chunks)
            chunks.append(got)

    return _stream_run(conn, lambda st: vol.download(st, offset, length, flags), recv)


# ---------------------------------------------------------------- loop devices

def loop_devices(*devices):
    """{device: backing file or None} of @devices (every attached loop
    device when none is given), read from losetup --json.  A backing file
    deleted since keeps the kernel's " (deleted)" suffix."""
    out = run(["losetup", "--json", "--list", "--output", "NAME,BACK-FILE"]
              + list(devices)).stdout
    if not out.strip():
        return {}       # losetup prints nothing when no device is attached
    return {d["name"]: d["back-file"] for d in json.loads(out)["loopdevices"]}


def loop_backing_file(device):
    """The file @device is attached to, or None (free, or not a loop
    device)."""
    try:
        back = loop_devices(device).get(device)
    except RuntimeError:
        return None
    if back and back.endswith(" (deleted)"):
        back = back[:-len(" (deleted)")]
    return back


class LoopDevice:
    """A loop device backed by a sparse image file we created, with
    partition scanning (losetup --partscan) if asked."""

    def __init__(self, image, size_mb, partscan=False):
        self.image = image
        with open(image, "wb") as f:
            f.truncate(size_mb * 1024 * 1024)
        argv = ["losetup", "--find", "--show"]
        if partscan:
            argv.append("--partscan")
        self.path = run(argv + ["--", image]).stdout.strip()
        if not self.path.startswith("/dev/loop"):
            raise RuntimeError("losetup returned %r" % self.path)
        self.name = os.path.basename(self.path)

    def part(self, n):
        """The name of partition @n (the kernel's, under /dev)."""
        return "%sp%d" % (self.name, n)

    def backing_file(self):
        return loop_backing_file(self.path)

    def detach(self):
        """Detach, but only if the device is still ours."""
        if self.path is None:
            return
        back = self.backing_file()
        if back and os.path.realpath(back) == os.path.realpath(self.image):
            for _ in range(50):
                if run(["losetup", "-d", self.path], check=False).returncode == 0:
                    break
                time.sleep(0.1)
        self.path = None
        try:
            os.unlink(self.image)
        except OSError:
            pass


def mkfs(device, fstype):
    run(MKFS[fstype] + [device])


def wipe_signatures(device):
    run(["wipefs", "-a", "-q", device])


def probe(device, tag):
    """A blkid tag (TYPE, UUID) read from the device itself, not a cache."""
    res = run(["blkid", "-p", "-o", "value", "-s", tag, device], check=False)
    return res.stdout.strip() or None


def fs_type(device):
    return probe(device, "TYPE")


def fs_uuid(device):
    return probe(device, "UUID")


# ---------------------------------------------------------- the daemon's mounts

def daemon_mounts(daemon):
    """Mounts in the daemon's private namespace: dicts with target, source,
    fstype, options (per-mount flags) and super (super block options)."""
    mounts = []
    with open("/proc/%d/mountinfo" % daemon.pid) as f:
        for line in f:
            fields = line.split()
            sep = fields.index("-")
            mounts.append({
                "target": _unescape(fields[4]),
                "options": fields[5].split(","),
                "fstype": fields[sep + 1],
                "source": _unescape(fields[sep + 2]),
                "super": fields[sep + 3].split(","),
            })
    return mounts


def _unescape(s):
    return s.replace("\\040", " ").replace("\\011", "\t").replace(
        "\\012", "\n").replace("\\134", "\\")


def mount_at(daemon, target):
    """The last mount on @target in the daemon's namespace, or None."""
    target = os.path.realpath(target)
    found = [m for m in daemon_mounts(daemon) if m["target"] == target]
    return found[-1] if found else None


def mounts_of_device(daemon, device):
    real = os.path.realpath(device)
    return [m for m in daemon_mounts(daemon)
            if m["source"] in (device, real)]


def unmount_device(daemon, device):
    """Unmount whatever a test left of @device in the daemon's namespace."""
    for m in reversed(mounts_of_device(daemon, device)):
        daemon.nsenter(["umount", "-l", m["target"]], capture_output=True)


def in_daemon_ns(daemon, script, check=True):
    """Run a shell script in the daemon's mount namespace."""
    res = daemon.nsenter(["sh", "-c", script], capture_output=True, text=True)
    if check and res.returncode != 0:
        raise RuntimeError("in the daemon's namespace, %r failed: %s" %
                           (script, res.stderr.strip()))
    return res


def hold_file_open(daemon, path):
    """A process in the daemon's namespace holding @path open (and its
    directory as cwd) until killed.  Kill it with release()."""
    proc = subprocess.Popen(
        ["nsenter", "-t", str(daemon.pid), "-m", "--", "sh", "-c",
         'cd "$(dirname "$1")" && exec sleep 600 3<>"$1"', "hold", path],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # wait until the file is really open
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("cannot hold %s open: %s" % (path, proc.stderr.read()))
        try:
            fds = os.listdir("/proc/%d/fd" % proc.pid)
            if "3" in fds and os.readlink("/proc/%d/fd/3" % proc.pid).endswith(
                    os.path.basename(path)):
                return proc
        except OSError:
            pass
        time.sleep(0.05)
    release(proc)
    raise RuntimeError("timed out holding %s open" % path)


def release(proc):
    if proc and proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)


def statvfs_in_daemon_ns(daemon, path):
    """(fragment size, blocks, free, available) of the file system mounted
    on @path as the daemon sees it."""
    res = in_daemon_ns(daemon, 'stat -f -c "%%S %%b %%f %%a" "%s"' % path)
    return tuple(int(x) for x in res.stdout.split())


# ---------------------------------------------------------------- virsh results

def ok(result):
    """The stdout of a virsh(...) result that must have succeeded."""
    rc, out, err = result
    assert rc == 0, "virsh failed (%d): %s" % (rc, err.strip())
    return out


def fails(result, *words):
    """The stderr of a virsh(...) result that must have failed with an
    error message, containing each of @words."""
    rc, out, err = result
    assert rc != 0, "virsh succeeded: %s" % out.strip()
    assert err.strip(), "virsh failed without an error message"
    for word in words:
        assert word in err, "%r not in %r" % (word, err)
    return err


def pool_list(virsh):
    """virsh pool-list --all -> {name: (state, autostart)}."""
    return parse_pool_list(ok(virsh("pool-list", "--all")))


# ------------------------------------------------------------------- pool XML

def dir_pool_xml(name, target, mode=None):
    perms = ""
    if mode:
        perms = "<permissions><mode>%s</mode><owner>0</owner><group>0</group></permissions>" % mode
    return ("<pool type='dir'><name>%s</name><target><path>%s</path>%s</target></pool>"
            % (name, target, perms))


def fs_pool_xml(name, device, target, fmt="auto"):
    return ("<pool type='fs'><name>%s</name>"
            "<source><device path='%s'/><format type='%s'/></source>"
            "<target><path>%s</path></target></pool>" % (name, device, fmt, target))


# -------------------------------------------------------------------- cleanup

def cleanup_pools(uri):
    """Destroy and undefine every pool of the test daemon at @uri; return
    the names of the pools still there (ones that could not be stopped)."""
    try:
        conn = libvirt.open(uri)
    except libvirt.libvirtError:
        return []
    try:
        for pool in conn.listAllStoragePools():
            for _ in range(3):
                try:
                    if pool.isActive():
                        pool.destroy()
                    break
                except libvirt.libvirtError:
                    time.sleep(0.2)
            try:
                if pool.isPersistent():
                    pool.undefine()
            except libvirt.libvirtError:
                pass
        return [p.name() for p in conn.listAllStoragePools()]
    finally:
        conn.close()


def pool_state(conn, name):
    """'active', 'inactive' or None (no such pool)."""
    try:
        pool = conn.storagePoolLookupByName(name)
    except libvirt.libvirtError as e:
        if e.get_error_code() == libvirt.VIR_ERR_NO_STORAGE_POOL:
            return None
        raise
    return "active" if pool.isActive() else "inactive"


# ------------------------------------------------------------------------ XML
# Paths are ElementTree's XPath subset, relative to the root element;
# "{*}name" matches an element of any namespace (<lvm:thinpool>).

def xml_root(xml):
    """@xml (a string from XMLDesc or virsh *-dumpxml, or an Element) as an
    Element."""
    return xml if isinstance(xml, ET.Element) else ET.fromstring(xml)


def xml_find(xml, path):
    """The first element at @path; fails the test when there is none."""
    root = xml_root(xml)
    el = root.find(path)
    assert el is not None, "no %s in %s" % (path, ET.tostring(root, encoding="unicode"))
    return el


def xml_text(xml, path):
    """The text of the element at @path ("" when empty)."""
    return xml_find(xml, path).text or ""


def xml_attr(xml, path, attr):
    """Attribute @attr of the element at @path (None when absent)."""
    return xml_find(xml, path).get(attr)


def xml_bytes(xml, path):
    """A size element (<capacity unit='bytes'>...) in bytes."""
    el = xml_find(xml, path)
    assert el.get("unit", "bytes") == "bytes", ET.tostring(el, encoding="unicode")
    return int(el.text)


def vol_format(xml):
    """The volume's own format (<target><format type=...>)."""
    return xml_attr(xml, "target/format", "type")


def parse_pool_list(text):
    """virsh pool-list --all output -> {name: (state, autostart)}."""
    pools = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and not line.startswith("-") and parts[0] != "Name":
            pools[parts[0]] = (parts[1], parts[2])
    return pools


def parse_info(text):
    """virsh pool-info output -> {field: value}."""
    info = {}
    for line in text.splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            info[key.strip()] = value.strip()
    return info
