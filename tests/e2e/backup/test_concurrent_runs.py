"""Issue 13: many concurrent ``underlay backup run`` processes with ``--keep-last 1``.

Each round starts N real CLI processes at once (half ``--on-unchanged record``, half ``full``)
against one target on moto S3 or Azurite. After every round the store must still hold a backup
that verifies end to end, every complete record it keeps must resolve to an existing bundle, and
every run that said ``ok`` must have left a restorable backup behind (its own, or a newer good one
that superseded it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime

from bootstrap.backup.catalog import load_catalog
from bootstrap.backup.verify import verify_backup
from tests.backup.conftest import Target
from tests.support.git_repos import GitRepo

RUNS = 10
ROUNDS = int(os.environ.get("UNDERLAY_STRESS_ROUNDS", "3"))  # raise it for a longer soak


def _start(target: Target, repo: GitRepo, mode: str) -> subprocess.Popen[str]:
    args = ["backup", "run", "--repo", repo.url, "--to", target.url, *target.cli_args]
    args += ["--on-unchanged", mode, "--keep-last", "1", "--incomplete-grace-hours", "0"]
    return subprocess.Popen(
        [sys.executable, "-m", "bootstrap.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def _round(target: Target, repo: GitRepo) -> list[dict[str, object]]:
    started = time.monotonic()
    procs = [_start(target, repo, "record" if i % 2 else "full") for i in range(RUNS)]
    results: list[dict[str, object]] = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        lines = [json.loads(line) for line in out.splitlines() if line.strip()]
        assert len(lines) == 1, (out, err)
        summary = lines[0]
        assert (proc.returncode == 0) == (summary["ok"] is True), (summary, err)
        results.append(summary)
    print(f"{target.kind}: {RUNS} runs in {time.monotonic() - started:.1f} s")
    return results


def _check_store(target: Target, ok_runs: list[dict[str, object]], label: str) -> None:
    storage = target.storage()
    catalog = load_catalog(storage)
    complete = [r for r in catalog.records if r.complete and not r.quarantined]
    dangling = [r.id for r in complete if not catalog.is_good(r)]
    assert not dangling, f"{label}: kept records whose bundle owner is gone: {dangling}"
    good = catalog.newest_good()
    assert good is not None, f"{label}: no restorable backup left ({len(catalog.records)} records)"
    assert verify_backup(storage, "latest", quarantine=False)["id"] == good.id
    for run in ok_runs:
        own = catalog.get(str(run["id"]))
        # a run's own record may since have been pruned by a newer run (its manifest gone, maybe
        # its bundle kept while referenced); if its record is still complete, it must restore
        if own is not None and own.complete:
            assert catalog.is_good(own), f"{label}: run {own.id} said ok but is not restorable"
        assert run["restorable"], run


def test_concurrent_runs_keep_a_restorable_backup(target: Target, repo: GitRepo) -> None:
    for round_no in range(ROUNDS):
        if round_no == ROUNDS - 1:  # the last round also sees a change between rounds
            repo.commit("change.txt", f"{datetime.now(UTC).isoformat()}\n")
            repo.push("main")
        results = _round(target, repo)
        ok_runs = [r for r in results if r["ok"] is True]
        assert ok_runs, f"round {round_no}: every run failed: {results}"
        _check_store(target, ok_runs, f"{target.kind} round {round_no}")
