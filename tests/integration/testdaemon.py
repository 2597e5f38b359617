# SPDX-License-Identifier: LGPL-2.1-or-later
"""An isolated libvirtd serving only the storage and secret drivers.

The daemon runs as root in a private mount namespace, with tmpfs over
libvirt's state and config directories, so it never touches the machine's
own libvirtd or /etc/libvirt.  LIBVIRT_STORAGE_BACKEND_DIR selects the
storage backend modules: ours (the build dir) or the stock ones.  Modules
built with ASan get its runtime preloaded (sanitizer.py).
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time

import sanitizer

LIBVIRT_LIBDIR = "/usr/lib/x86_64-linux-gnu/libvirt"
STOCK_BACKEND_DIR = LIBVIRT_LIBDIR + "/storage-backend"
PRIVATE_DIRS = ["/etc/libvirt", "/run/libvirt", "/var/lib/libvirt",
                "/var/log/libvirt", "/var/cache/libvirt"]


class TestDaemon:
    def __init__(self, backend_dir, workdir=None, drivers=("storage", "secret")):
        self.backend_dir = os.path.abspath(backend_dir)
        self.own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="lvstd-")
        self.drivers = drivers
        self.proc = None

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

    def start(self, timeout=30):
        drvdir, conf = self._write_config()
        mounts = " && ".join("mount -t tmpfs -o mode=0755 tmpfs %s" % d
                             for d in PRIVATE_DIRS)
        env = dict(os.environ)
        env["LIBVIRT_DRIVER_DIR"] = drvdir
        env["LIBVIRT_STORAGE_BACKEND_DIR"] = self.backend_dir
        env.pop("LIBVIRT_DEFAULT_URI", None)
        launcher = ""
        self.sanitized = sanitizer.is_sanitized(self.backend_dir)
        if self.sanitized:
            # ASan must be the first library of the (uninstrumented) daemon
            launcher = " ".join(sanitizer.launcher()) + " "
            env.update(sanitizer.environment())
            for path in (os.path.join(self.workdir, "libvirtd.stderr"), self.log):
                sanitizer.watch(path)
        script = ("set -e; for d in %s; do mkdir -p $d; done; %s; "
                  "exec %s/usr/sbin/libvirtd -f %s -p %s/libvirtd.pid"
                  % (" ".join(PRIVATE_DIRS), mounts, launcher, conf, self.workdir))
        self.stderr = open(os.path.join(self.workdir, "libvirtd.stderr"), "w")
        self.proc = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
            env=env, stdout=self.stderr, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("libvirtd exited with %s: %s" %
                                   (self.proc.returncode, self.tail()))
            if os.path.exists(self.sock):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("libvirtd did not create %s in %ss" % (self.sock, timeout))

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
        if getattr(self, "sanitized", False):
            for path in (os.path.join(self.workdir, "libvirtd.stderr"), self.log):
                sanitizer.unwatch(path)
        if self.own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
