# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/benchlib.py: the harness shared by bench/run.py, bench/disk.py and
bench/logical.py.

- Side: one isolated libvirtd (tests/integration/testdaemon.py, warnings-only
  logging) whose backend directory holds links to only the named modules of
  our build or of the stock directory, and its connection; stock and ours run
  side by side in one run.
- order(): which side goes first in a repetition (alternating);
  best_of(): the shortest wall time of N calls; prepare() and interleave():
  a workload's setup, then its timed rounds on every side, alternating,
  where a side that fails records its error and the others go on;
  measure(): setup, rounds and cleanup of one workload; create_delete():
  N volumes made then deleted that way; run_sides():
  start the sides, run the workloads, stop the sides.
- MemWatch: the daemon's peak RSS (VmHWM after a reset), CPU time and minor
  faults over a block, and the peak RSS of the helpers it runs.
- write_ratio_table(), write_cells_table(): the markdown table of
  stock / ours times; a side that could not do a workload shows
  "cannot: <its error>".  Next to the markdown file (FILE.md) the same
  numbers go to FILE.json (with the run's bench, date, commit and load
  average) and are drawn into FILE.svg by bench/plot.py.
- log(), run(): log lines on stderr; a command whose failure raises
  RuntimeError with its stderr.
"""

import datetime
import json
import os
import subprocess
import sys
import threading
import time

import libvirt

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))

try:
    # now, while this directory is in sys.path (bench/rbdpools.py takes it
    # out afterwards: python3-rbd's module is named rbd too)
    import plot
except ImportError as _e:   # no matplotlib: the JSON is kept, plot.py draws it later
    plot = None
    _PLOT_ERROR = str(_e)

import testdaemon  # noqa: E402

STOCK_BACKEND_DIR = testdaemon.STOCK_BACKEND_DIR
BUILD_DIR = os.path.abspath(os.environ.get("LVSB_BUILD_DIR", os.path.join(TOP, "build")))
OUR_BACKEND_DIR = os.path.join(BUILD_DIR, "src", "storage")

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

# what a side's failed operation raises: reported, never a traceback
ERRORS = (libvirt.libvirtError, RuntimeError, OSError, AssertionError)

libvirt.registerErrorHandler(lambda ctx, err: None, None)


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def run(argv, check=True, input=None):
    res = subprocess.run(argv, capture_output=True, text=True, input=input)
    if check and res.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), res.returncode,
                                                   res.stderr.strip()))
    return res


def first_line(err):
    """The first line of an exception's message, for a table cell."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


# ---------------------------------------------------------------- the daemons

class BenchDaemon(testdaemon.TestDaemon):
    """The test daemon with warnings-only logging: we time the backends,
    not the debug log."""

    def _write_config(self):
        drvdir, conf = super()._write_config()
        with open(conf) as f:
            lines = [ln for ln in f if not ln.startswith(("log_filters", "log_outputs"))]
        lines.append('log_outputs = "3:file:%s"\n' % self.log)
        with open(conf, "w") as f:
            f.writelines(lines)
        return drvdir, conf


def libvirtd_pid(daemon):
    """The pid of libvirtd itself.  unshare and sh exec into it, so it is
    normally TestDaemon.pid; otherwise look among its descendants."""
    todo = [daemon.pid]
    while todo:
        pid = todo.pop(0)
        try:
            if os.path.realpath("/proc/%d/exe" % pid) == "/usr/sbin/libvirtd":
                return pid
        except OSError:
            pass
        todo += children(pid)
    raise RuntimeError("no libvirtd under pid %d" % daemon.pid)


def children(pid):
    kids = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                kids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return kids


