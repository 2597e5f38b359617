# SPDX-License-Identifier: LGPL-2.1-or-later
"""An isolated libvirtd serving only the storage and secret drivers.

The daemon runs as root in a private mount namespace, with tmpfs over
libvirt's state and config directories, so it never touches the machine's
own libvirtd or /etc/libvirt.  LIBVIRT_STORAGE_BACKEND_DIR selects the
storage backend modules: ours (the build dir) or the stock ones.  Modules
built with ASan get its runtime preloaded (sanitizer.py).

The namespace belongs to a holder process (a `sleep` made by unshare),
and libvirtd enters it with nsenter: libvirtd can be killed and started
again (kill(), restart()) on the same /etc/libvirt, /run/libvirt and
mounts, as after a crash on a real host.  stop() ends both.
"""

import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import sanitizer

LIBVIRT_LIBDIR = "/usr/lib/x86_64-linux-gnu/libvirt"
STOCK_BACKEND_DIR = LIBVIRT_LIBDIR + "/storage-backend"
# and the gluster client's: mount.glusterfs logs to /var/log/glusterfs,
# the gluster CLI (find-storage-pool-sources) makes
# /var/lib/glusterd/geo-replication
PRIVATE_DIRS = ["/etc/libvirt", "/run/libvirt", "/var/lib/libvirt",
                "/var/log/libvirt", "/var/cache/libvirt",
                "/var/log/glusterfs", "/var/lib/glusterd"]


