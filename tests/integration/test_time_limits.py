# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tools that wait on a server that never answers are stopped at their time
limit (issue 7, item 12; docs/security.rst, "Time limits").

showmount against a host that accepts its connection and never answers
waits 2 minutes (its RPC timeout), holding the daemon's thread.  A Python
listener on port 111 (rpcbind's) of a loopback address of its own
(127.x.y.z, free of the machine's services and of another run of this
suite at the same time) accepts and stays silent for the test.
The NFS mount of a silent server is tested in the VM
(vm/test_pool_netfs.py::test_silent_server); lvm2 commands and the
runner itself by tests/storagecommandtest.c.
"""

import subprocess
import time

import pytest

import serverhelpers

# rpcbind's port; showmount has no option for another
RPCBIND_PORT = 111
SOURCES_LIMIT = 30          # VIR_STORAGE_NETFS_SOURCES_TIME_LIMIT
GRACE = 5                   # VIR_STORAGE_COMMAND_KILL_GRACE
BOUND = SOURCES_LIMIT + GRACE + 15


@pytest.fixture
def silent_rpcbind():
    """TCP and UDP port 111 of a loopback address: connections accepted,
    requests read and never answered; yields the address."""
    with serverhelpers.silent_server(RPCBIND_PORT, udp=True) as host:
        yield host


def timed_virsh(daemon, *args):
    """(rc, stderr, seconds); rc None when virsh still waited after BOUND s."""
    start = time.monotonic()
    try:
        res = subprocess.run(["virsh", "-c", daemon.uri] + list(args),
                             capture_output=True, text=True, timeout=BOUND)
    except subprocess.TimeoutExpired:
        return None, "(virsh killed after %d s)" % BOUND, time.monotonic() - start
    return res.returncode, res.stderr, time.monotonic() - start


@pytest.mark.stock_differs("netfs-sources-time-limit",
                           reason="stock's showmount waits 2 minutes on a silent host")
@pytest.mark.parametrize("fmt", ["nfs", None], ids=["nfs", "auto"])
def test_find_sources_of_silent_host_is_bounded(daemon, silent_rpcbind, fmt, tmp_path):
    """With no format, gluster is asked too: its CLI is refused at once
    (nothing listens on glusterd's port), showmount is the one stopped."""
    spec = tmp_path / "source.xml"
    spec.write_text("<source><host name='%s'/>%s</source>" % (
        silent_rpcbind, "<format type='%s'/>" % fmt if fmt else ""))
    rc, err, took = timed_virsh(daemon, "find-storage-pool-sources", "netfs", str(spec))
    print("find-storage-pool-sources: rc %s in %.1f s: %s" % (rc, took, err.strip()))
    assert rc is not None, err
    assert took < SOURCES_LIMIT + GRACE + 10, "took %.1f s" % took
    assert rc != 0
    assert "showmount did not finish within %d seconds" % SOURCES_LIMIT in err, err
    assert silent_rpcbind in err
    if fmt:
        assert "Timed out" in err, err
    else:
        # each lister's reason quoted as it was given, without the words
        # libvirt puts before it for its code (translated in other locales)
        assert "(cannot list the NFS exports of host" in err, err
        assert "Timed out" not in err, err
