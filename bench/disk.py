#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/disk.py: our disk backend module against the stock one.

Uses bench/benchlib.py's daemons (warnings-only logging) and helpers.  Each
side gets its own libvirtd loading only its libvirt_storage_backend_disk.so
and its own loop device (losetup -P on a sparse image):

  refresh-128   pool-refresh of a GPT disk with 128 partitions (the table is
                written once by sfdisk, then both daemons refresh it);
                best of --reps.
  create-100    100 vol-create (4 MiB partitions) on an empty GPT disk.
  delete-100    deleting those 100 volumes.  Stock 9.0.0 cannot delete a
                partition whose kernel name has a 'p' separator (loop0p1:
                it runs 'parted rm p1'), so on loop devices its column is
                n/a; see docs/parity.md disk-delete-p-names.

    /usr/bin/python3 bench/disk.py [--reps N] [--out FILE]
                                   [--devices STOCK_DEV,OUR_DEV] [--only stock|ours]

--devices runs each side on a whole disk of its own instead of a loop
device (at least 1 GiB; its contents are destroyed), e.g. two virtio
disks in the test VM, whose partitions (vdb1) stock can delete:

    tests/vm/run.sh --disk 1024 --disk 1024 --share DIR -- \
        /usr/bin/python3 bench/disk.py --devices /dev/vda,/dev/vdb \
        --out DIR/disk-vm.md

Writes a markdown table (default bench/results/disk.md) for
docs/benchmarks.md.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import libvirt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import (BUILD_DIR, MiB, OUR_BACKEND_DIR, STOCK_BACKEND_DIR, Side, best_of,  # noqa: E402
                      log, run, write_ratio_table)

DISK_MODULE = "libvirt_storage_backend_disk.so"
HELPER = os.path.join(BUILD_DIR, "src", "storage", "libvirt_storage_parthelper")


class DiskSide(Side):
    def __init__(self, kind, backend_dir, workdir, device=None):
        # ours runs the helper that sits next to the module
        super().__init__(kind, backend_dir, workdir, [DISK_MODULE],
                         [HELPER] if kind == "ours" else [])
        self.device = device
        self.image = os.path.join(workdir, "disk-%s.img" % kind)
        self.loop = None

    def attach(self, size_mb):
        if self.device:
            # a whole disk: wipe what the last workload left on it
            run(["wipefs", "--all", "--force", self.device])
            self.loop = self.device
            self.name = os.path.basename(self.device)
            return
        with open(self.image, "wb") as f:
            f.truncate(size_mb * MiB)
        self.loop = run(["losetup", "--find", "--show", "--partscan", self.image]).stdout.strip()
        self.name = os.path.basename(self.loop)

    def detach(self):
        if self.device:
            self.loop = None
            return
        if self.loop:
            run(["losetup", "-d", self.loop], check=False)
            self.loop = None

    def define(self, name):
        xml = ("<pool type='disk'><name>%s</name><source><device path='%s'/>"
               "<format type='gpt'/></source><target><path>/dev</path></target></pool>"
               % (name, self.loop))
        pool = self.conn.storagePoolDefineXML(xml, 0)
        return pool

    def stop(self):
        super().stop()
        self.detach()


def helper(*args):
    run([HELPER] + list(args))


def write_gpt(device, count, size):
    """A GPT label with @count partitions of @size bytes, 1 MiB aligned,
    written by one sfdisk run (a setup step, not timed: a helper run per
    partition takes minutes in the test VM)."""
    script = ["label: gpt"] + ["size=%d" % (size // 512)] * count
    res = subprocess.run(["sfdisk", "--quiet", device], input="\n".join(script) + "\n",
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError("sfdisk %s failed: %s" % (device, res.stderr.strip()))
    run(["udevadm", "settle"], check=False)


def bench_refresh(side, reps):
    side.attach(1024)
    write_gpt(side.loop, 128, 4 * MiB)
    pool = side.define("refresh128")
    pool.create(0)
    assert pool.numOfVolumes() == 128, pool.numOfVolumes()
    best = best_of(reps, lambda: pool.refresh(0))
    assert pool.numOfVolumes() == 128
    log("%s: refresh of 128, best of %d: %.3f s" % (side.kind, reps, best))
    pool.destroy()
    pool.undefine()
    side.detach()
    return best


def part_name(disk, n):
    """The kernel's name of partition n: loop0p1, vdb1."""
    return "%s%s%d" % (disk, "p" if disk[-1].isdigit() else "", n)


def bench_create_delete(side):
    side.attach(1024)
    helper("mklabel", side.loop, "gpt")
    pool = side.define("cd100")
    pool.create(0)
    t0 = time.monotonic()
    for n in range(1, 101):
        pool.createXML("<volume><name>%s</name><capacity>%d</capacity></volume>"
                       % (part_name(side.name, n), 4 * MiB), 0)
    create = time.monotonic() - t0
    log("%s: create of 100: %.3f s" % (side.kind, create))
    t0 = time.monotonic()
    delete = None
    try:
        for n in range(100, 0, -1):
            pool.storageVolLookupByName(part_name(side.name, n)).delete(0)
        delete = time.monotonic() - t0
        log("%s: delete of 100: %.3f s" % (side.kind, delete))
    except libvirt.libvirtError as e:
        log("%s: delete failed: %s" % (side.kind, e))
    pool.destroy()
    pool.undefine()
    side.detach()
    return create, delete


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "disk.md"))
    ap.add_argument("--devices", help="STOCK_DEV,OUR_DEV: whole disks instead of loop devices")
    ap.add_argument("--only", choices=("stock", "ours"), help="run one side only")
    args = ap.parse_args()
    devices = {"stock": None, "ours": None}
    if args.devices:
        devices["stock"], devices["ours"] = args.devices.split(",")

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-disk-") as workdir:
        for kind, moddir in (("stock", STOCK_BACKEND_DIR), ("ours", OUR_BACKEND_DIR)):
            if args.only and kind != args.only:
                results[kind] = (None, None, None)
                continue
            side = DiskSide(kind, moddir, workdir, devices[kind])
            side.start()
            try:
                log("%s: refresh of 128 partitions" % kind)
                refresh = bench_refresh(side, args.reps)
                log("%s: create + delete of 100 partitions" % kind)
                create, delete = bench_create_delete(side)
                results[kind] = (refresh, create, delete)
            finally:
                side.stop()

    s, o = results["stock"], results["ours"]
    rows = [
        ("pool-refresh, GPT disk, 128 partitions (best of %d)" % args.reps, s[0], o[0]),
        ("create 100 partitions (4 MiB each)", s[1], o[1]),
        ("delete 100 partitions", s[2], o[2]),
    ]
    write_ratio_table(rows, args.out)


if __name__ == "__main__":
    main()
