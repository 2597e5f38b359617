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
                it runs 'parted rm p1'), so on loop devices its column
                reads "cannot: <its error>"; see docs/parity.md
                disk-delete-p-names.

Both daemons run at once; the refreshes, and the creates and deletes in
rounds of 10, alternate which side goes first, so the machine's load falls
on both alike.  A side that cannot do a workload (its daemon, its setup or
a call fails) gets "cannot: <its error>" in the table and the run goes on.

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
import tempfile

from benchlib import (BUILD_DIR, MiB, OUR_BACKEND_DIR, STOCK_BACKEND_DIR, Side, check_volumes,
                      create_delete, log, measure, run, run_sides, write_cells_table)
from poolhelpers import LoopDevice  # noqa: E402 (benchlib puts tests/integration in the path)

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
        self.loopdev = LoopDevice(self.image, size_mb, partscan=True)
        self.loop = self.loopdev.path
        self.name = self.loopdev.name

    def detach(self):
        if self.device:
            self.loop = None
            return
        if self.loop:
            self.loopdev.detach()       # only if still ours; removes the image
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


def part_name(disk, n):
    """The kernel's name of partition n: loop0p1, vdb1."""
    return "%s%s%d" % (disk, "p" if disk[-1].isdigit() else "", n)


def write_gpt(device, count, size):
    """A GPT label with @count partitions of @size bytes, 1 MiB aligned,
    written by one sfdisk run (a setup step, not timed: a helper run per
    partition takes minutes in the test VM).

    sfdisk then asks the kernel to read the table again, which makes the
    partitions' devices only where the kernel has a GPT parser
    (CONFIG_EFI_PARTITION; a minimal kernel may have none, and then no
    /dev/loop0pN appears, udev or not).  partx reads the table itself and
    adds the partitions that are missing with BLKPG, as libparted does
    after a change; devtmpfs makes their nodes."""
    script = "\n".join(["label: gpt"] + ["size=%d" % (size // 512)] * count) + "\n"
    run(["sfdisk", "--quiet", device], input=script)
    run(["partx", "--update", device])
    run(["udevadm", "settle", "--timeout=60"], check=False)
    disk = os.path.basename(os.path.realpath(device))
    missing = [n for n in range(1, count + 1)
               if not os.path.exists(os.path.join("/dev", part_name(disk, n)))]
    if missing:
        raise RuntimeError("after sfdisk and partx, %d of the %d partition nodes of %s "
                           "are missing (/dev/%s)"
                           % (len(missing), count, device, part_name(disk, missing[0])))


def close_pool(side):
    """Destroy and undefine the side's workload pool and free its disk."""
    side.close_pool()
    side.detach()


def bench_refresh(sides, reps):
    """pool-refresh of a 128-partition disk on each side, best of @reps,
    alternating which side goes first."""
    def setup(side):
        side.attach(1024)
        write_gpt(side.loop, 128, 4 * MiB)
        side.pool = side.define("refresh128")
        side.pool.create(0)
        check_volumes(side.pool, 128)

    log("refresh of 128 partitions, best of %d" % reps)
    return measure(sides, setup, reps, lambda side, rep: side.pool.refresh(0), min,
                   lambda side: check_volumes(side.pool, 128), close_pool)


def bench_create_delete(sides):
    """100 vol-create of 4 MiB partitions on an empty GPT disk per side,
    then deleting them, in rounds of 10 alternating which side goes first;
    the time is the sum of the rounds."""
    def setup(side):
        side.attach(1024)
        helper("mklabel", side.loop, "gpt")
        side.pool = side.define("cd100")
        side.pool.create(0)

    def create_one(side, n):
        side.pool.createXML("<volume><name>%s</name><capacity>%d</capacity></volume>"
                            % (part_name(side.name, n), 4 * MiB), 0)

    def delete_one(side, n):
        side.pool.storageVolLookupByName(part_name(side.name, n)).delete(0)

    log("create + delete of 100 partitions")
    return create_delete(sides, setup, 100, create_one, delete_one, close_pool)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "disk.md"))
    ap.add_argument("--devices", help="STOCK_DEV,OUR_DEV: whole disks instead of loop devices")
    ap.add_argument("--only", choices=("stock", "ours"), help="run one side only")
    args = ap.parse_args()
    if os.geteuid() != 0:
        ap.error("run as root: the benchmark starts its own libvirtd daemons")
    devices = {"stock": None, "ours": None}
    if args.devices:
        devices["stock"], devices["ours"] = args.devices.split(",")

    with tempfile.TemporaryDirectory(prefix="bench-disk-") as workdir:
        sides = [DiskSide(kind, moddir, workdir, devices[kind])
                 for kind, moddir in (("stock", STOCK_BACKEND_DIR), ("ours", OUR_BACKEND_DIR))
                 if not args.only or kind == args.only]
        rows = run_sides(sides, [
            lambda live: {"pool-refresh, GPT disk, 128 partitions (best of %d)" % args.reps:
                          bench_refresh(live, args.reps)},
            lambda live: dict(zip(("create 100 partitions (4 MiB each)", "delete 100 partitions"),
                                  bench_create_delete(live)))])
    write_cells_table(rows, args.out)


if __name__ == "__main__":
    main()
