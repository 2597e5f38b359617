#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-tests.sh: install what is missing, build, and run every test: the C
# unit tests (meson test) and the integration suites (pytest on
# tests/integration, against our modules and the stock ones; the suites of
# tests/integration/vm inside the test VM, tests/vm/run-suites.sh).
#
#   build-aux/run-tests.sh [PYTEST-ARGS...]
#
# Must run as root.  The last line of the output is 'N passed, N failed',
# counted over both; skipped tests count as failed (a skip proves nothing).
# Exits non-zero if anything failed, was skipped, or if pytest found no test.

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=${LVSB_BUILD_DIR:-$top/build}
export LVSB_BUILD_DIR="$build"
junit=$build/pytest-junit.xml

final() {
    echo "$1 passed, $2 failed"
    exit "$3"
}

if ! "$top/build-aux/setup.sh" --no-demo; then
    echo "run-tests: setup or build failed, no test ran" >&2
    final 0 1 1
fi

echo "=== meson test"
rm -f "$build/meson-logs/testlog.json"
meson test -C "$build" --print-errorlogs
meson_rc=$?

echo "=== pytest tests/integration"
rm -f "$junit"
(cd "$top" && /usr/bin/python3 -m pytest tests/integration \
    --ignore=tests/integration/vm \
    -p no:cacheprovider -rfEsxX --junitxml="$junit" "$@")
pytest_rc=$?

# device-mapper, SCSI, iSCSI and NFS suites: one boot of the test VM
# (tests/vm/README.md); a guest that hangs or dies counts as a failure
echo "=== pytest tests/integration/vm (inside the test VM)"
vm_junit=$build/vm-results/pytest-junit.xml
"$top/tests/vm/run-suites.sh" --junitxml "$vm_junit" -rfEsxX "$@"
vm_rc=$?
# PYTEST-ARGS such as -k may select no in-VM test: that is no failure
if [ "$vm_rc" = 5 ] && [ $# -gt 0 ]; then
    vm_rc=0
fi

/usr/bin/python3 "$top/build-aux/count-results.py" \
    "$build/meson-logs/testlog.json" "$meson_rc" "$junit" "$pytest_rc" \
    "$vm_junit" "$vm_rc"
