#!/usr/bin/python3
#
# storageparthelpertest.py: libvirt_storage_parthelper on real disk images
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: storageparthelpertest.py HELPER DATADIR [--loop]
#
# Each storageparthelperdata/<case>.ops runs the helper on a new sparse
# image file, one operation per line:
#
#   # comment
#   size BYTES                 the image size (first line)
#   OP ARGS...                 runs "HELPER OP IMAGE ARGS..." and wants exit 0
#   ! OP ARGS...               wants exit 1 ...
#   = TEXT                     ... and TEXT as the error line (@DEVICE@: image)
#
# The JSON of the last successful operation is compared with <case>.json
# (@DEVICE@ for the image path).  Every run, whatever the case, is checked
# for what the protocol in src/storage/storage_partition.h promises: stdin
# closed and no prompt (timeout), a table whose partitions and free
# regions are consistent and 1 MiB aligned, an add that made an aligned
# partition of at least the size asked, a read or a failure that left the
# image untouched (checksum), one error line on failure.
#
# --loop runs the kernel check instead: a loop device with partition
# scanning sees add, resize and delete at once (needs root).
#
# VIR_TEST_REGENERATE_OUTPUT=1 rewrites the .json files; review the diff.

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import unittest

MiB = 1024 * 1024
TIMEOUT = 120

HELPER = None
DATADIR = None


