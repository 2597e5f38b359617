#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/scsi.py: our scsi backend module against the stock one.

Runs inside the test VM (the host kernel has no SCSI):

    LVSB_BUILD_DIR=build tests/vm/run.sh -- /usr/bin/python3 bench/scsi.py [--reps N] [--out FILE]

Loads scsi_debug with one host of 4 targets of 16 LUNs (64 disks of 1 MiB)
and uses bench/benchlib.py's daemons (warnings-only logging).  Two libvirtd
run at once, each loading only its side's libvirt_storage_backend_scsi.so,
each serving a pool on that host (target /dev: scsi_debug LUNs have no
/dev/disk/by-path links):

  start-64     pool-start (the driver's refresh included) of the defined
               pool, best of --reps, alternating which side goes first;
               the pool is checked (64 volumes) and stopped, untimed.
  refresh-64   pool-refresh of the started pool, best of --reps.

Writes a markdown table (default bench/results/scsi.md) for
docs/benchmarks.md.
"""

import argparse
import glob
import os
import tempfile

from benchlib import (ERRORS, OUR_BACKEND_DIR, STOCK_BACKEND_DIR, Side, check_volumes,
                      first_line, log, measure, run, run_sides, write_cells_table)

MODULE = "libvirt_storage_backend_scsi.so"
TARGETS, LUNS = 4, 16


class SCSISide(Side):
    def __init__(self, kind, backend_dir, workdir):
        super().__init__(kind, backend_dir, workdir, [MODULE])

    def define_pool(self, host):
        xml = ("<pool type='scsi'><name>bench%s</name><source><adapter type='scsi_host' "
               "name='%s'/></source><target><path>/dev</path></target></pool>"
               % (self.kind, host))
        self.pool = self.conn.storagePoolDefineXML(xml, 0)


def debug_host():
    for path in glob.glob("/sys/class/scsi_host/host*"):
        with open(os.path.join(path, "proc_name")) as f:
            if f.read().strip() == "scsi_debug":
                return os.path.basename(path)
    raise RuntimeError("no scsi_debug host")


def bench_start(sides, reps, host, nluns):
    def setup(side):
        side.define_pool(host)

    def start(side, rep):
        side.pool.create(0)

    def check(side):
        check_volumes(side.pool, nluns)
        side.pool.destroy()

    log("pool-start of %d LUNs, best of %d" % (nluns, reps))
    return measure(sides, setup, reps, start, min, check, Side.close_pool)


def bench_refresh(sides, reps, host, nluns):
    def setup(side):
        side.define_pool(host)
        side.pool.create(0)
        check_volumes(side.pool, nluns)

    log("pool-refresh of %d LUNs, best of %d" % (nluns, reps))
    return measure(sides, setup, reps, lambda side, rep: side.pool.refresh(0), min,
                   lambda side: check_volumes(side.pool, nluns), Side.close_pool)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "scsi.md"))
    args = ap.parse_args()
    nluns = TARGETS * LUNS
    titles = ("pool-start, scsi_debug host with %d LUNs (best of %d)" % (nluns, args.reps),
              "pool-refresh, scsi_debug host with %d LUNs (best of %d)" % (nluns, args.reps))
    try:
        run(["modprobe", "scsi_debug", "add_host=1", "num_tgts=%d" % TARGETS,
             "max_luns=%d" % LUNS, "dev_size_mb=1"])
        run(["udevadm", "settle", "--timeout=120"], check=False)
        host = debug_host()
        with tempfile.TemporaryDirectory(prefix="bench-scsi-") as workdir:
            sides = [SCSISide(kind, moddir, workdir)
                     for kind, moddir in (("stock", STOCK_BACKEND_DIR), ("ours", OUR_BACKEND_DIR))]
            rows = run_sides(sides, [
                lambda live: {titles[0]: bench_start(live, args.reps, host, nluns)},
                lambda live: {titles[1]: bench_refresh(live, args.reps, host, nluns)}])
    except ERRORS as e:
        error = "cannot load scsi_debug: " + first_line(e)
        log(error)
        rows = {title: {"stock": error, "ours": error} for title in titles}
    finally:
        run(["udevadm", "settle", "--timeout=120"], check=False)
        run(["rmmod", "scsi_debug"], check=False)
    write_cells_table(rows, args.out)


if __name__ == "__main__":
    main()
