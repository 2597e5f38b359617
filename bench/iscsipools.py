#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/iscsipools.py: our iscsi backend module against the stock one.

Runs inside the test VM (the kernel's iSCSI initiator):

    LVSB_BUILD_DIR=build tests/vm/run.sh -- /usr/bin/python3 bench/iscsipools.py [--reps N] [--out FILE]

Starts iscsid and a tgtd target on 127.0.0.1:3260 with --luns file-backed
LUNs (4 MiB each, in guest memory), then two libvirtd (bench/benchlib.py),
each loading only its side's libvirt_storage_backend_iscsi.so, each with a
pool on that target:

  start-refresh  pool-start (login, then the driver's refresh: LUN scan,
                 udev links, one volume per LUN), checked to list every LUN,
                 then pool-destroy (logout, untimed); best of --reps,
                 alternating which side goes first.
  refresh        pool-refresh of the active pool, best of --reps.

Only one side is logged in at a time.  Writes a markdown table (default
bench/results/iscsipools.md) for docs/benchmarks.md.
"""

import argparse
import os
import subprocess
import tempfile
import time

from benchlib import (ERRORS, MiB, OUR_BACKEND_DIR, STOCK_BACKEND_DIR, Side, check_volumes,
                      log, measure, run, run_sides, write_cells_table)

MODULE = "libvirt_storage_backend_iscsi.so"
TARGET = "iqn.2026-12.org.lvsb.bench:luns"
TGT_CONTROL_PORT = "7"


def tgtadm(*args):
    run(["tgtadm", "-C", TGT_CONTROL_PORT, "--lld", "iscsi"] + [str(a) for a in args])


def start_target(workdir, nluns):
    run(["modprobe", "iscsi_tcp"])
    if not os.path.exists("/run/iscsid.pid"):
        run(["iscsid"])
    proc = subprocess.Popen(["tgtd", "-f", "-C", TGT_CONTROL_PORT,
                             "--iscsi", "portal=127.0.0.1:3260"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while subprocess.run(["tgtadm", "-C", TGT_CONTROL_PORT, "--op", "show", "--mode", "system"],
                         capture_output=True).returncode != 0:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("tgtd did not start")
        time.sleep(0.2)
    tgtadm("--op", "new", "--mode", "target", "--tid", 1, "-T", TARGET)
    for lun in range(1, nluns + 1):
        path = os.path.join(workdir, "lun%02d.img" % lun)
        with open(path, "wb") as f:
            f.truncate(4 * MiB)
        tgtadm("--op", "new", "--mode", "logicalunit", "--tid", 1, "--lun", lun, "-b", path)
    tgtadm("--op", "bind", "--mode", "target", "--tid", 1, "-I", "ALL")
    return proc


def stop_target(proc):
    subprocess.run(["iscsiadm", "-m", "node", "-T", TARGET, "--logout"], capture_output=True)
    subprocess.run(["iscsiadm", "-m", "node", "-T", TARGET, "-o", "delete"], capture_output=True)
    subprocess.run(["tgtadm", "-C", TGT_CONTROL_PORT, "--lld", "iscsi", "--op", "delete",
                    "--force", "--mode", "target", "--tid", "1"], capture_output=True)
    subprocess.run(["tgtadm", "-C", TGT_CONTROL_PORT, "--op", "delete", "--mode", "system"],
                   capture_output=True)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class ISCSISide(Side):
    def __init__(self, kind, backend_dir, workdir):
        super().__init__(kind, backend_dir, workdir, [MODULE])

    def define_pool(self):
        xml = ("<pool type='iscsi'><name>bench</name><source><host name='127.0.0.1'/>"
               "<device path='%s'/></source><target><path>/dev/disk/by-path</path>"
               "</target></pool>" % TARGET)
        self.pool = self.conn.storagePoolDefineXML(xml, 0)


def bench_start_refresh(sides, reps, nluns):
    def check(side):
        check_volumes(side.pool, nluns)
        side.pool.destroy()

    log("pool-start + refresh of %d LUNs, best of %d" % (nluns, reps))
    return measure(sides, ISCSISide.define_pool, reps, lambda side, rep: side.pool.create(0),
                   min, check, Side.close_pool)


def bench_refresh(sides, reps, nluns):
    def setup(side):
        side.define_pool()
        side.pool.create(0)
        check_volumes(side.pool, nluns)

    def teardown(side):
        side.close_pool()

    # one side logged in at a time: each side's rounds run back to back
    cells = {}
    for side in sides:
        log("%s: pool-refresh of %d LUNs, best of %d" % (side.kind, nluns, reps))
        cells.update(measure([side], setup, reps, lambda s, rep: s.pool.refresh(0), min,
                             lambda s: check_volumes(s.pool, nluns), teardown))
    return cells


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--luns", type=int, default=16)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "iscsipools.md"))
    args = ap.parse_args()

    titles = ("pool-start + refresh, target with %d LUNs (best of %d)" % (args.luns, args.reps),
              "pool-refresh, %d LUNs (best of %d)" % (args.luns, args.reps))
    with tempfile.TemporaryDirectory(prefix="bench-iscsi-") as workdir:
        proc = start_target(workdir, args.luns)
        try:
            sides = [ISCSISide(kind, moddir, workdir)
                     for kind, moddir in (("stock", STOCK_BACKEND_DIR), ("ours", OUR_BACKEND_DIR))]
            rows = run_sides(sides, [
                lambda live: {titles[0]: bench_start_refresh(live, args.reps, args.luns)},
                lambda live: {titles[1]: bench_refresh(live, args.reps, args.luns)}])
        except ERRORS as e:
            log("cannot run: %s" % e)
            raise
        finally:
            stop_target(proc)
    write_cells_table(rows, args.out)


if __name__ == "__main__":
    main()