def cpu_seconds(pid):
    """User + system CPU time of the whole process (all its threads) and
    its count of minor page faults."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), int(fields[7])


def status_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class MemWatch:
    """Peak RSS of the daemon during a block (VmHWM after a reset) and of
    the helper processes it runs meanwhile (polled every 20 ms)."""

    def __init__(self, pid):
        self.pid = pid
        self.helpers = {}
        self._stop = threading.Event()

    def _poll(self):
        while not self._stop.wait(0.02):
            todo = children(self.pid)
            while todo:
                pid = todo.pop()
                try:
                    with open("/proc/%d/comm" % pid) as f:
                        comm = f.read().strip()
                    hwm = status_kib(pid, "VmHWM")
                except OSError:
                    continue
                self.helpers[comm] = max(self.helpers.get(comm, 0), hwm)
                todo += children(pid)

    def __enter__(self):
        with open("/proc/%d/clear_refs" % self.pid, "w") as f:
            f.write("5")
        self.idle_kib = status_kib(self.pid, "VmRSS")
        self.cpu0, self.faults0 = cpu_seconds(self.pid)
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()
        self.peak_kib = status_kib(self.pid, "VmHWM")
        cpu, faults = cpu_seconds(self.pid)
        self.cpu = cpu - self.cpu0
        self.faults = faults - self.faults0


class Side:
    """One daemon (ours or stock) and its connection.  Its backend
    directory holds only links to @modules of @backend_dir (and to the
    @helpers paths, which a module runs from its own directory), so both
    daemons load the same set of modules: the stock directory also has rbd,
    iscsi... whose libraries would inflate the stock daemon's RSS."""

    def __init__(self, kind, backend_dir, workdir, modules, helpers=()):
        self.kind = kind
        moddir = os.path.join(workdir, "modules-" + kind)
        os.makedirs(moddir)
        for name in modules:
            os.symlink(os.path.join(backend_dir, name), os.path.join(moddir, name))
        for path in helpers:
            os.symlink(path, os.path.join(moddir, os.path.basename(path)))
        self.daemon = BenchDaemon(moddir)
        self.daemon.modules_from = backend_dir
        self.conn = None
        self.pool = None

    def start(self, tunables=None):
        saved = os.environ.get("GLIBC_TUNABLES")
        if tunables:
            os.environ["GLIBC_TUNABLES"] = tunables    # for the daemon only
        try:
            self.daemon.start()
        finally:
            if saved is None:
                os.environ.pop("GLIBC_TUNABLES", None)
            else:
                os.environ["GLIBC_TUNABLES"] = saved
        self.conn = libvirt.open(self.daemon.uri)
        self.conn.listAllStoragePools()   # the storage driver is up
        self.pid = libvirtd_pid(self.daemon)
        log("%s daemon: libvirtd pid %d (TestDaemon.pid %d), modules %s"
            % (self.kind, self.pid, self.daemon.pid, self.daemon.modules_from))

    def alive(self):
        return self.daemon.proc is not None and self.daemon.proc.poll() is None

    def close_pool(self):
        """Destroy and undefine the workload's pool (self.pool)."""
        if self.pool is not None:
            for call in (self.pool.destroy, self.pool.undefine):
                try:
                    call()
                except libvirt.libvirtError:
                    pass
            self.pool = None

    def stop(self):
        """Stop the daemon, destroying and undefining its pools first."""
        if self.conn is not None:
            for pool in self.conn.listAllStoragePools():
                try:
                    if pool.isActive():
                        pool.destroy()
                    if pool.isPersistent():
                        pool.undefine()
                except libvirt.libvirtError:
                    pass
            try:
                self.conn.close()
            except libvirt.libvirtError:
                pass
            self.conn = None
        self.daemon.stop()


def order(sides, rep):
    """The sides in the order they run repetition @rep: alternating which
    goes first, so a machine's load falls on both alike."""
    return list(sides) if rep % 2 == 0 else list(reversed(sides))


def best_of(reps, call):
    """The shortest wall time of @reps calls of @call()."""
    best = None
    for _ in range(reps):
        t0 = time.monotonic()
        call()
        dt = time.monotonic() - t0
        best = dt if best is None else min(best, dt)
    return best


def prepare(sides, call, cells):
    """Run @call(side) untimed on each side (a workload's setup).  Returns
    the sides that could; the error of each other one goes to @cells[kind]."""
    ready = []
    for side in sides:
        try:
            call(side)
            ready.append(side)
        except ERRORS as e:
            cells[side.kind] = first_line(e)
            log("%s: cannot: %s" % (side.kind, cells[side.kind]))
    return ready


