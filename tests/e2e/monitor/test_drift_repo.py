"""Manifest-repo drift on a real bare repo bootstrapped by underlay: an owned file edited by hand
is reported, an unowned file is not, a missing env layout is, and hostile record entries
(paths outside the repo, symlinks) are reported without being followed."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bootstrap.gitops.ownership import RECORD_PATH
from tests.support.envs import SAMPLE_ENV_DIR
from tests.support.git_repos import git


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """A fresh bare repo laid out by the real `underlay bootstrap local`."""
    repo = tmp_path / "gitops" / "manifests.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(repo))
    subprocess.run(
        ["underlay", "bootstrap", "local", "--env-dir", str(SAMPLE_ENV_DIR), "--repo", str(repo)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return repo


def _drift(bare: Path, cwd: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    result = subprocess.run(
        [
            "underlay",
            "drift",
            "local",
            "--env-dir",
            str(SAMPLE_ENV_DIR),
            "--skip-infra",
            "--repo",
            str(bare),
            "--json",
            *extra,
        ],
        cwd=cwd,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def _push(bare: Path, work: Path, change: Any) -> None:
    if not work.exists():
        git("clone", "--quiet", str(bare), str(work))
    change(work)
    git("add", "-A", cwd=work)
    git("commit", "--quiet", "-m", "by hand", cwd=work)
    git("push", "--quiet", "origin", "HEAD", cwd=work)


def _owned(work: Path, mode: str) -> str:
    record = json.loads((work / RECORD_PATH).read_text())
    owned: str = next(
        p for p, f in sorted(record["files"].items()) if f["mode"] == mode and f["env"]
    )
    return owned


def test_freshly_bootstrapped_repo_is_clean(bare: Path, tmp_path: Path) -> None:
    code, report, err = _drift(bare, tmp_path)
    assert code == 0, err
    assert report["findings"] == []
    assert [c["verdict"] for c in report["checked"]] == ["clean"]


def test_edited_owned_file_is_reported_and_unowned_file_is_not(bare: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    git("clone", "--quiet", str(bare), str(work))
    managed = _owned(work, "managed")

    def edit(root: Path) -> None:
        with (root / managed).open("a") as handle:
            handle.write("# edited by hand\n")
        (root / "clusters" / "local" / "extra-by-team.yaml").write_text("kind: ConfigMap\n")

    _push(bare, work, edit)
    code, report, err = _drift(bare, tmp_path)
    assert code == 3, err
    assert [(f["address"], f["kind"]) for f in report["findings"]] == [(managed, "edited")]
    md = (tmp_path / ".underlay" / "drift" / "drift.md").read_text()
    assert managed in md
    assert "extra-by-team.yaml" not in md


def test_deleted_layout_and_hostile_record_entries(bare: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    git("clone", "--quiet", str(bare), str(work))
    managed = _owned(work, "managed")
    outside = tmp_path / "outside.txt"
    outside.write_text("secret outside the repo\n")

    def vandalise(root: Path) -> None:
        record = json.loads((root / RECORD_PATH).read_text())
        digest = next(iter(record["files"].values()))["sha256"]
        record["files"]["../../outside.txt"] = {"sha256": digest, "mode": "managed", "env": "local"}
        record["files"]["link.yaml"] = {"sha256": digest, "mode": "managed", "env": "local"}
        (root / RECORD_PATH).write_text(json.dumps(record))
        (root / "link.yaml").symlink_to(outside)
        git("rm", "-r", "--quiet", "clusters/local", cwd=root)

    _push(bare, work, vandalise)
    code, report, err = _drift(bare, tmp_path)
    assert code == 3, err
    found = {(f["address"], f["kind"], tuple(f["attributes"])) for f in report["findings"]}
    assert ("../../outside.txt", "edited", ("path escapes the repo",)) in found
    assert ("link.yaml", "edited", ("replaced by a symlink",)) in found
    assert ("clusters/local/", "missing", ()) in found
    if managed.startswith("clusters/local/"):
        assert (managed, "missing", ()) in found
    assert "secret outside" not in json.dumps(report)


def test_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        ["underlay", "drift", "nosuchenv", "--env-dir", str(SAMPLE_ENV_DIR)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / ".underlay").exists(), "nothing half-written"
    result = subprocess.run(
        [
            "underlay",
            "drift",
            "local",
            "--env-dir",
            str(SAMPLE_ENV_DIR),
            "--skip-infra",
            "--repo",
            "ftp://nope/x",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
