# SPDX-License-Identifier: LGPL-2.1-or-later
"""iscsi pools (the kernel initiator through iscsiadm), in the test VM.

A tgtd target runs in the guest on 127.0.0.1:3260 (the port virsh's
pool-define-as and find-storage-pool-sources-as imply) for the whole
module, with file-backed LUNs in guest memory:

- TARGET: two LUNs (8 and 16 MiB);
- CHAP_TARGET: one LUN, incoming CHAP user CHAP_USER / CHAP_PASSWORD;
- EMPTY_TARGET: no LUN;
- ACL_TARGET: one LUN, only for the initiator named ACL_INITIATOR;
- MANY_TARGET: MANY_LUNS LUNs of 1 MiB.

iscsid is started by hand (there is no systemd in the guest).  Each test
drives a pool through virsh against our module and the stock one, then
checks the kernel's sessions (/sys/class/iscsi_session) and iscsiadm's
records.  After each test every session and record of the test targets
and every interface record a pool made is removed, so that what one
backend left does not show in the next test.

A portal that accepts the connection and never answers is a listening
socket that never accepts (the kernel completes the TCP handshake).
"""

import os
import socket
import subprocess
import time

import libvirt
import pytest

import vmhelpers
from poolhelpers import fails, ok, parse_info, sha256_path
from vmhelpers import run

HOST = "127.0.0.1"
PORT = 3260
SILENT_PORT = 3299
TGT_CONTROL_PORT = "7"
TARGET = "iqn.2026-12.org.lvsb.test:disks"
CHAP_TARGET = "iqn.2026-12.org.lvsb.test:chap"
EMPTY_TARGET = "iqn.2026-12.org.lvsb.test:empty"
ACL_TARGET = "iqn.2026-12.org.lvsb.test:acl"
ACL_INITIATOR = "iqn.2026-12.org.lvsb.test:host1"
MANY_TARGET = "iqn.2026-12.org.lvsb.test:many"
MANY_LUNS = 16
UNKNOWN_TARGET = "iqn.2026-12.org.lvsb.test:nosuchtarget"
TARGETS = (TARGET, CHAP_TARGET, EMPTY_TARGET, ACL_TARGET, MANY_TARGET)
CHAP_USER = "lvsbuser"
CHAP_PASSWORD = "lvsb-chap-secret-12"
CHAP_USAGE = "lvsb-iscsi-chap"
CHAP_UUID = "5f1c8a52-3e1d-4c8e-9a0b-1234567890ab"
LUN_SIZES = {1: 8 << 20, 2: 16 << 20}
# a guard against hangs, not a benchmark: our login gives up after 10 s,
# discovery after 20 s (under TCG, with the host loaded)
BOUND = 45


def tgtadm(*args):
    return run(["tgtadm", "-C", TGT_CONTROL_PORT, "--lld", "iscsi"] + list(args))


def add_target(tid, iqn, luns, workdir, initiator=None):
    tgtadm("--op", "new", "--mode", "target", "--tid", tid, "-T", iqn)
    backing = {}
    for lun, size in luns.items():
        path = os.path.join(workdir, "t%d-lun%d.img" % (tid, lun))
        with open(path, "wb") as f:
            f.truncate(size)
        tgtadm("--op", "new", "--mode", "logicalunit", "--tid", tid,
               "--lun", lun, "-b", path)
        backing[lun] = path
    if initiator:
        tgtadm("--op", "bind", "--mode", "target", "--tid", tid,
               "--initiator-name", initiator)
    else:
        tgtadm("--op", "bind", "--mode", "target", "--tid", tid, "-I", "ALL")
    return backing


