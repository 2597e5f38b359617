#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/run.py: our dir/fs backend module against the stock one.

Two isolated libvirtd daemons (tests/integration/testdaemon.py), the same
Debian binary, run side by side: one loads our modules (build/src/storage),
the other the stock ones.  Every workload runs on both in the same run,
alternating which goes first, and keeps the best (shortest) wall time of
its repetitions.  For each timed operation the daemon's peak RSS is reset
(/proc/PID/clear_refs = 5) and read back (VmHWM) afterwards; a poller also
records the peak RSS of any helper process the daemon spawns.

    /usr/bin/python3 bench/run.py [--only NAME[,NAME...]] [--reps N]
                                  [--out FILE] [--keep]

Writes a markdown report (default bench/results/latest.md) with the
machine, the table and per-workload notes; paste it into docs/benchmarks.md.
Next to it, latest.json holds the raw numbers and latest.svg their plot
(benchlib.save_run(), bench/plot.py).
"""

import argparse
import datetime
import os
import platform
import shutil
import tempfile
import time

import libvirt

from benchlib import (BUILD_DIR, GiB, MiB, OUR_BACKEND_DIR, STOCK_BACKEND_DIR, TOP,
                      MemWatch, Side, fmt_kib, fmt_time, log, median, order, run, save_run,
                      status_kib)
from poolhelpers import LoopDevice  # noqa: E402 (benchlib puts tests/integration in the path)

CHUNK = MiB
FS_MODULE = "libvirt_storage_backend_fs.so"


# ------------------------------------------------------------------ file data

PATTERN = os.urandom(CHUNK)


def write_pattern(path, size):
    """A file of @size bytes of (non-zero, incompressible) data, on disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        done = 0
        while done < size:
            done += os.write(fd, PATTERN[:min(CHUNK, size - done)])
        os.fsync(fd)
    finally:
        os.close(fd)


