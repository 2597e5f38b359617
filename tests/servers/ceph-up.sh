#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ceph-up.sh DIR: a single-node Ceph 16.2 (Debian 12 packages) for the
# tests, every file under DIR: one mon, one memstore OSD, one mgr, cephx
# on, a fixed client.admin key (CEPH_ADMIN_KEY below, which the tests'
# libvirt secret holds), and a RADOS pool 'rbd' initialized for rbd.
# Ready in a few seconds; stop it with ceph-down.sh DIR.
#
# Environment:
#   CEPH_ADDR       the address the mon, the OSD and the mgr bind to
#                   (default 127.0.0.1); several clusters run at once on
#                   different loopback addresses (127.x.y.z)
#   CEPH_OSD_BYTES  the memstore OSD's size in bytes (default 8 GiB, held
#                   in memory only as far as it is written)
#
# DIR must not exist or be empty.  On success, DIR/ceph.env holds
# KEY=VALUE lines for the tests (no quoting, no spaces in values):
#   CEPH_DIR, CEPH_CONF, CEPH_ADDR, CEPH_MON_HOST (the mon's address as
#   libvirt's <host name=> takes it), CEPH_MON_PORT, CEPH_ADMIN_KEY,
#   CEPH_POOL (the RADOS pool 'rbd').
# On failure it prints the daemons' log tails, stops what it started and
# exits non-zero.  Every wait is bounded (CEPH_UP_TIMEOUT seconds per step,
# default 60).
#
# The pitfalls it avoids (docs/pools/rbd.rst, "The test cluster"): the
# keyring is set under [client] only (in [global] it breaks the mon and
# the OSD); 'paxos propose interval = 0.1' under [mon] (rbd pool init in
# 0.3 s instead of 3 s); the OSD's key is registered (ceph osd new) before
# ceph-osd --mkfs; without a mgr the pool statistics read 0.

set -eu

# the fixed client.admin key shared by the tests (tests/integration/
# cephhelpers.py reads it from ceph.env): a test key, never a secret
CEPH_ADMIN_KEY_FIXED='AQBxDg5rPH8rGhAAa9D1RwkS++KuvyAGK3xr9g=='

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi

addr=${CEPH_ADDR:-127.0.0.1}
osd_bytes=${CEPH_OSD_BYTES:-8589934592}
step_timeout=${CEPH_UP_TIMEOUT:-60}
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$1"
dir=$(cd "$1" && pwd)
if [ -n "$(ls -A "$dir")" ]; then
    echo "ceph-up: $dir is not empty; stop its cluster with ceph-down.sh and remove it first" >&2
    exit 2
fi

conf=$dir/ceph.conf
fsid=$(uuidgen)
osd_uuid=$(uuidgen)
mon_key=$(ceph-authtool --gen-print-key)
osd_key=$(ceph-authtool --gen-print-key)
mgr_key=$(ceph-authtool --gen-print-key)
admin_key=$CEPH_ADMIN_KEY_FIXED

mkdir -p "$dir/run" "$dir/log" "$dir/mon/ceph-a" "$dir/osd/ceph-0" \
    "$dir/mgr/ceph-x"

cat >"$conf" <<CONF
[global]
fsid = $fsid
mon host = [v2:$addr:3300,v1:$addr:6789]
public addr = $addr
cluster addr = $addr
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
run dir = $dir/run
pid file = $dir/run/\$name.pid
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
crash dir = $dir/crash
exporter sock dir = $dir/run
mon data = $dir/mon/\$cluster-\$id
osd data = $dir/osd/\$cluster-\$id
mgr data = $dir/mgr/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = $osd_bytes
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 2000
mon data avail warn = 1
mon data avail crit = 0

[mon]
paxos propose interval = 0.1

[client]
keyring = $dir/keyring
CONF

# cephx keyrings: the mon's (with client.admin, so that the mon knows it
# from its first start) and the client's, read by ceph/rbd through [client]
ceph-authtool --create-keyring "$dir/mon.keyring" --name=mon. \
    --add-key="$mon_key" --cap mon 'allow *' >/dev/null
