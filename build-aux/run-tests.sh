#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-tests.sh: install what is missing, build, and run every test: the C
# unit tests (meson test, of the build and of a second build of our modules
# and helper with ASan and UBSan, BUILD-asan/), the host integration suites
# (pytest on tests/integration, against our sanitized modules and the
# stock ones), the suites of tests/integration/vm inside the test VM
# (tests/vm/run-suites.sh, against our ordinary build, which the Debian
# package test installs there), and meanwhile, on the CPU the guest leaves
# idle, a short run of every fuzzer (build-aux/run-fuzzers.sh, clang build
# in BUILD-fuzz/).
#
#   build-aux/run-tests.sh [PYTEST-ARGS...]
#
# Must run as root.  The last line of the output is 'N passed, N failed',
# counted over all of them; skipped tests count as failed (a skip proves
# nothing).  Exits non-zero if anything failed, was skipped, or if pytest
# found no test.  LVSB_FUZZ_SECONDS (default 30) is each fuzzer's time.
#
# Each step has a time limit, about twice its usual time on 2 cores, so
# that a stuck test fails its step and the run still ends with its count
# inside CI's 90 minutes: pytest gets SIGINT at the limit (it stops, runs
# the teardowns and writes its JUnit file) and SIGKILL a minute later.
# LVSB_STEP_MINUTES_HOST, _VM and _FUZZ override the limits (28, 35 and
# 12 minutes).
#
# The host suite runs once, with our modules built sanitized: a memory
# error or undefined behaviour of ours fails the test that caused it
# (docs/security.rst, Sanitizers), and the suite's time is not spent
# twice.  LVSB_HOST_BUILD_DIR=DIR runs it on another build (e.g. the
# ordinary one, $LVSB_BUILD_DIR).  It runs in LVSB_PYTEST_WORKERS
# (default 2) pytest-xdist workers, one test file at a time each (--dist
# loadfile: a file's module fixtures stay in one worker): much of the
# suite waits (time limits of silent servers, stock's 10 s glfs_fini), and
# the other worker runs meanwhile.  Every test has its own daemons, loop
# devices and server objects, so the workers do not meet;
# LVSB_PYTEST_WORKERS=0 runs them in one process.

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=${LVSB_BUILD_DIR:-$top/build}
export LVSB_BUILD_DIR="$build"
junit=$build/pytest-junit.xml
workers=${LVSB_PYTEST_WORKERS:-2}
if [ "$workers" -gt 0 ]; then
    parallel="-n $workers --dist loadfile"
else
    parallel=
fi

# bounded STEP MINUTES COMMAND...: COMMAND, interrupted after MINUTES
bounded() {
    step=$1
    minutes=$2
    shift 2
    timeout --signal=INT --kill-after=60 "${minutes}m" "$@"
    rc=$?
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        echo "run-tests: $step did not end in $minutes minutes and was stopped" >&2
    fi
    return "$rc"
}

final() {
    echo "$1 passed, $2 failed"
    exit "$3"
}

if ! "$top/build-aux/setup.sh" --no-demo; then
    echo "run-tests: setup or build failed, no test ran" >&2
    final 0 1 1
fi

# the test Gluster server of the netfs glusterfs suites
# (tests/servers/gluster-up.sh), started once for the host suite, stopped on exit; if it cannot start, the gluster tests
# try their own and fail with its error
gluster_dir=$(mktemp -d "${TMPDIR:-/tmp}/lvsb-gluster.XXXXXX")
stop_gluster() {
    "$top/tests/servers/gluster-down.sh" "$gluster_dir" >&2
    rm -rf "$gluster_dir"
}
trap stop_gluster EXIT
trap 'exit 130' INT TERM
echo "=== the test Gluster server (tests/servers/gluster-up.sh)"
if "$top/tests/servers/gluster-up.sh" "$gluster_dir"; then
    export LVSB_GLUSTER_ENV="$gluster_dir/env"
else
    echo "run-tests: the test Gluster server did not start" >&2
fi

echo "=== meson test"
rm -f "$build/meson-logs/testlog.json"
meson test -C "$build" --print-errorlogs
meson_rc=$?

# our modules and helper with ASan and UBSan (docs/security.rst,
# Sanitizers): their unit tests, and the host suite below runs on them
# (the stock modules are not sanitized); if this build fails, that is a
# failure and the host suite runs on the ordinary build
echo "=== sanitized build and its meson test"
asan_build=${LVSB_ASAN_BUILD_DIR:-$build-asan}
host_build=${LVSB_HOST_BUILD_DIR:-$asan_build}
step_start=$(date +%s)
rm -f "$asan_build/meson-logs/testlog.json"
if { [ -f "$asan_build/build.ninja" ] ||
     meson setup "$asan_build" "$top" -Db_sanitize=address,undefined \
         -Db_lundef=false; } && ninja -C "$asan_build"; then
    meson test -C "$asan_build" --print-errorlogs
    asan_meson_rc=$?
else
    echo "run-tests: the sanitized build failed" >&2
    asan_meson_rc=1
    [ "$host_build" = "$asan_build" ] && host_build=$build
fi
echo "=== sanitized build and its meson test: $(( $(date +%s) - step_start )) s"

