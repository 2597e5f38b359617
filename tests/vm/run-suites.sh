#!/bin/sh
# run-suites.sh: run the in-VM pytest suites in one boot of the test VM
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   tests/vm/run-suites.sh [--junitxml FILE] [PYTEST-ARGS...] [TEST-PATHS...]
#
# Boots tests/vm/run.sh with the test disks every suite may take (four
# 1 GiB virtio disks, one 1 GiB virtio-scsi disk; sparse) and runs
# /usr/bin/python3 -m pytest on tests/integration/vm, or on the paths given
# (e.g. tests/integration/vm/test_pool_logical.py or a ::test id).  With
# --junitxml, FILE's directory is shared writable with the guest so the
# report lands on the host.  Exits with pytest's status, 124 if the guest
# timed out (LVSB_VM_TIMEOUT seconds, default 1800), 125 if it died.

set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
timeout=${LVSB_VM_TIMEOUT:-1800}
share=

if [ "${1:-}" = --junitxml ]; then
    junit=${2:?--junitxml needs a file}
    shift 2
    mkdir -p "$(dirname "$junit")"
    share=$(cd "$(dirname "$junit")" && pwd)
    junit=$share/$(basename "$junit")
    rm -f "$junit"
    set -- --junitxml="$junit" "$@"
fi

# without a path among the arguments, run every suite of tests/integration/vm
has_path=no
for arg in "$@"; do
    case $arg in
    tests/integration/vm* | */tests/integration/vm*) has_path=yes ;;
    esac
done
[ "$has_path" = yes ] || set -- "$@" tests/integration/vm

cd "$top"
exec "$top/tests/vm/run.sh" --timeout "$timeout" ${share:+--share "$share"} \
    --disk 1024 --disk 1024 --disk 1024 --disk 1024 --scsi-disk 1024 \
    -- /usr/bin/python3 -m pytest -p no:cacheprovider "$@"
