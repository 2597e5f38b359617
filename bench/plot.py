#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/plot.py: the plot of a bench run, an SVG drawn with matplotlib
from the run's JSON (what benchlib.write_ratio_table() keeps next to its
markdown table).

    /usr/bin/python3 bench/plot.py JSON [SVG]

redraws SVG (default: JSON with .svg) from a kept JSON.  Every bench
script draws its plot through draw() at the end of a run.

For each table of the run, two panels side by side, one row per
workload: the times of both sides (horizontal bars, log scale, seconds)
and the ratio reference / ours (log scale, a bar from the 1x line: to the
right, ours is faster), given with the table's decimals.  A side that could not do a workload shows
"cannot: <its error>" in place of its bar; a time not measured, "n/a".
The title names the bench, the date and commit of the run (and the last
commit of src/, the modules measured) and the load average.  The SVG is
deterministic: the same JSON gives the same file (fixed svg.hashsalt, no
date in its metadata, text kept as text).
"""

import json
import os
import sys
import textwrap

import matplotlib

matplotlib.use("svg")   # no display; select before pyplot is imported

import matplotlib.pyplot as plt  # noqa: E402

REF_COLOR = "#9e9e9e"
OURS_COLOR = "#1f77b4"
FASTER_COLOR = "#2ca02c"
SLOWER_COLOR = "#d62728"
ROW_INCHES = 0.62
LABEL_WIDTH = 34


def _is_time(cell):
    return isinstance(cell, (int, float)) and not isinstance(cell, bool) and cell > 0


def _fmt_time(t):
    if t >= 100:
        return "%.0f s" % t
    if t >= 0.1:
        return "%.2f s" % t
    if t >= 0.001:
        return "%.1f ms" % (t * 1000)
    return "%.0f µs" % (t * 1e6)


def _fmt_ratio(r, digits):
    return "%.*fx" % (digits, r)


def _missing(cell):
    """The text shown in place of a bar: a side's error or n/a."""
    if isinstance(cell, str):
        text = "cannot: " + cell
        return text if len(text) <= 48 else text[:45] + "..."
    return "n/a"


def _label(title):
    return "\n".join(textwrap.wrap(title.replace("`", ""), LABEL_WIDTH)) or "?"


def _decade_limits(values):
    lo, hi = min(values), max(values)
    return lo / 3, hi * 8


