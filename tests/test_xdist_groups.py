"""`--dist loadgroup` keeps an xdist_group on one worker under the pinned pytest and xdist, and
starts the ``deploy`` tests first (tests/support/xdist_groups.py): real pytest runs over a scratch
suite."""

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


def _run(suite: Path, out: Path, workers: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-n", str(workers), "--dist", "loadgroup", "-q",
         "-p", "no:cacheprovider", "-p", "tests.support.xdist_groups", str(suite)],
        cwd=suite.parent,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "WORKERS_OUT": str(out)},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )  # fmt: skip


def test_a_group_runs_on_one_worker(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    # Grouped tests first in collection order: without the fix each is a unit of its own and
    # the scheduler's first two units (one per worker) are both from the group.
    (suite / "test_a_grouped.py").write_text(GROUPED)
    (suite / "test_b_grouped.py").write_text(GROUPED)
    (suite / "test_c_free.py").write_text("def test_free() -> None:\n    pass\n")
    out = tmp_path / "workers.txt"
    result = _run(suite, out, workers=2)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    workers = out.read_text().split()
    assert len(workers) == 6
    assert len(set(workers)) == 1, f"the group ran on {sorted(set(workers))}"


RECORD_ORDER = """
import os
from pathlib import Path

import pytest

{mark}
@pytest.mark.parametrize("n", range({count}))
def test_records_order(n: int) -> None:
    with Path(os.environ["WORKERS_OUT"]).open("a") as f:
        f.write(__name__ + "\\n")
"""


def test_deploy_tests_are_handed_out_first_and_stay_together(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "conftest.py").write_text(
        "def pytest_configure(config):\n"
        "    config.addinivalue_line('markers', 'deploy: a real apply')\n"
    )
    free = RECORD_ORDER.format(mark="", count=2)
    deploy = RECORD_ORDER.format(mark="@pytest.mark.deploy", count=2)
    (suite / "test_a_free.py").write_text(free)
    (suite / "test_b_deploy.py").write_text(deploy)
    (suite / "test_c_free.py").write_text(free)
    (suite / "test_d_deploy.py").write_text(deploy)
    # One test in the group: xdist hands out bigger groups first by itself, this is our order.
    grouped = '@pytest.mark.deploy\n@pytest.mark.xdist_group("g")'
    (suite / "test_e_deploy_grouped.py").write_text(RECORD_ORDER.format(mark=grouped, count=1))
    out = tmp_path / "order.txt"
    result = _run(suite, out, workers=1)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    order = out.read_text().split()
    expected = ["test_e_deploy_grouped", *["test_b_deploy"] * 2, *["test_d_deploy"] * 2]
    assert order == [*expected, *["test_a_free"] * 2, *["test_c_free"] * 2]
