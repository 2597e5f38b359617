# SPDX-License-Identifier: LGPL-2.1-or-later
"""The benchmark harness (bench/): the parts that decide whether a run from
a fresh clone goes through.  No timing is asserted (docs/benchmarks.md)."""

import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "bench"))

import benchlib  # noqa: E402
import disk as bench_disk  # noqa: E402


def test_bench_disk_gpt_table_has_partition_nodes(tmp_path):
    """bench/disk.py's 128-partition disk has a /dev node per partition,
    also on a kernel without a GPT parser (CONFIG_EFI_PARTITION unset: the
    re-read after sfdisk makes none there), so the stock module's
    pool-start, which stats each partition's node, can list them."""
    side = bench_disk.DiskSide("ours", benchlib.OUR_BACKEND_DIR, str(tmp_path))
    try:
        side.attach(1024)
        bench_disk.write_gpt(side.loop, 128, 4 * benchlib.MiB)
        missing = [n for n in range(1, 129)
                   if not os.path.exists("/dev/" + bench_disk.part_name(side.name, n))]
        assert missing == []
    finally:
        side.detach()


class _Side:
    def __init__(self, kind):
        self.kind = kind
        self.calls = 0


def test_bench_side_that_cannot_is_reported_and_run_goes_on(tmp_path):
    """A side whose call fails gets its error, is not run again, and the
    other side does all its rounds; the table reads "cannot: <error>"."""
    stock, ours = _Side("stock"), _Side("ours")
    seen = []

    def call(side, rnd):
        seen.append((side.kind, rnd))
        side.calls += 1
        if side.kind == "stock" and rnd == 1:
            raise RuntimeError("parted rm p100 failed\nsecond line")

    cells = benchlib.interleave([stock, ours], 4, call, sum)
    assert cells["stock"] == "parted rm p100 failed"
    assert isinstance(cells["ours"], float)
    assert (stock.calls, ours.calls) == (2, 4)
    # alternating: stock first in even rounds, ours first in odd ones
    assert seen[:4] == [("stock", 0), ("ours", 0), ("ours", 1), ("stock", 1)]

    setup_cells = {}
    ready = benchlib.prepare([stock, ours],
                             lambda side: (_ for _ in ()).throw(OSError("no loop device"))
                             if side.kind == "ours" else None, setup_cells)
    assert ready == [stock] and setup_cells == {"ours": "no loop device"}

    out = tmp_path / "table.md"
    benchlib.write_ratio_table([("delete", cells["stock"], cells["ours"]),
                                ("refresh", 2.0, 1.0), ("create", None, 1.0)], str(out))
    rows = out.read_text().splitlines()
    assert rows[2] == "| delete | cannot: parted rm p100 failed | %.3f s | n/a |" % cells["ours"]
    assert rows[3] == "| refresh | 2.000 s | 1.000 s | 2.0x |"
    assert rows[4] == "| create | n/a | 1.000 s | n/a |"


def test_bench_run_json_and_svg_from_the_same_numbers(tmp_path):
    """write_ratio_table() keeps the table's numbers in FILE.json (with the
    run's date, commit and load average) and draws them into FILE.svg; a
    second table of the run is appended to both; bench/plot.py redraws the
    same SVG, byte for byte, from the kept JSON (so a plot can be
    committed)."""
    import json
    import subprocess

    out = tmp_path / "run.md"
    benchlib.write_ratio_table([("refresh", 2.0, 0.5), ("delete", "parted rm failed", 1.0)],
                               str(out))
    benchlib.write_ratio_table([("upload", 0.9, 1.2)], str(out), columns=("rbd CLI", "ours"),
                               ratio="CLI / ours", digits=2, append=True)
    doc = json.loads((tmp_path / "run.json").read_text())
    assert [t["rows"] for t in doc["tables"]] == [
        [["refresh", 2.0, 0.5], ["delete", "parted rm failed", 1.0]], [["upload", 0.9, 1.2]]]
    assert doc["tables"][1]["columns"] == ["rbd CLI", "ours"]
    assert doc["commit"] != "unknown" and doc["date"].endswith("UTC")
    assert "at the start" in doc["load average"]
    assert "| upload | 0.900 s | 1.200 s | 0.75x |" in out.read_text()

    svg = (tmp_path / "run.svg").read_text()
    for text in ("refresh", "delete", "upload", "4.0x", "0.75x", "cannot: parted rm failed",
                 "rbd CLI", doc["commit"], doc["date"]):
        assert text in svg, text
    assert "<dc:date>" not in svg

    again = tmp_path / "again.svg"
    subprocess.run([sys.executable, os.path.join(TOP, "bench", "plot.py"),
                    str(tmp_path / "run.json"), str(again)], check=True)
    assert again.read_text() == svg