def make_sparse(path, size, data_at=(), data_len=MiB):
    """A sparse file of @size with @data_len bytes of data at each offset."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.ftruncate(fd, size)
        for off in data_at:
            os.pwrite(fd, PATTERN[:data_len], off)
        os.fsync(fd)
    finally:
        os.close(fd)


def allocated(path):
    return os.stat(path).st_blocks * 512


def same_as_pattern(path, size):
    with open(path, "rb") as f:
        done = 0
        while done < size:
            want = min(CHUNK, size - done)
            if f.read(want) != PATTERN[:want]:
                return False
            done += want
        return f.read(1) == b""


def all_zero(path):
    zero = bytes(CHUNK)
    with open(path, "rb") as f:
        while True:
            buf = f.read(CHUNK)
            if not buf:
                return True
            if buf != zero[:len(buf)]:
                return False


def raw_vol_xml(name, capacity, allocation):
    return ("<volume><name>%s</name><capacity unit='bytes'>%d</capacity>"
            "<allocation unit='bytes'>%d</allocation>"
            "<target><format type='raw'/></target></volume>"
            % (name, capacity, allocation))


def mib(n):
    return "%.1f MiB" % (n / MiB)


# ------------------------------------------------------------------ workloads

class Workload:
    """setup() once, then per repetition and side: before() untimed,
    run() timed, after() untimed (checks and cleanup); teardown() once."""

    name = None
    title = None
    reps = 5
    fs = None          # a loop-mounted file system the pool lives on

    def __init__(self, bench):
        self.bench = bench
        self.dir = None

    def pool_dir(self):
        if self.fs:
            return self.bench.mounts[self.fs]
        return os.path.join(self.bench.workdir, self.name)

    def setup(self):
        self.dir = self.pool_dir()
        os.makedirs(self.dir, exist_ok=True)

    def before(self, side, rep):
        pass

    def run(self, side):
        raise NotImplementedError

    def after(self, side, rep, info):
        pass

    def teardown(self):
        if not self.fs:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            for name in os.listdir(self.dir):
                if name != "lost+found":
                    os.unlink(os.path.join(self.dir, name))

    def vol_path(self, name):
        return os.path.join(self.dir, name)

    def lookup(self, side, name):
        side.pool.refresh(0)
        return side.pool.storageVolLookupByName(name)

    def delete_vol(self, side, name):
        try:
            self.lookup(side, name).delete(0)
        except libvirt.libvirtError:
            pass
        try:
            os.unlink(self.vol_path(name))
        except FileNotFoundError:
            pass


class Refresh(Workload):
    name = "refresh"
    title = "pool refresh, 10,000 files (5,000 raw + 5,000 qcow2)"
    count = 10000

    def setup(self):
        super().setup()
        raw = self.count // 2
        for i in range(raw):
            with open(os.path.join(self.dir, "raw%05d.img" % i), "wb") as f:
                f.truncate(MiB)
        seed = os.path.join(self.bench.workdir, "seed.qcow2")
        run(["qemu-img", "create", "-q", "-f", "qcow2", seed, "1G"])
        with open(seed, "rb") as f:
            data = f.read()
        for i in range(self.count - raw):
            with open(os.path.join(self.dir, "qcow%05d.qcow2" % i), "wb") as f:
                f.write(data)
        os.unlink(seed)
        os.sync()
        self.note = "raw files: 1 MiB sparse; qcow2: copies of a %d-byte empty 1 GiB image" \
            % len(data)

    def run(self, side):
        side.pool.refresh(0)

    def after(self, side, rep, info):
        n = side.pool.numOfVolumes()
        if n != self.count:
            raise RuntimeError("%s pool lists %d volumes, not %d" % (side.kind, n, self.count))


class CreateFull(Workload):
    name = "create"
    title = "vol-create, raw 1 GiB, allocation == capacity"
    reps = 5

    def run(self, side):
        side.pool.createXML(raw_vol_xml("full-" + side.kind, GiB, GiB), 0)

    def after(self, side, rep, info):
        path = self.vol_path("full-" + side.kind)
        try:
            if os.path.exists(path):
                alloc = allocated(path)
                if alloc < GiB:
                    raise RuntimeError("%s created only %s of 1 GiB" % (side.kind, mib(alloc)))
        finally:
            self.delete_vol(side, "full-" + side.kind)


class Wipe(Workload):
    name = "wipe"
    title = "vol-wipe (zero), 1 GiB fully written raw volume"
    reps = 5

    def before(self, side, rep):
        name = "wipe-" + side.kind
        write_pattern(self.vol_path(name), GiB)
        self.vol = self.lookup(side, name)

    def run(self, side):
        self.vol.wipePattern(libvirt.VIR_STORAGE_VOL_WIPE_ALG_ZERO, 0)

    def after(self, side, rep, info):
        path = self.vol_path("wipe-" + side.kind)
        if not os.path.exists(path):
            return
        try:
            if info is not None:
                size = os.path.getsize(path)
                if size < GiB or not all_zero(path):
                    raise RuntimeError("%s: the wiped volume is not 1 GiB of zeros" % side.kind)
                info["allocation after"] = mib(allocated(path))
                if size != GiB:
                    # stock writes vol->target.allocation bytes, which
                    # counts the file's metadata blocks too
                    info["size after"] = "1 GiB + %d bytes" % (size - GiB)
        finally:
            self.delete_vol(side, "wipe-" + side.kind)


class WipeCold(Wipe):
    """The same wipe with the volume's pages evicted from the page cache
    first (posix_fadvise DONTNEED on that file only), as for the disk of
    a VM that ran with cache=none: zeroing a cached file costs the kernel
    the invalidation of every cached page, an uncached one does not."""

    name = "wipe-cold"
    title = "vol-wipe (zero), 1 GiB fully written raw volume, not in the page cache"

    def before(self, side, rep):
        super().before(side, rep)
        fd = os.open(self.vol_path("wipe-" + side.kind), os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


class Upload(Workload):
    name = "upload"
    title = "vol-upload 1 GiB (virStream sendAll)"
    reps = 5

    def before(self, side, rep):
        name = "up-" + side.kind
        make_sparse(self.vol_path(name), GiB)
        self.vol = self.lookup(side, name)
        self.sent = 0

    def _chunk(self, stream, nbytes, opaque):
        want = min(nbytes, len(PATTERN), GiB - self.sent)
        # keep the file equal to PATTERN repeated: chunks never straddle it
        off = self.sent % len(PATTERN)
        want = min(want, len(PATTERN) - off)
        self.sent += want
        return PATTERN[off:off + want]

    def run(self, side):
        stream = side.conn.newStream(0)
        self.vol.upload(stream, 0, GiB, 0)
        stream.sendAll(self._chunk, None)
        stream.finish()

    def after(self, side, rep, info):
        name = "up-" + side.kind
        try:
            if info is not None and not same_as_pattern(self.vol_path(name), GiB):
                raise RuntimeError("%s: the uploaded volume differs from what was sent"
                                   % side.kind)
        finally:
            self.delete_vol(side, name)


class Download(Workload):
    name = "download"
    title = "vol-download 1 GiB (virStream recvAll)"
    reps = 5

    def setup(self):
        super().setup()
        write_pattern(self.vol_path("down.img"), GiB)

    def before(self, side, rep):
        self.vol = self.lookup(side, "down.img")
        self.got = 0

    def _sink(self, stream, buf, opaque):
        self.got += len(buf)
        return len(buf)

    def run(self, side):
        stream = side.conn.newStream(0)
        self.vol.download(stream, 0, GiB, 0)
        stream.recvAll(self._sink, None)
        stream.finish()
        return {"received": self.got}

    def after(self, side, rep, info):
        if info is not None and info["received"] != GiB:
            raise RuntimeError("%s: received %d bytes, not 1 GiB" % (side.kind, info["received"]))
        if info is not None:
            info["received"] = mib(info["received"])


SPARSE_AT = [i * 64 * MiB for i in range(16)]    # 16 x 1 MiB of data in 1 GiB


class SparseDownload(Workload):
    name = "sparse-download"
    title = "vol-download --sparse, 1 GiB holding 16 MiB of data"
    reps = 5

    def setup(self):
        super().setup()
        make_sparse(self.vol_path("sparse.img"), GiB, SPARSE_AT)

    def before(self, side, rep):
        self.vol = self.lookup(side, "sparse.img")
        self.data = self.holes = self.msgs = 0

    def _data(self, stream, buf, opaque):
        self.data += len(buf)
        self.msgs += 1
        return len(buf)

    def _hole(self, stream, length, opaque):
        self.holes += length
        return 0

    def run(self, side):
        stream = side.conn.newStream(0)
        self.vol.download(stream, 0, 0, libvirt.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)
        stream.sparseRecvAll(self._data, self._hole, None)
        stream.finish()
        return {"data": self.data, "holes": self.holes, "data msgs": self.msgs}

    def after(self, side, rep, info):
        if info is None:
            return
        if info["data"] + info["holes"] != GiB:
            raise RuntimeError("%s: data %d + holes %d != 1 GiB"
                               % (side.kind, info["data"], info["holes"]))
        info["data"] = mib(info["data"])
        info["holes"] = mib(info["holes"])


class SparseUpload(Workload):
    name = "sparse-upload"
    title = "vol-upload --sparse, 1 GiB holding 16 MiB of data"
    reps = 5

    def setup(self):
        super().setup()
        self.src = os.path.join(self.bench.workdir, "sparse-src.img")
        make_sparse(self.src, GiB, SPARSE_AT)

    def before(self, side, rep):
        name = "sup-" + side.kind
        make_sparse(self.vol_path(name), GiB)
        self.vol = self.lookup(side, name)
        self.fd = os.open(self.src, os.O_RDONLY)
        self.data = self.holes = 0

    def _read(self, stream, nbytes, fd):
        buf = os.read(fd, nbytes)
        self.data += len(buf)
        return buf

    def _where(self, stream, fd):
        cur = os.lseek(fd, 0, os.SEEK_CUR)
        if cur >= GiB:
            return [True, 0]        # the end: sparseSendAll stops here
        try:
            data = os.lseek(fd, cur, os.SEEK_DATA)
        except OSError:             # ENXIO: only a hole up to the end
            data = GiB
        if data > cur:
            os.lseek(fd, cur, os.SEEK_SET)
            return [False, data - cur]
        hole = os.lseek(fd, cur, os.SEEK_HOLE)
        os.lseek(fd, cur, os.SEEK_SET)
        return [True, hole - cur]

    def _skip(self, stream, length, fd):
        self.holes += length
        return os.lseek(fd, length, os.SEEK_CUR)

    def run(self, side):
        stream = side.conn.newStream(0)
        self.vol.upload(stream, 0, 0, libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM)
        stream.sparseSendAll(self._read, self._where, self._skip, self.fd)
        stream.finish()
        return {"data": self.data, "holes": self.holes}

    def after(self, side, rep, info):
        os.close(self.fd)
        name = "sup-" + side.kind
        path = self.vol_path(name)
        try:
            if info is not None:
                if os.path.getsize(path) != GiB:
                    raise RuntimeError("%s: volume is %d bytes after the sparse upload"
                                       % (side.kind, os.path.getsize(path)))
                with open(path, "rb") as f, open(self.src, "rb") as g:
                    for off in SPARSE_AT:
                        f.seek(off)
                        g.seek(off)
                        if f.read(MiB) != g.read(MiB):
                            raise RuntimeError("%s: data differs at %d" % (side.kind, off))
                info["data"] = mib(info["data"])
                info["holes"] = mib(info["holes"])
                info["allocation after"] = mib(allocated(path))
        finally:
            self.delete_vol(side, name)


class Clone(Workload):
    reps = 5
    flags = 0

    def setup(self):
        super().setup()
        write_pattern(self.vol_path("origin.img"), GiB)

    def before(self, side, rep):
        self.origin = self.lookup(side, "origin.img")

    def run(self, side):
        side.pool.createXMLFrom(raw_vol_xml("clone-" + side.kind, GiB, GiB), self.origin,
                                self.flags)

    def after(self, side, rep, info):
        name = "clone-" + side.kind
        try:
            if info is not None and not same_as_pattern(self.vol_path(name), GiB):
                raise RuntimeError("%s: the clone differs from its origin" % side.kind)
        finally:
            self.delete_vol(side, name)


class CloneExt4(Clone):
    name = "clone-ext4"
    title = "clone (createXMLFrom) 1 GiB raw, on ext4"
    fs = "ext4"


class CloneXfs(Clone):
    name = "clone-xfs"
    title = "clone (createXMLFrom) 1 GiB raw, on xfs"
    fs = "xfs"


class CloneXfsReflink(Clone):
    """Stock shares blocks only when asked (virsh vol-clone --reflink)."""

    name = "clone-xfs-reflink"
    title = "clone 1 GiB raw on xfs with VIR_STORAGE_VOL_CREATE_REFLINK (both share blocks)"
    fs = "xfs"
    flags = libvirt.VIR_STORAGE_VOL_CREATE_REFLINK


WORKLOADS = [Refresh, CreateFull, Wipe, WipeCold, Upload, Download, SparseDownload,
             SparseUpload, CloneExt4, CloneXfs, CloneXfsReflink]


# ----------------------------------------------------------- loop file systems

MKFS = {"ext4": ["mkfs.ext4", "-F", "-q"], "xfs": ["mkfs.xfs", "-f", "-q"]}


class LoopMount:
    """An image file of ours, attached to a loop device, formatted and
    mounted on the host before the daemons start (their private mount
    namespaces copy the host's mounts when they are created)."""

    def __init__(self, workdir, fstype, size=4 * GiB):
        self.fstype = fstype
        self.image = os.path.join(workdir, "loop-%s.img" % fstype)
        self.mnt = os.path.join(workdir, "mnt-" + fstype)
        self.mounted = False
        self.loop = LoopDevice(self.image, size // MiB)
        self.dev = self.loop.path
        run(MKFS[fstype] + [self.dev])
        os.makedirs(self.mnt, exist_ok=True)
        run(["mount", "-t", fstype, self.dev, self.mnt])
        self.mounted = True
        if fstype == "xfs":
            info = run(["xfs_info", self.mnt]).stdout
            self.opts = "reflink=1" if "reflink=1" in info else "reflink=0"
        else:
            self.opts = run(["findmnt", "-n", "-o", "OPTIONS", self.mnt]).stdout.strip()

    def close(self):
        if self.mounted:
            run(["umount", self.mnt], check=False)
            self.mounted = False
        self.loop.detach()      # only if still ours; removes the image


# --------------------------------------------------------------------- runner

class Bench:
    def __init__(self, args):
        self.args = args
        self.workdir = None
        self.loops = {}
        self.mounts = {}
        self.sides = []
        self.results = []

    def machine(self):
        def fs_of(path):
            return run(["findmnt", "-n", "-o", "FSTYPE,SOURCE", "-T", path]).stdout.strip()
        cpu = ""
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        mem = status = None
        with open("/proc/meminfo") as f:
            mem = f.readline().split()[1]
        status = run(["git", "-C", TOP, "status", "--porcelain", "src"], check=False).stdout
        return {
            "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "nproc": os.cpu_count(),
            "cpu": cpu,
            "memory": "%.1f GiB" % (int(mem) / (1024 * 1024)),
            "kernel": platform.release(),
            "libvirtd": run(["/usr/sbin/libvirtd", "--version"]).stdout.strip(),
            "workdir": "%s (%s)" % (self.workdir, fs_of(self.workdir)),
            "loop fs": ", ".join("%s on %s (%s)" % (lm.fstype, lm.dev, lm.opts)
                                 for lm in self.loops.values()) or "none",
            "our build": "%s, commit %s%s" % (
                BUILD_DIR,
                run(["git", "-C", TOP, "rev-parse", "--short", "HEAD"]).stdout.strip(),
                " + uncommitted changes in src/" if status.strip() else ""),
            "load average": " ".join(open("/proc/loadavg").read().split()[:3]),
            "daemon GLIBC_TUNABLES": self.args.glibc_tunables or "none (glibc defaults)",
        }

    def start(self, selected):
        self.workdir = tempfile.mkdtemp(prefix="lvsb-bench-", dir="/var/tmp")
        for w in selected:
            if w.fs and w.fs not in self.loops:
                self.loops[w.fs] = LoopMount(self.workdir, w.fs)
                self.mounts[w.fs] = self.loops[w.fs].mnt
        self.sides = [Side("stock", STOCK_BACKEND_DIR, self.workdir, [FS_MODULE]),
                      Side("ours", OUR_BACKEND_DIR, self.workdir, [FS_MODULE])]
        for side in self.sides:
            side.start(self.args.glibc_tunables)
        self.info = self.machine()

    def stop(self):
        for side in self.sides:
            try:
                side.stop()
            except Exception as e:     # noqa: BLE001 - keep cleaning up
                log("stopping %s: %s" % (side.kind, e))
        for lm in self.loops.values():
            lm.close()
        if self.workdir and not self.args.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def run_workload(self, w):
        reps = self.args.reps or w.reps
        res = {"name": w.name, "title": w.title, "reps": reps,
               "sides": {s.kind: {"times": [], "cpu": [], "faults": [], "peak_kib": 0, "growth_kib": 0, "helpers": {},
                                  "idle_first_kib": None, "idle_after_kib": None,
                                  "error": None, "info": None} for s in self.sides}}
        log("%s: setup" % w.name)
        w.setup()
        try:
            for side in self.sides:
                xml = ("<pool type='dir'><name>bench-%s</name><target><path>%s</path>"
                       "</target></pool>" % (w.name, w.dir))
                side.pool = side.conn.storagePoolCreateXML(xml, 0)
            for rep in range(reps):
                for side in order(self.sides, rep):
                    self.run_once(w, side, rep, res["sides"][side.kind])
        finally:
            for side in self.sides:
                if side.pool is not None:
                    try:
                        side.pool.destroy()
                    except libvirt.libvirtError:
                        pass
                    side.pool = None
            w.teardown()
        res["note"] = getattr(w, "note", None)
        return res

    def run_once(self, w, side, rep, out):
        if out["error"]:
            return
        info = None
        try:
            w.before(side, rep)
            os.sync()
            with MemWatch(side.pid) as mw:
                t0 = time.monotonic()
                try:
                    info = w.run(side) or {}
                finally:
                    elapsed = time.monotonic() - t0
            out["times"].append(elapsed)
            out["cpu"].append(mw.cpu)
            out["faults"].append(mw.faults)
            if out["idle_first_kib"] is None:
                out["idle_first_kib"] = mw.idle_kib
            out["peak_kib"] = max(out["peak_kib"], mw.peak_kib)
            out["growth_kib"] = max(out["growth_kib"], mw.peak_kib - mw.idle_kib)
            for comm, kib in mw.helpers.items():
                out["helpers"][comm] = max(out["helpers"].get(comm, 0), kib)
            log("%s %s rep %d: %.3f s (daemon CPU %.2f s, %d minor faults), "
                "peak RSS %d KiB (idle %d)%s"
                % (w.name, side.kind, rep + 1, elapsed, mw.cpu, mw.faults,
                   mw.peak_kib, mw.idle_kib,
                   (", helpers %s" % mw.helpers) if mw.helpers else ""))
        except (libvirt.libvirtError, RuntimeError, OSError) as e:
            out["error"] = str(e).strip().splitlines()[0]
            log("%s %s rep %d: ERROR %s" % (w.name, side.kind, rep + 1, out["error"]))
            if not side.alive():
                raise RuntimeError("%s libvirtd died:\n%s" % (side.kind, side.daemon.tail()))
        finally:
            try:
                w.after(side, rep, info)
            except (libvirt.libvirtError, RuntimeError, OSError) as e:
                out["error"] = out["error"] or str(e).strip().splitlines()[0]
                log("%s %s rep %d: CHECK FAILED %s" % (w.name, side.kind, rep + 1, e))
            if info is not None and out["info"] is None:
                out["info"] = info
            # the daemon's RSS once the call is over (a stream's end runs
            # on the daemon's side after the client's call returned)
            time.sleep(0.5)
            out["idle_after_kib"] = status_kib(side.pid, "VmRSS")


# --------------------------------------------------------------------- report

def fmt_idle(side):
    if side["idle_first_kib"] is None:
        return "-"
    return "%s → %s" % (fmt_kib(side["idle_first_kib"]), fmt_kib(side["idle_after_kib"]))


def fmt_rss(side):
    if not side["times"]:
        return "-"
    return "%s (+%s)" % (fmt_kib(side["peak_kib"]), fmt_kib(side["growth_kib"]))


def report(bench, results):
    lines = ["### Run of %s" % bench.info["date"], ""]
    for key, value in bench.info.items():
        lines.append("- %s: %s" % (key, value))
    lines += ["", "| workload | reps | stock best (median) | ours best (median) "
              "| stock / ours (best) | daemon CPU and minor faults, min: stock / ours "
              "| peak RSS (+growth): stock / ours "
              "| idle RSS before the first / after the last call: stock; ours | notes |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        st, ou = r["sides"]["stock"], r["sides"]["ours"]
        cells = []
        for s in (st, ou):
            if s["times"]:
                cells.append("%s (%s)" % (fmt_time(min(s["times"])), fmt_time(median(s["times"]))))
            else:
                cells.append("error" if s["error"] else "-")
        if st["times"] and ou["times"] and not st["error"] and not ou["error"]:
            ratio = min(st["times"]) / min(ou["times"])
            ratio_s = "**%.2fx**" % ratio if ratio >= 10 else "%.2fx" % ratio
            if ratio < 0.95:
                ratio_s += " (slower)"
            ratio_s += " (medians: %.2fx)" % (median(st["times"]) / median(ou["times"]))
        else:
            ratio_s = "n/a"
        cpu = " / ".join("%.2f s, %dk" % (min(s["cpu"]), min(s["faults"]) // 1000)
                         if s["cpu"] else "-" for s in (st, ou))
        notes = []
        for kind, s in (("stock", st), ("ours", ou)):
            if s["error"]:
                notes.append("%s: ERROR %s" % (kind, s["error"]))
            if s["info"]:
                notes.append("%s: %s" % (kind, ", ".join("%s %s" % kv for kv in s["info"].items())))
            if s["helpers"]:
                notes.append("%s helpers: %s" % (kind, ", ".join(
                    "%s %s" % (c, fmt_kib(k)) for c, k in s["helpers"].items())))
        if r.get("note"):
            notes.append(r["note"])
        lines.append("| %s | %d | %s | %s | %s | %s | %s / %s | %s; %s | %s |" % (
            r["name"], r["reps"], cells[0], cells[1], ratio_s, cpu,
            fmt_rss(st), fmt_rss(ou), fmt_idle(st), fmt_idle(ou),
            "; ".join(notes).replace("|", "/")))
    lines += ["", "Workloads:", ""]
    for r in results:
        lines.append("- `%s`: %s" % (r["name"], r["title"]))
    return "\n".join(lines) + "\n"


def best_table(results):
    """The best time of each side per workload (or its error), as
    benchlib.save_run() keeps and plots them."""
    rows = []
    for r in results:
        cells = []
        for kind in ("stock", "ours"):
            s = r["sides"][kind]
            cells.append(s["error"] if s["error"] else min(s["times"]) if s["times"] else None)
        rows.append(["%s (best of %d)" % (r["name"], r["reps"])] + cells)
    return {"columns": ["stock 9.0.0", "ours"], "ratio": "stock / ours", "digits": 2,
            "rows": rows}


def main():
    names = [w.name for w in WORKLOADS]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="comma-separated workloads: " + ", ".join(names))
    ap.add_argument("--reps", type=int, help="repetitions per side (default: per workload)")
    ap.add_argument("--out", default=os.path.join(TOP, "bench", "results", "latest.md"))
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--glibc-tunables", metavar="T",
                    help="GLIBC_TUNABLES for both daemons, e.g. glibc.malloc.mmap_threshold="
                    "4194304:glibc.malloc.trim_threshold=268435456 (see docs/benchmarks.md)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        ap.error("run as root: the benchmark starts its own libvirtd daemons")
    if not os.path.exists(os.path.join(OUR_BACKEND_DIR, "libvirt_storage_backend_fs.so")):
        ap.error("our modules are not built in %s (run ninja -C %s)" % (OUR_BACKEND_DIR, BUILD_DIR))
    wanted = args.only.split(",") if args.only else names
    unknown = set(wanted) - set(names)
    if unknown:
        ap.error("unknown workload(s): %s" % ", ".join(sorted(unknown)))

    bench = Bench(args)
    selected = [w(bench) for w in WORKLOADS if w.name in wanted]
    results = []
    try:
        bench.start(selected)
        for w in selected:
            try:
                results.append(bench.run_workload(w))
            except Exception as e:     # noqa: BLE001 - report and go on
                log("%s: ABORTED %s" % (w.name, e))
                if not all(s.alive() for s in bench.sides):
                    raise
    finally:
        bench.stop()
    text = report(bench, results)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    print(text)
    save_run(args.out, [best_table(results)], extra={"machine": bench.info, "results": results})


if __name__ == "__main__":
    main()
