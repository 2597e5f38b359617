# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers of the fault tests (test_faults.py, vm/test_faults_vm.py):
libvirtd is killed with SIGKILL in the middle of a call and started again
on the same state (TestDaemon.kill/restart: the private mount namespace,
/etc/libvirt and /run/libvirt outlive the daemon, as on a real host)."""

import os
import threading
import time

import libvirt

from poolhelpers import sha256_path  # noqa: F401 (the fault tests import it from here)

MiB = 1024 * 1024


def children(pid):
    """[(pid, program name)] of the processes @pid started, any thread."""
    kids = []
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return kids
    for tid in tasks:
        try:
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                for kid in f.read().split():
                    with open("/proc/%s/comm" % kid) as c:
                        kids.append((int(kid), c.read().strip()))
        except OSError:
            pass
    return kids


def wait_for(what, predicate, timeout=60, step=0.001):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))


class Call:
    """@fn(conn) run in a thread on a connection of its own; .error is the
    libvirtError it ended with, .done whether it returned at all."""

    def __init__(self, daemon, fn):
        self.conn = libvirt.open(daemon.uri)
        self.error = None
        self.returned = False
        self.thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self.thread.start()

    def _run(self, fn):
        try:
            fn(self.conn)
            self.returned = True
        except libvirt.libvirtError as e:
            self.error = e

    @property
    def running(self):
        return self.thread.is_alive()

    def join(self, timeout=60):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the call did not end after the daemon was killed"
        try:
            self.conn.close()
        except libvirt.libvirtError:
            pass


def kill_during(daemon, fn, trigger, what, timeout=120, may_miss=False):
    """Run @fn(conn) and SIGKILL the daemon (and its helpers) as soon as
    @trigger() is true while the call is still running; restart the daemon
    and return a connection to it.  If the call ended before the trigger
    (the kill would not have been in its middle), fail, or with @may_miss
    return None (the caller tries again)."""
    call = Call(daemon, fn)
    deadline = time.monotonic() + timeout
    while not trigger():
        if not call.running:
            call.join()
            if may_miss and call.returned:
                return None
            raise AssertionError("%s ended (%s) before the daemon could be killed in "
                                 "its middle" % (what, call.error or "success"))
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the middle of %s" % what)
        time.sleep(0.001)
    daemon.kill()
    call.join()
    daemon.start()
    conn = libvirt.open(daemon.uri)
    conn.listAllStoragePools()      # the storage driver is up
    if call.returned:
        # the daemon had answered when the trigger fired
        conn.close()
        if may_miss:
            return None
        raise AssertionError("%s ended (success) before the daemon could be killed in "
                             "its middle" % what)
    return conn


def pool_back(conn, name):
    """The pool @name after a restart: defined, running, refreshed."""
    pool = conn.storagePoolLookupByName(name)
    assert pool.isActive(), "pool %s did not come back running after the restart" % name
    pool.refresh(0)
    return pool


def half_made_is_honest(pool, name, exists):
    """What a killed call left of volume @name: if @exists() says the
    object is there, the pool lists it, vol-info works and vol-delete
    removes it; if not, the pool does not list it."""
    names = pool.listVolumes()
    if exists():
        assert name in names, "%s exists but the pool does not list it: %s" % (name, names)
        vol = pool.storageVolLookupByName(name)
        vol.info()
        vol.XMLDesc(0)
        vol.delete(0)
        pool.refresh(0)
        assert name not in pool.listVolumes()
        assert not exists(), "vol-delete of %s left it behind" % name
    else:
        assert name not in names, "the pool lists %s, which does not exist" % name
