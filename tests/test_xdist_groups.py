"""`--dist loadgroup` keeps an xdist_group on one worker under the pinned pytest and xdist
(tests/support/xdist_groups.py): a real two-worker pytest run over a scratch suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

GROUPED = """
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("together")


@pytest.mark.parametrize("n", range(3))
def test_records_worker(n: int) -> None:
    out = Path(os.environ["WORKERS_OUT"])
    with out.open("a") as f:
        f.write(os.environ.get("PYTEST_XDIST_WORKER", "none") + "\\n")
"""


def test_a_group_runs_on_one_worker(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    # Grouped tests first in collection order: without the fix each is a unit of its own and
    # the scheduler's first two units (one per worker) are both from the group.
    (suite / "test_a_grouped.py").write_text(GROUPED)
    (suite / "test_b_grouped.py").write_text(GROUPED)
    (suite / "test_c_free.py").write_text("def test_free() -> None:\n    pass\n")
    out = tmp_path / "workers.txt"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q",
         "-p", "no:cacheprovider", "-p", "tests.support.xdist_groups", str(suite)],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "WORKERS_OUT": str(out)},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    workers = out.read_text().split()
    assert len(workers) == 6
    assert len(set(workers)) == 1, f"the group ran on {sorted(set(workers))}"
