# SPDX-License-Identifier: LGPL-2.1-or-later
"""Concurrency stress: 8 clients, each on its own connection to a daemon of
this test, create, upload, download, clone, wipe, resize, delete, vol-info
and pool-refresh at random on one pool (a dir pool, and a gpt disk pool on
a loop device with partition scanning) for STRESS_SECONDS of load.

The choices are seeded (the seed is printed; LVSB_STRESS_SEED repeats a
run, LVSB_STRESS_SECONDS makes it longer).  Data is checked with a model:
each client owns the volumes it created and keeps their expected bytes
(the known prefix of each volume: a new partition holds whatever the disk
held, a grown one too).  Only the owner writes a volume's data, but every
client may wipe, grow, delete, download and vol-info the others' volumes:

- while it holds the volume's model lock (the owner is idle): the effect is
  then known and applied to the model;
- while the owner's upload stream is open (the owner paused in the middle
  of it): with the stream guard such a call must be refused as "in use"
  (VIR_ERR_OPERATION_INVALID), or run after the stream was finished; one
  that succeeded between the stream's opening and its finish is a guard
  violation.

At the end: the daemon is alive; every surviving volume holds exactly its
model's bytes (read from the file or partition, not through the daemon) and
the pool lists exactly the surviving volumes; no call failed with an error
outside the allowed ones of its operation; the daemon's descriptors and
resident memory, measured with every client idle after a warm-up and again
at the end, did not grow beyond a fixed slack; no mount appeared in the
daemon's namespace and the loop device is gone after the test.
"""

import hashlib
import os
import random
import threading
import time
import traceback

import libvirt
import pytest

from conftest import BACKEND_DIRS
from poolhelpers import (LoopDevice, cleanup_pools, daemon_mounts, dir_pool_xml, loop_devices,
                         stream_download)
from test_pool_disk import table
import testdaemon

MiB = 1024 * 1024
KiB = 1024
THREADS = 8
STRESS_SECONDS = float(os.environ.get("LVSB_STRESS_SECONDS", "60"))
WARMUP_SECONDS = STRESS_SECONDS / 3
MAX_OWN_VOLUMES = 3

# Descriptors: counted with every client idle (the minimum of 5 samples
# over a second, so a descriptor opened by the refresh libvirt runs in a
# thread after each upload stream closes is not counted).  A leak in any
# operation would show once per call, hundreds of times; 4 covers what
# one call in flight can hold (a stream's descriptor, a directory, a
# helper's pipes) without hiding a leak.
FD_SLACK = 4
# Memory: VmRSS with every client idle after the warm-up (the first third
# of the load) and at the end.  glibc keeps freed memory in per-thread
# arenas (libvirtd has some 20 worker threads, streams move data in
# 256 KiB buffers), so an idle daemon's RSS is the high-water mark of
# what ran at once, which creeps up as rarer peaks of concurrency come.
# Measured on this project's machines (dir pool, 12 000 to 40 000 calls
# after the warm-up): RSS between 40 and 46 MiB under load, +5 to +7.5 MiB
# from the idle point after the warm-up to the end, flat over time (not
# growing with the calls).  A leak of 1 KiB per call over the 10 000
# calls of a 60 s run exceeds the slack.  Under AddressSanitizer (its
# quarantine keeps freed memory) RSS says nothing and is not checked.
RSS_SLACK_KIB = 12 * 1024
# A client whose call has not returned after this long means a stuck
# daemon: the test then prints libvirtd's backtraces, kills it and fails
# (the longest call of a normal run, under AddressSanitizer on 2 loaded
# cores, takes a few seconds).
STUCK_SECONDS = 180

E = libvirt


def _in_use(e):
    return e.get_error_code() == E.VIR_ERR_OPERATION_INVALID and "in use" in str(e)


def _jobs_running(e):
    return (e.get_error_code() == E.VIR_ERR_INTERNAL_ERROR
            and "asynchronous jobs running" in str(e))


def _code(*codes):
    return lambda e: e.get_error_code() in codes


