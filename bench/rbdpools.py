#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/rbdpools.py: our rbd backend module against the stock one, on the test
Ceph cluster (tests/servers/ceph-up.sh: one mon, one memstore OSD, one mgr).

Uses bench/benchlib.py's daemons (warnings-only logging).  Each side has
its own libvirtd loading only its libvirt_storage_backend_rbd.so, the
cluster's admin key in a libvirt secret, and pools with the same cephx
login; both daemons run at once and every workload alternates which side
goes first:

  refresh-1000  pool-refresh of a RADOS pool holding 1,000 images (4 MiB,
                the cluster's default features, 64 KiB written in every
                tenth), made once with python3-rbd; both sides serve a pool
                on that same RADOS pool; best of --reps.
  create-100    100 vol-create of 4 MiB images per side, each side in an
                empty RADOS pool of its own, in rounds of 10.
  delete-100    deleting those 100 volumes, in the same rounds.
  clone-1g      vol-clone of a 1 GiB image full of data (the clone is
                deleted after each round, untimed); best of --reps.
  wipe-1g       vol-wipe (zero) of a 1 GiB image, filled with data again
                (rbd bench, untimed) before each round; best of --reps.
  upload-1g     virsh vol-upload of a 1 GiB file into a 1 GiB volume,
  download-1g   virsh vol-download of that volume to a file; best of
                --reps each, and in the same rounds `rbd import` and
                `rbd export` of the same file and image (the CLI's own
                copy, a second table: CLI / ours).

A side that cannot do a workload gets "cannot: <its error>" in the table.

    ninja -C build && /usr/bin/python3 bench/rbdpools.py [--reps N] [--out FILE]

Uses the cluster of $LVSB_CEPH_ENV if set, else starts one of its own on
a random 127.x.y.z and stops it at the end.  Its files (the 1 GiB data
file, the downloads) are in a /var/tmp/lvsb-bench-rbd-* directory, removed
at the end.  Writes a markdown report (default bench/results/rbd.md) for
docs/benchmarks.md.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

from benchlib import (ERRORS, GiB, MiB, OUR_BACKEND_DIR, STOCK_BACKEND_DIR, Side,
                      check_volumes, cleanup, create_delete, first_line, log,
                      measure, order, run, run_sides, write_cells_table, write_ratio_table)

import cephhelpers  # noqa: E402 (benchlib puts tests/integration in the path)

# python3-rbd's module is named rbd too: this script's directory must not
# shadow it (benchlib and cephhelpers are imported already)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]

MODULE = "libvirt_storage_backend_rbd.so"
NIMAGES = 1000


class RBDSide(Side):
    def __init__(self, kind, backend_dir, workdir, cluster):
        super().__init__(kind, backend_dir, workdir, [MODULE])
        self.cluster = cluster
        self.secret_conn = None

    def define_secret(self):
        """The admin key in this daemon's secret driver, once (run_sides
        starts the daemon through Side.start)."""
        if self.secret_conn is None:
            import libvirt
            self.secret_conn = libvirt.open(cephhelpers.secret_uri(self.daemon))
            cephhelpers.define_secret(self.secret_conn, self.cluster)

    def stop(self):
        if self.secret_conn is not None:
            try:
                self.secret_conn.close()
            except ERRORS:
                pass
            self.secret_conn = None
        super().stop()

    def open_pool(self, rados_pool):
        self.define_secret()
        xml = cephhelpers.rbd_pool_xml("bench-" + rados_pool, self.cluster, rados_pool)
        self.pool = self.conn.storagePoolDefineXML(xml, 0)
        self.pool.create(0)

    def virsh(self, *args):
        res = subprocess.run(["virsh", "-c", self.daemon.uri] + [str(a) for a in args],
                             capture_output=True, text=True)
        if res.returncode != 0:
            # virsh's lines, each "error: ...", in one
            lines = [ln.strip() for ln in res.stderr.splitlines() if ln.strip()]
            raise RuntimeError("; ".join(ln[len("error: "):] if ln.startswith("error: ")
                                         else ln for ln in lines)
                               or "virsh %s failed" % args[0])
        return res.stdout


def make_images(cluster, rados_pool, count):
    """@count 4 MiB images in @rados_pool, 64 KiB written in every tenth."""
    import rbd
    with cluster._rados().open_ioctx(rados_pool) as io:
        for i in range(count):
            name = "img%04d" % i
            rbd.RBD().create(io, name, 4 * MiB)
            if i % 10 == 0:
                with rbd.Image(io, name) as img:
                    img.write(b"\x5a" * (64 * 1024), 0)


def fill_image(cluster, rados_pool, image):
    """Write the whole of @image (rbd bench, sequential 4 MiB writes)."""
    size = cluster.image_info(rados_pool, image)["size"]
    cluster.rbd("bench", "--io-type", "write", "--io-size", "4M", "--io-pattern", "seq",
                "--io-threads", "4", "--io-total", size, "--",
                "%s/%s" % (rados_pool, image), timeout=1200)


