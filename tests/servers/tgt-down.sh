#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tgt-down.sh DIR: stops the server tgt-up.sh DIR started.  tgtd ignores
# SIGTERM: its targets are deleted (--force: sessions dropped), then the
# system (tgtadm --op delete --mode system), after which tgtd exits; if
# it still runs 5 s later it gets SIGKILL, by its pid only (a zombie
# counts as stopped: PID 1 reaps late here).  Its management socket is
# removed; the LUN files and the log stay in DIR.  Exit status 1 when
# tgtd still runs after the SIGKILL (5 s more).

set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1

[ -s "$dir/tgtd.pid" ] || exit 0
pid=$(cat "$dir/tgtd.pid")
control=$(cat "$dir/control-port" 2>/dev/null)

# running: alive, not a zombie, and still tgtd
running() {
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null)
    [ -n "$state" ] && [ "$state" != Z ] &&
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = tgtd ]
}

# gone SECONDS: waits up to SECONDS for tgtd to stop
gone() {
    tries=$(( $1 * 20 ))
    while running; do
        [ "$tries" -gt 0 ] || return 1
        sleep 0.05
        tries=$(( tries - 1 ))
    done
    return 0
}

if running && [ -n "$control" ]; then
    adm() {
        timeout 10 tgtadm -C "$control" --lld iscsi "$@"
    }
    for tid in $(adm --op show --mode target 2>/dev/null |
                 sed -n 's/^Target \([0-9]*\):.*/\1/p'); do
        adm --op delete --mode target --tid "$tid" --force >/dev/null 2>&1
    done
    adm --op delete --mode system >/dev/null 2>&1
fi

if ! gone 5; then
    kill -KILL "$pid" 2>/dev/null
    if ! gone 5; then
        echo "tgt-down: tgtd $pid of $dir still runs" >&2
        exit 1
    fi
fi
if [ -n "$control" ]; then
    rm -f "/var/run/tgtd/socket.$control" "/var/run/tgtd/socket.$control.lock"
fi
rm -f "$dir/tgtd.pid"
exit 0