def _draw_table(ax_t, ax_r, table):
    ref_name, our_name = table["columns"]
    ratio_title = table.get("ratio") or "%s / %s" % (ref_name, our_name)
    rows = table["rows"]
    digits = table.get("digits", 2)
    n = len(rows)
    ys = list(range(n))
    height = 0.38

    times = [c for row in rows for c in row[1:3] if _is_time(c)]
    lo, hi = _decade_limits(times) if times else (0.001, 10)
    ax_t.set_xscale("log")
    ax_t.set_xlim(lo, hi)
    for y, (title, ref, ours) in zip(ys, rows):
        for cell, dy, color, name in ((ref, -height / 2, REF_COLOR, ref_name),
                                      (ours, height / 2, OURS_COLOR, our_name)):
            if _is_time(cell):
                ax_t.barh(y + dy, cell - lo, height=height, left=lo, color=color)
                ax_t.text(cell * 1.08, y + dy, _fmt_time(cell), va="center", fontsize=7.5)
            else:
                ax_t.text(lo * 1.15, y + dy, "%s: %s" % (name, _missing(cell)),
                          va="center", fontsize=7, color="#555555", style="italic")
    ax_t.set_yticks(ys)
    ax_t.set_yticklabels([_label(row[0]) for row in rows], fontsize=8)
    ax_t.set_ylim(n - 0.5, -0.5)
    ax_t.set_xlabel("wall time, seconds (log scale; shorter is faster)", fontsize=8.5)
    ax_t.grid(axis="x", which="major", color="#dddddd", linewidth=0.6)
    ax_t.set_axisbelow(True)
    ax_t.tick_params(axis="x", labelsize=8)
    ax_t.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, pos: "%g s" % v))
    ax_t.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=REF_COLOR),
                         plt.Rectangle((0, 0), 1, 1, color=OURS_COLOR)],
                labels=[ref_name, our_name], fontsize=8, loc="lower left",
                bbox_to_anchor=(0, 1), ncol=2, frameon=False, borderaxespad=0.2)

    ratios = [(y, row[1] / row[2]) for y, row in zip(ys, rows)
              if _is_time(row[1]) and _is_time(row[2])]
    values = [r for _, r in ratios] + [1.0]
    rlo, rhi = min(values), max(values)
    ax_r.set_xscale("log")
    ax_r.set_xlim(min(rlo / 8, 0.2), max(rhi * 15, 3))
    for y, r in ratios:
        ax_r.barh(y, r - 1, left=1, height=0.5,
                  color=FASTER_COLOR if r >= 1 else SLOWER_COLOR)
        if r >= 1:
            ax_r.text(r * 1.1, y, _fmt_ratio(r, digits), va="center", fontsize=8)
        else:
            ax_r.text(r / 1.1, y, _fmt_ratio(r, digits), va="center", ha="right", fontsize=8)
    for y, row in zip(ys, rows):
        if not (_is_time(row[1]) and _is_time(row[2])):
            ax_r.text(1.1, y, "n/a", va="center", fontsize=8, color="#555555")
    ax_r.axvline(1, color="black", linewidth=0.9)
    ax_r.set_yticks(ys)
    ax_r.set_yticklabels([])
    ax_r.set_ylim(n - 0.5, -0.5)
    ax_r.set_xlabel("%s (log scale; right of 1x: ours faster)" % ratio_title, fontsize=8.5)
    ax_r.grid(axis="x", which="major", color="#dddddd", linewidth=0.6)
    ax_r.set_axisbelow(True)
    ax_r.tick_params(axis="x", labelsize=8)
    ax_r.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
        lambda v, pos: ("%gx" % v)))


def title(doc):
    """The plot's title: the bench, its arguments, the run's date, commit
    and load average."""
    lines = [doc.get("bench", "bench"),
             "run of %s, commit %s" % (doc.get("date", "?"), doc.get("commit", "?"))]
    if doc.get("src commit"):
        lines[1] += " (src/ of %s)" % doc["src commit"]
    if doc.get("load average"):
        lines[1] += ", load average %s" % doc["load average"]
    return "\n".join(lines)


def draw(doc, svg):
    """Draw the tables of @doc (a run's JSON, as a dict) into the file @svg."""
    tables = [t for t in doc.get("tables", []) if t.get("rows")]
    if not tables:
        raise ValueError("no table in the run's JSON")
    with plt.rc_context({"svg.hashsalt": "lvsb-bench",
                         "svg.fonttype": "none",
                         "font.family": "DejaVu Sans"}):
        heights = [max(len(t["rows"]), 1) * ROW_INCHES + 0.75 for t in tables]
        fig, axes = plt.subplots(len(tables), 2, squeeze=False,
                                 figsize=(11, sum(heights) + 0.9),
                                 gridspec_kw={"height_ratios": heights,
                                              "width_ratios": [1.45, 1]})
        for (ax_t, ax_r), table in zip(axes, tables):
            _draw_table(ax_t, ax_r, table)
        fig.suptitle(title(doc), fontsize=10)
        fig.tight_layout()
        os.makedirs(os.path.dirname(os.path.abspath(svg)), exist_ok=True)
        fig.savefig(svg, format="svg", metadata={"Date": None})
        plt.close(fig)


def main(argv):
    if len(argv) not in (2, 3) or argv[1].startswith("-"):
        print("usage: %s JSON [SVG]" % os.path.basename(argv[0]), file=sys.stderr)
        return 2
    svg = argv[2] if len(argv) == 3 else os.path.splitext(argv[1])[0] + ".svg"
    with open(argv[1]) as f:
        draw(json.load(f), svg)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
