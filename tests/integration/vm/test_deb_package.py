# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Debian package (build-aux/build-deb.sh) installed for real, inside
the test VM, into a libvirtd started as the distribution starts it, with
the default URI (qemu:///system).

dpkg and that daemon run in a throwaway root: a private mount namespace of
the guest in which /usr, /etc and /var are overlays over the guest's own,
with tmpfs upper layers, dpkg's database is a tmpfs copy, and /run is a
fresh tmpfs.  The package's
diversions, the daemon's state and its pools live and die there; the other
suites of the same boot (and their stock modules) never see them.

build-aux/run-tests.sh builds the package before the VM suites and passes
its path as LVSB_DEB; without it this suite fails and says how to build it.
"""

import hashlib
import os
import signal
import subprocess
import time

import pytest

from vmhelpers import run

DEB = os.environ.get("LVSB_DEB", "")
PACKAGE = "libvirt-storage-backends"
BACKEND_DIR = "/usr/lib/x86_64-linux-gnu/libvirt/storage-backend"
FS_MODULE = BACKEND_DIR + "/libvirt_storage_backend_fs.so"
DAEMON_PIDFILE = "/run/libvirtd.pid"

ROOT_SCRIPT = r"""
set -e
base=$(mktemp -d /tmp/lvsb-deb-root.XXXXXX)
mount -t tmpfs lvsb-deb-root "$base"
for d in usr etc var; do
    mkdir "$base/$d.upper" "$base/$d.work"
    mount -t overlay overlay \
        -o "lowerdir=/$d,upperdir=$base/$d.upper,workdir=$base/$d.work" "/$d"
done
# dpkg's database on a plain tmpfs copy: on the nested overlay, dpkg
# failed to unlink its own updates/0000 ("No such file or directory")
cp -a /var/lib/dpkg "$base/dpkg"
mount --bind "$base/dpkg" /var/lib/dpkg
mount -t tmpfs lvsb-deb-run /run
echo ready
exec sleep 3600
"""


class ThrowawayRoot:
    def __init__(self):
        self.holder = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", ROOT_SCRIPT],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.holder.stdout.readline().strip()
        if line != "ready":
            self.holder.kill()
            raise RuntimeError("cannot make the throwaway root: %s" % self.holder.stderr.read())

    def run(self, argv, check=True, timeout=120, **kw):
        return run(["nsenter", "-t", str(self.holder.pid), "-m", "--"] + list(argv),
                   check=check, timeout=timeout, **kw)

    def virsh(self, *args, check=True):
        # no -c: the default URI of root, qemu:///system
        return self.run(["virsh", "-q"] + list(args), check=check, timeout=180)

    def daemon_pid(self):
        res = self.run(["cat", DAEMON_PIDFILE], check=False)
        return int(res.stdout) if res.returncode == 0 and res.stdout.strip() else None

    def start_daemon(self):
        self.run(["/usr/sbin/libvirtd", "--daemon", "--pid-file", DAEMON_PIDFILE])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.virsh("uri", check=False).returncode == 0:
                return self.daemon_pid()
            time.sleep(0.5)
        raise RuntimeError("libvirtd did not answer within 120 s")

    def stop_daemon(self):
        pid = self.daemon_pid()
        if not pid:
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if not os.path.exists("/proc/%d" % pid):
                return
            time.sleep(0.2)
        os.kill(pid, signal.SIGKILL)

    def sha256(self, path):
        return self.run(["sha256sum", "--", path]).stdout.split()[0]

    @staticmethod
    def mapped_sha256(pid, path):
        """The SHA-256 of the file the process @pid has mapped as @path
        (read through /proc/PID/map_files, whatever is at @path now), or
        None when it maps no such file."""
        with open("/proc/%d/maps" % pid) as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 6 and fields[5] == path:
                    with open("/proc/%d/map_files/%s" % (pid, fields[0]), "rb") as m:
                        return hashlib.sha256(m.read()).hexdigest()
        return None

    def diversions(self):
        out = self.run(["dpkg-divert", "--list"]).stdout
        return [line for line in out.splitlines() if PACKAGE in line]

    def close(self):
        try:
            self.stop_daemon()
        finally:
            self.holder.kill()
            self.holder.wait()


@pytest.fixture
def root():
    if not DEB or not os.path.isfile(DEB):
        pytest.fail("LVSB_DEB must name the package: build it with build-aux/build-deb.sh "
                    "(build-aux/run-tests.sh does) and pass its path", pytrace=False)
    r = ThrowawayRoot()
    try:
        r.run(["groupadd", "-r", "-f", "libvirt-qemu"])
        r.run(["sh", "-c", "getent passwd libvirt-qemu >/dev/null || "
                           "useradd -r -M -g libvirt-qemu libvirt-qemu"])
        yield r
    finally:
        r.close()


def test_package_depends_on_the_exact_libvirt():
    depends = run(["dpkg-deb", "-f", DEB, "Depends"]).stdout
    installed = run(["dpkg-query", "-W", "-f", "${Version}", "libvirt-daemon"]).stdout
    assert "libvirt-daemon (= %s)" % installed in depends


def test_install_serve_restart_remove(root):
    stock = root.sha256(FS_MODULE)

    # install: our files in place of stock's, which are diverted
    root.run(["dpkg", "-i", DEB], timeout=300)
    assert any(FS_MODULE in d for d in root.diversions())
    assert root.sha256(FS_MODULE + ".distrib") == stock
    ours = root.sha256(FS_MODULE)
    assert ours != stock

    # the guide's steps, default URI, daemon started as the distribution does
    pid = root.start_daemon()
    assert root.virsh("uri").stdout.strip() == "qemu:///system"
    root.virsh("pool-define-as", "guide_dir", "dir", "--target", "/var/lib/libvirt/images/guide")
    root.virsh("pool-build", "guide_dir")
    root.virsh("pool-start", "guide_dir")
    root.virsh("pool-autostart", "guide_dir")
    root.virsh("vol-create-as", "guide_dir", "disk1.qcow2", "64M", "--format", "qcow2")
    assert "disk1.qcow2" in root.virsh("vol-list", "guide_dir").stdout
    assert "qcow2" in root.virsh("vol-dumpxml", "--pool", "guide_dir", "disk1.qcow2").stdout
    # our module is the one the daemon runs
    assert root.mapped_sha256(pid, FS_MODULE) == ours

    # a restart: the autostarted pool comes back, through our module
    root.stop_daemon()
    pid = root.start_daemon()
    assert root.virsh("pool-info", "guide_dir").stdout.split("State:")[1].split()[0] == "running"
    assert "disk1.qcow2" in root.virsh("vol-list", "guide_dir").stdout
    assert root.mapped_sha256(pid, FS_MODULE) == ours

    # removal gives stock back
    root.stop_daemon()
    root.run(["dpkg", "-r", PACKAGE], timeout=300)
    assert root.diversions() == []
    assert root.sha256(FS_MODULE) == stock
    assert root.run(["test", "-e", FS_MODULE + ".distrib"], check=False).returncode != 0
    pid = root.start_daemon()
    assert root.mapped_sha256(pid, FS_MODULE) == stock
    assert "disk1.qcow2" in root.virsh("vol-list", "guide_dir").stdout