ceph-authtool --create-keyring "$dir/keyring" --name=client.admin \
    --add-key="$admin_key" --cap mon 'allow *' --cap osd 'allow *' \
    --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
ceph-authtool "$dir/mon.keyring" --import-keyring "$dir/keyring" >/dev/null
chmod 600 "$dir/mon.keyring" "$dir/keyring"

# bounded_wait WHAT CMD...: CMD until it succeeds, at most step_timeout s
bounded_wait() {
    what=$1
    shift
    tries=$(( step_timeout * 10 ))
    while ! "$@" >/dev/null 2>&1; do
        tries=$(( tries - 1 ))
        if [ "$tries" -le 0 ]; then
            echo "ceph-up: $what not ready after $step_timeout s" >&2
            return 1
        fi
        sleep 0.1
    done
}

cli() {
    timeout "$step_timeout" ceph -c "$conf" --connect-timeout 10 "$@"
}

fail() {
    echo "ceph-up: $1" >&2
    for log in "$dir"/log/*.log; do
        [ -f "$log" ] || continue
        echo "--- last lines of $log" >&2
        tail -n 20 "$log" >&2
    done
    "$here/ceph-down.sh" "$dir" >&2 || :
    exit 1
}

monmaptool --create --fsid "$fsid" --addv a "[v2:$addr:3300,v1:$addr:6789]" \
    "$dir/monmap" >/dev/null || fail "monmaptool failed"
ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" \
    --keyring "$dir/mon.keyring" || fail "ceph-mon --mkfs failed"
ceph-mon -c "$conf" -i a 2>>"$dir/log/mon.a.stderr" || fail "the monitor did not start"
bounded_wait "the monitor" cli mon stat || fail "the monitor did not answer"

# the OSD: its key registered before --mkfs, which reads it from its keyring
printf '{"cephx_secret": "%s"}\n' "$osd_key" >"$dir/osd-secret.json"
osd_id=$(cli osd new "$osd_uuid" -i "$dir/osd-secret.json") ||
    fail "ceph osd new failed"
rm -f "$dir/osd-secret.json"
[ "$osd_id" = 0 ] || fail "the OSD got id '$osd_id', not 0"
ceph-authtool --create-keyring "$dir/osd/ceph-0/keyring" --name=osd.0 \
    --add-key="$osd_key" >/dev/null
ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid" >/dev/null 2>&1 ||
    fail "ceph-osd --mkfs failed"
ceph-osd -c "$conf" -i 0 2>>"$dir/log/osd.0.stderr" ||
    fail "the OSD did not start"

# the mgr (pool statistics, hence pool capacity, read 0 without one)
ceph-authtool --create-keyring "$dir/mgr/ceph-x/keyring" --name=mgr.x \
    --add-key="$mgr_key" >/dev/null
cli auth add mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' \
    -i "$dir/mgr/ceph-x/keyring" >/dev/null 2>&1 || fail "ceph auth add mgr.x failed"
ceph-mgr -c "$conf" -i x 2>>"$dir/log/mgr.x.stderr" || fail "the mgr did not start"

osd_up() {
    cli osd stat -f json | grep -q '"num_up_osds":1[,}]'
}
bounded_wait "the OSD" osd_up || fail "the OSD did not come up"

cli osd pool create rbd >/dev/null 2>&1 || fail "ceph osd pool create rbd failed"
timeout "$step_timeout" rbd -c "$conf" pool init rbd ||
    fail "rbd pool init rbd failed"

mgr_up() {
    cli mgr stat -f json | grep -q '"available": *true'
}
bounded_wait "the mgr" mgr_up || fail "the mgr did not become available"

cat >"$dir/ceph.env" <<ENV
CEPH_DIR=$dir
CEPH_CONF=$conf
CEPH_ADDR=$addr
CEPH_MON_HOST=$addr
CEPH_MON_PORT=6789
CEPH_ADMIN_KEY=$admin_key
CEPH_POOL=rbd
ENV
echo "ceph-up: cluster ready on $addr, environment in $dir/ceph.env"
