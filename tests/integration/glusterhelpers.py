# SPDX-License-Identifier: LGPL-2.1-or-later
"""The test GlusterFS server of the gluster suites (tests/servers/gluster-up.sh).

One glusterd (with a started volume gv0) serves the whole session:
- build-aux/run-tests.sh starts it once (tests/servers/gluster-up.sh DIR)
  and exports LVSB_GLUSTER_ENV=DIR/env, which the host suite
  reuses;
- without LVSB_GLUSTER_ENV, the session starts its own in a temporary
  directory and stops it at the end, failed tests or not.
glusterd listens on one loopback address only (127.0.0.2 for
run-tests.sh, a random 127.x.y.z for a session's own), which clients use
too: servers of several sessions can run at the same time.

Fixtures (conftest.py): gluster_server (session), gluster_volume (a
started volume of the test's own, with a brick of its own, deleted after
the test: tests never see each other's files) and silent_glusterd (a
port 24007 that accepts connections and never answers).
"""

import os
import shutil
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET

import pytest

import poolhelpers
import serverhelpers

ENV_VAR = "LVSB_GLUSTER_ENV"

# glusterd's port
GLUSTERD_PORT = 24007
# a CLI call that does not answer within this is a failed test, not a hang
CLI_TIMEOUT = 60
# a new volume's brick is online within this
BRICK_WAIT = 20


class Server(serverhelpers.Server):
    """A running test server, read from the env file of gluster-up.sh."""

    def __init__(self, env_path):
        super().__init__(env_path)
        env = self.env
        self.dir = env["GLUSTER_DIR"]
        self.host = env["GLUSTER_HOST"]
        self.volume = env["GLUSTER_VOLUME"]
        self.socket = env["GLUSTER_SOCKET"]
        self.brick_host = env["GLUSTER_BRICK_HOST"]
        self.brick_dir = env["GLUSTER_BRICK_DIR"]

    @property
    def pid(self):
        with open(os.path.join(self.dir, "glusterd.pid")) as f:
            return int(f.read().strip())

    def cli(self, *args, check=True, timeout=CLI_TIMEOUT):
        """The gluster CLI on this server, in glusterd's mount namespace
        (a CompletedProcess; raises on a non-zero exit unless
        check=False)."""
        argv = ["nsenter", "--mount=/proc/%d/ns/mnt" % self.pid,
                "gluster", "--mode=script", "--glusterd-sock=" + self.socket,
                "--log-file=" + os.path.join(self.dir, "log", "cli.log")] + \
            [str(a) for a in args]
        res = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        if check and res.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), res.returncode,
                                                       (res.stderr or res.stdout).strip()))
        return res

    def brick_path(self, volume):
        return os.path.join(self.brick_dir, volume)

    def bricks_online(self, volume):
        res = self.cli("--xml", "volume", "status", volume, check=False)
        if res.returncode != 0:
            return False
        root = ET.fromstring(res.stdout)
        states = [n.text for n in root.iter("node")
                  for n in n.findall("status")]
        return bool(states) and all(s == "1" for s in states)

    def make_volume(self, name=None, start=True):
        """A new one-brick volume (started unless @start is False)."""
        name = name or "t" + uuid.uuid4().hex[:10]
        self.cli("volume", "create", name,
                 "%s:%s" % (self.brick_host, self.brick_path(name)), "force")
        self.cli("volume", "set", name, "server.allow-insecure", "on")
        if start:
            self.start_volume(name)
        return name

    def start_volume(self, name):
        self.cli("volume", "start", name)
        end = time.monotonic() + BRICK_WAIT
        while not self.bricks_online(name):
            if time.monotonic() > end:
                raise RuntimeError("the brick of gluster volume %s is not online after %d s"
                                   % (name, BRICK_WAIT))
            time.sleep(0.1)

    def stop_volume(self, name):
        self.cli("volume", "stop", name, "force")

    def remove_volume(self, name):
        """Stops (if started) and deletes volume @name, and its brick."""
        self.cli("volume", "stop", name, "force", check=False)
        self.cli("volume", "delete", name, check=False)
        shutil.rmtree(self.brick_path(name), ignore_errors=True)


# tests/servers/gluster-up.sh and gluster-down.sh, on $GLUSTER_ADDR
GLUSTER = serverhelpers.Kind("gluster", "the test Gluster server", Server, ENV_VAR,
                             "GLUSTER_ADDR", serverhelpers.random_loopback,
                             up_timeout=120)
session_server = GLUSTER.session_server


def client_processes(target):
    """Pids of glusterfs client (FUSE) processes serving mount point
    @target, anywhere on the machine (zombies excluded)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % name, "rb") as f:
                argv = f.read().split(b"\0")
            with open("/proc/%s/status" % name) as f:
                zombie = any(line.startswith("State:") and "Z" in line.split()[1]
                             for line in f)
        except OSError:
            continue
        if zombie or not argv or os.path.basename(argv[0]) != b"glusterfs":
            continue
        if os.fsencode(target) in argv:
            found.append(int(name))
    return found


def netfs_xml(name, host, volume, target, options=()):
    opts = ""
    if options:
        opts = "<fs:mount_opts>%s</fs:mount_opts>" % "".join(
            "<fs:option name='%s'/>" % o for o in options)
    return ("<pool type='netfs' xmlns:fs='http://libvirt.org/schemas/storagepool/fs/1.0'>"
            "<name>%s</name><source><host name='%s'/>%s<format type='glusterfs'/>"
            "</source><target><path>%s</path></target>%s</pool>"
            % (name, host, "<dir path='%s'/>" % volume if volume is not None else "",
               target, opts))


# -------------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def gluster_server():
    """The test Gluster server (Server): the one of $LVSB_GLUSTER_ENV
    (build-aux/run-tests.sh), or one started for this session and
    stopped at its end."""
    yield from GLUSTER.session_fixture()


@pytest.fixture
def gluster_volume(daemon, gluster_server):
    """The name of a started gluster volume of this test's own.  After
    the test, the daemon's pools are removed (unmounting the volume),
    then the volume and its brick."""
    name = gluster_server.make_volume()
    try:
        yield name
    finally:
        try:
            poolhelpers.cleanup_pools(daemon.uri)
        finally:
            gluster_server.remove_volume(name)


@pytest.fixture
def silent_glusterd():
    """glusterd's port (24007) on a loopback address of its own: TCP
    connections accepted, requests read and never answered; yields the
    address."""
    with serverhelpers.silent_server(GLUSTERD_PORT) as host:
        yield host


class FuseMount:
    """Volume @volume of @server mounted through FUSE at @path in the
    tests' own mount namespace, to put files into it as a client would
    (a file written on a brick is not in the volume); a context manager
    that unmounts it and waits for its client to end."""

    def __init__(self, server, volume, path):
        self.path = str(path)
        os.makedirs(self.path, exist_ok=True)
        subprocess.run(["mount", "-t", "glusterfs", "-o", "log-file=/dev/null",
                        "%s:/%s" % (server.host, volume), self.path],
                       check=True, capture_output=True, timeout=CLI_TIMEOUT)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def file(self, name):
        return os.path.join(self.path, name)

    def close(self):
        subprocess.run(["umount", self.path], capture_output=True, timeout=CLI_TIMEOUT)
        end = time.monotonic() + 10
        while client_processes(self.path) and time.monotonic() < end:
            time.sleep(0.1)