def bench_refresh(sides, cluster, reps):
    rpool = cluster.make_pool(pg_num=32)
    log("making %d images in %s" % (NIMAGES, rpool))
    t0 = time.monotonic()
    make_images(cluster, rpool, NIMAGES)
    log("made in %.1f s" % (time.monotonic() - t0))

    def setup(side):
        side.open_pool(rpool)
        check_volumes(side.pool, NIMAGES)

    try:
        log("refresh of %d images, best of %d" % (NIMAGES, reps))
        return measure(sides, setup, reps, lambda side, rep: side.pool.refresh(0), min,
                       lambda side: check_volumes(side.pool, NIMAGES), Side.close_pool)
    finally:
        cluster.remove_pool(rpool)


def bench_create_delete(sides, cluster):
    rpools = {side.kind: cluster.make_pool(pg_num=32) for side in sides}

    def create_one(side, n):
        side.pool.createXML("<volume><name>cd%03d</name><capacity>%d</capacity></volume>"
                            % (n, 4 * MiB), 0)

    def delete_one(side, n):
        side.pool.storageVolLookupByName("cd%03d" % n).delete(0)

    try:
        log("create + delete of 100 images")
        return create_delete(sides, lambda side: side.open_pool(rpools[side.kind]), 100,
                             create_one, delete_one, Side.close_pool)
    finally:
        for rpool in rpools.values():
            cluster.remove_pool(rpool)


def timed_rounds(sides, reps, before, call, check=lambda side: None):
    """Best of @reps of @call(side), alternating which side goes first;
    @before(side) and @check(side) run untimed around each.  {kind: time
    or error}."""
    cells = {}
    for rep in range(reps):
        rounds(sides, rep, cells, before, call, check)
    return cells


