# SPDX-License-Identifier: LGPL-2.1-or-later
"""AddressSanitizer and UBSan in the test daemon (docs/security.rst,
Sanitizers).

Modules built with -Db_sanitize=address,undefined need the ASan runtime,
and ASan must come first in the process: libvirtd (not instrumented) is
started by the dynamic loader with the runtime preloaded
(ld.so --preload, which is LD_PRELOAD for that one process: the tools the
daemon runs do not inherit it, and qemu-img's coroutines would make ASan
warn).  Every process of the daemon's tree inherits the options; the
partition helper, built sanitized itself, reads them too.  ASan reports
go to files in one directory, which the suite reads after each test
(conftest.py); any file there fails the test.

gcc's UBSan runtime ignores log_path when ASan is loaded too: its reports
go to stderr, the daemon's (libvirtd.stderr) or the partition helper's
(which the module puts in an error message, hence in the daemon's log).
Those two files of a sanitized daemon are watched: a report found there
is copied into the report directory.

libvirt itself leaks at exit, and so do some tools: leak detection is off.
"""

import glob
import os
import shutil
import subprocess

# the environment variable naming the directory of the report files
LOG_DIR_ENV = "LVSB_SANITIZER_LOG_DIR"


def is_sanitized(backend_dir):
    """Do the modules of @backend_dir need the ASan runtime?"""
    module = os.path.join(backend_dir, "libvirt_storage_backend_fs.so")
    try:
        out = subprocess.run(["readelf", "-d", module], capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return False
    return "libasan.so" in out


def asan_runtime():
    """The shared ASan runtime of the compiler that built the modules."""
    path = subprocess.run(["gcc", "-print-file-name=libasan.so"],
                          capture_output=True, text=True, check=True).stdout.strip()
    path = os.path.realpath(path)
    if not os.path.isfile(path):
        raise RuntimeError("gcc names no ASan runtime (libasan.so): install libasan8")
    return path


def log_dir():
    """The directory the sanitizers write their reports to."""
    path = os.environ.get(LOG_DIR_ENV)
    if not path:
        raise RuntimeError("%s is not set (tests/integration/conftest.py sets it)"
                           % LOG_DIR_ENV)
    os.makedirs(path, exist_ok=True)
    return path


# The dynamic loader, run as a program: it can preload for one process.
DYNAMIC_LOADER = "/lib64/ld-linux-x86-64.so.2"


def launcher():
    """The command that runs a program (libvirtd) with ASan loaded first."""
    return [DYNAMIC_LOADER, "--preload", asan_runtime()]


def environment():
    """The sanitizers' options for a process tree with sanitized modules."""
    logs = log_dir()
    return {
        "ASAN_OPTIONS": ":".join([
            "detect_leaks=0",
            "halt_on_error=1",
            "log_path=" + os.path.join(logs, "asan"),
        ]),
        "UBSAN_OPTIONS": ":".join([
            "print_stacktrace=1",
            "halt_on_error=1",
            "log_path=" + os.path.join(logs, "ubsan"),
        ]),
    }


# What starts a sanitizer report in a stderr or log file.
MARKERS = ("runtime error:", "ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
           "SUMMARY: UndefinedBehaviorSanitizer", "SUMMARY: AddressSanitizer")
# Lines kept from a report found in a watched file.
REPORT_LINES = 60

_watched = {}       # path -> bytes already scanned


def watch(path):
    """Scan @path (a daemon's stderr or log) for reports from now on."""
    _watched[path] = 0


def unwatch(path):
    """Scan @path a last time (before it is removed), then forget it."""
    _scan(path)
    _watched.pop(path, None)


def _scan(path):
    offset = _watched.get(path)
    if offset is None:
        return
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read()
    except OSError:
        return
    # only whole lines: a report being written is read at the next scan
    end = data.rfind(b"\n") + 1
    if end == 0:
        return
    _watched[path] = offset + end
    lines = data[:end].decode(errors="replace").splitlines()
    for i, line in enumerate(lines):
        if any(m in line for m in MARKERS):
            name = "found.%s.%d" % (os.path.basename(path), offset + i)
            with open(os.path.join(log_dir(), name), "w") as out:
                out.write("(in %s)\n" % path)
                out.write("\n".join(lines[max(0, i - 2):i + REPORT_LINES]) + "\n")
            break


def reset():
    """Empties the report directory (a new session)."""
    shutil.rmtree(log_dir(), ignore_errors=True)
    log_dir()


def reports():
    """The report files written so far: {path: text}."""
    for path in list(_watched):
        _scan(path)
    found = {}
    for path in sorted(glob.glob(os.path.join(log_dir(), "*"))):
        try:
            with open(path, errors="replace") as f:
                found[path] = f.read()
        except OSError as e:
            found[path] = "(cannot read: %s)" % e
    return found


def format_reports(found):
    return "\n".join("==== %s\n%s" % (path, text) for path, text in found.items())