def interleave(sides, rounds, call, combine=min, check=None):
    """Time @call(side, round) for each of @rounds rounds on each side,
    alternating which side goes first; @check(side), if given, runs
    untimed after each call.  Returns {kind: combine(the wall times)}, or
    for a side whose call or check failed its error (a string): that side
    does not run again."""
    times = {side.kind: [] for side in sides}
    cells = {}
    for rnd in range(rounds):
        for side in order([s for s in sides if s.kind not in cells], rnd):
            try:
                t0 = time.monotonic()
                call(side, rnd)
                times[side.kind].append(time.monotonic() - t0)
                if check:
                    check(side)
            except ERRORS as e:
                cells[side.kind] = first_line(e)
                log("%s: cannot: %s" % (side.kind, cells[side.kind]))
    for side in sides:
        if side.kind not in cells:
            cells[side.kind] = combine(times[side.kind])
    return cells


def measure(sides, setup, rounds, call, combine=min, check=None, teardown=None):
    """One workload: prepare() the sides with @setup, interleave() @rounds
    rounds of @call on those that could, then @teardown(side) on each of
    @sides whatever happened.  Returns {kind: time or error}."""
    cells = {}
    try:
        cells.update(interleave(prepare(sides, setup, cells), rounds, call, combine, check))
    finally:
        if teardown:
            cleanup(sides, teardown)
    return cells


def cleanup(sides, teardown):
    """@teardown(side) on each side; an error is logged, not raised."""
    for side in sides:
        try:
            teardown(side)
        except ERRORS as e:
            log("%s: cleaning up: %s" % (side.kind, first_line(e)))


def create_delete(sides, setup, count, create_one, delete_one, teardown, rounds=10):
    """@setup(side) untimed, then @create_one(side, n) for n in 1..@count
    on each side, then @delete_one(side, n) from @count down to 1, in
    @rounds rounds alternating which side goes first, then @teardown(side).
    Returns ({kind: create time}, {kind: delete time}): the sums of the
    rounds, or a side's error (a side that could not create is not asked
    to delete: n/a)."""
    per = count // rounds

    def create_round(side, rnd):
        for n in range(rnd * per + 1, (rnd + 1) * per + 1):
            create_one(side, n)

    def delete_round(side, rnd):
        last = count - rnd * per
        for n in range(last, last - per, -1):
            delete_one(side, n)

    create = {}
    delete = {}
    try:
        create.update(measure(sides, setup, rounds, create_round, sum))
        created = [side for side in sides if isinstance(create.get(side.kind), float)]
        delete.update(measure(created, lambda side: None, rounds, delete_round, sum))
    finally:
        cleanup(sides, teardown)
    return create, delete


def run_sides(sides, steps):
    """Start each of @sides, run each of @steps (step(the sides that
    started) -> {row title: {kind: time or error}}), stop the sides.
    Returns the rows in the steps' order; a side that could not start has
    its error in each of them."""
    rows = {}
    failed = {}
    try:
        live = prepare(sides, Side.start, failed)
        for step in steps:
            rows.update(step(live))
    finally:
        cleanup(sides, Side.stop)
    for cells in rows.values():
        cells.update(failed)
    return rows


def check_volumes(pool, want):
    """Raise unless @pool lists @want volumes."""
    n = pool.numOfVolumes()
    if n != want:
        raise RuntimeError("the pool lists %d volumes, not %d" % (n, want))


# --------------------------------------------------------------------- report

def fmt_time(t):
    return "%.3f s" % t if t >= 0.1 else "%.1f ms" % (t * 1000)


def fmt_kib(kib):
    return "%.1f MiB" % (kib / 1024)


