#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# gluster-down.sh DIR: stops the server gluster-up.sh DIR started:
# glusterd, its bricks and any other process of its mount namespace
# (SIGTERM, SIGKILL after 10 s; a zombie counts as stopped: PID 1 reaps
# late here).  Its files stay in DIR (logs).  Exit status 1 when a
# process is still running after the SIGKILL (5 s more).

set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1

# the pids of the server: glusterd, its bricks (pid files under
# DIR/run), and whatever else runs in glusterd's mount namespace
server_pids() {
    {
        cat "$dir/glusterd.pid" 2>/dev/null
        cat "$dir"/run/vols/*/*.pid 2>/dev/null
        if [ -s "$dir/mntns" ]; then
            ns=$(cat "$dir/mntns")
            for p in /proc/[0-9]*; do
                if [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$ns" ]; then
                    echo "${p#/proc/}"
                fi
            done
        fi
    } | grep -E '^[0-9]+$' | sort -u
}

# running PID: alive and not a zombie
running() {
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
    [ -n "$state" ] && [ "$state" != Z ]
}

# stop SIGNAL SECONDS: sends SIGNAL to every running server process and
# waits up to SECONDS for them to stop; false if some still run
stop() {
    pids=
    for p in $(server_pids); do
        if running "$p"; then
            pids="$pids $p"
        fi
    done
    [ -z "$pids" ] && return 0
    # shellcheck disable=SC2086
    kill "-$1" $pids 2>/dev/null
    tries=$(( $2 * 10 ))
    while [ "$tries" -gt 0 ]; do
        left=
        for p in $pids; do
            if running "$p"; then
                left="$left $p"
            fi
        done
        [ -z "$left" ] && return 0
        pids=$left
        sleep 0.1
        tries=$(( tries - 1 ))
    done
    return 1
}

if ! stop TERM 10 && ! stop KILL 5; then
    echo "gluster-down: processes of $dir still run:$pids" >&2
    exit 1
fi
rm -f "$dir/glusterd.pid" "$dir/mntns"
exit 0
