#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/logical.py: our logical (LVM) backend module against the stock one.

Runs inside the test VM (device-mapper), on three disks:

    LVSB_BUILD_DIR=build tests/vm/run.sh --disk 1024 --disk 256 --disk 256 -- \\
        /usr/bin/python3 bench/logical.py [--reps N] [--out FILE]

Uses bench/benchlib.py's daemons (warnings-only logging).  Two libvirtd
run at once, each loading only its side's libvirt_storage_backend_logical.so:

  refresh-500   pool-refresh of a VG (1 MiB extents, first disk) holding
                500 active 1 MiB LVs, made once with one `lvm` shell; both
                sides serve a pool on that same VG; best of --reps,
                alternating which side goes first.
  create-100    100 vol-create of 1 MiB LVs per side, each side in an empty
                VG of its own (second and third disks: lvm2 slows down with
                the VG's size, and stock lists the whole VG after each
                create; this times the backends, not lvm2 on a 500-LV VG),
                in rounds of 10, alternating which side goes first.
  delete-100    deleting those 100 volumes, in the same rounds.

A side that cannot do a workload gets "cannot: <its error>" in the table.
Writes a markdown table (default bench/results/logical.md) for
docs/benchmarks.md.
"""

import argparse
import os
import sys
import tempfile
import time

from benchlib import (ERRORS, MiB, OUR_BACKEND_DIR, STOCK_BACKEND_DIR, Side, check_volumes,
                      create_delete, first_line, log, measure, run, run_sides, write_cells_table)

MODULE = "libvirt_storage_backend_logical.so"
VG = "lvsbbench"


class LogicalSide(Side):
    def __init__(self, kind, backend_dir, workdir):
        super().__init__(kind, backend_dir, workdir, [MODULE])

    def open_pool(self, vg, disk):
        xml = ("<pool type='logical'><name>%s</name><source><device path='%s'/>"
               "<name>%s</name></source><target><path>/dev/%s</path></target></pool>"
               % (vg, disk, vg, vg))
        self.pool = self.conn.storagePoolDefineXML(xml, 0)
        self.pool.create(0)


def make_vg(disk, nlvs, vg=VG):
    run(["pvcreate", "-q", "-y", disk])
    run(["vgcreate", "-q", "-s", "1M", vg, disk])
    script = "".join("lvcreate -q -y -L 1M -n bench%03d %s\n" % (i, vg) for i in range(nlvs))
    run(["lvm"], input=script)
    run(["udevadm", "settle", "--timeout=120"], check=False)


def bench_refresh(sides, reps, disk, nlvs):
    """pool-refresh of the VG of @nlvs LVs, served by both sides at once,
    best of @reps alternating which side goes first."""
    def setup(side):
        side.open_pool(VG, disk)
        check_volumes(side.pool, nlvs)

    log("refresh of %d LVs, best of %d" % (nlvs, reps))
    return measure(sides, setup, reps, lambda side, rep: side.pool.refresh(0), min,
                   lambda side: check_volumes(side.pool, nlvs), Side.close_pool)


def vol_name(side, n):
    return "cd%s%03d" % (side.kind, n)


def bench_create_delete(sides, vgs):
    """100 vol-create of 1 MiB LVs per side, each in an empty VG of its
    own (@vgs: {kind: (VG, its disk)}), then deleting them, in rounds of 10
    alternating which side goes first; the time is the sum of the rounds."""
    def create_one(side, n):
        side.pool.createXML("<volume><name>%s</name><capacity>%d</capacity></volume>"
                            % (vol_name(side, n), MiB), 0)

    def delete_one(side, n):
        side.pool.storageVolLookupByName(vol_name(side, n)).delete(0)

    log("create + delete of 100 LVs")
    return create_delete(sides, lambda side: side.open_pool(*vgs[side.kind]), 100,
                         create_one, delete_one, Side.close_pool)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--lvs", type=int, default=500)
    disks = os.environ.get("LVSB_VM_DISKS", "").split() + [None, None, None]
    ap.add_argument("--disk", default=disks[0], help="for the VG of --lvs LVs")
    ap.add_argument("--disk2", default=disks[1], help="for stock's create/delete VG")
    ap.add_argument("--disk3", default=disks[2], help="for our create/delete VG")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "logical.md"))
    args = ap.parse_args()
    if not args.disk or not args.disk2 or not args.disk3:
        sys.exit("three disks needed: run inside tests/vm/run.sh --disk 1024 --disk 256 "
                 "--disk 256, or pass --disk, --disk2 and --disk3")
    cd_vgs = {"stock": (VG + "stock", args.disk2), "ours": (VG + "ours", args.disk3)}
    vgs = [(VG, args.disk)] + list(cd_vgs.values())

    titles = ("pool-refresh, VG with %d LVs (best of %d)" % (args.lvs, args.reps),
              "create 100 LVs (1 MiB each, `vol-create`)", "delete 100 LVs (`vol-delete`)")
    try:
        log("making %d LVs on %s" % (args.lvs, args.disk))
        t0 = time.monotonic()
        for vg, disk in vgs:
            make_vg(disk, args.lvs if vg == VG else 0, vg)
        log("made in %.1f s" % (time.monotonic() - t0))
        with tempfile.TemporaryDirectory(prefix="bench-logical-") as workdir:
            sides = [LogicalSide(kind, moddir, workdir)
                     for kind, moddir in (("stock", STOCK_BACKEND_DIR), ("ours", OUR_BACKEND_DIR))]
            rows = run_sides(sides, [
                lambda live: {titles[0]: bench_refresh(live, args.reps, args.disk, args.lvs)},
                lambda live: dict(zip(titles[1:], bench_create_delete(live, cd_vgs)))])
    except ERRORS as e:
        error = "cannot make the volume groups: " + first_line(e)
        log(error)
        rows = {title: {"stock": error, "ours": error} for title in titles}
    finally:
        for vg, disk in vgs:
            run(["vgremove", "-q", "-f", vg], check=False)
            run(["pvremove", "-q", "-y", disk], check=False)
    write_cells_table(rows, args.out)


if __name__ == "__main__":
    main()