def bench_clone_wipe(sides, cluster, reps):
    """clone-1g and wipe-1g, each side in a RADOS pool of its own."""
    rpools = {side.kind: cluster.make_pool(pg_num=32) for side in sides}
    clone = {}
    wipe = {}
    try:
        ready = []
        for side in sides:
            try:
                side.open_pool(rpools[side.kind])
                side.pool.createXML("<volume><name>src</name><capacity>%d</capacity>"
                                    "</volume>" % GiB, 0)
                fill_image(cluster, rpools[side.kind], "src")
                ready.append(side)
            except ERRORS as e:
                clone[side.kind] = wipe[side.kind] = first_line(e)
                log("%s: cannot: %s" % (side.kind, clone[side.kind]))

        def drop_clone(side):
            try:
                side.pool.storageVolLookupByName("copy").delete(0)
            except ERRORS:
                pass

        def do_clone(side):
            src = side.pool.storageVolLookupByName("src")
            side.pool.createXMLFrom("<volume><name>copy</name><capacity>%d</capacity>"
                                    "</volume>" % GiB, src, 0)

        log("clone of a 1 GiB image, best of %d" % reps)
        clone.update(timed_rounds(ready, reps, drop_clone, do_clone))
        cleanup(ready, drop_clone)

        def wiped(side):
            for offset in (0, GiB // 2, GiB - 4 * MiB):
                if cluster.read_image(rpools[side.kind], "src", offset, 4 * MiB) != \
                        bytes(4 * MiB):
                    raise AssertionError("the wiped image does not read as zeros")

        log("zero-wipe of a 1 GiB image, best of %d" % reps)
        wipe.update(timed_rounds(
            ready, reps, lambda side: fill_image(cluster, rpools[side.kind], "src"),
            lambda side: side.pool.storageVolLookupByName("src").wipe(0), wiped))
    finally:
        cleanup(sides, Side.close_pool)
        for rpool in rpools.values():
            cluster.remove_pool(rpool)
    return clone, wipe


def write_random(path, size):
    with open("/dev/urandom", "rb") as src, open(path, "wb") as dst:
        left = size
        while left:
            chunk = src.read(min(left, 16 * MiB))
            dst.write(chunk)
            left -= len(chunk)


def same_files(a, b):
    return run(["cmp", "--silent", "--", a, b], check=False).returncode == 0


def bench_stream(sides, cluster, reps, workdir):
    """upload-1g and download-1g through each side, and `rbd import` /
    `rbd export` of the same file in the same rounds.  Returns ({kind:
    upload time or error}, {kind: download time or error}, the rows of
    the CLI table)."""
    data = os.path.join(workdir, "data.raw")
    out = os.path.join(workdir, "out.raw")
    log("writing 1 GiB of random data")
    write_random(data, GiB)
    rpools = {side.kind: cluster.make_pool(pg_num=32) for side in sides}
    cli_pool = cluster.make_pool(pg_num=32)
    up = {}
    down = {}
    cli = {"import": [], "export": []}

    def drop_out():
        if os.path.exists(out):
            os.unlink(out)

    def upload(side):
        side.virsh("vol-upload", "--pool", side.pool.name(), "vol", data)

    def check_upload(side):
        if cluster.read_image(rpools[side.kind], "vol", GiB - 16 * MiB, 16 * MiB) != \
                read_file(data, GiB - 16 * MiB, 16 * MiB):
            raise AssertionError("the uploaded image differs from the file")

    def download(side):
        side.virsh("vol-download", "--pool", side.pool.name(), "vol", out)

    def check_download(side):
        if not isinstance(up.get(side.kind), float):
            # nothing uploaded: the new volume reads as zeros
            if os.path.getsize(out) != GiB:
                raise AssertionError("the downloaded file is not 1 GiB")
        elif not same_files(data, out):
            raise AssertionError("the downloaded file differs from the uploaded one")

    def cli_import():
        cluster.rbd("rm", "--no-progress", "--", "%s/imp" % cli_pool, check=False)
        t0 = time.monotonic()
        cluster.rbd("import", "--no-progress", "--", data, "%s/imp" % cli_pool,
                    timeout=1200)
        cli["import"].append(time.monotonic() - t0)

    def cli_export():
        drop_out()
        t0 = time.monotonic()
        cluster.rbd("export", "--no-progress", "--", "%s/imp" % cli_pool, out,
                    timeout=1200)
        cli["export"].append(time.monotonic() - t0)
        if not same_files(data, out):
            raise AssertionError("rbd export differs from the file")

    try:
        ready = []
        for side in sides:
            try:
                side.open_pool(rpools[side.kind])
                side.pool.createXML("<volume><name>vol</name><capacity>%d</capacity>"
                                    "</volume>" % GiB, 0)
                ready.append(side)
            except ERRORS as e:
                up[side.kind] = down[side.kind] = first_line(e)
                log("%s: cannot: %s" % (side.kind, up[side.kind]))

        log("upload of 1 GiB, best of %d (and rbd import)" % reps)
        for rep in range(reps):
            cli_import()
            rounds(ready, rep, up, lambda side: None, upload, check_upload)
        log("download of 1 GiB, best of %d (and rbd export)" % reps)
        for rep in range(reps):
            cli_export()
            rounds(ready, rep, down, lambda side: drop_out(), download, check_download)
    finally:
        drop_out()
        cleanup(sides, Side.close_pool)
        for rpool in list(rpools.values()) + [cli_pool]:
            cluster.remove_pool(rpool)
        if os.path.exists(data):
            os.unlink(data)
    cli_rows = [("upload 1 GiB: `rbd import` / `virsh vol-upload`",
                 min(cli["import"]) if cli["import"] else None, up.get("ours")),
                ("download 1 GiB: `rbd export` / `virsh vol-download`",
                 min(cli["export"]) if cli["export"] else None, down.get("ours"))]
    return up, down, cli_rows


def rounds(sides, rep, cells, before, call, check):
    """Repetition @rep of @call(side) on each of @sides without an error in
    @cells, in order(): @before(side) untimed, the call timed, @check(side)
    untimed; @cells[kind] keeps the best time, or the side's error."""
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


def read_file(path, offset, length):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(length)


def write_cli_table(rows, out):
    write_ratio_table(rows, out, columns=("rbd CLI", "ours"), ratio="CLI / ours",
                      digits=2, append=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "rbd.md"))
    args = ap.parse_args()

    titles = ("pool-refresh, 1,000 images (best of %d)" % args.reps,
              "create 100 images (4 MiB each, `vol-create`)",
              "delete 100 images (`vol-delete`)",
              "clone a 1 GiB image full of data (`vol-clone`, best of %d)" % args.reps,
              "zero-wipe a 1 GiB image full of data (`vol-wipe`, best of %d)" % args.reps,
              "upload 1 GiB (`virsh vol-upload`, best of %d)" % args.reps,
              "download 1 GiB (`virsh vol-download`, best of %d)" % args.reps)
    gen = cephhelpers.session_cluster()
    cli_rows = []
    try:
        if not os.environ.get(cephhelpers.ENV_VAR):
            log("starting a test Ceph cluster")
        cluster = next(gen)
        log("cluster on %s" % cluster.addr)
        with tempfile.TemporaryDirectory(prefix="lvsb-bench-rbd-", dir="/var/tmp") as workdir:
            sides = [RBDSide(kind, moddir, workdir, cluster)
                     for kind, moddir in (("stock", STOCK_BACKEND_DIR),
                                          ("ours", OUR_BACKEND_DIR))]

            def stream_step(live):
                up, down, rows = bench_stream(live, cluster, args.reps, workdir)
                cli_rows.extend(rows)
                return {titles[5]: up, titles[6]: down}

            rows = run_sides(sides, [
                lambda live: {titles[0]: bench_refresh(live, cluster, args.reps)},
                lambda live: dict(zip(titles[1:3], bench_create_delete(live, cluster))),
                lambda live: dict(zip(titles[3:5], bench_clone_wipe(live, cluster, args.reps))),
                stream_step])
    except ERRORS as e:
        error = "cannot run the test Ceph cluster: " + first_line(e)
        log(error)
        rows = {title: {"stock": error, "ours": error} for title in titles}
    finally:
        gen.close()
    write_cells_table(rows, args.out)
    if cli_rows:
        write_cli_table(cli_rows, args.out)


if __name__ == "__main__":
    sys.exit(main())
