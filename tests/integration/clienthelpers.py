# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fixtures of the real-client suites (test_client_*.py, docs/clients.rst).

`qemu_daemon`: a test daemon that also loads libvirt's qemu driver, which
libvirt-dbus and virt-install need (they open qemu:///system).  One per
backend for the session, started only by the tests that ask for it, so the
other suites keep their storage-only daemons.  The qemu driver resolves
the user and group libvirt-qemu before it reads qemu.conf: they are added
to copies of /etc/passwd and /etc/group bind-mounted in the daemon's
private mount namespace only (the machine's files are not touched), and
the daemon's own /etc/libvirt/qemu.conf runs guests as root (their disks
live under pytest's 0700 temporary directories), with no cgroups and no
virtlogd (stdio_handler "file").

`libvirt_dbus`: libvirt-dbus (Debian's package, fetched with apt-get
download and unpacked into the build dir: installing it would pull in
libvirt-daemon-system) on a private dbus-daemon, reaching the qemu daemon
through /run/libvirt/libvirt-sock of a mount namespace of its own.
"""

import glob
import os
import shlex
import signal
import subprocess
import time

import libvirt
import pytest

import poolhelpers
from testdaemon import TestDaemon

QEMU_CONF = """\
user = "root"
group = "root"
stdio_handler = "file"
cgroup_controllers = [ ]
"""


def _free_id(path, start):
    """The first id from @start that no entry of @path (passwd or group
    format) uses."""
    with open(path) as f:
        used = {int(line.split(":")[2]) for line in f
                if line.count(":") >= 3 and line.split(":")[2].isdigit()}
    n = start
    while n in used:
        n += 1
    return n


def qemu_user_files(workdir):
    """Copies of /etc/passwd and /etc/group with libvirt-qemu added (if the
    machine has none): [(source, "/etc/passwd"), (source, "/etc/group")]."""
    binds = []
    gid = None
    for name in ("group", "passwd"):
        with open("/etc/" + name) as f:
            text = f.read()
        if not any(line.startswith("libvirt-qemu:") for line in text.splitlines()):
            if name == "group":
                gid = _free_id("/etc/group", 64055)
                text += "libvirt-qemu:x:%d:\n" % gid
            else:
                uid = _free_id("/etc/passwd", 64055)
                if gid is None:
                    gid = int(subprocess.run(["getent", "group", "libvirt-qemu"],
                                             capture_output=True, text=True,
                                             check=True).stdout.split(":")[2])
                text += ("libvirt-qemu:x:%d:%d:Libvirt Qemu:/var/lib/libvirt:"
                         "/usr/sbin/nologin\n" % (uid, gid))
        copy = os.path.join(workdir, name)
        with open(copy, "w") as f:
            f.write(text)
        binds.append((copy, "/etc/" + name))
    return binds


def qemu_uri(daemon):
    return "qemu:///system?socket=" + daemon.sock


class QemuDaemons:
    """The session's daemons with the qemu driver, one per backend."""

    def __init__(self, backend_dirs):
        self.backend_dirs = backend_dirs
        self.running = {}

    def get(self, kind):
        d = self.running.get(kind)
        if d is not None and d.proc.poll() is None:
            return d
        if d is not None:
            d.stop()
        d = TestDaemon(self.backend_dirs[kind], drivers=("storage", "secret", "qemu"))
        conf = os.path.join(d.workdir, "qemu.conf")
        with open(conf, "w") as f:
            f.write(QEMU_CONF)
        d.binds = qemu_user_files(d.workdir) + [(conf, "/etc/libvirt/qemu.conf")]
        d.kind = kind
        d.qemu_uri = qemu_uri(d)
        try:
            d.start()
            # the drivers initialise after the socket appears
            conn = libvirt.open(d.qemu_uri)
            conn.listAllStoragePools()
            conn.listAllDomains()
            conn.close()
        except Exception as e:
            tail = d.tail()
            d.stop()
            pytest.fail("cannot start libvirtd with the qemu driver and the %s "
                        "modules: %s\n%s" % (kind, e, tail), pytrace=False)
        self.running[kind] = d
        return d

    def stop_all(self):
        for d in self.running.values():
            if d.proc.poll() is None:
                remove_domains(d.qemu_uri)
                poolhelpers.cleanup_pools(d.uri)
            d.stop()
        self.running.clear()


def remove_domains(uri):
    """Destroy and undefine every guest of the daemon at @uri (their
    volumes stay: the pools' cleanup removes them)."""
    try:
        conn = libvirt.open(uri)
    except libvirt.libvirtError:
        return
    try:
        for dom in conn.listAllDomains():
            try:
                if dom.isActive():
                    dom.destroy()
            except libvirt.libvirtError:
                pass
            try:
                dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
            except libvirt.libvirtError:
                pass
    finally:
        conn.close()


@pytest.fixture(scope="session")
def qemu_daemons():
    from conftest import BACKEND_DIRS
    d = QemuDaemons(BACKEND_DIRS)
    try:
        yield d
    finally:
        d.stop_all()


@pytest.fixture
def qemu_daemon(backend, qemu_daemons):
    """The session's daemon with the qemu driver and the @backend modules;
    its guests and pools are removed after the test.  Its storage URI is
    .uri, its qemu URI .qemu_uri."""
    d = qemu_daemons.get(backend)
    try:
        yield d
    finally:
        if d.proc.poll() is not None:
            raise RuntimeError("libvirtd (qemu driver, %s modules) died during the "
                               "test:\n%s" % (backend, d.tail()))
        remove_domains(d.qemu_uri)
        if poolhelpers.cleanup_pools(d.uri):
            d.stop()


@pytest.fixture
def qemu_conn(qemu_daemon):
    c = libvirt.open(qemu_daemon.qemu_uri)
    try:
        yield c
    finally:
        try:
            c.close()
        except libvirt.libvirtError:
            pass


# ---------------------------------------------------------------- libvirt-dbus

DBUS_CONF = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path={sock}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""


def libvirt_dbus_root_dir(build_dir):
    """The directory where Debian's libvirt-dbus package is unpacked (under
    @build_dir/client-cache, fetched once with apt-get download)."""
    cache = os.path.join(build_dir, "client-cache", "libvirt-dbus")
    root = os.path.join(cache, "root")
    if os.path.exists(os.path.join(root, "usr", "sbin", "libvirt-dbus")):
        return root
    os.makedirs(cache, exist_ok=True)
    res = subprocess.run(["apt-get", "download", "-q", "libvirt-dbus"], cwd=cache,
                         capture_output=True, text=True, timeout=300)
    debs = sorted(glob.glob(os.path.join(cache, "libvirt-dbus_*.deb")))
    if res.returncode != 0 or not debs:
        pytest.fail("cannot fetch libvirt-dbus with apt-get download (apt-get update "
                    "first?): %s" % res.stderr, pytrace=False)
    tmp = root + ".tmp"
    subprocess.run(["rm", "-rf", "--", tmp], check=True)
    subprocess.run(["dpkg-deb", "-x", "--", debs[-1], tmp], check=True, timeout=60)
    os.rename(tmp, root)
    return root


def _stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


class LibvirtDBus:
    """A private dbus-daemon and libvirt-dbus --system on it, connected to
    @daemon (its qemu driver) through /run/libvirt/libvirt-sock of a mount
    namespace made from the daemon's."""

    def __init__(self, daemon, root):
        self.daemon = daemon
        self.root = root
        self.dir = os.path.join(daemon.workdir, "dbus")
        os.makedirs(self.dir, exist_ok=True)
        self.bus_sock = os.path.join(self.dir, "system_bus_socket")
        self.address = "unix:path=" + self.bus_sock
        self.bus = self.service = None

    def start(self, timeout=30):
        conf = os.path.join(self.dir, "bus.conf")
        with open(conf, "w") as f:
            f.write(DBUS_CONF.format(sock=self.bus_sock))
        if os.path.exists(self.bus_sock):
            os.unlink(self.bus_sock)
        self.log = open(os.path.join(self.dir, "log"), "a")
        self.bus = subprocess.Popen(
            ["dbus-daemon", "--nofork", "--nopidfile", "--config-file=" + conf],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait(lambda: os.path.exists(self.bus_sock), timeout, "the bus socket")
        # libvirt-dbus opens qemu:///system: /run/libvirt/libvirt-sock,
        # here a link to the test daemon's socket on a tmpfs of this
        # namespace only; it reads its interfaces from
        # /usr/share/dbus-1/interfaces, here the package's
        script = ("set -e; mount -t tmpfs -o mode=0755 tmpfs /run/libvirt; "
                  "ln -s %s /run/libvirt/libvirt-sock; "
                  "mount --bind %s /usr/share/dbus-1/interfaces; "
                  "exec %s --system"
                  % (shlex.quote(self.daemon.sock),
                     shlex.quote(os.path.join(self.root, "usr/share/dbus-1/interfaces")),
                     shlex.quote(os.path.join(self.root, "usr/sbin/libvirt-dbus"))))
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address)
        env.pop("LIBVIRT_DEFAULT_URI", None)
        self.service = subprocess.Popen(
            ["nsenter", "-t", str(self.daemon.holder.pid), "-m", "--",
             "unshare", "-m", "--propagation", "private", "sh", "-c", script],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait(self._owned, timeout, "the name org.libvirt on the bus")
        return self

    def _owned(self):
        res = subprocess.run(
            ["gdbus", "call", "--address", self.address, "--dest",
             "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus",
             "--method", "org.freedesktop.DBus.NameHasOwner", "org.libvirt"],
            capture_output=True, text=True, timeout=30)
        return res.returncode == 0 and "true" in res.stdout

    def _wait(self, ready, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for p in (self.bus, self.service):
                if p is not None and p.poll() is not None:
                    raise RuntimeError("%s exited with %s waiting for %s: %s"
                                       % (p.args[0], p.returncode, what, self.tail()))
            if ready():
                return
            time.sleep(0.1)
        raise RuntimeError("no %s after %ss: %s" % (what, timeout, self.tail()))

    def tail(self):
        try:
            with open(os.path.join(self.dir, "log")) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        for p in (self.service, self.bus):
            if p is not None:
                _stop(p)
        self.log.close()


@pytest.fixture(scope="session")
def libvirt_dbus_root():
    from conftest import BUILD_DIR
    return libvirt_dbus_root_dir(BUILD_DIR)


@pytest.fixture
def libvirt_dbus(qemu_daemon, libvirt_dbus_root):
    """libvirt-dbus on a private system bus, serving the qemu daemon of
    this run (its bus address: .address)."""
    svc = LibvirtDBus(qemu_daemon, libvirt_dbus_root)
    try:
        svc.start()
    except RuntimeError as e:
        svc.stop()
        pytest.fail("cannot start libvirt-dbus: %s" % e, pytrace=False)
    try:
        yield svc
    finally:
        svc.stop()
