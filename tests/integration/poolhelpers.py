# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers for the pool integration tests: loop devices, file systems, the
test daemon's mounts, pool XML and cleanup.

Loop devices: a test only ever detaches the device it attached itself, and
only while that device is still backed by its own image file.
"""

import os
import subprocess
import time

import libvirt

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


# ---------------------------------------------------------------- loop devices

class LoopDevice:
    """A loop device backed by a sparse image file we created."""

    def __init__(self, image, size_mb):
        self.image = image
        with open(image, "wb") as f:
            f.truncate(size_mb * 1024 * 1024)
        self.path = run(["losetup", "--find", "--show", image]).stdout.strip()
        if not self.path.startswith("/dev/loop"):
            raise RuntimeError("losetup returned %r" % self.path)

    def backing_file(self):
        res = run(["losetup", "--noheadings", "--output", "BACK-FILE", self.path],
                  check=False)
        return res.stdout.strip() if res.returncode == 0 else None

    def detach(self):
        """Detach, but only if the device is still ours."""
        if self.path is None:
            return
        back = self.backing_file()
        if back and os.path.realpath(back.replace(" (deleted)", "")) == \
                os.path.realpath(self.image):
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
