# SPDX-License-Identifier: LGPL-2.1-or-later
"""The suites' own marks (conftest.py) do what they say.

A stock_differs mark must make the stock run a strict xfail only when its
parity id is listed in docs/parity.md; an unlisted id fails both runs,
never hides behind the xfail.  Each case runs pytest in a child process
with conftest.py loaded as a plugin, on a test file of its own, and reads
the outcome of every item from the child's JUnit XML.
"""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))

CASES = '''
import pytest

@pytest.mark.stock_differs("no-such-parity-row", reason="unlisted id")
def test_unlisted(backend):
    pass

@pytest.mark.stock_differs("rbd-vol-upload-download", reason="listed id")
def test_listed_stock_fails(backend):
    assert backend == "ours"

@pytest.mark.stock_differs("rbd-vol-upload-download", reason="listed id")
def test_listed_stock_passes(backend):
    pass
'''


def _outcomes(tmp_path):
    case = tmp_path / "test_marks_case.py"
    case.write_text(CASES)
    report = tmp_path / "report.xml"
    env = dict(os.environ, PYTHONPATH=HERE, LVSB_BACKENDS="ours,stock")
    subprocess.run([sys.executable, "-m", "pytest", "-p", "conftest",
                    "-p", "no:cacheprovider", "-q", "-o", "xfail_strict=true",
                    "--junitxml", str(report), str(case)],
                   cwd=str(tmp_path), env=env, capture_output=True,
                   timeout=120, check=False)
    outcomes = {}
    for tc in ET.parse(report).getroot().iter("testcase"):
        kinds = [child.tag for child in tc
                 if child.tag in ("failure", "error", "skipped")]
        outcomes[tc.get("name")] = kinds[0] if kinds else "passed"
    return outcomes


def test_stock_differs_marks(tmp_path):
    got = _outcomes(tmp_path)
    # an unlisted id fails on both sides; it never turns into an xfail
    assert got["test_unlisted[ours]"] == "error"
    assert got["test_unlisted[stock]"] == "error"
    # a listed id: stock must fail (xfail, reported as skipped in JUnit)...
    assert got["test_listed_stock_fails[ours]"] == "passed"
    assert got["test_listed_stock_fails[stock]"] == "skipped"
    # ...and a stock run that passes is a failure (strict xfail)
    assert got["test_listed_stock_passes[stock]"] == "failure"
