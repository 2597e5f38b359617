#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/glustervols.py: volumes of our gluster pools (libgfapi) against
those of a netfs pool of format glusterfs (our fs module, the volume
mounted through FUSE), on the test Gluster server
(tests/servers/gluster-up.sh), in the same run.

Stock libvirt 9.0's gluster backend cannot create, wipe, upload or
download volumes at all, so the reference here is the other way libvirt
reaches a Gluster volume.  Each side is a daemon of its own (benchlib's
Side) loading only its module of our build, with one pool on a Gluster
volume of its own; every workload alternates which side goes first and
keeps the best of --reps:

  create-1g    vol-create of a 1 GiB raw volume as the guide's
               vol-create-as makes it (allocation = capacity: reserved by
               fallocate), deleted again untimed;
  wipe-1g      vol-wipe (zero) of a 1 GiB volume full of data (uploaded
               again, untimed, before each round);
  upload-1g    virsh vol-upload of a 1 GiB file of random data;
  download-1g  virsh vol-download of that volume to a file.

    ninja -C build && /usr/bin/python3 bench/glustervols.py [--reps N] [--out FILE]

Uses the server of $LVSB_GLUSTER_ENV if set, else starts one of its own
on a random 127.x.y.z and stops it at the end.  Its files are in a
/var/tmp/lvsb-bench-gluster-* directory, removed at the end.  Writes a
markdown report (default bench/results/glustervols.md) for
docs/benchmarks.md.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

from benchlib import (ERRORS, GiB, MiB, OUR_BACKEND_DIR, Side, cleanup, first_line,
                      log, order, run, write_cells_table)

import glusterhelpers  # noqa: E402 (benchlib puts tests/integration in the path)

MODULES = {"netfs": "libvirt_storage_backend_fs.so",
           "gluster": "libvirt_storage_backend_gluster.so"}


class GlusterSide(Side):
    def __init__(self, kind, workdir, server):
        super().__init__(kind, OUR_BACKEND_DIR, workdir, [MODULES[kind]])
        self.server = server
        self.workdir = workdir
        self.volume = None

    def open_pool(self):
        self.volume = self.server.make_volume()
        name = "bench-" + self.kind
        if self.kind == "gluster":
            xml = ("<pool type='gluster'><name>%s</name><source><host name='%s'/>"
                   "<dir path='/'/><name>%s</name></source></pool>"
                   % (name, self.server.host, self.volume))
        else:
            target = os.path.join(self.workdir, "mnt-" + self.kind)
            os.makedirs(target, exist_ok=True)
            xml = glusterhelpers.netfs_xml(name, self.server.host, self.volume, target)
        self.pool = self.conn.storagePoolDefineXML(xml, 0)
        self.pool.create(0)

    def close_pool(self):
        super().close_pool()
        if self.volume:
            self.server.remove_volume(self.volume)
            self.volume = None

    def virsh(self, *args):
        res = subprocess.run(["virsh", "-c", self.daemon.uri] + [str(a) for a in args],
                             capture_output=True, text=True)
        if res.returncode != 0:
            lines = [ln.strip() for ln in res.stderr.splitlines() if ln.strip()]
            raise RuntimeError("; ".join(ln[len("error: "):] if ln.startswith("error: ")
                                         else ln for ln in lines)
                               or "virsh %s failed" % args[0])
        return res.stdout


def rounds(sides, reps, cells, before, call, check=lambda side: None):
    """Best of @reps of @call(side) on each side without an error in
    @cells, alternating which goes first; @before(side) and @check(side)
    untimed around each call.  @cells[kind] keeps the best time, or the
    side's error."""
    for rep in range(reps):
        for side in order(sides, rep):
            if isinstance(cells.get(side.kind), str):
                continue
            try:
                before(side)
                t0 = time.monotonic()
                call(side)
                dt = time.monotonic() - t0
                check(side)
            except ERRORS as e:
                cells[side.kind] = first_line(e)
                log("%s: cannot: %s" % (side.kind, cells[side.kind]))
                continue
            cells[side.kind] = min(dt, cells.get(side.kind, dt))


def write_random(path, size):
    with open("/dev/urandom", "rb") as src, open(path, "wb") as dst:
        left = size
        while left:
            chunk = src.read(min(left, 16 * MiB))
            dst.write(chunk)
            left -= len(chunk)


