#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/logical.py: our logical (LVM) backend module against the stock one.

Runs inside the test VM (device-mapper):

    LVSB_BUILD_DIR=build tests/vm/run.sh --disk 1024 -- \\
        /usr/bin/python3 bench/logical.py [--reps N] [--out FILE]

Uses bench/benchlib.py's daemons (warnings-only logging).  One libvirtd per
side loads only its libvirt_storage_backend_logical.so:

  refresh-500   pool-refresh of a VG (1 MiB extents, first disk) holding
                500 active 1 MiB LVs, made once with one `lvm` shell; both
                sides serve a pool on that same VG; best of --reps.
  create-100    100 vol-create of 1 MiB LVs in an empty VG on the second
                disk (lvm2 itself slows down with the VG's size; this
                times the backends, not lvm2 on a 500-LV VG).
  delete-100    deleting those 100 volumes.

Writes a markdown table (default bench/results/logical.md) for
docs/benchmarks.md.
"""

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import OUR_BACKEND_DIR, STOCK_BACKEND_DIR, MiB, Side, best_of, log, run, write_ratio_table  # noqa: E402

MODULE = "libvirt_storage_backend_logical.so"
VG = "lvsbbench"


class LogicalSide(Side):
    def __init__(self, kind, backend_dir, workdir, disk, vg=None):
        super().__init__(kind, backend_dir, workdir, [MODULE])
        self.disk = disk
        self.vg = vg or VG

    def start(self):
        super().start()
        xml = ("<pool type='logical'><name>%s</name><source><device path='%s'/>"
               "<name>%s</name></source><target><path>/dev/%s</path></target></pool>"
               % (self.vg, self.disk, self.vg, self.vg))
        self.pool = self.conn.storagePoolDefineXML(xml, 0)
        self.pool.create(0)


def make_vg(disk, nlvs, vg=VG):
    run(["pvcreate", "-q", "-y", disk])
    run(["vgcreate", "-q", "-s", "1M", vg, disk])
    script = "".join("lvcreate -q -y -L 1M -n bench%03d %s\n" % (i, vg) for i in range(nlvs))
    run(["lvm"], input=script)
    run(["udevadm", "settle", "--timeout=120"], check=False)


def bench_refresh(side, reps, nlvs):
    best = best_of(reps, lambda: side.pool.refresh(0))
    n = side.pool.numOfVolumes()
    assert n == nlvs, "%s sees %d volumes" % (side.kind, n)
    return best


def bench_create_delete(side):
    t0 = time.monotonic()
    for n in range(100):
        side.pool.createXML("<volume><name>cd%s%03d</name><capacity>%d</capacity></volume>"
                            % (side.kind, n, MiB), 0)
    create = time.monotonic() - t0
    t0 = time.monotonic()
    for n in range(100):
        side.pool.storageVolLookupByName("cd%s%03d" % (side.kind, n)).delete(0)
    return create, time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--lvs", type=int, default=500)
    disks = os.environ.get("LVSB_VM_DISKS", "").split() + [None, None]
    ap.add_argument("--disk", default=disks[0])
    ap.add_argument("--disk2", default=disks[1])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "logical.md"))
    args = ap.parse_args()
    if not args.disk or not args.disk2:
        sys.exit("two disks needed: run inside tests/vm/run.sh --disk 1024 --disk 256, "
                 "or pass --disk and --disk2")

    log("making %d LVs on %s" % (args.lvs, args.disk))
    t0 = time.monotonic()
    make_vg(args.disk, args.lvs)
    make_vg(args.disk2, 0, VG + "cd")
    log("made in %.1f s" % (time.monotonic() - t0))
    results = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-logical-") as workdir:
            for kind, moddir in (("stock", STOCK_BACKEND_DIR), ("ours", OUR_BACKEND_DIR)):
                side = LogicalSide(kind, moddir, workdir, args.disk)
                side.start()
                try:
                    log("%s: refresh of %d LVs" % (kind, args.lvs))
                    results[kind] = [bench_refresh(side, args.reps, args.lvs)]
                finally:
                    side.stop()
            for kind, moddir in (("stock", STOCK_BACKEND_DIR), ("ours", OUR_BACKEND_DIR)):
                side = LogicalSide(kind + "cd", moddir, workdir, args.disk2, VG + "cd")
                side.start()
                try:
                    log("%s: create + delete of 100 LVs" % kind)
                    results[kind] += bench_create_delete(side)
                finally:
                    side.stop()
    finally:
        for vg, disk in ((VG, args.disk), (VG + "cd", args.disk2)):
            run(["vgremove", "-q", "-f", vg], check=False)
            run(["pvremove", "-q", "-y", disk], check=False)

    s, o = results["stock"], results["ours"]
    rows = [
        ("pool-refresh, VG with %d LVs (best of %d)" % (args.lvs, args.reps), s[0], o[0]),
        ("create 100 LVs (1 MiB each, `vol-create`)", s[1], o[1]),
        ("delete 100 LVs (`vol-delete`)", s[2], o[2]),
    ]
    write_ratio_table(rows, args.out)


if __name__ == "__main__":
    main()