@pytest.fixture(scope="module")
def tgt(tmp_path_factory):
    """tgtd on HOST:PORT with the three targets; iscsid running.  Yields
    {lun: backing file} of TARGET."""
    assert vmhelpers.in_vm(), "the iscsi suite runs in the test VM: tests/vm/run-suites.sh"
    vmhelpers.modprobe("iscsi_tcp")
    if not os.path.exists("/run/iscsid.pid"):
        run(["iscsid"])
    workdir = str(tmp_path_factory.mktemp("tgt"))
    proc = subprocess.Popen(["tgtd", "-f", "-C", TGT_CONTROL_PORT,
                             "--iscsi", "portal=%s:%d" % (HOST, PORT)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while run(["tgtadm", "-C", TGT_CONTROL_PORT, "--op", "show", "--mode", "system"],
                  check=False).returncode != 0:
            assert proc.poll() is None and time.monotonic() < deadline, "tgtd did not start"
            time.sleep(0.2)
        backing = add_target(1, TARGET, LUN_SIZES, workdir)
        add_target(2, CHAP_TARGET, {1: 4 << 20}, workdir)
        add_target(3, EMPTY_TARGET, {}, workdir)
        add_target(4, ACL_TARGET, {1: 4 << 20}, workdir, initiator=ACL_INITIATOR)
        add_target(5, MANY_TARGET, {n: 1 << 20 for n in range(1, MANY_LUNS + 1)}, workdir)
        tgtadm("--op", "new", "--mode", "account", "--user", CHAP_USER,
               "--password", CHAP_PASSWORD)
        tgtadm("--op", "bind", "--mode", "account", "--tid", 2, "--user", CHAP_USER)
        yield backing
    finally:
        cleanup_initiator()
        for tid in (1, 2, 3, 4, 5):
            run(["tgtadm", "-C", TGT_CONTROL_PORT, "--lld", "iscsi", "--op", "delete",
                 "--force", "--mode", "target", "--tid", tid], check=False)
        run(["tgtadm", "-C", TGT_CONTROL_PORT, "--op", "delete", "--mode", "system"],
            check=False)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def sessions():
    """{session number: (target name, interface name)} from sysfs."""
    found = {}
    base = "/sys/class/iscsi_session"
    for name in os.listdir(base) if os.path.isdir(base) else []:
        try:
            with open(os.path.join(base, name, "targetname")) as f:
                target = f.read().strip()
            with open(os.path.join(base, name, "ifacename")) as f:
                iface = f.read().strip()
        except OSError:
            continue
        found[int(name[len("session"):])] = (target, iface)
    return found


def target_sessions(target):
    return [n for n, (t, _) in sessions().items() if t == target]


def node_records():
    """The target IQNs of iscsiadm's node records ('-m node' lines are
    'PORTAL,TPGT IQN'; status 21: there is none)."""
    res = run(["iscsiadm", "-m", "node"], check=False)
    if res.returncode == 21:
        return []
    assert res.returncode == 0, res.stderr
    return [l.split()[1] for l in res.stdout.splitlines() if len(l.split()) == 2]


def pool_ifaces():
    """The interface records our pools make (libvirt-pool-UUID)."""
    res = run(["iscsiadm", "-m", "iface"], check=False)
    return [l.split()[0] for l in res.stdout.splitlines()
            if l.startswith("libvirt-pool-")]


def cleanup_initiator():
    """Logs out of every session of the test targets and removes their
    records and the pools' interface records (what stock leaves)."""
    for target in TARGETS + (UNKNOWN_TARGET,):
        run(["iscsiadm", "-m", "node", "-T", target, "--logout"], check=False)
        run(["iscsiadm", "-m", "node", "-T", target, "-o", "delete"], check=False)
    for iface in pool_ifaces():
        run(["iscsiadm", "-m", "iface", "-I", iface, "-o", "delete"], check=False)


@pytest.fixture
def initiator(tgt, daemon):
    """The target's LUN backing files; after the test, the daemon's pools
    are gone (conftest) and so is every session and record of ours."""
    try:
        yield tgt
    finally:
        cleanup_initiator()


def nothing_left(target):
    assert target_sessions(target) == [], "a session to %s is left" % target
    assert target not in node_records(), "a node record of %s is left" % target
    assert pool_ifaces() == [], "interface records left: %s" % pool_ifaces()


def timed(virsh, *args):
    start = time.monotonic()
    res = virsh(*args)
    took = time.monotonic() - start
    print("virsh %s: rc %d in %.1f s: %s" % (" ".join(map(str, args)), res[0], took,
                                              (res[2] or res[1]).strip()))
    return res, took


def vol_names(virsh, pool):
    lines = ok(virsh("vol-list", pool)).splitlines()[2:]
    return sorted(l.split()[0] for l in lines if l.strip())


def lun_device(target, lun):
    """/dev/sdX of LUN @lun of the session to @target."""
    (session,) = target_sessions(target)
    host = os.path.basename(os.path.dirname(os.path.realpath(
        "/sys/class/iscsi_session/session%d/device" % session)))
    hostnum = host[len("host"):]
    for addr in os.listdir("/sys/bus/scsi/devices"):
        if addr.startswith(hostnum + ":") and addr.endswith(":%d" % lun):
            (kname,) = os.listdir("/sys/bus/scsi/devices/%s/block" % addr)
            return "/dev/" + kname
    raise AssertionError("no block device for LUN %d of %s" % (lun, target))


# ------------------------------------------------------------------ the seed

def test_seed_steps(virsh, initiator, tmp_path):
    """The guide's steps: discovery, define, start, the LUNs as volumes,
    their data through vol-upload/vol-download, destroy."""
    out = ok(virsh("find-storage-pool-sources-as", "iscsi", HOST))
    assert "<device path='%s'/>" % TARGET in out, out
    assert "<device path='%s'/>" % EMPTY_TARGET in out, out
    assert "<host name='%s'" % HOST in out, out

    pool = "iscsiseed"
    ok(virsh("pool-define-as", pool, "iscsi", "--source-host", HOST,
             "--source-dev", TARGET, "--target", "/dev/disk/by-path"))
    ok(virsh("pool-start", pool))
    assert len(target_sessions(TARGET)) == 1

    names = vol_names(virsh, pool)
    assert names == ["unit:0:0:1", "unit:0:0:2"], names
    for lun, size in LUN_SIZES.items():
        name = "unit:0:0:%d" % lun
        info = parse_info(ok(virsh("vol-info", "--bytes", "--pool", pool, name)))
        assert int(info["Capacity"].split()[0]) == size, info
        path = ok(virsh("vol-path", "--pool", pool, name)).strip()
        assert path == "/dev/disk/by-path/ip-%s:%d-iscsi-%s-lun-%d" % (HOST, PORT, TARGET, lun)
        assert os.path.realpath(path) == lun_device(TARGET, lun)

    info = parse_info(ok(virsh("pool-info", "--bytes", pool)))
    assert info["State"] == "running"
    assert int(info["Capacity"]) == sum(LUN_SIZES.values())

    # data in and out of a LUN, checked in the target's backing file
    data = os.urandom(3 << 20)
    src = tmp_path / "up.bin"
    src.write_bytes(data)
    ok(virsh("vol-upload", "--pool", pool, "unit:0:0:2", src, "--offset", 1 << 20))
    dst = tmp_path / "down.bin"
    ok(virsh("vol-download", "--pool", pool, "unit:0:0:2", dst,
             "--offset", 1 << 20, "--length", len(data)))
    assert dst.read_bytes() == data
    with open(initiator[2], "rb") as f:
        f.seek(1 << 20)
        assert f.read(len(data)) == data
    ok(virsh("vol-download", "--pool", pool, "unit:0:0:1", dst))
    assert os.path.getsize(dst) == LUN_SIZES[1]
    assert sha256_path(str(dst)) == sha256_path(initiator[1])

    # a refresh keeps the same volumes, names and paths
    ok(virsh("pool-refresh", pool))
    assert vol_names(virsh, pool) == names

    ok(virsh("pool-destroy", pool))
    assert target_sessions(TARGET) == []
    ok(virsh("pool-undefine", pool))


@pytest.mark.stock_differs("iscsi-node-records-removed",
                           reason="stock leaves its node record after pool-destroy")
def test_destroy_removes_records(virsh, initiator):
    pool = "iscsirecords"
    ok(virsh("pool-define-as", pool, "iscsi", "--source-host", HOST,
             "--source-dev", EMPTY_TARGET, "--target", "/dev/disk/by-path"))
    ok(virsh("pool-start", pool))
    assert vol_names(virsh, pool) == []
    info = parse_info(ok(virsh("pool-info", "--bytes", pool)))
    assert int(info["Capacity"]) == 0
    ok(virsh("pool-destroy", pool))
    nothing_left(EMPTY_TARGET)


def test_every_lun_listed_at_start(virsh, initiator):
    """The refresh right after the login lists every LUN of a target with
    MANY_LUNS of them: the kernel makes their disks asynchronously and
    udev their links afterwards (under TCG, seconds later)."""
    pool = "iscsimany"
    ok(virsh("pool-define-as", pool, "iscsi", "--source-host", HOST,
             "--source-dev", MANY_TARGET, "--target", "/dev/disk/by-path"))
    ok(virsh("pool-start", pool))
    want = ["unit:0:0:%d" % n for n in range(1, MANY_LUNS + 1)]
    assert vol_names(virsh, pool) == sorted(want)
    assert int(parse_info(ok(virsh("pool-info", "--bytes", pool)))["Capacity"]) == \
        MANY_LUNS << 20
    ok(virsh("pool-destroy", pool))
    assert target_sessions(MANY_TARGET) == []


def test_pool_active_after_daemon_restart(virsh, daemon, initiator):
    """A pool whose session is there when the daemon starts again is
    active (checkPool), with its LUNs."""
    pool = "iscsirestart"
    ok(virsh("pool-define-as", pool, "iscsi", "--source-host", HOST,
             "--source-dev", TARGET, "--target", "/dev/disk/by-path"))
    ok(virsh("pool-start", pool))
    daemon.restart()
    assert parse_info(ok(virsh("pool-info", pool)))["State"] == "running"
    assert vol_names(virsh, pool) == ["unit:0:0:1", "unit:0:0:2"]
    assert len(target_sessions(TARGET)) == 1
    ok(virsh("pool-destroy", pool))
    assert target_sessions(TARGET) == []


@pytest.mark.stock_differs("iscsi-failed-start-leaves-nothing",
                           reason="stock's refused start logs in through the node "
                                  "record its earlier pool left on its own interface")
def test_initiator_iqn(virsh, initiator, tmp_path):
    """<initiator><iqn name=...>: the session logs in under that name, which
    a target that lets in only that initiator accepts; without it the
    host's own name is refused there, and nothing is left logged in."""
    xml = tmp_path / "pool.xml"
    xml.write_text("<pool type='iscsi'><name>iscsiacl</name><source>"
                   "<host name='%s'/><device path='%s'/>"
                   "<initiator><iqn name='%s'/></initiator></source>"
                   "<target><path>/dev/disk/by-path</path></target></pool>"
                   % (HOST, ACL_TARGET, ACL_INITIATOR))
    ok(virsh("pool-define", xml))
    ok(virsh("pool-start", "iscsiacl"))
    (session,) = target_sessions(ACL_TARGET)
    with open("/sys/class/iscsi_session/session%d/initiatorname" % session) as f:
        assert f.read().strip() == ACL_INITIATOR
    assert vol_names(virsh, "iscsiacl") == ["unit:0:0:1"]
    ok(virsh("pool-destroy", "iscsiacl"))
    assert target_sessions(ACL_TARGET) == []

    ok(virsh("pool-define-as", "iscsinoacl", "iscsi", "--source-host", HOST,
             "--source-dev", ACL_TARGET, "--target", "/dev/disk/by-path"))
    fails(virsh("pool-start", "iscsinoacl"), ACL_TARGET)
    assert target_sessions(ACL_TARGET) == []


# ------------------------------------------------------------------ CHAP

def chap_pool_xml(name, usage=CHAP_USAGE, user=CHAP_USER):
    return ("<pool type='iscsi'><name>%s</name><source>"
            "<host name='%s' port='%d'/><device path='%s'/>"
            "<auth type='chap' username='%s'><secret usage='%s'/></auth>"
            "</source><target><path>/dev/disk/by-path</path></target></pool>"
            % (name, HOST, PORT, CHAP_TARGET, user, usage))


@pytest.fixture
def chap_secret(secret_conn):
    """define(value) -> the iscsi secret of usage CHAP_USAGE holding @value."""
    made = []

    def define(value):
        s = secret_conn.secretDefineXML(
            "<secret ephemeral='no' private='yes'><uuid>%s</uuid>"
            "<usage type='iscsi'><target>%s</target></usage></secret>"
            % (CHAP_UUID, CHAP_USAGE))
        s.setValue(value.encode())
        made.append(s)
        return s
    try:
        yield define
    finally:
        for s in made:
            try:
                s.undefine()
            except libvirt.libvirtError:
                pass


def test_chap_login(virsh, initiator, chap_secret, tmp_path):
    chap_secret(CHAP_PASSWORD)
    xml = tmp_path / "pool.xml"
    xml.write_text(chap_pool_xml("iscsichap"))
    ok(virsh("pool-define", xml))
    ok(virsh("pool-start", "iscsichap"))
    assert vol_names(virsh, "iscsichap") == ["unit:0:0:1"]
    ok(virsh("pool-destroy", "iscsichap"))
    assert target_sessions(CHAP_TARGET) == []


# ------------------------------------------------------------------ bad input

@pytest.mark.stock_differs("iscsi-failed-start-leaves-nothing",
                           reason="stock leaves the node record (and its CHAP "
                                  "settings) of a login that failed")
@pytest.mark.parametrize("case", ["wrong-chap-secret", "unknown-target"])
def test_failed_start_leaves_nothing(virsh, backend, initiator, chap_secret, tmp_path, case):
    xml = tmp_path / "pool.xml"
    if case == "wrong-chap-secret":
        chap_secret("not-the-password")
        target = CHAP_TARGET
        xml.write_text(chap_pool_xml("iscsibad"))
    else:
        target = UNKNOWN_TARGET
        xml.write_text("<pool type='iscsi'><name>iscsibad</name><source>"
                       "<host name='%s'/><device path='%s'/></source>"
                       "<target><path>/dev/disk/by-path</path></target></pool>"
                       % (HOST, target))
    ok(virsh("pool-define", xml))
    res, took = timed(virsh, "pool-start", "iscsibad")
    err = fails(res, target)
    assert took < BOUND
    if backend == "ours":
        assert "%s:%d" % (HOST, PORT) in err
        assert ("CHAP" if case == "wrong-chap-secret" else "refused the login") in err, err
    assert "inactive" in ok(virsh("pool-info", "iscsibad"))
    nothing_left(target)


@pytest.fixture
def silent_portal():
    """HOST:SILENT_PORT accepts connections (backlog) and never answers."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, SILENT_PORT))
    s.listen(16)
    try:
        yield "%s:%d" % (HOST, SILENT_PORT)
    finally:
        s.close()


@pytest.mark.ours_only  # stock waits for iscsid's defaults: 8 logins of 15 s
def test_silent_portal(virsh, initiator, silent_portal, tmp_path):
    """Start and discovery against a portal that never answers fail in
    bounded time, naming the portal, and leave nothing."""
    xml = tmp_path / "pool.xml"
    xml.write_text("<pool type='iscsi'><name>iscsisilent</name><source>"
                   "<host name='%s' port='%d'/><device path='%s'/></source>"
                   "<target><path>/dev/disk/by-path</path></target></pool>"
                   % (HOST, SILENT_PORT, TARGET))
    ok(virsh("pool-define", xml))
    res, took = timed(virsh, "pool-start", "iscsisilent")
    fails(res, silent_portal, "iscsisilent")
    assert took < BOUND
    nothing_left(TARGET)

    res, took = timed(virsh, "find-storage-pool-sources-as", "iscsi", HOST, SILENT_PORT)
    fails(res, silent_portal)
    assert took < BOUND
    assert node_records() == []


@pytest.mark.ours_only  # stock hands the name to iscsiadm as it is
@pytest.mark.parametrize("iqn", ["--help", "iqn.2026-12.org.lvsb:a b", "disks"])
def test_target_name_checked(virsh, initiator, iqn):
    ok(virsh("pool-define-as", "iscsiname", "iscsi", "--source-host", HOST,
             "--source-dev=" + iqn, "--target", "/dev/disk/by-path"))
    fails(virsh("pool-start", "iscsiname"), "target name", iqn)
    assert pool_ifaces() == []


@pytest.mark.stock_differs("iscsi-stop-lun-in-use",
                           reason="stock logs out under a mounted LUN")
def test_stop_with_lun_mounted(virsh, initiator, tmp_path):
    pool = "iscsibusy"
    ok(virsh("pool-define-as", pool, "iscsi", "--source-host", HOST,
             "--source-dev", TARGET, "--target", "/dev/disk/by-path"))
    ok(virsh("pool-start", pool))
    dev = lun_device(TARGET, 1)
    run(["mkfs.ext4", "-q", "-F", dev])
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    run(["mount", dev, mnt])
    try:
        err = fails(virsh("pool-destroy", pool), pool, ":0:0:1", dev)
        assert "in use" in err, err
        assert len(target_sessions(TARGET)) == 1
        assert "running" in ok(virsh("pool-info", pool))
    finally:
        run(["umount", "-l", mnt], check=False)

    # opened exclusively (as qemu opens a guest's disk): refused as well
    fd = os.open(lun_device(TARGET, 2), os.O_RDONLY | os.O_EXCL)
    try:
        err = fails(virsh("pool-destroy", pool), pool, ":0:0:2")
        assert "in use" in err, err
    finally:
        os.close(fd)
    ok(virsh("pool-destroy", pool))
    nothing_left(TARGET)
