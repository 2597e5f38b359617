# SPDX-License-Identifier: LGPL-2.1-or-later
"""The test iSCSI target server of the iscsi-direct suites
(tests/servers/tgt-up.sh): tgtd on 127.0.0.1, libiscsi as initiator.

One tgtd serves the whole session:
- build-aux/run-tests.sh starts it once (tests/servers/tgt-up.sh DIR, on
  port 3261) and exports LVSB_TGT_ENV=DIR/env, which the host suite
  reuses;
- without LVSB_TGT_ENV, the session starts its own in a temporary
  directory on a port of its own and stops it at the end, failed tests
  or not.
Each test makes targets of its own (tgt_target_factory: a new IQN with
file-backed LUNs, optional CHAP), deleted after the test with their
files: tests never see each other's LUNs.
"""

import itertools
import os
import random
import socket
import subprocess
import uuid

import pytest

import poolhelpers
import serverhelpers

ENV_VAR = "LVSB_TGT_ENV"

# a tgtadm call that does not answer within this is a failed test
ADM_TIMEOUT = 30
# the initiator IQN of the test pools
INITIATOR = "iqn.2026-12.org.lvsb:initiator"
# the usage of the CHAP secrets of the tests
SECRET_USAGE = "lvsb-iscsi-chap"
SECRET_UUID = "5c3a9f60-8d2e-4f63-9b55-3d0a6e1c2b71"


class Target:
    """A target of a test: its IQN, tid, and LUN files (LUN n is
    lun_paths[n - 1])."""

    def __init__(self, server, tid, iqn, lun_paths, chap):
        self.server = server
        self.tid = tid
        self.iqn = iqn
        self.lun_paths = lun_paths
        self.chap = chap

    @property
    def portal(self):
        return "%s:%d" % (self.server.host, self.server.port)

    def url(self, lun):
        """The libiscsi URL of LUN @lun (for iscsi-* tools, qemu-img)."""
        cred = ""
        if self.chap:
            cred = "%s%%%s@" % self.chap
        return "iscsi://%s%s/%s/%d" % (cred, self.portal, self.iqn, lun)


class Server(serverhelpers.Server):
    """A running tgtd, read from the env file of tgt-up.sh."""

    _tids = itertools.count(100)

    def __init__(self, env_path):
        super().__init__(env_path)
        env = self.env
        self.dir = env["TGT_DIR"]
        self.host = env["TGT_HOST"]
        self.port = int(env["TGT_PORT"])
        self.control_port = int(env["TGT_CONTROL_PORT"])
        self.pid = int(env["TGT_PID"])

    def adm(self, *args, check=True):
        argv = ["tgtadm", "-C", str(self.control_port), "--lld", "iscsi"] + \
            [str(a) for a in args]
        res = subprocess.run(argv, capture_output=True, text=True, timeout=ADM_TIMEOUT)
        if check and res.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), res.returncode,
                                                       (res.stderr or res.stdout).strip()))
        return res

    def make_target(self, sizes=(64 << 20,), chap=None, thin=True, bind=True):
        """A new target with one file-backed LUN per size in @sizes
        (bytes; LUN 1, 2...), CHAP (user, password) if @chap; open to
        every initiator unless @bind is False."""
        tid = next(self._tids) + (os.getpid() % 1000) * 1000
        iqn = "iqn.2026-12.org.lvsb:t%s" % uuid.uuid4().hex[:10]
        paths = []
        self.adm("--op", "new", "--mode", "target", "--tid", tid, "-T", iqn)
        target = Target(self, tid, iqn, paths, chap)
        try:
            for n, size in enumerate(sizes, 1):
                path = os.path.join(self.dir, "%s-lun%d" % (iqn.split(":")[1], n))
                with open(path, "wb") as f:
                    f.truncate(size)
                paths.append(path)
                self.adm("--op", "new", "--mode", "logicalunit", "--tid", tid,
                         "--lun", n, "-b", path)
                if thin:
                    self.adm("--op", "update", "--mode", "logicalunit", "--tid", tid,
                             "--lun", n, "--params", "thin_provisioning=1")
            if bind:
                self.adm("--op", "bind", "--mode", "target", "--tid", tid, "-I", "ALL")
            if chap:
                self.adm("--op", "new", "--mode", "account", "--user", chap[0],
                         "--password", chap[1], check=False)
                self.adm("--op", "bind", "--mode", "account", "--tid", tid,
                         "--user", chap[0])
        except BaseException:
            self.remove_target(target)
            raise
        return target

    def remove_target(self, target):
        """Deletes @target (dropping its sessions) and its LUN files."""
        self.adm("--op", "delete", "--mode", "target", "--tid", target.tid, "--force",
                 check=False)
        for path in target.lun_paths:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass

    def sessions(self, target):
        """How many sessions @target has (tgtadm's I_T nexus list)."""
        out = self.adm("--op", "show", "--mode", "target").stdout
        count = 0
        mine = False
        for line in out.splitlines():
            if line.startswith("Target "):
                mine = line.split(":", 1)[1].strip() == target.iqn
            elif mine and line.strip().startswith("I_T nexus:"):
                count += 1
        return count


