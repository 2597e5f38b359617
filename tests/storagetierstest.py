#!/usr/bin/python3
# storagetierstest.py: the tiers of src/storage, dependencies pointing down
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   storagetierstest.py SRCDIR --tier=NAME:FILE,FILE... (lowest first)
#                       [--peers=UNIT:UNIT,UNIT...]...
#
# meson passes the tiers and peers that src/storage/meson.build builds its
# static libraries from (docs/architecture.rst draws them).  A unit is a
# file's name without .c or .h.  Every #include "..." of every .c and .h
# in SRCDIR (not its subdirectories) that names a header of SRCDIR must be
# of a lower tier, of the unit itself, or of a unit of the same tier that
# --peers allows; every unit in SRCDIR must be in a tier, and every unit
# of a tier must exist.  Headers outside SRCDIR (src/conf, libvirt, the
# system) are below every tier.  Prints one line per violation and exits
# 1 when there is any.

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def unit_of(filename):
    return os.path.splitext(os.path.basename(filename))[0]


def parse_args(argv):
    if len(argv) < 2:
        sys.exit("usage: storagetierstest.py SRCDIR --tier=NAME:FILES... [--peers=UNIT:UNITS]...")
    srcdir = argv[1]
    tiers = []          # [(name, set of units)], lowest first
    peers = {}          # unit -> set of units of its own tier it may use
    for arg in argv[2:]:
        key, _, value = arg.partition("=")
        head, _, rest = value.partition(":")
        items = [x for x in rest.split(",") if x]
        if key == "--tier":
            tiers.append((head, {unit_of(x) for x in items}))
        elif key == "--peers":
            peers[head] = {unit_of(x) for x in items}
        else:
            sys.exit("unknown argument %r" % arg)
    return srcdir, tiers, peers


def main(argv):
    srcdir, tiers, peers = parse_args(argv)
    rank = {}
    tiername = {}
    problems = []

    for i, (name, units) in enumerate(tiers):
        for unit in units:
            if unit in rank:
                problems.append("%s is in tier %s and in tier %s"
                                % (unit, tiername[unit], name))
            rank[unit] = i
            tiername[unit] = name

    files = sorted(f for f in os.listdir(srcdir)
                   if f.endswith((".c", ".h"))
                   and os.path.isfile(os.path.join(srcdir, f)))
    present = {unit_of(f) for f in files}

    for unit in sorted(set(rank) - present):
        problems.append("%s is in tier %s but has no .c or .h in %s"
                        % (unit, tiername[unit], srcdir))
    for unit, allowed in sorted(peers.items()):
        for peer in sorted(allowed):
            if unit not in rank or peer not in rank or rank[unit] != rank[peer]:
                problems.append("peers of %s: %s is not a unit of its tier"
                                % (unit, peer))

    for f in files:
        unit = unit_of(f)
        if unit not in rank:
            problems.append("%s: unit %s is in no tier: add it to one in "
                            "src/storage/meson.build" % (f, unit))
            continue
        with open(os.path.join(srcdir, f), encoding="utf-8") as fh:
            text = fh.read()
        for header in INCLUDE.findall(text):
            if not os.path.isfile(os.path.join(srcdir, header)):
                continue        # src/conf, libvirt, the system: below all
            target = unit_of(header)
            if target == unit:
                continue
            if target not in rank:
                continue        # reported above, as a file in no tier
            if rank[target] < rank[unit]:
                continue
            if rank[target] == rank[unit] and target in peers.get(unit, ()):
                continue
            if rank[target] == rank[unit]:
                problems.append("%s includes %s: %s may not use %s, a unit "
                                "of its own tier (%s), unless storage_tier_peers "
                                "allows it" % (f, header, unit, target,
                                               tiername[unit]))
            else:
                problems.append("%s includes %s: a unit of tier %s may not "
                                "use one of tier %s, above it"
                                % (f, header, tiername[unit],
                                   tiername[target]))

    for p in problems:
        print(p)
    if problems:
        print("%d tier violation(s); the rule is in docs/architecture.rst"
              % len(problems))
        return 1
    print("%d files of %d tiers: every include points down" %
          (len(files), len(tiers)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
