#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/iscsidirect.py: our iscsi-direct backend module against the stock
one, on the test iSCSI target (tests/servers/tgt-up.sh: tgtd on 127.0.0.1).

Each side has its own libvirtd loading only its
libvirt_storage_backend_iscsi-direct.so and a pool on a target of its own
(same sizes, thin file-backed LUNs); every workload alternates which side
goes first:

  start-16luns  pool-start (with its refresh) of a target with 16 LUNs of
                64 MiB, then pool-destroy (untimed); best of --reps.
  wipe-1g       vol-wipe (zero) of a 1 GiB LUN, filled with data again
                (written to its backing file, untimed) before each round;
                best of --reps.
  download-1g   vol-download (python3-libvirt stream into a file) of a
                1 GiB LUN full of data; stock cannot.  In the same rounds
                `qemu-img convert` (libiscsi) of the same LUN to a file: a
                second table, qemu-img / ours.

    ninja -C build && /usr/bin/python3 bench/iscsidirect.py [--reps N] [--out FILE]

Uses the tgtd of $LVSB_TGT_ENV if set, else starts one of its own.  Its
files (LUNs, downloads) are in a /var/tmp/lvsb-bench-iscsi-* directory,
removed at the end.  Writes a markdown report (default
bench/results/iscsi-direct.md) for docs/benchmarks.md.
"""

import argparse
import os
import shutil
import tempfile
import time

from benchlib import (ERRORS, GiB, MiB, OUR_BACKEND_DIR, STOCK_BACKEND_DIR, Side,
                      cleanup, log, measure, run, run_sides, write_cells_table,
                      write_ratio_table)

import tgthelpers  # noqa: E402 (benchlib puts tests/integration in the path)

MODULE = "libvirt_storage_backend_iscsi-direct.so"
PATTERN = bytes(range(256)) * 4096   # 1 MiB, no zero block


def fill(path, size):
    with open(path, "r+b") as f:
        for _ in range(size // len(PATTERN)):
            f.write(PATTERN)
        os.fsync(f.fileno())


def define_pool(side, target, name):
    side.pool = side.conn.storagePoolDefineXML(tgthelpers.pool_xml(name, target), 0)
    side.pool.create(0)
    return side.pool


def step_start(server, reps):
    targets = {}

    def setup(side):
        targets[side.kind] = server.make_target(sizes=(64 * MiB,) * 16)
        side.pool = side.conn.storagePoolDefineXML(
            tgthelpers.pool_xml("bench16", targets[side.kind]), 0)

    def call(side, rnd):
        side.pool.create(0)
        n = side.pool.numOfVolumes()
        side.pool.destroy()
        if n < 16:
            raise RuntimeError("the pool lists %d volumes, not 16" % n)

    def teardown(side):
        side.close_pool()
        if side.kind in targets:
            server.remove_target(targets[side.kind])

    return lambda sides: {"start-16luns": measure(sides, setup, reps, call,
                                                  teardown=teardown)}


def step_wipe(server, reps):
    """The 1 GiB LUN is filled again before each round, untimed: measure()
    would time the fill too, so the rounds are run here."""
    def step(sides):
        targets = {}
        cells = {}

        def setup(side):
            targets[side.kind] = server.make_target(sizes=(GiB,))
            define_pool(side, targets[side.kind], "benchwipe")

        def teardown(side):
            side.close_pool()
            if side.kind in targets:
                server.remove_target(targets[side.kind])

        try:
            ready = []
            for side in sides:
                try:
                    setup(side)
                    ready.append(side)
                except ERRORS as e:
                    cells[side.kind] = str(e).splitlines()[0]
            for rnd in range(reps):
                for side in (ready if rnd % 2 == 0 else list(reversed(ready))):
                    if isinstance(cells.get(side.kind), str):
                        continue
                    try:
                        fill(targets[side.kind].lun_paths[0], GiB)
                        vol = side.pool.storageVolLookupByName("unit:0:0:1")
                        t0 = time.monotonic()
                        vol.wipe(0)
                        dt = time.monotonic() - t0
                        cells[side.kind] = min(cells.get(side.kind, dt), dt)
                    except ERRORS as e:
                        cells[side.kind] = str(e).splitlines()[0]
                        log("%s: cannot: %s" % (side.kind, cells[side.kind]))
        finally:
            cleanup(sides, teardown)
        return {"wipe-1g": cells}

    return step


def download(side, path):
    vol = side.pool.storageVolLookupByName("unit:0:0:1")
    st = side.conn.newStream(0)
    vol.download(st, 0, 0, 0)
    with open(path, "wb") as f:
        while True:
            got = st.recv(4 * MiB)
            if not got:
                break
            f.write(got)
    st.finish()
    if os.path.getsize(path) != GiB:
        raise RuntimeError("downloaded %d bytes, not 1 GiB" % os.path.getsize(path))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results",
                                                  "iscsi-direct.md"))
    args = ap.parse_args()

    workdir = tempfile.mkdtemp(prefix="lvsb-bench-iscsi-", dir="/var/tmp")
    gen = tgthelpers.session_server()
    server = next(gen)
    try:
        sides = [Side("stock", STOCK_BACKEND_DIR, workdir, [MODULE]),
                 Side("ours", OUR_BACKEND_DIR, workdir, [MODULE])]
        dl = {}
        cli = {}

        def step_download(sides):
            target = server.make_target(sizes=(GiB,))
            try:
                fill(target.lun_paths[0], GiB)
                for side in sides:
                    try:
                        define_pool(side, target, "benchdl")
                    except ERRORS as e:
                        dl[side.kind] = str(e).splitlines()[0]
                out = os.path.join(workdir, "download.img")
                for rnd in range(args.reps):
                    for side in (sides if rnd % 2 == 0 else list(reversed(sides))):
                        if isinstance(dl.get(side.kind), str):
                            continue
                        try:
                            t0 = time.monotonic()
                            download(side, out)
                            dt = time.monotonic() - t0
                            dl[side.kind] = min(dl.get(side.kind, dt), dt)
                        except ERRORS as e:
                            dl[side.kind] = str(e).splitlines()[0]
                            log("%s: cannot: %s" % (side.kind, dl[side.kind]))
                        finally:
                            if os.path.exists(out):
                                os.unlink(out)
                    t0 = time.monotonic()
                    run(["qemu-img", "convert", "-O", "raw",
                         "--image-opts",
                         "driver=raw,file.driver=iscsi,file.transport=tcp,"
                         "file.portal=%s,file.target=%s,file.lun=1,"
                         "file.initiator-name=%s" % (target.portal, target.iqn,
                                                     tgthelpers.INITIATOR), out])
                    dt = time.monotonic() - t0
                    cli["qemu-img"] = min(cli.get("qemu-img", dt), dt)
                    os.unlink(out)
            finally:
                for side in sides:
                    side.close_pool()
                server.remove_target(target)
            return {"download-1g": dl}

        rows = run_sides(sides, [step_start(server, args.reps),
                                 step_wipe(server, args.reps),
                                 step_download])
        write_cells_table(rows, args.out)
        write_ratio_table([("download-1g, 1 GiB LUN", cli.get("qemu-img"), dl.get("ours"))],
                          args.out, columns=("qemu-img convert (libiscsi)", "ours"),
                          ratio="qemu-img / ours", digits=2, append=True)
    finally:
        gen.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