def median(values):
    v = sorted(values)
    return (v[(len(v) - 1) // 2] + v[len(v) // 2]) / 2


def fmt_cell(t):
    """A time in seconds, None (not measured) or a side's error."""
    if t is None:
        return "n/a"
    if isinstance(t, str):
        return "cannot: " + t.replace("|", "/")
    return "%.3f s" % t


def write_cells_table(rows, out, kinds=("stock", "ours"), **table):
    """Log, then write with write_ratio_table() (@table: its keyword
    arguments), @rows as run_sides() returns them: {row title: {kind: time
    or error}}, @kinds the reference's and ours."""
    for kind in kinds:
        log("%s: %s" % (kind, "; ".join("%s: %s" % (title, fmt_cell(cells.get(kind)))
                                        for title, cells in rows.items())))
    write_ratio_table([(title, cells.get(kinds[0]), cells.get(kinds[1]))
                       for title, cells in rows.items()], out, **table)


def write_ratio_table(rows, out, columns=("stock 9.0.0", "ours"), ratio="stock / ours",
                      digits=1, append=False):
    """Write and print the markdown table of (workload, reference, ours)
    @rows, with reference / ours ratios (@digits decimals); @columns name
    the two sides, @ratio the ratio's column.  A time is seconds; None is a
    time not measured (n/a); a string is the error of a side that could not
    do the workload, shown as "cannot: <error>".  With @append the table
    goes after those already in @out (a run's second table).

    The same rows also go to @out's .json (save_run()) and its plot to
    @out's .svg."""
    def fmt_ratio(ref, ours):
        if not all(isinstance(t, float) for t in (ref, ours)):
            return "n/a"
        return "%.*fx" % (digits, ref / ours)

    lines = ["| workload | %s | %s | %s |" % (columns[0], columns[1], ratio), "|---|---|---|---|"]
    for name, ref, ours in rows:
        lines.append("| %s | %s | %s | %s |" % (name, fmt_cell(ref), fmt_cell(ours),
                                                fmt_ratio(ref, ours)))
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "a" if append else "w") as f:
        f.write(("\n" if append else "") + text)
    print(text)
    save_run(out, [{"columns": list(columns), "ratio": ratio, "digits": digits,
                    "rows": [[name, ref, ours] for name, ref, ours in rows]}], append=append)


# when this run started: the harness is imported at the start of a bench
RUN_STARTED = datetime.datetime.now(datetime.timezone.utc)
LOAD_AT_START = None
try:
    with open("/proc/loadavg") as _f:
        LOAD_AT_START = " ".join(_f.read().split()[:3])
except OSError:
    pass


def run_commit():
    """The commit of the tree whose build is measured (short hash), with
    " + uncommitted changes in src/" when src/ differs from it, and the
    last commit that changed src/ (which a rebase of bench or docs
    commits leaves as it is)."""
    try:
        head = run(["git", "-C", TOP, "rev-parse", "--short", "HEAD"]).stdout.strip()
        src = run(["git", "-C", TOP, "log", "-1", "--format=%h", "HEAD", "--",
                   "src"]).stdout.strip()
        dirty = run(["git", "-C", TOP, "status", "--porcelain", "--", "src"]).stdout.strip()
    except (RuntimeError, OSError):
        return "unknown", "unknown"
    return head + (" + uncommitted changes in src/" if dirty else ""), src


# the tree as the run starts (a commit made during the run is not its)
RUN_COMMIT = run_commit()


def run_info():
    """What names a run: the bench and its arguments, date (UTC), commit
    (and the last commit of src/), load average at its start and end."""
    try:
        with open("/proc/loadavg") as f:
            load_end = " ".join(f.read().split()[:3])
    except OSError:
        load_end = None
    commit, src = RUN_COMMIT
    return {"bench": " ".join(["bench/" + os.path.basename(sys.argv[0])] + sys.argv[1:]),
            "date": RUN_STARTED.strftime("%Y-%m-%d %H:%M UTC"),
            "commit": commit,
            "src commit": src,
            "load average": "%s at the start, %s at the end" % (LOAD_AT_START, load_end),
            "nproc": os.cpu_count()}


def save_run(out, tables, append=False, extra=None):
    """Write @tables (each {"columns": [reference, ours], "ratio": title,
    "digits": the ratio's decimals, "rows": [[workload, reference time
    (seconds) or error (a string) or None, ours]]}) with run_info()
    and @extra (a dict) to @out's .json, after the tables already there if
    @append, and draw them into @out's .svg (bench/plot.py).  Returns the
    JSON's path.  A plot that cannot be drawn (no matplotlib) is logged: the
    JSON is kept, bench/plot.py can draw it later."""
    base = os.path.splitext(out)[0]
    doc = None
    if append:
        try:
            with open(base + ".json") as f:
                doc = json.load(f)
        except (OSError, ValueError):
            doc = None
    if doc is None:
        doc = run_info()
        doc["tables"] = []
    doc["tables"] += tables
    doc.update(extra or {})
    with open(base + ".json", "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    if plot is None:
        log("no plot (%s): draw it with bench/plot.py %s.json" % (_PLOT_ERROR, base))
        return base + ".json"
    try:
        plot.draw(doc, base + ".svg")
        log("wrote %s.json and %s.svg" % (base, base))
    except ValueError as e:
        log("no plot (%s): draw it with bench/plot.py %s.json" % (e, base))
    return base + ".json"
