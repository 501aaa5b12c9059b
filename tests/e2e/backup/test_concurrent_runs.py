"""Issue 13: any number of concurrent `underlay backup run`s with retention must leave the store
with a complete backup that verifies, and every complete record the store keeps restorable.

Real processes (the CronJob, a manual run and a second cluster are separate processes), ten at
once, half `--on-unchanged record` and half `full`, all `--keep-last 1`, several rounds, on
moto S3 and on Azurite. After each round: `backup verify` of latest passes, and every complete
record's bundle (its own, or the one it points at) is in the store.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bootstrap.backup.catalog import load_catalog
from tests.e2e.backup.conftest import Target
from tests.support.cli import underlay_process
from tests.support.git_repos import GitRepo

RUNS = 10
ROUNDS = 3


def _run_all(target: Target, repo: GitRepo, work: Path) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ}
    processes = []
    for i in range(RUNS):
        mode = "record" if i % 2 else "full"
        command = [
            sys.executable,
            "-m",
            "bootstrap.cli",
            "backup",
            "run",
            "--repo",
            repo.url,
            "--to",
            target.url,
            "--keep-last",
            "1",
            "--on-unchanged",
            mode,
            "--work-dir",
            str(work),
            *target.cli_args,
        ]
        processes.append(
            subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
    done = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


def _restorable_problems(target: Target) -> list[str]:
    catalog = load_catalog(target.storage())
    problems = []
    for record in catalog.records:
        if not record.complete:
            continue
        assert record.manifest is not None, record.problem
        owner = catalog.get(record.manifest.bundle.owner_id)
        if owner is None or not owner.has_bundle:
            problems.append(f"{record.id}: its bundle ({record.manifest.bundle.owner_id}) is gone")
    if catalog.newest_good() is None:
        problems.append("no complete, good backup left")
    return problems


@pytest.mark.parametrize("target", ["s3", "azblob"], indirect=True)
def test_concurrent_runs_with_retention_keep_a_restorable_backup(
    target: Target, repo: GitRepo, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    for round_ in range(ROUNDS):
        if round_ == ROUNDS - 1:
            repo.commit("clusters/dev/new.yaml", f"round: {round_}\n")
            repo.push("--all")
        results = _run_all(target, repo, work)
        failed = [r.stderr.strip()[-300:] for r in results if r.returncode != 0]
        assert failed == [], failed
        assert _restorable_problems(target) == [], f"round {round_}"
        verify_args = ["backup", "verify", "--from", target.url, *target.cli_args[:2]]
        verify = underlay_process(*verify_args)
        assert verify.returncode == 0, f"round {round_}: {verify.stderr}"
