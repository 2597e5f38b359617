# SPDX-License-Identifier: LGPL-2.1-or-later
"""iscsi-direct pools against a real iSCSI target (tgtd on 127.0.0.1,
tests/servers/tgt-up.sh, libiscsi as initiator in the daemon): the steps
of the pool guide with virsh (pool-define-as with the portal, the
target's IQN and the initiator's, start, vol-list, vol-info,
find-storage-pool-sources-as, CHAP with a secret, wipe, upload and
download round trips, destroy), checked on the LUNs' backing files; and
a pool's bad input (silent portal, wrong CHAP secret, unknown IQN, a
target without LUNs, an upload past the end).  Each test has targets of
its own (tgt_target_factory)."""

import hashlib
import os
import socket
import threading
import time

import libvirt
import pytest

import poolhelpers
import tgthelpers
from poolhelpers import fails, ok, parse_info, pool_list

MiB = 1024 * 1024

# a portal that does not answer must fail the start within this: our
# login has VIR_STORAGE_ISCSI_DIRECT_LOGIN_SECONDS (10), plus the daemon
LOGIN_BOUND = 25


def define_as(virsh, name, target, iqn=None, port=None, chap_user=None, host=None):
    """The guide's pool-define-as for an iscsi-direct pool (--print-xml:
    virsh has no --source-port; the port is set in the XML it prints,
    which pool-define then takes)."""
    args = ["pool-define-as", name, "iscsi-direct", "--print-xml",
            "--source-host", host or target.server.host,
            "--source-dev", iqn or target.iqn,
            "--source-initiator", tgthelpers.INITIATOR]
    if chap_user:
        args += ["--auth-type", "chap", "--auth-username", chap_user,
                 "--secret-usage", tgthelpers.SECRET_USAGE]
    xml = ok(virsh(*args))
    port = target.server.port if port is None else port
    xml = xml.replace("<host name='%s'/>" % (host or target.server.host),
                      "<host name='%s' port='%d'/>" % (host or target.server.host, port))
    assert "port='%d'" % port in xml
    return virsh("pool-define", "/dev/stdin", input=xml)


def vol_names(virsh, pool):
    return sorted(line.split()[0] for line in
                  ok(virsh("-q", "vol-list", pool)).splitlines() if line.strip())


def nbytes(field):
    return int(field.split()[0])


def file_sha(path, length=None):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        left = length if length is not None else os.path.getsize(path)
        while left > 0:
            chunk = f.read(min(left, MiB))
            if not chunk:
                break
            h.update(chunk)
            left -= len(chunk)
    return h.hexdigest()


@pytest.fixture
def chap_secret(daemon):
    """define(password) -> the iscsi secret of usage
    tgthelpers.SECRET_USAGE holding @password, in this run's daemon
    (removed after the test)."""
    c = libvirt.open("secret:///system?socket=" + daemon.sock)
    made = []

    def define(password):
        secret = c.secretDefineXML(tgthelpers.secret_xml())
        secret.setValue(password.encode())
        made.append(secret)
        return secret

    try:
        yield define
    finally:
        for s in made:
            try:
                s.undefine()
            except libvirt.libvirtError:
                pass
        c.close()


@pytest.fixture
def idpool(virsh, tgt_target):
    """The guide's pool 'iscsidirect' on the test's target (LUNs of 64
    and 32 MiB), started: (name, Target)."""
    ok(define_as(virsh, "iscsidirect", tgt_target))
    ok(virsh("pool-start", "iscsidirect"))
    return "iscsidirect", tgt_target


# ------------------------------------------------------ define, start, info

def test_define_as_start_info(virsh, tgt_target):
    out = ok(define_as(virsh, "iscsidirect", tgt_target))
    assert "Pool iscsidirect defined" in out
    assert pool_list(virsh)["iscsidirect"] == ("inactive", "no")
    xml = ok(virsh("pool-dumpxml", "iscsidirect"))
    assert "<device path='%s'/>" % tgt_target.iqn in xml
    assert "<iqn name='%s'/>" % tgthelpers.INITIATOR in xml

    ok(virsh("pool-start", "iscsidirect"))
    assert pool_list(virsh)["iscsidirect"] == ("active", "no")
    info = parse_info(ok(virsh("pool-info", "--bytes", "iscsidirect")))
    assert info["State"] == "running"
    # stock counts a block less per LUN (test_vol_list_info)
    assert 96 * MiB - 2 * 512 <= nbytes(info["Capacity"]) <= 96 * MiB

    ok(virsh("pool-destroy", "iscsidirect"))
    assert pool_list(virsh)["iscsidirect"] == ("inactive", "no")
    ok(virsh("pool-undefine", "iscsidirect"))


