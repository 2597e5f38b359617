#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ceph-down.sh DIR: stops the cluster ceph-up.sh started in DIR: the OSD
# first, then the mgr, then the mon (an OSD whose mon went first waits
# for it).  Each daemon gets SIGTERM and, if it is still there after
# CEPH_DOWN_TIMEOUT seconds (default 10), SIGKILL.  A daemon in state Z
# (a zombie that PID 1 has not reaped yet) counts as stopped.  DIR and its
# logs are left for the caller to read and remove.  Stopping a cluster
# that is not running (or half started) succeeds.

set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1
wait_s=${CEPH_DOWN_TIMEOUT:-10}

# alive PID: the process exists and is not a zombie
alive() {
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' \
        "/proc/$1/status" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

# is_ours PID NAME: PID is a ceph daemon of this DIR (its pid file may be
# stale and the number reused by another process)
is_ours() {
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q -- "-c $dir/ceph.conf"
}

stop() {
    pidfile=$dir/run/$1.pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    case $pid in
        ''|*[!0-9]*) return 0 ;;
    esac
    if ! alive "$pid" || ! is_ours "$pid"; then
        rm -f "$pidfile"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null
    tries=$(( wait_s * 10 ))
    while alive "$pid" && [ "$tries" -gt 0 ]; do
        sleep 0.1
        tries=$(( tries - 1 ))
    done
    if alive "$pid"; then
        echo "ceph-down: $1 (pid $pid) ignored SIGTERM for $wait_s s, killing it" >&2
        kill -KILL "$pid" 2>/dev/null
        tries=50
        while alive "$pid" && [ "$tries" -gt 0 ]; do
            sleep 0.1
            tries=$(( tries - 1 ))
        done
    fi
    rm -f "$pidfile"
    if alive "$pid"; then
        echo "ceph-down: $1 (pid $pid) is still running" >&2
        return 1
    fi
}

rc=0
stop osd.0 || rc=1
stop mgr.x || rc=1
stop mon.a || rc=1
exit $rc
