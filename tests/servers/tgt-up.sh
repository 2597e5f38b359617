#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tgt-up.sh DIR [SIZE...]: an iSCSI target server for the tests, on this
# machine: tgtd (the userspace target of package tgt) listening on
# TGT_HOST:TGT_PORT only (default 127.0.0.1:3260), in a tenth of a second.
#
# With SIZEs (anything truncate(1) takes: 64M, 1G), a target TGT_IQN
# (default iqn.2026-12.org.lvsb:test) with one file-backed LUN per SIZE
# (LUN 1, 2...: sparse files DIR/lunN, thin-provisioned, so that WRITE
# SAME with UNMAP and UNMAP punch holes), open to every initiator; with
# TGT_CHAP_USER and TGT_CHAP_PASSWORD set, the target asks for CHAP.
# Without SIZEs, no target: the tests add their own (tgtadm, see DIR/env).
#
# Every file of the server is under DIR (absolute): the LUNs, tgtd's log
# and pid.  tgtd's management socket is /var/run/tgtd/socket.N, N being
# TGT_CONTROL_PORT (default: TGT_PORT), so that servers of several
# sessions (on other ports) run side by side; tgtadm -C N reaches it.
# The same script runs in the test VM (tests/integration/vm) with the
# default port.
#
# DIR/env then holds, one KEY=VALUE a line:
#   TGT_DIR TGT_HOST TGT_PORT TGT_CONTROL_PORT TGT_PID, and TGT_IQN and
#   TGT_LUNS (how many) when a target was made
# and the server runs until tgt-down.sh DIR.  Every wait is bounded
# (LVSB_TGT_WAIT seconds, default 10); on failure the server is stopped
# again, its log printed, and the exit status is 1.

set -eu

if [ $# -lt 1 ] || [ "${1#/}" = "$1" ]; then
    echo "usage: $0 DIR [SIZE...] (DIR an absolute path)" >&2
    exit 2
fi
dir=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
wait_max=${LVSB_TGT_WAIT:-10}
host=${TGT_HOST:-127.0.0.1}
port=${TGT_PORT:-3260}
control=${TGT_CONTROL_PORT:-$port}
iqn=${TGT_IQN:-iqn.2026-12.org.lvsb:test}

if [ -s "$dir/tgtd.pid" ] && kill -0 "$(cat "$dir/tgtd.pid")" 2>/dev/null; then
    echo "tgt-up: a server already runs from $dir: tgt-down.sh $dir first" >&2
    exit 1
fi

fail() {
    echo "tgt-up: $*" >&2
    tail -n 20 "$dir/tgtd.log" >&2 2>/dev/null || :
    "$here/tgt-down.sh" "$dir" >&2 || :
    exit 1
}

adm() {
    timeout "$wait_max" tgtadm -C "$control" --lld iscsi "$@"
}

mkdir -p "$dir"
rm -f "$dir/env" "$dir/tgtd.pid" "$dir"/lun[0-9]*
echo "$control" >"$dir/control-port"

# tgtd -f stays in the foreground: its pid is ours to stop
tgtd -f -C "$control" --iscsi "portal=$host:$port" >"$dir/tgtd.log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$dir/tgtd.pid"

end=$(( $(date +%s) + wait_max ))
until adm --op show --mode target >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || fail "tgtd exited (port $port or control port $control taken?)"
    [ "$(date +%s)" -lt "$end" ] || fail "tgtd did not answer on control port $control within $wait_max s"
    sleep 0.05
done
# the portal is up once tgtd answers tgtadm; check it is ours
if ! grep -q "$host:$port" "$dir/tgtd.log" 2>/dev/null &&
   ! ss -Hltn "sport = :$port" 2>/dev/null | grep -q "$host:$port"; then
    fail "tgtd does not listen on $host:$port"
fi

luns=0
if [ $# -gt 0 ]; then
    adm --op new --mode target --tid 1 -T "$iqn" || fail "cannot create target $iqn"
    for size in "$@"; do
        luns=$(( luns + 1 ))
        truncate -s "$size" "$dir/lun$luns" || fail "cannot make a $size file for LUN $luns"
        adm --op new --mode logicalunit --tid 1 --lun "$luns" -b "$dir/lun$luns" ||
            fail "cannot add LUN $luns to target $iqn"
        adm --op update --mode logicalunit --tid 1 --lun "$luns" \
            --params thin_provisioning=1 || fail "cannot make LUN $luns thin"
    done
    adm --op bind --mode target --tid 1 -I ALL || fail "cannot open target $iqn to initiators"
    if [ -n "${TGT_CHAP_USER:-}" ]; then
        adm --op new --mode account --user "$TGT_CHAP_USER" \
            --password "${TGT_CHAP_PASSWORD:?TGT_CHAP_PASSWORD is needed with TGT_CHAP_USER}" ||
            fail "cannot add CHAP account $TGT_CHAP_USER"
        adm --op bind --mode account --tid 1 --user "$TGT_CHAP_USER" ||
            fail "cannot bind CHAP account $TGT_CHAP_USER to $iqn"
    fi
fi

{
    echo "TGT_DIR=$dir"
    echo "TGT_HOST=$host"
    echo "TGT_PORT=$port"
    echo "TGT_CONTROL_PORT=$control"
    echo "TGT_PID=$pid"
    if [ "$luns" -gt 0 ]; then
        echo "TGT_IQN=$iqn"
        echo "TGT_LUNS=$luns"
    fi
} >"$dir/env"
echo "tgt-up: tgtd $pid on $host:$port (control port $control, files in $dir)"