# the test Ceph cluster of the rbd suites (tests/servers/ceph-up.sh),
# started once for the host suite, stopped on exit;
# if it cannot start, the rbd tests try their own and fail with its error
ceph_dir=$(mktemp -d "${TMPDIR:-/tmp}/lvsb-ceph.XXXXXX")
stop_ceph() {
    "$top/tests/servers/ceph-down.sh" "$ceph_dir" >&2
    rm -rf "$ceph_dir"
}
# the test iSCSI target of the iscsi-direct suites (tests/servers/tgt-up.sh,
# tgtd on 127.0.0.1:3261), started once for the host suite, stopped on exit; if it cannot start, the iscsi-direct
# tests try their own and fail with its error
tgt_dir=$(mktemp -d "${TMPDIR:-/tmp}/lvsb-tgt.XXXXXX")
stop_tgt() {
    "$top/tests/servers/tgt-down.sh" "$tgt_dir" >&2
    rm -rf "$tgt_dir"
}
# one EXIT trap for every server (a second 'trap ... EXIT' replaces the first)
trap 'stop_tgt; stop_ceph; stop_gluster' EXIT
echo "=== the test iSCSI target (tests/servers/tgt-up.sh)"
if TGT_PORT=${LVSB_TGT_PORT:-3261} "$top/tests/servers/tgt-up.sh" "$tgt_dir"; then
    export LVSB_TGT_ENV="$tgt_dir/env"
else
    echo "run-tests: the test iSCSI target did not start" >&2
fi
echo "=== the test Ceph cluster (tests/servers/ceph-up.sh)"
if ceph_env=$(/usr/bin/python3 "$top/tests/integration/cephhelpers.py" up "$ceph_dir"); then
    export LVSB_CEPH_ENV="$ceph_env"
    echo "run-tests: Ceph cluster up, $ceph_env"
else
    echo "run-tests: the test Ceph cluster did not start" >&2
fi

echo "=== pytest tests/integration (our modules of $host_build)"
rm -f "$junit"
step_start=$(date +%s)
(cd "$top" && bounded "the host suite" "${LVSB_STEP_MINUTES_HOST:-28}" \
    env LVSB_BUILD_DIR="$host_build" \
    /usr/bin/python3 -m pytest tests/integration \
    --ignore=tests/integration/vm $parallel \
    -p no:cacheprovider -rfEsxX --junitxml="$junit" "$@")
pytest_rc=$?
echo "=== pytest tests/integration: $(( $(date +%s) - step_start )) s"

# the Debian package, installed and removed for real by the VM suite
# test_deb_package.py (LVSB_DEB); if it cannot be built, that suite fails
echo "=== the Debian package (build-aux/build-deb.sh)"
step_start=$(date +%s)
if deb=$("$top/build-aux/build-deb.sh" "$build/deb" | tail -n 1); then
    export LVSB_DEB="$deb"
    echo "run-tests: built $deb in $(( $(date +%s) - step_start )) s"
else
    echo "run-tests: the Debian package did not build" >&2
fi

# the fuzzers, each for LVSB_FUZZ_SECONDS (docs/security.rst, Fuzzing),
# run during the VM suite: qemu's TCG keeps one CPU busy and leaves the
# other idle, so the fuzzing build and the harnesses run there, one at a
# time (LVSB_FUZZ_SLOTS=1) and niced, so that the guest keeps its CPU
echo "=== fuzzers (build-aux/run-fuzzers.sh, ${LVSB_FUZZ_SECONDS:-30} s each), in the background"
fuzz_results=$build/fuzz-results.txt
fuzz_status=$build/fuzz-status
rm -f "$fuzz_status"
(
    fuzz_start=$(date +%s)
    bounded "the fuzzers" "${LVSB_STEP_MINUTES_FUZZ:-12}" \
        env LVSB_FUZZ_BUILD_DIR="${LVSB_FUZZ_BUILD_DIR:-$build-fuzz}" \
        LVSB_FUZZ_SLOTS="${LVSB_FUZZ_SLOTS:-1}" \
        nice -n 10 "$top/build-aux/run-fuzzers.sh" >"$fuzz_results" 2>&1
    echo "$? $(( $(date +%s) - fuzz_start ))" >"$fuzz_status"
) &
fuzz_pid=$!

# device-mapper, SCSI, iSCSI and NFS suites: one boot of the test VM
# (tests/vm/README.md); a guest that hangs or dies counts as a failure
echo "=== pytest tests/integration/vm (inside the test VM)"
vm_junit=$build/vm-results/pytest-junit.xml
step_start=$(date +%s)
LVSB_VM_TIMEOUT=$(( ${LVSB_STEP_MINUTES_VM:-35} * 60 )) \
    "$top/tests/vm/run-suites.sh" --junitxml "$vm_junit" -rfEsxX "$@"
vm_rc=$?
echo "=== pytest tests/integration/vm: $(( $(date +%s) - step_start )) s"
# PYTEST-ARGS such as -k may select no in-VM test: that is no failure
if [ "$vm_rc" = 5 ] && [ $# -gt 0 ]; then
    vm_rc=0
fi

echo "=== fuzzers (started with the VM suite)"
wait "$fuzz_pid"
if read -r fuzz_rc fuzz_took <"$fuzz_status"; then
    grep -E -v '^\[[0-9]+/[0-9]+\] ' "$fuzz_results"
    echo "=== fuzzers: $fuzz_took s"
else
    echo "run-tests: the fuzzers left no status" >&2
    fuzz_rc=1
fi

/usr/bin/python3 "$top/build-aux/count-results.py" \
    "$build/meson-logs/testlog.json" "$meson_rc" "$junit" "$pytest_rc" \
    "$vm_junit" "$vm_rc" "$fuzz_results" "$fuzz_rc" \
    "$asan_build/meson-logs/testlog.json" "$asan_meson_rc"