def checksum(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            digest.update(block)
    return digest.hexdigest()


def run_helper(*args):
    return subprocess.run([HELPER] + [str(a) for a in args],
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=TIMEOUT)


def make_image(directory, size, name="disk.img"):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.truncate(size)
    return path


class TableChecks:
    """What every table the helper prints must satisfy."""

    def check_table(self, table, device):
        self.assertEqual(table["device"], device)
        self.assertIn(table["sector-size"], (512, 4096))
        size = table["size"]
        parts = table["partitions"]
        free = table["free"]
        if table["label"] is None:
            self.assertEqual((parts, free, table["max-partitions"]), ([], [], 0))
            return

        self.assertGreater(table["max-partitions"], 0)
        numbers = [p["number"] for p in parts]
        self.assertEqual(numbers, sorted(set(numbers)))
        extended = [p for p in parts if p["kind"] == "extended"]
        self.assertLessEqual(len(extended), 1)
        for p in parts:
            self.assertIn(p["kind"], ("primary", "logical", "extended"))
            self.assertLessEqual(p["start"], p["end"])
            self.assertLess(p["end"], size)
            self.assertIsInstance(p["flags"], list)
            if p["kind"] == "logical":
                ext = extended[0]
                self.assertTrue(ext["start"] < p["start"] and p["end"] <= ext["end"],
                                "logical %s outside the extended one" % p)

        # Partitions of the same level never overlap, free regions
        # overlap no partition but the extended one holding them.
        spans = [(p["start"], p["end"], p["kind"]) for p in parts]
        for r in free:
            self.assertIn(r["kind"], ("primary", "logical"))
            self.assertEqual(r["start"] % MiB, 0, r)
            self.assertEqual((r["end"] + 1) % MiB, 0, r)
            self.assertGreaterEqual(r["end"] - r["start"] + 1, MiB)
            self.assertLess(r["end"], size)
            if r["kind"] == "logical":
                ext = extended[0]
                self.assertTrue(ext["start"] < r["start"] and r["end"] <= ext["end"])
            spans.append((r["start"], r["end"], "free-" + r["kind"]))
        for i, a in enumerate(spans):
            for b in spans[i + 1:]:
                if a[0] <= b[1] and b[0] <= a[1]:
                    pair = {a[2], b[2]}
                    self.assertTrue(pair <= {"extended", "logical", "free-logical"}
                                    and "extended" in pair,
                                    "%s overlaps %s" % (a, b))

    def check_added(self, table, kind, size):
        new = [p for p in table["partitions"] if p["number"] == table["new"]]
        self.assertEqual(len(new), 1)
        part = new[0]
        self.assertEqual(part["kind"], kind)
        self.assertEqual(part["start"] % MiB, 0)
        self.assertEqual((part["end"] + 1) % MiB, 0)
        length = part["end"] - part["start"] + 1
        self.assertTrue(size <= length < size + MiB, (size, length))


class OpsCases(unittest.TestCase, TableChecks):
    """The storageparthelperdata/*.ops cases."""

    def run_ops(self, name):
        regenerate = os.environ.get("VIR_TEST_REGENERATE_OUTPUT") == "1"
        with open(os.path.join(DATADIR, name + ".ops")) as f:
            lines = [l.strip() for l in f if l.strip() and not l.startswith("#")]

        with tempfile.TemporaryDirectory(prefix="parthelper-") as tmp:
            kw, size = lines[0].split()
            self.assertEqual(kw, "size")
            image = make_image(tmp, int(size))
            last = None
            pending = None          # failed run waiting for its "=" line
            for line in lines[1:]:
                if line.startswith("="):
                    self.assertIsNotNone(pending, line)
                    want = line[1:].strip().replace("@DEVICE@", image)
                    self.assertEqual(pending, want)
                    pending = None
                    continue
                self.assertIsNone(pending, "no '=' line after a failure")
                failing = line.startswith("!")
                args = line.lstrip("!").split()
                before = checksum(image)
                res = run_helper(args[0], image, *args[1:])
                what = "%s: %s" % (line, res.stderr)
                if failing:
                    self.assertEqual(res.returncode, 1, what)
                    self.assertEqual(res.stdout, "", what)
                    self.assertTrue(res.stderr.endswith("\n") and
                                    res.stderr.count("\n") == 1, what)
                    self.assertEqual(checksum(image), before, "a failure wrote: " + what)
                    pending = res.stderr.strip()
                    continue
                self.assertEqual(res.returncode, 0, what)
                self.assertEqual(res.stderr, "", what)
                table = json.loads(res.stdout)
                self.check_table(table, image)
                if args[0] == "read":
                    self.assertEqual(checksum(image), before, "read wrote")
                if args[0] == "add":
                    self.check_added(table, args[1], int(args[3]))
                else:
                    self.assertNotIn("new", table)
                if args[0] == "resize":
                    part = [p for p in table["partitions"] if p["number"] == int(args[1])][0]
                    length = part["end"] - part["start"] + 1
                    self.assertTrue(int(args[2]) <= length < int(args[2]) + MiB)
                last = res.stdout.replace(image, "@DEVICE@")
            self.assertIsNone(pending, "no '=' line after the last failure")

        expected_path = os.path.join(DATADIR, name + ".json")
        if regenerate:
            with open(expected_path, "w") as f:
                f.write(last)
        with open(expected_path) as f:
            self.assertEqual(json.loads(last), json.loads(f.read()))


def add_ops_cases():
    for entry in sorted(os.listdir(DATADIR)):
        if entry.endswith(".ops"):
            name = entry[:-4]
            setattr(OpsCases, "test_" + name.replace("-", "_"),
                    lambda self, name=name: self.run_ops(name))


class Behaviour(unittest.TestCase, TableChecks):
    """What the .ops format cannot express."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="parthelper-")
        self.addCleanup(self.tmp.cleanup)

    def test_usage_errors(self):
        image = make_image(self.tmp.name, 64 * MiB)
        for args in ([], ["bogus", image], ["read"], ["add", image, "primary", "none"],
                     ["add", image, "primary", "none", "-5"],
                     ["add", image, "primary", "none", "0"],
                     ["add", image, "primary", "none", "12abc"],
                     ["resize", image, "one", "1048576"],
                     ["delete", image, "99999999999"],
                     ["delete", image, "1", "-1"],
                     ["delete", image, "1", "1048576", "2"],
                     ["add", image, "primary", "none", "1048576", "0"],
                     ["add", image, "primary", "none", "1048576", "1", "1"]):
            res = run_helper(*args)
            self.assertEqual(res.returncode, 1, args)
            self.assertEqual(res.stdout, "")
            self.assertEqual(res.stderr.count("\n"), 1, res.stderr)

    def test_missing_device(self):
        res = run_helper("read", os.path.join(self.tmp.name, "nothing"))
        self.assertEqual(res.returncode, 1)
        self.assertIn("nothing", res.stderr)
        self.assertEqual(res.stderr.count("\n"), 1, res.stderr)

    def test_gpt_grown_disk_is_read_not_fixed(self):
        # libparted asks "Fix/Ignore" here: a read must neither prompt nor fix.
        image = make_image(self.tmp.name, 64 * MiB)
        self.assertEqual(run_helper("mklabel", image, "gpt").returncode, 0)
        with open(image, "r+b") as f:
            f.truncate(128 * MiB)
        before = checksum(image)
        res = run_helper("read", image)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(checksum(image), before)
        table = json.loads(res.stdout)
        self.check_table(table, image)
        self.assertEqual(table["label"], "gpt")
        self.assertEqual(table["size"], 128 * MiB)
        # Without the fix libparted keeps the old end of the usable area:
        # a change there fails cleanly, and writes nothing either.
        res = run_helper("add", image, "primary", "none", 100 * MiB)
        self.assertEqual(res.returncode, 1)
        self.assertEqual(res.stderr.count("\n"), 1, res.stderr)
        self.assertEqual(checksum(image), before)

    def test_gpt_corrupt_primary_read_from_backup(self):
        image = make_image(self.tmp.name, 64 * MiB)
        self.assertEqual(run_helper("mklabel", image, "gpt").returncode, 0)
        self.assertEqual(run_helper("add", image, "primary", "ext2", 8 * MiB).returncode, 0)
        with open(image, "r+b") as f:
            f.seek(512 + 16)            # the primary header's CRC
            f.write(b"\xff" * 4)
        before = checksum(image)
        res = run_helper("read", image)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(checksum(image), before)
        table = json.loads(res.stdout)
        self.assertEqual([p["number"] for p in table["partitions"]], [1])
        # A change is refused rather than written over a damaged table.
        res = run_helper("add", image, "primary", "ext2", 8 * MiB)
        self.assertEqual(res.returncode, 1)
        self.assertIn("corrupt", res.stderr)
        self.assertEqual(res.stderr.count("\n"), 1, res.stderr)
        self.assertEqual(checksum(image), before)

    def test_file_systems_after_a_change(self):
        # A change reads its table back without probing the partitions it
        # left alone: their file systems are the ones read before it.  A
        # partition it made or moved is probed, as a read would.
        image = make_image(self.tmp.name, 64 * MiB)

        def fs_of(res):
            self.assertEqual(res.returncode, 0, res.stderr)
            return {p["number"]: p["fs"] for p in json.loads(res.stdout)["partitions"]}

        self.assertEqual(run_helper("mklabel", image, "gpt").returncode, 0)
        self.assertEqual(run_helper("add", image, "primary", "none", 8 * MiB).returncode, 0)
        subprocess.run(["mkfs.ext4", "-q", "-F", "-E", "offset=%d" % MiB, image, "8M"],
                       check=True, capture_output=True)
        self.assertEqual(fs_of(run_helper("read", image)), {1: "ext4"})
        self.assertEqual(fs_of(run_helper("add", image, "primary", "none", 8 * MiB)),
                         {1: "ext4", 2: None})
        self.assertEqual(fs_of(run_helper("resize", image, 2, 16 * MiB)),
                         {1: "ext4", 2: None})
        self.assertEqual(fs_of(run_helper("delete", image, 2)), {1: "ext4"})
        # the file system stays on the disk when its partition goes; a new
        # partition over it finds it
        self.assertEqual(fs_of(run_helper("delete", image, 1)), {})
        self.assertEqual(fs_of(run_helper("add", image, "primary", "none", 8 * MiB)),
                         {1: "ext4"})
        self.assertEqual(fs_of(run_helper("resize", image, 1, 10 * MiB)), {1: "ext4"})

    def test_device_path_is_escaped(self):
        image = make_image(self.tmp.name, 64 * MiB, name='odd "name"\\.img')
        res = run_helper("mklabel", image, "gpt")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(json.loads(res.stdout)["device"], image)


def sysfs_partitions(loop):
    """{number: (start, size) in bytes} of the kernel's view of @loop."""
    name = os.path.basename(loop)
    base = "/sys/block/" + name
    found = {}
    for entry in os.listdir(base):
        if entry.startswith(name + "p"):
            with open(os.path.join(base, entry, "start")) as f:
                start = int(f.read()) * 512
            with open(os.path.join(base, entry, "size")) as f:
                size = int(f.read()) * 512
            found[int(entry[len(name) + 1:])] = (start, size)
    return found


class KernelView(unittest.TestCase):
    """A loop device with partition scanning, without partprobe or udev."""

    def setUp(self):
        if os.geteuid() != 0:
            self.fail("the loop device check needs root")
        self.tmp = tempfile.TemporaryDirectory(prefix="parthelper-")
        self.addCleanup(self.tmp.cleanup)
        image = make_image(self.tmp.name, 256 * MiB)
        self.loop = subprocess.run(["losetup", "-P", "--find", "--show", image],
                                   capture_output=True, text=True,
                                   check=True).stdout.strip()
        self.addCleanup(subprocess.run, ["losetup", "-d", self.loop], check=False)

    def run_ok(self, *args):
        res = run_helper(*args)
        self.assertEqual(res.returncode, 0, res.stderr)
        return json.loads(res.stdout)

    def assert_kernel_sees(self, table):
        want = {p["number"]: (p["start"], p["end"] - p["start"] + 1)
                for p in table["partitions"] if p["kind"] != "extended"}
        # The kernel shows an extended partition as a stub of 1 KiB.
        extended = [p["number"] for p in table["partitions"]
                    if p["kind"] == "extended"]
        got = {n: v for n, v in sysfs_partitions(self.loop).items()
               if n not in extended}
        self.assertEqual(got, want)

    def test_gpt(self):
        self.assert_kernel_sees(self.run_ok("mklabel", self.loop, "gpt"))
        self.run_ok("add", self.loop, "primary", "ext2", 16 * MiB)
        table = self.run_ok("add", self.loop, "primary", "none,lvm", 32 * MiB)
        self.assert_kernel_sees(table)
        self.assertEqual(sorted(sysfs_partitions(self.loop)), [1, 2])
        self.assert_kernel_sees(self.run_ok("resize", self.loop, 2, 64 * MiB))
        self.assert_kernel_sees(self.run_ok("delete", self.loop, 1))
        self.assertEqual(sorted(sysfs_partitions(self.loop)), [2])
        self.assert_kernel_sees(self.run_ok("mklabel", self.loop, "msdos"))
        self.assertEqual(sysfs_partitions(self.loop), {})

    def test_dos_logical(self):
        self.run_ok("mklabel", self.loop, "msdos")
        self.run_ok("add", self.loop, "extended", "none", 128 * MiB)
        self.run_ok("add", self.loop, "logical", "none", 16 * MiB)
        table = self.run_ok("add", self.loop, "logical", "ext2", 16 * MiB)
        self.assert_kernel_sees(table)
        self.assertEqual(sorted(sysfs_partitions(self.loop))[-2:], [5, 6])
        table = self.run_ok("delete", self.loop, 5)
        self.assert_kernel_sees(table)
        self.assertNotIn(6, sysfs_partitions(self.loop))

    def assert_busy(self, res, number):
        """A delete stopped by an open partition: exit 2, the busy
        partition as JSON, and the disk and the kernel unchanged."""
        self.assertEqual(res.returncode, 2, res.stderr)
        path = "%sp%d" % (self.loop, number)
        self.assertEqual(json.loads(res.stdout),
                         {"busy": {"number": number, "path": path}})
        self.assertIn("in use", res.stderr)

    def test_delete_open_partition(self):
        """The kernel is asked first: an open partition (no O_EXCL, as
        qemu opens it) stops the delete before the table is written."""
        self.run_ok("mklabel", self.loop, "gpt")
        self.run_ok("add", self.loop, "primary", "none", 16 * MiB)
        table = self.run_ok("add", self.loop, "primary", "none", 16 * MiB)
        image = self.run_ok("read", self.loop)
        fd = os.open("%sp1" % self.loop, os.O_RDWR)
        try:
            self.assert_busy(run_helper("delete", self.loop, 1), 1)
        finally:
            os.close(fd)
        self.assertEqual(self.run_ok("read", self.loop), image)
        self.assert_kernel_sees(table)
        self.assert_kernel_sees(self.run_ok("delete", self.loop, 1))
        self.assertEqual(sorted(sysfs_partitions(self.loop)), [2])

    def test_delete_renumbering_open_logical(self):
        """Deleting logical 5 renumbers 6 to 5: an open 6 stops it, and
        5, already dropped from the kernel, is given back."""
        self.run_ok("mklabel", self.loop, "msdos")
        self.run_ok("add", self.loop, "extended", "none", 128 * MiB)
        self.run_ok("add", self.loop, "logical", "none", 16 * MiB)
        table = self.run_ok("add", self.loop, "logical", "none", 16 * MiB)
        fd = os.open("%sp6" % self.loop, os.O_RDWR)
        try:
            self.assert_busy(run_helper("delete", self.loop, 5), 6)
        finally:
            os.close(fd)
        del table["new"]
        self.assertEqual(self.run_ok("read", self.loop), table)
        self.assert_kernel_sees(table)


def main():
    global HELPER, DATADIR
    args = sys.argv[1:]
    loop = "--loop" in args
    args = [a for a in args if a != "--loop"]
    if len(args) != 2:
        sys.stderr.write("usage: %s HELPER DATADIR [--loop]\n" % sys.argv[0])
        return 2
    HELPER, DATADIR = args
    add_ops_cases()
    loader = unittest.TestLoader()
    if loop:
        suite = loader.loadTestsFromTestCase(KernelView)
    else:
        suite = unittest.TestSuite([loader.loadTestsFromTestCase(OpsCases),
                                    loader.loadTestsFromTestCase(Behaviour)])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
