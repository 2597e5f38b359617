#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""count-results.py: combine meson test and pytest results into one line.

    count-results.py TESTLOG.JSON MESON_RC JUNIT.XML PYTEST_RC [JUNIT.XML PYTEST_RC]...

Each further JUNIT.XML PYTEST_RC pair is another pytest run (the suites run
inside the test VM) and adds to the pytest counts.

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


def main():
    if len(sys.argv) < 5 or len(sys.argv) % 2 != 1:
        sys.exit("usage: count-results.py TESTLOG.JSON MESON_RC JUNIT.XML PYTEST_RC "
                 "[JUNIT.XML PYTEST_RC]...")
    testlog, meson_rc = sys.argv[1:3]
    mp, mf, mnames = count_meson(testlog, int(meson_rc))
    pp = pf = 0
    pnames = []
    for i in range(3, len(sys.argv), 2):
        junit, pytest_rc = sys.argv[i:i + 2]
        p, f, names = count_pytest(junit, int(pytest_rc))
        if i > 3:
            names = ["%s (%s)" % (n, junit) for n in names]
        pp += p
        pf += f
        pnames += names
    for name in mnames + pnames:
        print("FAILED: " + name)
    print("meson test: %d passed, %d failed; pytest: %d passed, %d failed"
          % (mp, mf, pp, pf))
    print("%d passed, %d failed" % (mp + pp, mf + pf))
    sys.exit(1 if mf + pf else 0)


if __name__ == "__main__":
    main()
