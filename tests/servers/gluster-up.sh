#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# gluster-up.sh DIR: a GlusterFS server for the tests, on this machine:
# glusterd and a started one-brick volume 'gv0', in a second or two.
#
# Every file of the server is under DIR (absolute): its working
# directory (DIR/lib, not /var/lib/glusterd), run directory, logs and
# bricks.  glusterd runs in a mount namespace of its own whose /run is a
# tmpfs, with DIR/run on /run/gluster, where glusterd 10 puts the bricks'
# sockets whatever its run-directory says, and DIR/lib on
# /var/lib/glusterd (ss_brick, geo-replication are made there whatever
# its working-directory says): the machine's own gluster state is never
# touched.  glusterd and the bricks listen on one loopback address only,
# GLUSTER_ADDR (default 127.0.0.2), which clients use too: the CLI
# refuses a loopback name or 127.0.0.1 for a brick, any other 127.x.y.z
# works, and the other loopback addresses stay free (for another server
# on the same machine at the same time, or a test's silent server).
# server.allow-insecure lets clients that are not root (qemu) connect
# from any port.
#
# DIR/env then holds, one KEY=VALUE a line, what the tests need:
#   GLUSTER_DIR        DIR (DIR/glusterd.pid: glusterd's pid)
#   GLUSTER_HOST       the address clients use (GLUSTER_ADDR)
#   GLUSTER_VOLUME     the started volume (gv0)
#   GLUSTER_SOCKET     glusterd's CLI socket: gluster --glusterd-sock=...,
#                      run in glusterd's mount namespace (nsenter
#                      --mount=/proc/PID/ns/mnt): wherever it runs, any
#                      gluster command makes /var/lib/glusterd/geo-replication
#   GLUSTER_BRICK_HOST the brick host of new volumes (the same)
#   GLUSTER_BRICK_DIR  where new volumes' bricks go (DIR/bricks)
# and the server runs until gluster-down.sh DIR.  Every wait is bounded
# (LVSB_GLUSTER_WAIT seconds, default 20); on failure the server is
# stopped again, the last lines of glusterd's log are printed and the
# exit status is 1.

set -eu

if [ $# -ne 1 ] || [ "${1#/}" = "$1" ]; then
    echo "usage: $0 DIR (an absolute path)" >&2
    exit 2
fi
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
wait_max=${LVSB_GLUSTER_WAIT:-20}
brick_host=${GLUSTER_ADDR:-127.0.0.2}
host=$brick_host
volume=gv0

if [ -s "$dir/glusterd.pid" ] && kill -0 "$(cat "$dir/glusterd.pid")" 2>/dev/null; then
    echo "gluster-up: a server already runs from $dir: gluster-down.sh $dir first" >&2
    exit 1
fi

fail() {
    echo "gluster-up: $*" >&2
    tail -n 20 "$dir/log/glusterd.log" >&2 2>/dev/null || :
    "$here/gluster-down.sh" "$dir" >&2 || :
    exit 1
}

# the CLI too runs in glusterd's namespace: wherever it runs, it makes
# /var/lib/glusterd/geo-replication
cli() {
    timeout "$wait_max" nsenter --mount="/proc/$pid/ns/mnt" gluster --mode=script --glusterd-sock="$dir/run/glusterd.socket" \
        --log-file="$dir/log/cli.log" "$@"
}

rm -rf "${dir:?}/lib" "$dir/run" "$dir/log" "$dir/bricks" "$dir/env" \
    "$dir/glusterd.pid" "$dir/mntns"
mkdir -p "$dir/lib" "$dir/run" "$dir/log" "$dir/bricks"

cat >"$dir/glusterd.vol" <<VOL
volume management
    type mgmt/glusterd
    option working-directory $dir/lib
    option run-directory $dir/run
    option logging-directory $dir/log
    option glusterd-sockfile $dir/run/glusterd.socket
    option transport-type socket
    option transport.socket.listen-port 24007
    option transport.socket.bind-address $brick_host
    option ping-timeout 0
    option event-threads 1
end-volume
VOL

# glusterd daemonizes: unshare's child returns once it has, and the
# namespace lives as long as glusterd and its bricks do
# shellcheck disable=SC2016 # $1 is the inner shell's
timeout "$wait_max" unshare -m --propagation private sh -c '
    mount -t tmpfs -o mode=0755 lvsbgluster /run &&
    mkdir /run/gluster &&
    mount --bind "$1/run" /run/gluster &&
    if [ -d /var/lib/glusterd ]; then mount --bind "$1/lib" /var/lib/glusterd; fi &&
    exec glusterd -f "$1/glusterd.vol" -p "$1/glusterd.pid" -l "$1/log/glusterd.log"
' sh "$dir" || fail "glusterd did not start"

# wait_for WHAT COMMAND...: runs COMMAND every 0.1 s until it succeeds
wait_for() {
    what=$1
    shift
    end=$(( $(date +%s) + wait_max ))
    until "$@" >/dev/null 2>&1; do
        if [ "$(date +%s)" -ge "$end" ]; then
            fail "$what within $wait_max s"
        fi
        sleep 0.1
    done
}

wait_for "glusterd wrote no pid file" test -s "$dir/glusterd.pid"
pid=$(cat "$dir/glusterd.pid")
readlink "/proc/$pid/ns/mnt" >"$dir/mntns" || fail "glusterd ($pid) is gone"
wait_for "glusterd did not answer on $dir/run/glusterd.socket" cli volume list

cli volume create "$volume" "$brick_host:$dir/bricks/$volume" force >/dev/null ||
    fail "cannot create volume $volume"
cli volume set "$volume" server.allow-insecure on >/dev/null ||
    fail "cannot set server.allow-insecure on volume $volume"
cli volume start "$volume" >/dev/null || fail "cannot start volume $volume"

brick_online() {
    cli --xml volume status "$volume" | grep -q '<status>1</status>'
}
wait_for "the brick of $volume is not online" brick_online

cat >"$dir/env" <<ENV
GLUSTER_DIR=$dir
GLUSTER_HOST=$host
GLUSTER_VOLUME=$volume
GLUSTER_SOCKET=$dir/run/glusterd.socket
GLUSTER_BRICK_HOST=$brick_host
GLUSTER_BRICK_DIR=$dir/bricks
ENV
echo "gluster-up: glusterd $pid, volume $volume at $host (files in $dir)"
