# SPDX-License-Identifier: LGPL-2.1-or-later
"""The test Ceph cluster of the rbd suites (tests/servers/ceph-up.sh).

One single-node cluster (a mon, a memstore OSD, a mgr, cephx on, the fixed
client.admin key of ceph-up.sh) serves the whole session:
- build-aux/run-tests.sh starts it once (`cephhelpers.py up DIR`) and
  exports LVSB_CEPH_ENV=DIR/ceph.env, which the host suite
  reuses;
- without LVSB_CEPH_ENV, the session starts its own on a random loopback
  address 127.x.y.z in a temporary directory and stops it at the end,
  failed tests or not.

Fixtures (conftest.py): ceph_cluster (session), ceph_secret (the libvirt
secret of usage SECRET_USAGE holding the admin key, defined in the test
daemon), rados_pool (a RADOS pool of the test's own, initialized for rbd,
removed after the test, so that tests never see each other's images).

Command line (build-aux/run-tests.sh):
    cephhelpers.py up DIR     start a cluster in DIR (random 127.x.y.z),
                              print the path of its env file
    cephhelpers.py down DIR   stop it
"""

import base64
import json
import subprocess
import sys
import uuid

# python3-rados and python3-rbd; the bench of rbd pools is bench/rbdpools.py,
# not bench/rbd.py, which shadowed the module rbd once test_bench.py had
# put bench/ in sys.path
import rados
import rbd

import serverhelpers

ENV_VAR = "LVSB_CEPH_ENV"

# the libvirt secret holding the cluster's client.admin key (a fixture:
# the key is ceph-up.sh's fixed one)
SECRET_USAGE = "lvsb-ceph-admin"
SECRET_UUID = "6c7a3f0e-5d1b-4c8e-9a2f-1b3d5e7f9a0c"
USERNAME = "admin"
# ceph-up.sh's fixed client.admin key (CEPH_ADMIN_KEY_FIXED there)
ADMIN_KEY = "AQBxDg5rPH8rGhAAa9D1RwkS++KuvyAGK3xr9g=="

# a CLI call that does not answer within this is a failed test, not a hang
CLI_TIMEOUT = 120


class Cluster(serverhelpers.Server):
    """A running test cluster, read from its ceph.env."""

    def __init__(self, env_path):
        super().__init__(env_path)
        self.dir = self.env["CEPH_DIR"]
        self.conf = self.env["CEPH_CONF"]
        self.addr = self.env["CEPH_ADDR"]
        self.mon_host = self.env["CEPH_MON_HOST"]
        self.mon_port = int(self.env["CEPH_MON_PORT"])
        self.key = self.env["CEPH_ADMIN_KEY"]
        self.pool = self.env["CEPH_POOL"]

    def _run(self, tool, args, check=True, timeout=CLI_TIMEOUT, **kw):
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        argv = [tool, "-c", self.conf] + [str(a) for a in args]
        res = subprocess.run(argv, timeout=timeout, **kw)
        if check and res.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), res.returncode,
                                                       (res.stderr or "").strip()))
        return res

    def ceph(self, *args, **kw):
        """The ceph CLI on this cluster (a CompletedProcess; raises on a
        non-zero exit unless check=False)."""
        return self._run("ceph", args, **kw)

    def rbd(self, *args, **kw):
        """The rbd CLI on this cluster."""
        return self._run("rbd", args, **kw)

    def rados(self, *args, **kw):
        """The rados CLI on this cluster."""
        return self._run("rados", args, **kw)

    def make_pool(self, name=None, pg_num=8):
        """A new RADOS pool initialized for rbd; returns its name."""
        name = name or "lvsb-%s" % uuid.uuid4().hex[:12]
        self.ceph("osd", "pool", "create", name, pg_num)
        self.rbd("pool", "init", name)
        return name

    def remove_pool(self, name):
        """Remove the RADOS pool @name and its images (no error if it is
        not there)."""
        self.ceph("osd", "pool", "rm", name, name,
                  "--yes-i-really-really-mean-it", check=False)

    def images(self, pool):
        """The names of the rbd images of RADOS pool @pool, sorted."""
        out = self.rbd("ls", "--pool", pool).stdout
        return sorted(line for line in out.splitlines() if line)

    def _rados(self):
        """A librados connection of this process (python3-rados), made on
        first use."""
        if getattr(self, "_cluster_handle", None) is None:
            handle = rados.Rados(conffile=self.conf)
            handle.conf_set("client_mount_timeout", "30")
            handle.connect(timeout=30)
            self._cluster_handle = handle
        return self._cluster_handle

    def write_image(self, pool, image, data, offset=0):
        """Write @data into image @image of RADOS pool @pool at @offset
        (python3-rbd, not through libvirt)."""
        with self._rados().open_ioctx(pool) as io, rbd.Image(io, image) as img:
            img.write(data, offset)

    def read_image(self, pool, image, offset=0, length=None):
        """The bytes of image @image of @pool from @offset (@length, None
        for up to its end)."""
        with self._rados().open_ioctx(pool) as io, \
                rbd.Image(io, image, read_only=True) as img:
            if length is None:
                length = img.size() - offset
            out = []
            while length > 0:
                chunk = img.read(offset, min(length, 4 * 1024 * 1024))
                out.append(chunk)
                offset += len(chunk)
                length -= len(chunk)
            return b"".join(out)

    def image_info(self, pool, image):
        """`rbd info --format json` of @pool/@image (a dict)."""
        return json.loads(self.rbd("info", "--format", "json", "--",
                                   "%s/%s" % (pool, image)).stdout)

    def close(self):
        handle = getattr(self, "_cluster_handle", None)
        if handle is not None:
            handle.shutdown()
            self._cluster_handle = None

    def secret_value(self):
        """The admin key as libvirt's secret holds it (the raw bytes)."""
        return base64.b64decode(self.key)


