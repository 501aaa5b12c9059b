"""The drift report: both files written whole, and a bad report is one clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bootstrap.monitor.report import Checked, DriftReport, Finding, read_report
from bootstrap.monitor.status import drift_rows
from stacks.errors import UnderlayError


def test_report_round_trip_and_status_verdicts(tmp_path: Path) -> None:
    report = DriftReport(
        findings=[
            Finding("repo", "dev", "r@main", "clusters/dev/flux.yaml", "edited", ("content",))
        ],
        checked=[
            Checked("repo", "dev", "r@main", "drifted (1 file)"),
            Checked("repo", "prod", "r@main", "clean"),
        ],
    )
    json_path, md_path = report.write(tmp_path)
    data = read_report(json_path)
    assert data["drifted"] is True
    assert "`clusters/dev/flux.yaml` | edited" in md_path.read_text()
    assert [r.state for r in drift_rows(data, "dev")] == ["red"]
    assert [r.state for r in drift_rows(data, "prod")] == ["green"]
    assert [r.state for r in drift_rows(data, "staging")] == ["red"], "not checked is not clean"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drift.json", "drift.md"]


@pytest.mark.parametrize("content", ["{", "[]", json.dumps({"version": 2, "drifted": False})])
def test_bad_report_is_one_line(tmp_path: Path, content: str) -> None:
    path = tmp_path / "drift.json"
    path.write_text(content)
    with pytest.raises(UnderlayError, match="not a drift report"):
        read_report(path)
    with pytest.raises(UnderlayError, match="no drift report"):
        read_report(tmp_path / "missing.json")
