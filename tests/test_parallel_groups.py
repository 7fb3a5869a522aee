"""`make test`'s two xdist workers: each test file runs whole on one worker (tests/conftest.py).

xdist reads the ``xdist_group`` marks in its own collection hook; a mark added after it has no
effect, and every module fixture is then built on both workers (the graded classes twice).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _workers_per_test(*args: str) -> dict[str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v",
         "-p", "no:cacheprovider", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    found = re.findall(r"^\[(gw\d+)\] \[ *\d+%\] PASSED (\S+)", proc.stdout, re.M)
    return {test: worker for worker, test in found}


def test_a_file_runs_whole_on_one_worker():
    ran = _workers_per_test("tests/test_time_estimates.py")
    estimates = {w for t, w in ran.items() if t.startswith("tests/test_time_estimates.py")}
    assert len([t for t in ran if "test_time_estimates" in t]) >= 4, ran
    assert len(estimates) == 1, ran
