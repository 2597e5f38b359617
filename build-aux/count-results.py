#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""count-results.py: combine meson test, pytest and fuzzer results into one line.

    count-results.py TESTLOG.JSON MESON_RC JUNIT.XML PYTEST_RC [RESULTS RC]...

Each further RESULTS RC pair is another run, counted by what RESULTS is:
a meson testlog (*.json: the sanitized build's unit tests), a pytest JUnit
file (*.xml: the suites inside the test VM, the sanitized host suite), or
the output of build-aux/run-fuzzers.sh (any other name: one 'ok: NAME'
or 'FAILED: NAME' line per harness).

Prints a breakdown, then 'N passed, N failed' as the very last line, and
exits 1 if anything failed.  Passed: meson OK / EXPECTEDFAIL, pytest
passed or strict xfail (a declared difference with stock that held).
Everything else counts as failed, skips included, and so does a non-zero
exit status that left no failed test behind (a crash, no test collected).
"""

import json
import sys
import xml.etree.ElementTree as ET


def count_meson(path, rc):
    passed = failed = 0
    names = []
    try:
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                entry = json.loads(line)
                if entry.get("result") in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                else:
                    failed += 1
                    names.append("%s (%s)" % (entry.get("name"), entry.get("result")))
    except OSError:
        pass
    if rc != 0 and failed == 0:
        failed += 1
        names.append("meson test exited with status %d" % rc)
    return passed, failed, names


def count_pytest(path, rc):
    passed = failed = 0
    names = []
    try:
        root = ET.parse(path).getroot()
        cases = root.iter("testcase")
    except (OSError, ET.ParseError):
        cases = []
    for case in cases:
        name = "%s::%s" % (case.get("classname"), case.get("name"))
        bad = case.find("failure") is not None or case.find("error") is not None
        skip = case.find("skipped")
        if bad:
            failed += 1
            names.append(name)
        elif skip is not None and skip.get("type") != "pytest.xfail":
            failed += 1
            names.append(name + " (skipped)")
        else:
            passed += 1
    if rc == 5:
        failed += 1
        names.append("pytest collected no test")
    elif rc != 0 and failed == 0:
        failed += 1
        names.append("pytest exited with status %d" % rc)
    return passed, failed, names


def count_fuzz(path, rc):
    passed = failed = 0
    names = []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("ok: "):
                    passed += 1
                elif line.startswith("FAILED: "):
                    failed += 1
                    names.append("fuzzer " + line[len("FAILED: "):].strip())
    except OSError:
        pass
    if rc != 0 and failed == 0:
        failed += 1
        names.append("run-fuzzers.sh exited with status %d" % rc)
    elif passed + failed == 0:
        failed += 1
        names.append("run-fuzzers.sh ran no harness")
    return passed, failed, names


def main():
    if len(sys.argv) < 5 or len(sys.argv) % 2 != 1:
        sys.exit("usage: count-results.py TESTLOG.JSON MESON_RC JUNIT.XML PYTEST_RC "
                 "[RESULTS RC]...")
    counts = {"meson test": [0, 0], "pytest": [0, 0], "fuzzers": [0, 0]}
    failures = []
    for i in range(1, len(sys.argv), 2):
        path, rc = sys.argv[i], int(sys.argv[i + 1])
        if path.endswith(".json"):
            kind, (p, f, names) = "meson test", count_meson(path, rc)
        elif path.endswith(".xml"):
            kind, (p, f, names) = "pytest", count_pytest(path, rc)
        else:
            kind, (p, f, names) = "fuzzers", count_fuzz(path, rc)
        if i > 3:
            names = ["%s (%s)" % (n, path) for n in names]
        counts[kind][0] += p
        counts[kind][1] += f
        failures += names
    for name in failures:
        print("FAILED: " + name)
    print("; ".join("%s: %d passed, %d failed" % (kind, p, f)
                    for kind, (p, f) in counts.items()))
    passed = sum(p for p, f in counts.values())
    failed = sum(f for p, f in counts.values())
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