# The errors each operation may end with; anything else fails the test.
# Calls on the owner's own volume, or on another's volume under its model
# lock, have nothing else running on that volume: only the pool's limits.
ALLOWED = {
    "dir": {
        "create": [], "clone": [], "upload": [], "download": [], "wipe": [],
        "resize": [], "delete": [], "info": [],
    },
    "disk": {
        # two clients chose the same next partition name, or a delete
        # changed which name comes next; or the disk is full
        "create": [_code(E.VIR_ERR_STORAGE_VOL_EXIST, E.VIR_ERR_INVALID_ARG,
                         E.VIR_ERR_OPERATION_INVALID)],
        "clone": [_code(E.VIR_ERR_STORAGE_VOL_EXIST, E.VIR_ERR_INVALID_ARG,
                        E.VIR_ERR_OPERATION_INVALID),
                  # libvirt's driver says so when the name is taken
                  lambda e: (e.get_error_code() == E.VIR_ERR_INTERNAL_ERROR
                             and "already in use" in str(e))],
        "upload": [], "download": [], "wipe": [],
        # the space after the partition is taken
        "resize": [_code(E.VIR_ERR_INVALID_ARG)],
        "delete": [], "info": [],
    },
}
# Calls racing an open upload stream: refused as in use, or, once the
# stream finished, the volume may be gone (a racing delete won).
RACING_ALLOWED = [_in_use, _code(E.VIR_ERR_NO_STORAGE_VOL)]
# vol-info of another's volume at any time: it may have been deleted.
PEEK_ALLOWED = [_code(E.VIR_ERR_NO_STORAGE_VOL)]
# pool-refresh at any time: a wipe, a build or a stream is running.
REFRESH_ALLOWED = [_jobs_running]


class Record:
    """A volume and its model: the expected bytes of its known prefix
    (data), its capacity (capacity >= len(data)).  Changed only by the
    holder of lock, and at the end of an upload by the owner for the calls
    that raced its stream."""

    def __init__(self, owner, name, capacity, data):
        self.owner = owner
        self.name = name
        self.capacity = capacity
        self.data = data
        self.gone = False
        self.broken = False     # bytes unknown after a failed upload
        self.lock = threading.Lock()
        self.cond = threading.Condition()
        self.stream_open = False
        self.inflight = 0
        self.racing = []        # (op, t_send, t_done, error or None)


class Stress:
    def __init__(self, daemon, backend, kind, pool_name, seed):
        self.daemon = daemon
        self.backend = backend
        self.kind = kind
        self.pool_name = pool_name
        self.seed = seed
        self.records = []
        self.reg_lock = threading.Lock()
        self.errors = []
        self.violations = []
        self.ops = {}
        self.stop = threading.Event()
        self.pause = threading.Event()
        self.arrived = threading.Barrier(THREADS + 1)
        self.resume = threading.Barrier(THREADS + 1)
        # stock has no stream guard (docs/parity.md vol-stream-guard): a
        # wipe or delete during an upload runs, and the data is not what
        # either client asked for; the racing calls are left out of its runs
        self.race_streams = backend == "ours"
        # stock's disk module makes the partition before it checks the
        # name and leaves it there (docs/parity.md
        # disk-bad-name-leaves-partition): its creates are serialised here
        self.create_lock = threading.Lock() if (kind == "disk" and backend == "stock") \
            else None
        # stock has no partition resize (docs/parity.md disk-resize) and
        # cannot delete a loopNpM partition (disk-delete-p-names)
        self.can_resize = not (kind == "disk" and backend == "stock")
        self.can_delete = not (kind == "disk" and backend == "stock")
        self.next_id = 0
        self.conns = {}
        self.disk = None
        self.target = None

    # ------------------------------------------------------------ bookkeeping

    def count(self, op):
        with self.reg_lock:
            self.ops[op] = self.ops.get(op, 0) + 1

    def check_error(self, op, e, allowed, where):
        if any(a(e) for a in allowed):
            self.count(op + " refused")
            return
        with self.reg_lock:
            self.errors.append("%s %s: [%s] %s" % (op, where, e.get_error_code(), e))

    def add(self, rec):
        with self.reg_lock:
            self.records.append(rec)

    def others(self, tid):
        with self.reg_lock:
            return [r for r in self.records if r.owner != tid and not r.gone and not r.broken]

    def alive(self):
        with self.reg_lock:
            return [r for r in self.records if not r.gone]

    def vol_path(self, name):
        if self.kind == "disk":
            return "/dev/" + name
        return os.path.join(self.target, name)

    def vol_xml(self, name, capacity, allocation=0):
        fmt = "<target><format type='raw'/></target>" if self.kind == "dir" else ""
        return ("<volume><name>%s</name><capacity unit='bytes'>%d</capacity>"
                "<allocation unit='bytes'>%d</allocation>%s</volume>"
                % (name, capacity, allocation, fmt))

    # ------------------------------------------------------------ the clients

    def run_client(self, tid):
        rng = random.Random("%d-%d" % (self.seed, tid))
        conn = libvirt.open(self.daemon.uri)
        self.conns[tid] = conn
        client = Client(self, tid, rng, conn)
        try:
            while not self.stop.is_set():
                if self.pause.is_set():
                    self.arrived.wait(timeout=STUCK_SECONDS)
                    self.resume.wait(timeout=STUCK_SECONDS)
                    continue
                client.step()
        except Exception:           # noqa: BLE001 - reported as a failure
            with self.reg_lock:
                self.errors.append("client %d stopped: %s" % (tid, traceback.format_exc()))
            self.arrived.abort()
            self.resume.abort()