def _backtraces(pid, timeout):
    """Every thread's backtrace in process @pid, or why there is none."""
    try:
        out = subprocess.run(
            ["gdb", "--batch", "--nx", "-p", str(pid),
             "-ex", "set pagination off", "-ex", "thread apply all bt"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return "no backtrace of %d: %s" % (pid, e)
    return "\n".join(line for line in out.stdout.splitlines()
                     if line.startswith(("Thread ", "#")))


def _descendants(pid):
    """The processes below @pid, read from /proc/*/stat."""
    parent = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
        except OSError:
            continue
        parent[int(name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        found += kids
        todo += kids
    return sorted(found)


class TestDaemon:
    def __init__(self, backend_dir, workdir=None, drivers=("storage", "secret"),
                 env=None, binds=()):
        self.backend_dir = os.path.abspath(backend_dir)
        self.extra_env = dict(env or {})
        self.own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="lvstd-")
        self.drivers = drivers
        # (source, target) files bind-mounted in the namespace, after its
        # tmpfs (a target under them is made first)
        self.binds = list(binds)
        self.proc = None
        self.holder = None
        self.stderr = None

    @property
    def sock(self):
        return os.path.join(self.workdir, "libvirt-sock")

    @property
    def uri(self):
        return "storage:///system?socket=" + self.sock

    @property
    def log(self):
        return os.path.join(self.workdir, "libvirtd.log")

    def _write_config(self):
        drvdir = os.path.join(self.workdir, "drivers")
        os.makedirs(drvdir, exist_ok=True)
        for name in self.drivers:
            so = "libvirt_driver_%s.so" % name
            link = os.path.join(drvdir, so)
            if not os.path.lexists(link):
                os.symlink(os.path.join(LIBVIRT_LIBDIR, "connection-driver", so), link)
        conf = os.path.join(self.workdir, "libvirtd.conf")
        with open(conf, "w") as f:
            f.write('unix_sock_dir = "%s"\n' % self.workdir)
            f.write('unix_sock_rw_perms = "0700"\n')
            f.write('auth_unix_rw = "none"\nauth_unix_ro = "none"\n')
            f.write('log_filters = "1:storage 3:util 3:rpc 3:event 3:object 3:conf"\n')
            f.write('log_outputs = "1:file:%s"\n' % self.log)
            f.write('admin_unix_sock_dir = "%s"\n' % self.workdir)
        return drvdir, conf

    def _start_namespace(self):
        """The holder: a process owning the private mount namespace, its
        tmpfs mounted, until stop()."""
        mounts = " && ".join("mount -t tmpfs -o mode=0755 tmpfs %s" % d
                             for d in PRIVATE_DIRS)
        for src, dst in self.binds:
            mounts += " && { [ -e %s ] || touch %s; } && mount --bind %s %s" % (
                shlex.quote(dst), shlex.quote(dst), shlex.quote(src), shlex.quote(dst))
        script = ("set -e; for d in %s; do mkdir -p $d; done; %s; "
                  "echo ready; exec sleep infinity"
                  % (" ".join(PRIVATE_DIRS), mounts))
        self.holder = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
            stdout=subprocess.PIPE, stderr=self.stderr, text=True,
            start_new_session=True)
        ready = self.holder.stdout.readline()
        self.holder.stdout.close()
        if ready.strip() != "ready":
            self.holder.wait(timeout=15)
            raise RuntimeError("cannot make the daemon's mount namespace: %s" % self.tail())

    def start(self, timeout=30):
        """Start libvirtd, in the holder's namespace if it is alive (a
        restart), else in a new one."""
        drvdir, conf = self._write_config()
        if self.stderr:
            self.stderr.close()
        self.stderr = open(os.path.join(self.workdir, "libvirtd.stderr"), "a")
        if self.holder is None or self.holder.poll() is not None:
            self._start_namespace()
        env = dict(os.environ)
        env["LIBVIRT_DRIVER_DIR"] = drvdir
        env["LIBVIRT_STORAGE_BACKEND_DIR"] = self.backend_dir
        env.pop("LIBVIRT_DEFAULT_URI", None)
        env.update(self.extra_env)
        launcher = []
        self.sanitized = sanitizer.is_sanitized(self.backend_dir)
        if self.sanitized:
            # ASan must be the first library of the (uninstrumented) daemon
            launcher = sanitizer.launcher()
            env.update(sanitizer.environment())
            for path in (os.path.join(self.workdir, "libvirtd.stderr"), self.log):
                sanitizer.watch(path)
        # a killed daemon leaves its socket behind
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        # nsenter execs libvirtd (it forks only to enter a pid namespace):
        # self.proc.pid is libvirtd's pid
        self.proc = subprocess.Popen(
            ["nsenter", "-t", str(self.holder.pid), "-m", "--"] + launcher +
            ["/usr/sbin/libvirtd", "-f", conf,
             "-p", os.path.join(self.workdir, "libvirtd.pid")],
            env=env, stdout=self.stderr, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("libvirtd exited with %s: %s" %
                                   (self.proc.returncode, self.tail()))
            if self._listening():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("libvirtd did not listen on %s in %ss" % (self.sock, timeout))

    def _listening(self):
        """True once a client can connect to the socket: libvirtd binds it
        (the file appears) a moment before it listens, and under load a
        connection in between is refused."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            try:
                s.connect(self.sock)
            except OSError:
                return False
        return True

    def kill(self):
        """SIGKILL libvirtd and whatever it runs (its process group), as
        when a crash or the OOM killer takes it; the namespace stays."""
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=15)

    def restart(self, timeout=30):
        """Start libvirtd again after kill(), on the same state and mounts."""
        self.kill()
        return self.start(timeout)

    @property
    def pid(self):
        return self.proc.pid

    def tail(self, n=40):
        out = []
        for path in (os.path.join(self.workdir, "libvirtd.stderr"), self.log):
            try:
                with open(path) as f:
                    out += f.read().splitlines()[-n:]
            except OSError:
                pass
        return "\n".join(out)

    def stacks(self, timeout=120):
        """Every thread's backtrace in libvirtd and in each process it
        started that is still running (gdb in batch mode), for a test that
        found the daemon stuck."""
        out = ["libvirtd (%d):" % self.pid, _backtraces(self.pid, timeout)]
        for pid in _descendants(self.pid):
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    argv = f.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            out += ["child %d: %s" % (pid, argv), _backtraces(pid, timeout)]
        return "\n".join(out)

    def nsenter(self, argv, **kw):
        """Run @argv in the daemon's mount namespace (to see its mounts)."""
        return subprocess.run(["nsenter", "-t", str(self.pid), "-m", "--"] + list(argv),
                              **kw)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
            except ProcessLookupError:
                pass
        if self.holder and self.holder.poll() is None:
            os.killpg(self.holder.pid, signal.SIGKILL)
            self.holder.wait(timeout=15)
        if getattr(self, "sanitized", False):
            for path in (os.path.join(self.workdir, "libvirtd.stderr"), self.log):
                sanitizer.unwatch(path)
        if self.own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
