#!/bin/bash
# selftest.sh: check that tests/vm/run.sh reports what happened in the guest
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   tests/vm/selftest.sh
#
# Three boots (about a minute): a command's output, exit status, disks and
# --share reach the host; a guest whose kernel panics ends the run with 125;
# a guest that hangs is ended by --timeout with 124.  Not part of
# build-aux/run-tests.sh (the in-VM suites already go through run.sh on
# every run); run it after changing anything in tests/vm/.

set -u

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

check() {
    if [ "$2" = "$3" ]; then
        echo "ok: $1"
        passed=$((passed + 1))
    else
        echo "FAILED: $1: expected '$3', got '$2'"
        failed=$((failed + 1))
    fi
}

# 1. output, exit status, environment, disks, a writable share, and no
#    write reaching the host's read-only files
"$here/run.sh" --disk 8 --disk 16 --scsi-disk 8 --share "$tmp" -- \
    sh -c 'echo "hello from $(uname -r)"; echo "$LVSB_VM_DISKS|$LVSB_VM_SCSI_DISKS";
           blockdev --getsize64 /dev/vdb; echo shared >"$0/from-guest";
           touch /etc/lvsb-vm-selftest; exit 7' "$tmp" >"$tmp/out" 2>"$tmp/err"
check "exit status of the command" "$?" 7
check "output of the command" "$(sed -n 1p "$tmp/out")" "hello from $(cat "$("$here/prepare-kernel.sh")/kver")"
check "disk names" "$(sed -n 2p "$tmp/out")" "/dev/vda /dev/vdb|/dev/sda"
check "disk size" "$(sed -n 3p "$tmp/out")" "$((16 << 20))"
check "file written to the share" "$(cat "$tmp/from-guest" 2>/dev/null)" shared
check "the host's /etc untouched" "$([ -e /etc/lvsb-vm-selftest ] && echo written || echo untouched)" untouched

# 2. a kernel panic ends the run (panic=-1, -no-reboot)
"$here/run.sh" -- sh -c 'echo c >/proc/sysrq-trigger; sleep 600' >"$tmp/out" 2>"$tmp/err"
check "status after a guest panic" "$?" 125
check "panic reported" "$(grep -c 'without the command' "$tmp/err")" 1

# 3. a hung guest is ended by the outer timeout
"$here/run.sh" --timeout 40 -- sleep 600 >"$tmp/out" 2>"$tmp/err"
check "status of a hung guest" "$?" 124
check "timeout reported" "$(grep -c 'did not finish within 40 s' "$tmp/err")" 1

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
