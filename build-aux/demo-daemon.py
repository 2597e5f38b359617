#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""demo-daemon.py: an isolated libvirtd serving a demo 'dir' pool through
our storage backend modules.

    build-aux/demo-daemon.py start    start it (stopping an older one first)
    build-aux/demo-daemon.py stop     stop it and remove its files

The daemon is the stock Debian libvirtd in a private mount namespace (see
tests/integration/testdaemon.py): the machine's own libvirtd and
/etc/libvirt are never touched.
"""

import os
import shutil
import signal
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))

from testdaemon import TestDaemon  # noqa: E402

WORKDIR = os.environ.get("LVSB_DEMO_DIR", "/var/tmp/lvsb-demo")
BUILD = os.environ.get("LVSB_BUILD_DIR", os.path.join(TOP, "build"))
BACKEND_DIR = os.path.join(BUILD, "src", "storage")
POOL = "demo"
POOL_DIR = os.path.join(WORKDIR, "pool")
PIDFILE = os.path.join(WORKDIR, "daemon.pid")
# the process that holds the daemon's mount namespace (testdaemon.py)
HOLDER_PIDFILE = os.path.join(WORKDIR, "holder.pid")


def running_pid():
    try:
        with open(PIDFILE) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def stop():
    pid = running_pid()
    if pid:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and os.path.exists("/proc/%d" % pid):
            time.sleep(0.1)
        if os.path.exists("/proc/%d" % pid):
            os.killpg(pid, signal.SIGKILL)
        print("demo libvirtd (pid %d) stopped" % pid)
    stop_holder()
    shutil.rmtree(WORKDIR, ignore_errors=True)


def stop_holder():
    """Ends the process holding the daemon's namespace, as
    TestDaemon.stop() does (it is no child of this process)."""
    try:
        with open(HOLDER_PIDFILE) as f:
            pid = int(f.read().strip())
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            if not f.read().startswith(b"sleep"):
                return
        os.killpg(pid, signal.SIGKILL)
    except (OSError, ValueError):
        pass


def virsh(uri, *args):
    res = subprocess.run(["virsh", "-q", "-c", uri] + list(args),
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError("virsh %s failed: %s" % (" ".join(args), res.stderr.strip()))
    return res.stdout


def start():
    module = os.path.join(BACKEND_DIR, "libvirt_storage_backend_fs.so")
    if not os.path.exists(module):
        sys.exit("demo: %s is missing: build first (ninja -C %s)" % (module, BUILD))
    stop()
    os.makedirs(POOL_DIR)
    daemon = TestDaemon(BACKEND_DIR, workdir=WORKDIR).start()
    with open(PIDFILE, "w") as f:
        f.write("%d\n" % daemon.pid)
    if daemon.holder:
        with open(HOLDER_PIDFILE, "w") as f:
            f.write("%d\n" % daemon.holder.pid)
    uri = daemon.uri
    try:
        virsh(uri, "pool-define-as", POOL, "dir", "--target", POOL_DIR)
        virsh(uri, "pool-start", POOL)
        virsh(uri, "pool-autostart", POOL)
        with open("/proc/%d/maps" % daemon.pid) as f:
            if module not in f.read():
                raise RuntimeError("the daemon did not load %s" % module)
    except Exception as e:
        print("demo: %s\n%s" % (e, daemon.tail(20)), file=sys.stderr)
        stop()
        sys.exit(1)

    print(virsh(uri, "pool-list", "--all", "--details"))
    print("""An isolated libvirtd (pid %d) serves the dir pool '%s' (%s)
through our modules in %s.

Reach it with virsh:
    virsh -c '%s' pool-list --all
    virsh -c '%s' vol-create-as %s disk1.qcow2 1G --format qcow2

Python:  libvirt.open('%s')
Log:     %s
Stop it: /usr/bin/python3 %s stop""" % (
        daemon.pid, POOL, POOL_DIR, BACKEND_DIR, uri, uri, POOL, uri,
        daemon.log, os.path.abspath(__file__)))


def main():
    if os.geteuid() != 0:
        sys.exit("demo: run me as root")
    if len(sys.argv) != 2 or sys.argv[1] not in ("start", "stop"):
        sys.exit("usage: %s start|stop" % sys.argv[0])
    start() if sys.argv[1] == "start" else stop()


if __name__ == "__main__":
    main()