def same_files(a, b):
    return run(["cmp", "--silent", "--", a, b], check=False).returncode == 0


def drop_vol(side, name):
    try:
        side.pool.refresh(0)
        side.pool.storageVolLookupByName(name).delete(0)
    except ERRORS:
        pass


def bench(sides, reps, workdir):
    data = os.path.join(workdir, "data.raw")
    out = os.path.join(workdir, "out.raw")
    log("writing 1 GiB of random data")
    write_random(data, GiB)
    cells = {w: {} for w in ("create", "wipe", "upload", "download")}

    def drop_out():
        if os.path.exists(out):
            os.unlink(out)

    def create(side):
        side.virsh("vol-create-as", side.pool.name(), "new", "1G", "--format", "raw")

    def upload(side):
        side.virsh("vol-upload", "--pool", side.pool.name(), "vol", data)

    def download(side):
        side.virsh("vol-download", "--pool", side.pool.name(), "vol", out)

    def check_download(side):
        if not same_files(data, out):
            raise AssertionError("the downloaded file differs from the uploaded one")

    def wipe(side):
        side.pool.storageVolLookupByName("vol").wipe(0)

    def check_wiped(side):
        side.virsh("vol-download", "--pool", side.pool.name(), "vol", out,
                   "--offset", GiB - 16 * MiB)
        with open(out, "rb") as f:
            if f.read() != bytes(16 * MiB):
                raise AssertionError("the wiped volume does not read as zeros")

    try:
        ready = []
        for side in sides:
            try:
                side.open_pool()
                side.virsh("vol-create-as", side.pool.name(), "vol", "1G",
                           "--allocation", "0", "--format", "raw")
                ready.append(side)
            except ERRORS as e:
                for c in cells.values():
                    c[side.kind] = first_line(e)
                log("%s: cannot: %s" % (side.kind, first_line(e)))

        log("create of a 1 GiB volume, best of %d" % reps)
        rounds(ready, reps, cells["create"], lambda side: drop_vol(side, "new"), create)
        cleanup(ready, lambda side: drop_vol(side, "new"))
        log("upload of 1 GiB, best of %d" % reps)
        rounds(ready, reps, cells["upload"], lambda side: None, upload)
        log("download of 1 GiB, best of %d" % reps)
        rounds(ready, reps, cells["download"], lambda side: drop_out(), download,
               check_download)
        log("zero-wipe of a 1 GiB volume full of data, best of %d" % reps)
        rounds(ready, reps, cells["wipe"], upload, wipe, check_wiped)
    finally:
        drop_out()
        cleanup(sides, GlusterSide.close_pool)
        if os.path.exists(data):
            os.unlink(data)
    return cells


def write_table(rows, out):
    write_cells_table(dict(rows), out, kinds=("netfs", "gluster"),
                      columns=("netfs glusterfs (FUSE)", "gluster (libgfapi)"),
                      ratio="netfs / gluster", digits=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results",
                                                  "glustervols.md"))
    args = ap.parse_args()

    titles = {"create": "create a 1 GiB raw volume (`vol-create-as`, allocated; best of %d)" % args.reps,
              "wipe": "zero-wipe a 1 GiB volume full of data (`vol-wipe`, best of %d)" % args.reps,
              "upload": "upload 1 GiB (`virsh vol-upload`, best of %d)" % args.reps,
              "download": "download 1 GiB (`virsh vol-download`, best of %d)" % args.reps}
    gen = glusterhelpers.session_server()
    cells = {}
    try:
        server = next(gen)
        log("Gluster server on %s" % server.host)
        with tempfile.TemporaryDirectory(prefix="lvsb-bench-gluster-", dir="/var/tmp") as workdir:
            sides = [GlusterSide(kind, workdir, server) for kind in ("netfs", "gluster")]
            started = []
            try:
                for side in sides:
                    side.start()
                    started.append(side)
                cells = bench(started, args.reps, workdir)
            finally:
                cleanup(started, Side.stop)
    except ERRORS as e:
        error = "cannot run the test Gluster server: " + first_line(e)
        log(error)
        cells = {w: {"netfs": error, "gluster": error} for w in titles}
    finally:
        gen.close()
    write_table([(titles[w], cells.get(w, {})) for w in ("create", "wipe", "upload", "download")],
                args.out)


if __name__ == "__main__":
    sys.exit(main())