class Client:
    def __init__(self, stress, tid, rng, conn):
        self.s = stress
        self.tid = tid
        self.rng = rng
        self.conn = conn
        self.mine = []

    def pool(self):
        return self.conn.storagePoolLookupByName(self.s.pool_name)

    def vol(self, rec):
        return self.pool().storageVolLookupByName(rec.name)

    # ------------------------------------------------------------ the choice

    def step(self):
        self.mine = [r for r in self.mine if not r.gone and not r.broken]
        rng = self.rng
        choice = rng.random()
        if choice < 0.15 and len(self.mine) < MAX_OWN_VOLUMES:
            return self.create()
        if choice < 0.55 and self.mine:
            return self.own_op(rng.choice(self.mine))
        if choice < 0.60:
            return self.refresh()
        if choice < 0.85:
            return self.race()
        return self.foreign()

    def own_op(self, rec):
        ops = ["upload"] * 4 + ["download"] * 2 + ["wipe", "info"]
        if self.s.can_delete:
            ops.append("delete")
        if len(self.mine) < MAX_OWN_VOLUMES:
            ops.append("clone")
        if self.s.can_resize:
            ops.append("resize")
        op = self.rng.choice(ops)
        if not rec.lock.acquire(timeout=STUCK_SECONDS):
            raise RuntimeError("volume %s stayed locked for %d s" % (rec.name, STUCK_SECONDS))
        try:
            if rec.gone:
                return
            getattr(self, op)(rec)
        finally:
            rec.lock.release()

    # ------------------------------------------------------------ own volumes

    def new_name(self):
        if self.s.kind == "dir":
            with self.s.reg_lock:
                self.s.next_id += 1
                return "t%d-%d.img" % (self.tid, self.s.next_id)
        # the next partition: the lowest number no volume has
        used = set()
        for name in self.pool().listVolumes():
            used.add(int(name.rsplit("p", 1)[1]))
        n = 1
        while n in used:
            n += 1
        return "%sp%d" % (self.s.disk.name, n)

    def _create(self, op, make):
        """make(name) -> virStorageVol; returns (name, vol) or None."""
        if self.s.create_lock:
            self.s.create_lock.acquire()
        try:
            name = self.new_name()
            try:
                return name, make(name)
            except libvirt.libvirtError as e:
                self.s.check_error(op, e, ALLOWED[self.s.kind][op], name)
                return None
        finally:
            if self.s.create_lock:
                self.s.create_lock.release()

    def capacity_of(self, vol):
        return vol.info()[1]

    def create(self):
        rng = self.rng
        if self.s.kind == "dir":
            capacity = rng.randint(16, 64) * 64 * KiB
            allocation = capacity if rng.random() < 0.3 else 0
        else:
            capacity = rng.randint(1, 4) * MiB
            allocation = 0
        made = self._create("create", lambda name: self.pool().createXML(
            self.s.vol_xml(name, capacity, allocation), 0))
        if not made:
            return
        name, vol = made
        self.s.count("create")
        real = self.capacity_of(vol)
        # a file starts as zeros; a partition holds what the disk held
        data = bytearray(real) if self.s.kind == "dir" else bytearray()
        rec = Record(self.tid, name, real, data)
        self.s.add(rec)
        self.mine.append(rec)

    def clone(self, src):
        made = self._create("clone", lambda name: self.pool().createXMLFrom(
            self.s.vol_xml(name, src.capacity), self.vol(src), 0))
        if not made:
            return
        name, vol = made
        self.s.count("clone")
        real = self.capacity_of(vol)
        data = bytearray(src.data)
        if self.s.kind == "dir":
            data.extend(bytes(real - len(data)))
        rec = Record(self.tid, name, real, data)
        self.s.add(rec)
        self.mine.append(rec)

    def upload(self, rec):
        rng = self.rng
        known = len(rec.data)
        offset = rng.randrange(0, min(known, rec.capacity - 4 * KiB) + 1, 4 * KiB)
        length = rng.randint(1, min(256, (rec.capacity - offset) // (4 * KiB))) * 4 * KiB
        data = rng.randbytes(length)
        pause = self.s.race_streams and rng.random() < 0.5
        st = self.conn.newStream(0)
        failed = None
        try:
            self.vol(rec).upload(st, offset, length, 0)
            with rec.cond:
                rec.stream_open = True
                t_open = time.monotonic()
                rec.racing = []
            half = length // 2
            st.send(data[:half])
            if pause:
                time.sleep(rng.uniform(0.02, 0.08))
            st.send(data[half:])
            with rec.cond:
                rec.stream_open = False
                t_close = time.monotonic()
            st.finish()
        except libvirt.libvirtError as e:
            failed = drop_traceback(e)
            with rec.cond:
                rec.stream_open = False
                t_close = time.monotonic()
            try:
                st.abort()
            except libvirt.libvirtError:
                pass
        with rec.cond:
            if not rec.cond.wait_for(lambda: rec.inflight == 0, timeout=STUCK_SECONDS):
                raise RuntimeError("calls racing the upload of %s never ended" % rec.name)
            racing = rec.racing
            rec.racing = []
        if failed:
            self.s.check_error("upload", failed, ALLOWED[self.s.kind]["upload"], rec.name)
            rec.broken = True       # its bytes are unknown now: not checked
            return
        self.s.count("upload")
        rec.data[offset:offset + length] = data
        self.apply_racing(rec, racing, t_open, t_close)

    def apply_racing(self, rec, racing, t_open, t_close):
        """The calls that raced the stream, in the order the guard allows:
        after the upload."""
        wiped = False
        grown = 0
        for op, t_send, t_done, err in racing:
            if err is not None:
                allowed = RACING_ALLOWED
                if op == "grow":
                    allowed = allowed + ALLOWED[self.s.kind]["resize"]
                self.s.check_error("racing " + op, err, allowed, rec.name)
                continue
            self.s.count("racing " + op + " after the stream")
            if t_send > t_open and t_done < t_close:
                self.s.violations.append(
                    "%s of %s succeeded while its upload stream was open "
                    "(sent %.3f s after the stream opened, done %.3f s before its finish)"
                    % (op, rec.name, t_send - t_open, t_close - t_done))
            if op == "delete":
                rec.gone = True
            elif op == "wipe":
                wiped = True
            elif op == "grow":
                grown += MiB
        if rec.gone:
            return
        if wiped:
            rec.data = bytearray(rec.capacity)
        if grown:
            rec.capacity += grown
            if self.s.kind == "dir":
                rec.data.extend(bytes(grown))
        if wiped or grown:
            self.check_capacity(rec, "after the racing calls")

    def download(self, rec):
        want = bytes(rec.data)
        if not want:
            return
        try:
            got = self.read(rec, len(want))
        except libvirt.libvirtError as e:
            self.s.check_error("download", e, ALLOWED[self.s.kind]["download"], rec.name)
            return
        self.s.count("download")
        if got != want:
            self.s.violations.append("download of %s: %s" % (rec.name, diff(got, want)))

    def read(self, rec, length):
        return stream_download(self.conn, self.vol(rec), 0, length)

    def wipe(self, rec, op="wipe"):
        try:
            self.vol(rec).wipe(0)
        except libvirt.libvirtError as e:
            self.s.check_error(op, e, ALLOWED[self.s.kind]["wipe"], rec.name)
            return
        self.s.count(op)
        rec.data = bytearray(rec.capacity)

    def resize(self, rec, op="resize"):
        rng = self.rng
        if self.s.kind == "dir":
            capacity = rng.randint(16, 64) * 64 * KiB
        else:
            capacity = rng.randint(1, 5) * MiB
        if op == "grow":
            capacity = rec.capacity + MiB
        flags = libvirt.VIR_STORAGE_VOL_RESIZE_SHRINK if capacity < rec.capacity else 0
        allowed = ALLOWED[self.s.kind]["resize"]
        if flags:
            # libvirt's driver: "can't shrink capacity below existing
            # allocation" (written blocks count)
            allowed = allowed + [_code(E.VIR_ERR_INVALID_ARG)]
        try:
            self.vol(rec).resize(capacity, flags)
        except libvirt.libvirtError as e:
            self.s.check_error(op, e, allowed, rec.name)
            return
        self.s.count(op)
        del rec.data[capacity:]
        if self.s.kind == "dir" and capacity > len(rec.data):
            rec.data.extend(bytes(capacity - len(rec.data)))
        rec.capacity = capacity
        self.check_capacity(rec, "after " + op)

    def delete(self, rec, op="delete"):
        try:
            self.vol(rec).delete(0)
        except libvirt.libvirtError as e:
            self.s.check_error(op, e, ALLOWED[self.s.kind]["delete"], rec.name)
            return
        self.s.count(op)
        rec.gone = True

    def info(self, rec, op="info"):
        try:
            self.check_capacity(rec, op)
        except libvirt.libvirtError as e:
            self.s.check_error(op, e, ALLOWED[self.s.kind]["info"], rec.name)
            return
        self.s.count(op)

    def check_capacity(self, rec, when):
        capacity = self.vol(rec).info()[1]
        if capacity != rec.capacity:
            self.s.violations.append("%s has capacity %d %s, expected %d"
                                     % (rec.name, capacity, when, rec.capacity))
            rec.capacity = capacity

    # ------------------------------------------------------------ the others'

    def refresh(self):
        try:
            self.pool().refresh(0)
        except libvirt.libvirtError as e:
            self.s.check_error("refresh", e, REFRESH_ALLOWED, self.s.pool_name)
            return
        self.s.count("refresh")

    def foreign(self):
        """A call on another client's volume while holding its model lock
        (the owner is idle), or a vol-info at any time."""
        others = self.s.others(self.tid)
        if not others:
            return
        rec = self.rng.choice(others)
        ops = ["wipe", "info", "download"]
        if self.s.can_delete:
            ops.append("delete")
        if self.s.can_resize:
            ops.append("grow")
        op = self.rng.choice(ops)
        if not rec.lock.acquire(blocking=False):
            try:
                self.vol(rec).info()
                self.s.count("peek")
            except libvirt.libvirtError as e:
                self.s.check_error("peek", e, PEEK_ALLOWED, rec.name)
            return
        try:
            if rec.gone:
                return
            if op == "grow":
                self.resize(rec, "grow")
            elif op == "download":
                self.download(rec)
            elif op == "wipe":
                self.wipe(rec, "foreign wipe")
            elif op == "delete":
                self.delete(rec, "foreign delete")
            else:
                self.info(rec, "foreign info")
        finally:
            rec.lock.release()

    def race(self):
        """A wipe, grow, delete or download of another client's volume
        whose upload stream is open."""
        if not self.s.race_streams:
            return self.foreign()
        streaming = [r for r in self.s.others(self.tid) if r.stream_open]
        if not streaming:
            time.sleep(0.002)
            return
        rec = self.rng.choice(streaming)
        ops = ["wipe", "delete", "download"]
        if self.s.can_resize:
            ops.append("grow")
        op = self.rng.choice(ops)
        with rec.cond:
            if not rec.stream_open or rec.gone:
                return
            rec.inflight += 1
        err = None
        t_send = time.monotonic()
        try:
            vol = self.vol(rec)
            t_send = time.monotonic()
            if op == "wipe":
                vol.wipe(0)
            elif op == "delete":
                vol.delete(0)
            elif op == "grow":
                vol.resize(MiB, libvirt.VIR_STORAGE_VOL_RESIZE_DELTA)
            else:
                self.read(rec, min(len(rec.data), MiB) or 4096)
        except libvirt.libvirtError as e:
            err = drop_traceback(e)
        t_done = time.monotonic()
        with rec.cond:
            rec.racing.append((op, t_send, t_done, err))
            rec.inflight -= 1
            rec.cond.notify_all()


def drop_traceback(e):
    """@e, kept for later without its traceback: the traceback's frames
    hold libvirt objects in a reference cycle, and when the garbage
    collector frees them (virStorageVolFree, virStreamFree) in another
    client's thread between a failed call and python-libvirt's reading of
    the error, that thread's error is reset and its libvirtError has no
    code."""
    e.__traceback__ = None
    return e


def diff(got, want):
    if len(got) != len(want):
        return "%d bytes read, %d expected" % (len(got), len(want))
    first = next(i for i in range(len(want)) if got[i] != want[i])
    return "differs from byte %d on" % first


def sha(data):
    return hashlib.sha256(data).hexdigest()


def read_path(path, length):
    with open(path, "rb") as f:
        return f.read(length)


def fd_count(pid):
    """The fewest descriptors libvirtd holds over a second, clients idle."""
    counts = []
    for _ in range(5):
        counts.append(len(os.listdir("/proc/%d/fd" % pid)))
        time.sleep(0.2)
    return min(counts)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for %d" % pid)


def sanitized(pid):
    """Whether libvirtd runs with the AddressSanitizer runtime loaded."""
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


def stuck(daemon, why):
    """Fail the test on a stuck daemon: libvirtd's backtraces and log,
    then the daemon killed, so that no cleanup call waits on it."""
    stacks = daemon.stacks()
    log = daemon.tail()
    daemon.kill()
    pytest.fail("%s; libvirtd's threads:\n%s\nits log:\n%s" % (why, stacks, log))


# ------------------------------------------------------------------ the test

@pytest.fixture
def stress_daemon(backend):
    """A daemon of this test only: its descriptors and memory are the
    stress test's alone."""
    d = testdaemon.TestDaemon(BACKEND_DIRS[backend])
    d.start()
    conn = libvirt.open(d.uri)
    conn.listAllStoragePools()
    conn.close()
    try:
        yield d
    finally:
        if d.proc.poll() is None:
            cleanup_pools(d.uri)
        d.stop()


@pytest.mark.parametrize("kind", ["dir", "disk"])
def test_stress(stress_daemon, backend, kind, tmp_path):
    daemon = stress_daemon
    seed = int(os.environ.get("LVSB_STRESS_SEED", random.randrange(1 << 32)))
    print("\nstress seed %d (LVSB_STRESS_SEED=%d repeats it), %s s of load"
          % (seed, seed, STRESS_SECONDS))
    conn = libvirt.open(daemon.uri)
    disk = None
    try:
        if kind == "dir":
            target = str(tmp_path / "pool")
            os.mkdir(target)
            pool = conn.storagePoolCreateXML(dir_pool_xml("stress", target), 0)
        else:
            disk = LoopDevice(str(tmp_path / "disk.img"), 256, partscan=True)
            pool = conn.storagePoolCreateXML(
                "<pool type='disk'><name>stress</name><source><device path='%s'/>"
                "<format type='gpt'/></source><target><path>/dev</path></target></pool>"
                % disk.path, libvirt.VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE)
        mounts_before = sorted((m["target"], m["source"]) for m in daemon_mounts(daemon))

        s = Stress(daemon, backend, kind, "stress", seed)
        s.disk = disk
        s.target = target if kind == "dir" else None
        threads = [threading.Thread(target=s.run_client, args=(tid,), daemon=True)
                   for tid in range(THREADS)]
        for t in threads:
            t.start()

        # warm-up, then the first measure with every client idle
        time.sleep(WARMUP_SECONDS)
        s.pause.set()
        try:
            s.arrived.wait(timeout=STUCK_SECONDS)
        except threading.BrokenBarrierError:
            if not s.errors:
                stuck(daemon, "the clients did not all pause in %d s" % STUCK_SECONDS)
            pytest.fail("a client stopped:\n" + "\n".join(s.errors[:20]))
        ops_warm = sum(s.ops.values())
        fds_warm = fd_count(daemon.pid)
        rss_warm = rss_kib(daemon.pid)
        s.pause.clear()
        s.resume.wait(timeout=STUCK_SECONDS)

        # the load; every 10 s the calls made and VmRSS (shown with -s)
        end = time.monotonic() + STRESS_SECONDS - WARMUP_SECONDS
        while time.monotonic() < end:
            time.sleep(min(10, max(0, end - time.monotonic())))
            print("  %d calls, VmRSS %d KiB" % (sum(s.ops.values()), rss_kib(daemon.pid)))
        s.stop.set()
        deadline = time.monotonic() + STUCK_SECONDS
        for t in threads:
            t.join(timeout=max(0, deadline - time.monotonic()))
        if any(t.is_alive() for t in threads):
            stuck(daemon, "a client did not stop in %d s" % STUCK_SECONDS)
        fds_end = fd_count(daemon.pid)
        rss_end = rss_kib(daemon.pid)
        print("calls: %s" % ", ".join("%s %d" % kv for kv in sorted(s.ops.items())))
        print("daemon descriptors %d -> %d, VmRSS %d -> %d KiB over %d calls after the warm-up"
              % (fds_warm, fds_end, rss_warm, rss_end, sum(s.ops.values()) - ops_warm))

        assert daemon.proc.poll() is None, "libvirtd died:\n" + daemon.tail()
        assert not s.errors, "unexpected errors (seed %d):\n%s" % (seed, "\n".join(s.errors[:20]))
        assert not s.violations, "wrong data or guard violations (seed %d):\n%s" % (
            seed, "\n".join(s.violations[:20]))

        # the surviving volumes: listed, and holding their model's bytes
        pool.refresh(0)
        alive = s.alive()
        assert sorted(pool.listVolumes()) == sorted(r.name for r in alive)
        if kind == "dir":
            assert sorted(os.listdir(s.target)) == sorted(r.name for r in alive)
        else:
            on_disk = sorted("%sp%s" % (disk.name, p[0]) for p in table(disk.path)[1])
            assert on_disk == sorted(r.name for r in alive)
        for rec in alive:
            if rec.broken:
                continue
            vol = pool.storageVolLookupByName(rec.name)
            assert vol.info()[1] == rec.capacity, rec.name
            got = read_path(s.vol_path(rec.name), len(rec.data))
            assert sha(got) == sha(bytes(rec.data)), "%s: %s" % (rec.name, diff(got, rec.data))
        assert s.ops.get("upload", 0) and s.ops.get("download", 0), "no data moved"

        assert fds_end <= fds_warm + FD_SLACK, \
            "libvirtd holds %d descriptors, %d after the warm-up" % (fds_end, fds_warm)
        if not sanitized(daemon.pid):
            assert rss_end <= rss_warm + RSS_SLACK_KIB, \
                "libvirtd's VmRSS grew from %d to %d KiB" % (rss_warm, rss_end)
        mounts_after = sorted((m["target"], m["source"]) for m in daemon_mounts(daemon))
        assert mounts_after == mounts_before
        for c in s.conns.values():
            c.close()
        pool.destroy()
        if disk:
            disk.detach()
            backing = [b for b in loop_devices().values() if b]
            assert not [b for b in backing if b.startswith(disk.image)], "the loop device is left"
    finally:
        conn.close()
        cleanup_pools(daemon.uri)
        if disk:
            disk.detach()
