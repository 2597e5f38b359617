#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/glusterpools.py: our gluster backend module against the stock one,
on the test Gluster server (tests/servers/gluster-up.sh).

Uses bench/benchlib.py's daemons (warnings-only logging).  Each side has
its own libvirtd loading only its libvirt_storage_backend_gluster.so; both
run at once, each with a pool on the same Gluster volume, and every
workload alternates which side goes first:

  start-100     pool-start (which refreshes) of a pool whose directory
                holds 100 files; the pool is destroyed between rounds
                (untimed); best of --reps.
  refresh-100   pool-refresh of that pool; best of --reps.
  refresh-1000  pool-refresh of a directory of 1,000 files; best of --reps.
  delete        one vol-delete, the mean of --deletes per side (files made
                through a FUSE mount, untimed).

The files are sparse raw files of 16 MiB and, every tenth, a qcow2 image,
written through a FUSE mount of the volume (as a client would).  A side
that cannot do a workload gets "cannot: <its error>" in the table.

    ninja -C build && /usr/bin/python3 bench/glusterpools.py [--reps N] [--out FILE]

Uses the server of $LVSB_GLUSTER_ENV if set, else starts one of its own on
a random 127.x.y.z and stops it at the end; the bench's volume is deleted
at the end.  Writes a markdown report (default
bench/results/gluster.md) for docs/benchmarks.md.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

from benchlib import (ERRORS, MiB, OUR_BACKEND_DIR, STOCK_BACKEND_DIR, Side, check_volumes,
                      cleanup, first_line, log, measure, run_sides, write_cells_table)

import glusterhelpers  # noqa: E402 (benchlib puts tests/integration in the path)

MODULE = "libvirt_storage_backend_gluster.so"


class GlusterSide(Side):
    def __init__(self, kind, backend_dir, workdir, server, volume):
        super().__init__(kind, backend_dir, workdir, [MODULE])
        self.server = server
        self.volume = volume

    def open_pool(self, subdir, start=True):
        xml = ("<pool type='gluster'><name>bench-%s</name><source><host name='%s'/>"
               "<name>%s</name><dir path='/%s'/></source></pool>"
               % (subdir, self.server.host, self.volume, subdir))
        self.pool = self.conn.storagePoolDefineXML(xml, 0)
        if start:
            self.pool.create(0)


def make_files(fuse, subdir, count, prefix="f"):
    """@count files in @subdir of the mounted volume: sparse 16 MiB raw
    files, every tenth a qcow2 image (a copy of one made by qemu-img)."""
    path = fuse.file(subdir)
    os.makedirs(path, exist_ok=True)
    template = os.path.join(path, ".template.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", template, "16M"],
                   check=True, timeout=60)
    for i in range(count):
        name = os.path.join(path, "%s%04d.%s" % (prefix, i, "qcow2" if i % 10 == 0 else "img"))
        if i % 10 == 0:
            shutil.copyfile(template, name)
        else:
            with open(name, "wb") as f:
                f.truncate(16 * MiB)
    os.unlink(template)


def bench_start_refresh(sides, fuse, count, reps):
    """{start title: cells, refresh title: cells} for a directory of
    @count files."""
    subdir = "d%d" % count
    make_files(fuse, subdir, count)
    rows = {}

    def setup(side):
        side.open_pool(subdir)
        check_volumes(side.pool, count)

    def restart(side, rep):
        side.pool.destroy()
        side.pool.create(0)

    try:
        if count <= 100:
            log("pool-start with %d files, best of %d" % (count, reps))
            rows["start"] = measure(sides, setup, reps, restart, min,
                                    lambda side: check_volumes(side.pool, count),
                                    Side.close_pool)
        log("pool-refresh of %d files, best of %d" % (count, reps))
        rows["refresh"] = measure(sides, setup, reps, lambda side, rep: side.pool.refresh(0),
                                  min, lambda side: check_volumes(side.pool, count),
                                  Side.close_pool)
    finally:
        cleanup(sides, Side.close_pool)
    return rows


def bench_delete(sides, fuse, deletes):
    """The mean time of one vol-delete, each side in a directory of its
    own."""
    def setup(side):
        make_files(fuse, "del-" + side.kind, deletes, prefix="x")
        side.open_pool("del-" + side.kind)
        check_volumes(side.pool, deletes)

    def delete_one(side, n):
        name = "x%04d.%s" % (n, "qcow2" if n % 10 == 0 else "img")
        side.pool.storageVolLookupByName(name).delete(0)

    log("vol-delete, %d per side" % deletes)
    cells = measure(sides, setup, deletes, delete_one, lambda t: sum(t) / len(t),
                    None, Side.close_pool)
    return cells


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--deletes", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results",
                                                  "gluster.md"))
    args = ap.parse_args()

    titles = ("pool-start, 100 files (best of %d)" % args.reps,
              "pool-refresh, 100 files (best of %d)" % args.reps,
              "pool-refresh, 1,000 files (best of %d)" % args.reps,
              "one `vol-delete` (mean of %d)" % args.deletes)
    gen = glusterhelpers.session_server()
    volume = None
    server = None
    try:
        server = next(gen)
        volume = server.make_volume()
        log("gluster volume %s on %s" % (volume, server.host))
        with tempfile.TemporaryDirectory(prefix="lvsb-bench-gluster-", dir="/var/tmp") as workdir:
            with glusterhelpers.FuseMount(server, volume, os.path.join(workdir, "fuse")) as fuse:
                sides = [GlusterSide(kind, moddir, workdir, server, volume)
                         for kind, moddir in (("stock", STOCK_BACKEND_DIR),
                                              ("ours", OUR_BACKEND_DIR))]

                def small(live):
                    cells = bench_start_refresh(live, fuse, 100, args.reps)
                    return {titles[0]: cells["start"], titles[1]: cells["refresh"]}

                rows = run_sides(sides, [
                    small,
                    lambda live: {titles[2]: bench_start_refresh(live, fuse, 1000,
                                                                 args.reps)["refresh"]},
                    lambda live: {titles[3]: bench_delete(live, fuse, args.deletes)}])
    except ERRORS + (subprocess.SubprocessError,) as e:
        error = "cannot run the test Gluster server: " + first_line(e)
        log(error)
        rows = {title: {"stock": error, "ours": error} for title in titles}
    finally:
        if server is not None and volume is not None:
            server.remove_volume(volume)
        gen.close()
    write_cells_table(rows, args.out)


if __name__ == "__main__":
    sys.exit(main())
