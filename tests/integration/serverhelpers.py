# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the test servers of the integration suites share: the tgtd of
tgthelpers.py, the glusterd of glusterhelpers.py and the Ceph cluster of
cephhelpers.py.

Each kind of server has two scripts in tests/servers: NAME-up.sh DIR
starts one in DIR, listening on the address or port given in one
environment variable, and writes DIR/ENV_FILE (KEY=VALUE lines) once it
answers; NAME-down.sh DIR stops it.  One server of each kind serves the
whole session:
- build-aux/run-tests.sh starts it once and exports $LVSB_<NAME>_ENV (the
  path of its env file), which the host suite (both
  of its pytest-xdist workers) reuses;
- without that variable, the session starts its own in a temporary
  directory, on an address or port picked at random, and stops it at the
  end, failed tests or not.
"""

import contextlib
import os
import random
import shutil
import socket
import subprocess
import tempfile
import threading

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVERS_DIR = os.path.join(TOP, "tests", "servers")


def read_env(path):
    """The KEY=VALUE lines of the env file at @path (a dict)."""
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                env[key] = value
    return env


def port_free(addr, port):
    """Whether nothing listens on TCP port @port of @addr now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((addr, port))
        except OSError:
            return False
    return True


def _loopback_address(rng):
    return "127.%d.%d.%d" % (rng.randint(1, 254), rng.randint(0, 255), rng.randint(2, 254))


def random_loopback(ports=()):
    """A random loopback address 127.x.y.z (never 127.0.0.1) on which the
    TCP @ports are free, so that servers of several runs can be up at
    the same time."""
    rng = random.Random()
    for _ in range(100):
        addr = _loopback_address(rng)
        if all(port_free(addr, port) for port in ports):
            return addr
    raise RuntimeError("no loopback address has TCP ports %s free"
                       % ", ".join(str(p) for p in ports))


@contextlib.contextmanager
def silent_server(port, udp=False):
    """A server that is there and never answers: TCP port @port (and UDP
    port @port, with @udp) of a random loopback address of its own,
    connections accepted and held, nothing ever sent.  Yields the
    address; the test fails when no address has the port free."""
    rng = random.Random()
    errors = []
    for _ in range(20):
        host = _loopback_address(rng)
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        datagram = socket.socket(socket.AF_INET, socket.SOCK_DGRAM) if udp else None
        try:
            tcp.bind((host, port))
            if datagram:
                datagram.bind((host, port))
            break
        except OSError as e:
            errors.append("%s: %s" % (host, e))
            tcp.close()
            if datagram:
                datagram.close()
    else:
        pytest.fail("cannot listen on port %d of any loopback address for a silent server: %s"
                    % (port, "; ".join(errors[-3:])), pytrace=False)
    tcp.listen(64)
    tcp.settimeout(0.2)
    stop = threading.Event()
    held = []

    def serve():
        while not stop.is_set():
            try:
                conn, _ = tcp.accept()
                held.append(conn)
            except socket.timeout:
                pass
            except OSError:
                break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield host
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            conn.close()
        tcp.close()
        if datagram:
            datagram.close()


class Server:
    """A running server, read from the env file of its up script: @env
    (a dict) and @env_path; subclasses take their fields from @env."""

    def __init__(self, env_path):
        self.env_path = env_path
        self.env = read_env(env_path)

    def close(self):
        """Releases what this process holds on the server (a subclass
        with connections of its own closes them): called when the
        session is done with it."""


class Kind:
    """One kind of test server.

    @name: its scripts are tests/servers/@name-up.sh and @name-down.sh;
    @what: how messages name it ("the test Gluster server");
    @make: the Server of an env file, from its path;
    @env_var: the variable of build-aux/run-tests.sh naming the env file
    of the run's server; @env_file: the env file's name in a server's
    directory;
    @addr_var: the variable that tells the up script where to listen,
    @pick() a value for it (a random address, a free port);
    @up_timeout, @down_timeout: seconds each script may take;
    @retry_hung: each attempt starts in an empty directory (what an
    earlier one left is stopped and removed), and an up script that does
    not end in time is one failed attempt; otherwise its time-out ends
    the start.
    """

    def __init__(self, name, what, make, env_var, addr_var, pick, env_file="env",
                 up_timeout=60, down_timeout=60, retry_hung=False):
        self.name = name
        self.what = what
        self.make = make
        self.env_var = env_var
        self.env_file = env_file
        self.addr_var = addr_var
        self.pick = pick
        self.up = os.path.join(SERVERS_DIR, name + "-up.sh")
        self.down = os.path.join(SERVERS_DIR, name + "-down.sh")
        self.up_timeout = up_timeout
        self.down_timeout = down_timeout
        self.retry_hung = retry_hung

    def _down_quiet(self, dirpath):
        subprocess.run([self.down, dirpath], capture_output=True,
                       timeout=self.down_timeout)

    def start(self, dirpath, addr=None, attempts=3):
        """Starts a server in @dirpath listening on @addr (by default a
        picked one, another one for each attempt, since it may be taken
        meanwhile); returns its Server."""
        errors = []
        for _ in range(attempts):
            where = str(addr or self.pick())
            if self.retry_hung and os.path.isdir(dirpath):
                self._down_quiet(dirpath)
                shutil.rmtree(dirpath, ignore_errors=True)
            env = dict(os.environ, **{self.addr_var: where})
            try:
                res = subprocess.run([self.up, dirpath], capture_output=True, text=True,
                                     timeout=self.up_timeout, env=env)
            except subprocess.TimeoutExpired as e:
                if not self.retry_hung:
                    raise
                self._down_quiet(dirpath)
                errors.append("%s did not end: %s" % (os.path.basename(self.up), e))
                continue
            if res.returncode == 0:
                return self.make(os.path.join(dirpath, self.env_file))
            errors.append("%s with %s=%s failed (%d):\n%s%s"
                          % (os.path.basename(self.up), self.addr_var, where,
                             res.returncode, res.stdout, res.stderr))
            if addr:
                break
        raise RuntimeError("\n".join(errors))

    def stop(self, dirpath):
        """Stops the server of @dirpath; raises if it would not stop (no
        error if none runs there)."""
        res = subprocess.run([self.down, dirpath], capture_output=True, text=True,
                             timeout=self.down_timeout)
        if res.returncode != 0:
            raise RuntimeError("%s failed (%d):\n%s%s"
                               % (os.path.basename(self.down), res.returncode,
                                  res.stdout, res.stderr))

    def session_server(self):
        """Generator: the server of $@env_var, or one started in a
        temporary directory and stopped (and the directory removed) when
        the generator is closed; the Server is closed first either way."""
        env_path = os.environ.get(self.env_var)
        if env_path:
            server = self.make(env_path)
            try:
                yield server
            finally:
                server.close()
            return
        dirpath = tempfile.mkdtemp(prefix="lvsb-%s-" % self.name)
        try:
            server = self.start(dirpath)
            try:
                yield server
            finally:
                server.close()
        finally:
            try:
                self.stop(dirpath)
            finally:
                shutil.rmtree(dirpath, ignore_errors=True)

    def session_fixture(self):
        """The body of the session fixture of this kind (`yield from
        KIND.session_fixture()`): the session's server; the fixture fails
        when none can be had."""
        try:
            gen = self.session_server()
            server = next(gen)
        except (RuntimeError, OSError, KeyError, subprocess.TimeoutExpired) as e:
            pytest.fail("%s is not available: %s" % (self.what, e), pytrace=False)
        try:
            yield server
        finally:
            gen.close()