@pytest.mark.stock_differs("iscsi-direct-luns", reason="stock lists the target's "
                           "controller LUN 0 as a volume and counts one block less")
def test_vol_list_info(virsh, idpool):
    pool, target = idpool
    assert vol_names(virsh, pool) == ["unit:0:0:1", "unit:0:0:2"]
    info = parse_info(ok(virsh("vol-info", "--bytes", "--pool", pool, "unit:0:0:1")))
    assert nbytes(info["Capacity"]) == 64 * MiB
    assert nbytes(info["Allocation"]) == 64 * MiB
    assert info["Type"] == "network"
    info = parse_info(ok(virsh("vol-info", "--bytes", "--pool", pool, "unit:0:0:2")))
    assert nbytes(info["Capacity"]) == 32 * MiB
    info = parse_info(ok(virsh("pool-info", "--bytes", pool)))
    assert nbytes(info["Capacity"]) == 96 * MiB


def test_vol_key_and_path_as_stock(virsh, idpool):
    pool, target = idpool
    expect = "ip-%s:%d-iscsi-%s-lun-1" % (target.server.host, target.server.port, target.iqn)
    assert ok(virsh("vol-key", "--pool", pool, "unit:0:0:1")).strip() == expect
    assert ok(virsh("vol-path", "--pool", pool, "unit:0:0:1")).strip() == expect


def test_refresh_sees_new_lun(virsh, idpool):
    pool, target = idpool
    path = target.lun_paths[0] + "-new"
    with open(path, "wb") as f:
        f.truncate(16 * MiB)
    target.lun_paths.append(path)
    target.server.adm("--op", "new", "--mode", "logicalunit", "--tid", target.tid,
                      "--lun", 3, "-b", path)
    ok(virsh("pool-refresh", pool))
    assert "unit:0:0:3" in vol_names(virsh, pool)
    info = parse_info(ok(virsh("pool-info", "--bytes", pool)))
    assert 112 * MiB - 3 * 512 <= nbytes(info["Capacity"]) <= 112 * MiB


def test_find_sources(virsh, tgt_target):
    out = ok(virsh("find-storage-pool-sources-as", "iscsi-direct",
                   tgt_target.server.host, str(tgt_target.server.port),
                   "--initiator", tgthelpers.INITIATOR))
    assert "<device path='%s'/>" % tgt_target.iqn in out
    assert "<iqn name='%s'/>" % tgthelpers.INITIATOR in out


# stock's discovery writes the second target's name through a wrong
# pointer (virISCSIDirectUpdateTargets: *targets[i++]) and its daemon
# dies: not run against stock
@pytest.mark.ours_only
def test_find_sources_several_targets(virsh, tgt_target_factory):
    a = tgt_target_factory(sizes=(MiB,))
    b = tgt_target_factory(sizes=(MiB,))
    out = ok(virsh("find-storage-pool-sources-as", "iscsi-direct",
                   a.server.host, str(a.server.port), "--initiator", tgthelpers.INITIATOR))
    assert "<device path='%s'/>" % a.iqn in out
    assert "<device path='%s'/>" % b.iqn in out


def test_chap(virsh, tgt_target_factory, chap_secret):
    target = tgt_target_factory(sizes=(8 * MiB,), chap=("lvsbuser", "lvsb-chap-pass1"))
    chap_secret("lvsb-chap-pass1")
    ok(define_as(virsh, "chappool", target, chap_user="lvsbuser"))
    ok(virsh("pool-start", "chappool"))
    assert vol_names(virsh, "chappool")[-1] == "unit:0:0:1"
    ok(virsh("pool-destroy", "chappool"))


def test_stop_logs_out(virsh, idpool):
    pool, target = idpool
    ok(virsh("pool-destroy", pool))
    end = time.monotonic() + 5
    while target.server.sessions(target) and time.monotonic() < end:
        time.sleep(0.05)
    assert target.server.sessions(target) == 0
