#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-fuzzers.sh: build the libFuzzer harnesses of tests/fuzz with clang,
# ASan and UBSan, and run each one for a while on its seed corpus.
#
#   build-aux/run-fuzzers.sh [HARNESS...]      (default: every harness)
#
# Environment:
#   LVSB_FUZZ_SECONDS    seconds per harness (default 30)
#   LVSB_FUZZ_BUILD_DIR  the clang build dir (default build-fuzz/)
#   LVSB_FUZZ_JOBS       parallel fuzzing processes per harness (default 1)
#   LVSB_FUZZ_SLOTS      harnesses run at once (default: the CPUs, nproc)
#
# What a run finds is kept in $LVSB_FUZZ_BUILD_DIR/fuzz-work/HARNESS/:
# corpus/ (new inputs; the seed corpus in tests/fuzz/HARNESS/ is only
# read), artifacts/ (crash-*, leak-*, timeout-*, oom-* reproducers) and
# fuzz.log.  Exits 1 if any harness crashed, leaked, timed out or could
# not run; the last line is 'N passed, N failed' (one per harness).
#
# As root, the harnesses run as 'nobody' (setpriv): a probe of an image
# header that names a backing file, or any other path an input makes up,
# never reads a host file with root's rights.

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
fbuild=${LVSB_FUZZ_BUILD_DIR:-$top/build-fuzz}
seconds=${LVSB_FUZZ_SECONDS:-30}
jobs=${LVSB_FUZZ_JOBS:-1}
slots=${LVSB_FUZZ_SLOTS:-$(nproc)}
work=$fbuild/fuzz-work

die() {
    echo "run-fuzzers: $*" >&2
    echo "0 passed, 1 failed"
    exit 1
}

all_harnesses() {
    for f in "$top"/tests/fuzz/*_fuzzer.c; do
        basename "$f" _fuzzer.c
    done
}

# Extra libFuzzer options of a harness: the probe reads up to 33 KiB
# (an ISO 9660 magic stands at 32 KiB).
harness_options() {
    case $1 in
    probe) echo "-max_len=36864" ;;
    *) echo "-max_len=8192" ;;
    esac
}

command -v clang >/dev/null || die "clang is missing (build-aux/packages.txt: clang, libclang-rt-14-dev)"

if [ ! -f "$fbuild/build.ninja" ]; then
    CC=clang meson setup "$fbuild" "$top" -Dfuzzing=enabled \
        -Db_sanitize=address,undefined -Db_lundef=false ||
        die "meson setup of $fbuild failed"
fi
ninja -C "$fbuild" || die "the fuzzing build failed"

# As root, each harness runs as nobody from a staging directory in /tmp
# (the checkout may not be readable by nobody): the binary, the seeds
# and the corpus so far are copied there, and what the run found is
# copied back into $work.
if [ "$(id -u)" = 0 ]; then
    runas="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
    stage=$(mktemp -d /tmp/lvsb-fuzz.XXXXXX) || die "cannot make a staging directory"
    chmod 755 "$stage"
    trap 'rm -rf "$stage"' EXIT
else
    runas=
    stage=
fi

# with -jobs, libFuzzer runs each job in a child writing fuzz-N.log
parallel=
[ "$jobs" -gt 1 ] && parallel="-jobs=$jobs -workers=$jobs"

# fuzz_one NAME: runs harness NAME for $seconds and prints one line, "ok:"
# or "FAILED:" (with its reproducers and the report's start); returns 1 if
# it failed
fuzz_one() {
    name=$1
    exe=$fbuild/tests/fuzz/${name}_fuzzer
    seeds=$top/tests/fuzz/$name
    dir=$work/$name
    if [ ! -x "$exe" ] || [ ! -d "$seeds" ]; then
        echo "FAILED: $name: no harness $exe or no seed corpus $seeds"
        return 1
    fi
    mkdir -p "$dir/corpus" "$dir/artifacts"
    rm -f "$dir"/artifacts/* "$dir"/fuzz-*.log

    run=$dir
    if [ -n "$stage" ]; then
        run=$stage/$name
        mkdir -p "$run/corpus" "$run/artifacts" "$run/seeds"
        if ! { cp "$exe" "$run/harness" && cp -R "$seeds/." "$run/seeds/" &&
               cp -R "$dir/corpus/." "$run/corpus/" &&
               chown -R nobody:nogroup "$run"; }; then
            echo "FAILED: $name: cannot stage it in $run"
            return 1
        fi
        exe=$run/harness
        seeds=$run/seeds
    fi

    start=$(date +%s)
    # shellcheck disable=SC2046,SC2086
    # TMPDIR: the files a harness makes go where the run is cleaned up
    # (libFuzzer leaves by _exit on a crash or at its time limit)
    (cd "$run" && TMPDIR=$run ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        timeout --kill-after=10 $((seconds + 120)) \
        $runas "$exe" -max_total_time="$seconds" -timeout=10 \
            -rss_limit_mb=2048 -print_final_stats=1 \
            $parallel \
            -artifact_prefix="$run/artifacts/" \
            $(harness_options "$name") \
            "$run/corpus" "$seeds" >"$dir/fuzz.log" 2>&1)
    rc=$?
    took=$(( $(date +%s) - start ))
    cat "$run"/fuzz-*.log >>"$dir/fuzz.log" 2>/dev/null
    if [ -n "$stage" ]; then
        cp -R "$run/corpus/." "$dir/corpus/"
        cp -R "$run/artifacts/." "$dir/artifacts/"
        rm -rf "$run"
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" |
           awk '{ n += $1 } END { print n + 0 }')
    artifacts=$(ls "$dir/artifacts" 2>/dev/null)

    if [ "$rc" = 0 ] && [ -z "$artifacts" ]; then
        echo "ok: $name: $runs inputs in ${took}s"
        return 0
    fi
    echo "FAILED: $name (exit status $rc after ${took}s), see $dir/fuzz.log"
    for a in $artifacts; do
        echo "  reproducer: $dir/artifacts/$a"
    done
    grep -E -A12 '^==[0-9]+==ERROR|runtime error:|promise broken|ERROR: libFuzzer' \
        "$dir/fuzz.log" | head -40 | sed 's/^/  | /'
    return 1
}

# the harnesses run $slots at a time, each in a subshell writing its lines
# to results/NAME; they are printed and counted in the harnesses' order
harnesses=${*:-$(all_harnesses)}
results=$work/results
rm -rf "$results"
mkdir -p "$results" || die "cannot make $results"
running=0
for name in $harnesses; do
    (fuzz_one "$name" >"$results/$name" 2>&1) &
    running=$((running + 1))
    if [ "$running" -ge "$slots" ]; then
        wait
        running=0
    fi
done
wait

passed=0
failed=0
for name in $harnesses; do
    cat "$results/$name"
    if grep -q '^ok: ' "$results/$name"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