def free_port():
    """A TCP port nobody listens on now, in 13000-29999 (out of the
    ephemeral range, so that the kernel does not hand it out meanwhile)."""
    rng = random.Random()
    for _ in range(100):
        port = rng.randint(13000, 29999)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        if not os.path.exists("/var/run/tgtd/socket.%d" % port):
            return port
    raise RuntimeError("no free TCP port for tgtd")


# tests/servers/tgt-up.sh and tgt-down.sh, on 127.0.0.1:$TGT_PORT
TGT = serverhelpers.Kind("tgt", "the test iSCSI target server", Server, ENV_VAR,
                         "TGT_PORT", free_port)
session_server = TGT.session_server


def secret_xml(usage=SECRET_USAGE, uuid_=SECRET_UUID):
    return ("<secret ephemeral='no' private='yes'><uuid>%s</uuid>"
            "<usage type='iscsi'><target>%s</target></usage></secret>" % (uuid_, usage))


def pool_xml(name, target, host=None, port=None, iqn=None, initiator=INITIATOR,
             chap_user=None, usage=SECRET_USAGE):
    """The XML of iscsi-direct pool @name on @target."""
    host = host or target.server.host
    port = target.server.port if port is None else port
    auth = ""
    if chap_user:
        auth = ("<auth type='chap' username='%s'><secret usage='%s'/></auth>"
                % (chap_user, usage))
    return ("<pool type='iscsi-direct'><name>%s</name><source>"
            "<host name='%s'%s/><device path='%s'/>%s"
            "<initiator><iqn name='%s'/></initiator></source></pool>"
            % (name, host, " port='%d'" % port if port else "", iqn or target.iqn,
               auth, initiator))


# -------------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def tgt_server():
    """The test tgtd (Server): the one of $LVSB_TGT_ENV
    (build-aux/run-tests.sh), or one started for this session and
    stopped at its end."""
    yield from TGT.session_fixture()


@pytest.fixture
def tgt_target_factory(daemon, tgt_server):
    """make(sizes=(64 MiB,), chap=None, thin=True, bind=True) -> a new
    Target of this test.  After the test, the daemon's pools are removed,
    then these targets and their LUN files."""
    made = []

    def make(**kwargs):
        target = tgt_server.make_target(**kwargs)
        made.append(target)
        return target

    try:
        yield make
    finally:
        try:
            poolhelpers.cleanup_pools(daemon.uri)
        finally:
            for target in made:
                tgt_server.remove_target(target)


@pytest.fixture
def tgt_target(tgt_target_factory):
    """A target of this test with two LUNs (64 and 32 MiB)."""
    return tgt_target_factory(sizes=(64 << 20, 32 << 20))