def other_key():
    """A well-formed cephx key that no test cluster knows."""
    return subprocess.run(["ceph-authtool", "--gen-print-key"], check=True,
                          capture_output=True, text=True, timeout=60).stdout.strip()


def random_loopback():
    """A random 127.x.y.z (not 127.0.0.1) whose mon ports are free."""
    return serverhelpers.random_loopback(ports=(3300, 6789))


# tests/servers/ceph-up.sh and ceph-down.sh, on $CEPH_ADDR; ceph-up.sh wants
# an empty directory and may hang on a cluster that never forms
CEPH = serverhelpers.Kind("ceph", "the test Ceph cluster", Cluster, ENV_VAR,
                          "CEPH_ADDR", random_loopback, env_file="ceph.env",
                          up_timeout=600, down_timeout=120, retry_hung=True)
CEPH_UP = CEPH.up
CEPH_DOWN = CEPH.down
start = CEPH.start
stop = CEPH.stop
session_cluster = CEPH.session_server


def secret_uri(daemon):
    """The URI of the secret driver of the test daemon @daemon."""
    return "secret:///system?socket=" + daemon.sock


def secret_xml(usage=SECRET_USAGE, uuid_=SECRET_UUID):
    return ("<secret ephemeral='no' private='yes'><uuid>%s</uuid>"
            "<usage type='ceph'><name>%s</name></usage></secret>" % (uuid_, usage))


def define_secret(conn, cluster, usage=SECRET_USAGE, uuid_=SECRET_UUID, value=None):
    """Define (or redefine) in the daemon of @conn the ceph secret @usage
    holding @value (default the cluster's admin key); returns it."""
    secret = conn.secretDefineXML(secret_xml(usage, uuid_))
    secret.setValue(cluster.secret_value() if value is None else value)
    return secret


def rbd_pool_xml(name, cluster, rados_pool, usage=SECRET_USAGE, hosts=None,
                 username=USERNAME, auth=True):
    """The XML of libvirt rbd pool @name on RADOS pool @rados_pool;
    @hosts is a list of (name, port) (default the cluster's mon)."""
    hosts = hosts or [(cluster.mon_host, cluster.mon_port)]
    host_xml = "".join("<host name='%s'%s/>" % (h, " port='%d'" % p if p else "")
                       for h, p in hosts)
    auth_xml = ("<auth type='ceph' username='%s'><secret usage='%s'/></auth>"
                % (username, usage)) if auth else ""
    return ("<pool type='rbd'><name>%s</name><source>%s<name>%s</name>%s"
            "</source></pool>" % (name, host_xml, rados_pool, auth_xml))


def main(argv):
    if len(argv) != 3 or argv[1] not in ("up", "down"):
        print("usage: cephhelpers.py up|down DIR", file=sys.stderr)
        return 2
    if argv[1] == "up":
        try:
            cluster = start(argv[2])
        except RuntimeError as e:
            print("cephhelpers: %s" % e, file=sys.stderr)
            return 1
        print(cluster.env_path)
        return 0
    try:
        stop(argv[2])
    except RuntimeError as e:
        print("cephhelpers: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
