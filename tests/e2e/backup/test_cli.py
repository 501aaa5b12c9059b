"""``underlay backup ...`` / ``underlay restore`` end to end: exit codes and the JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bootstrap.cli import main
from tests.e2e.backup.conftest import Target
from tests.e2e.backup.helpers import underlay
from tests.support.cli import underlay_process
from tests.support.git_repos import GitRepo, git

Capsys = pytest.CaptureFixture[str]
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["backup", "run", "--repo", "/x", "--to", "bucket/prefix"], "not a URL"),
        (["backup", "run", "--repo", "/x", "--to", "gs://b/p"], "unknown scheme"),
        (["backup", "list", "--from", "s3://UPPER/p"], "bucket"),
        (["backup", "verify", "--from", "s3://bucket-a/p", "--id", "nope"], "not a backup id"),
        (["restore", "--from", "azblob://a/c", "--to", "/tmp/x"], "account"),
        (["restore", "--from", "s3://bucket-a/p", "--to", "--upload-pack=x"], "--to"),
        (["backup", "run", "--repo", "--upload-pack=x", "--to", "s3://bucket-a/p"], "--repo"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: Capsys, aws_env: None, args: list[str], message: str
) -> None:
    result = underlay(capsys, *args)
    assert result.code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("underlay: error:")


def test_bad_id_against_a_real_target_is_input_error(capsys: Capsys, s3_target: Target) -> None:
    result = underlay(
        capsys, "backup", "verify", "--from", s3_target.url, *s3_target.cli_args,
        "--id", "20260101T000000.000Z-abcdef",
    )  # fmt: skip
    assert result.code == 2
    assert result.summary["ok"] is False
    assert "no complete backup" in result.summary["error"]


def test_run_list_verify_restore(
    capsys: Capsys, target: Target, repo: GitRepo, tmp_path: Path
) -> None:
    ran = underlay(
        capsys, "backup", "run", "--repo", repo.url, "--to", target.url, *target.cli_args,
        "--keep-last", "3", "--max-age", "30",
    )  # fmt: skip
    assert ran.code == 0, ran
    summary = ran.summary
    assert summary["ok"] is True
    assert summary["outcome"] == "full"
    assert summary["refs"] == len(repo.refs())
    assert set(summary) >= {"id", "sha256", "bundle_bytes", "last_success", "seconds", "target"}

    again = underlay(capsys, "backup", "run", "--repo", repo.url, "--to", target.url,
                     *target.cli_args)  # fmt: skip
    assert again.summary["outcome"] == "unchanged-recorded"

    listed = underlay(capsys, "backup", "list", "--from", target.url, *target.cli_args)
    assert listed.code == 0
    assert [line["id"] for line in listed.lines] == [summary["id"], again.summary["id"]]
    assert [line["kind"] for line in listed.lines] == ["full", "unchanged"]

    verified = underlay(capsys, "backup", "verify", "--from", target.url, *target.cli_args)
    assert verified.code == 0
    assert verified.summary["id"] == again.summary["id"]

    dest = tmp_path / "restored.git"
    restored = underlay(capsys, "restore", "--from", target.url, *target.cli_args,
                        "--id", summary["id"], "--to", str(dest))  # fmt: skip
    assert restored.code == 0
    assert restored.summary["refs"] == len(repo.refs())
    assert git("rev-parse", "v0.2.0^{commit}", cwd=dest).strip() == repo.refs()["refs/heads/main"]


def test_module_entry_point_and_env_vars(s3_target: Target, repo: GitRepo, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "UNDERLAY_BACKUP_REPO": repo.url,
        "UNDERLAY_BACKUP_TARGET": s3_target.url,
        "UNDERLAY_S3_ENDPOINT": s3_target.cli_args[1],
        "UNDERLAY_WORK_DIR": str(work),
    }
    done = underlay_process("backup", "run", "--part-size-mib", "5", env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["ok"] is True
    assert list(work.iterdir()) == []  # the work dir is cleaned up


def test_cli_start_does_not_import_sdks() -> None:
    code = (
        "import sys, bootstrap.cli; "
        "bad = [m for m in ('boto3', 'botocore', 'azure.storage.blob', 'azure.identity') "
        "if m in sys.modules]; print(bad)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "args",
    [
        ["backup", "run", "--to", "s3://bucket-a/p"],
        ["backup", "run", "--repo", "/x", "--to", "s3://bucket-a/p", "--keep-last", "0"],
    ],
)
def test_usage_errors_exit_2(capsys: Capsys, args: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
