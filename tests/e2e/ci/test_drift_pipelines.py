"""The scheduled drift jobs (GitHub Actions and Azure Pipelines) against the vendored CI schemas
of check-jsonschema (pinned), and what they must do: run `nox -s drift`, fail the run on drift,
and keep one open report."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[3]
FILES = {
    "vendor.github-workflows": ROOT / ".github" / "workflows" / "drift.yml",
    "vendor.azure-pipelines": ROOT / "azure-pipelines" / "drift.yml",
}


def _check(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert exe, "check-jsonschema is a pinned test dependency"
    return subprocess.run(
        [exe, "--regex-variant", "python", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("schema", sorted(FILES))
def test_pipeline_is_valid_and_runs_the_drift_session(schema: str) -> None:
    path = FILES[schema]
    result = _check(schema, path)
    assert result.returncode == 0, result.stdout + result.stderr
    text = path.read_text()
    assert "nox -s drift" in text
    assert "exit 1" in text, "drift fails the run"
    assert "underlay-drift" in text, "one report, found again by its fixed label/tag"
    data = YAML(typ="safe").load(text)
    assert data.get("schedules") or data.get("on", {}).get("schedule"), "scheduled"


def test_schema_check_can_fail(tmp_path: Path) -> None:
    broken = tmp_path / "drift.yml"
    broken.write_text(FILES["vendor.github-workflows"].read_text().replace("runs-on:", "runs_on:"))
    assert _check("vendor.github-workflows", broken).returncode != 0
