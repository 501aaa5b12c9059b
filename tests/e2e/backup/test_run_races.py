"""The two defences of issue 13, each forced deterministically on both stores: an unchanged
record whose base vanishes mid-copy falls back to a full backup, and a run whose backup is not
restorable after retention does not report success."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.backup import layout, run
from bootstrap.backup.catalog import Catalog, load_catalog
from bootstrap.backup.errors import IntegrityError
from bootstrap.backup.retention import RetentionPlan
from bootstrap.backup.run import RunOptions, run_backup
from bootstrap.backup.targets import Storage
from bootstrap.backup.verify import verify_backup
from tests.e2e.backup.conftest import Target
from tests.support.git_repos import GitRepo


def test_base_deleted_during_the_copy_falls_back_to_a_full_backup(
    target: Target, repo: GitRepo
) -> None:
    storage = target.storage()
    first = run_backup(repo.url, storage, RunOptions())["id"]
    real_copy = storage.copy

    def copy_after_a_concurrent_delete(source: str, key: str) -> None:
        # Another run's retention removes the base between our check and our copy.
        storage.delete(layout.manifest_key(first))
        storage.delete(layout.bundle_key(first))
        real_copy(source, key)

    storage.copy = copy_after_a_concurrent_delete  # type: ignore[method-assign]
    summary = run_backup(repo.url, storage, RunOptions())
    assert summary["copy_fallback"] == first
    assert summary["outcome"] == "full"
    assert summary["restorable"] == summary["id"]
    assert verify_backup(storage, summary["id"], quarantine=False)["id"] == summary["id"]


def test_a_run_whose_backup_is_gone_after_retention_fails(
    target: Target, repo: GitRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    storage = target.storage()
    run_backup(repo.url, storage, RunOptions())
    real_apply = run.apply_retention

    def retention_that_loses_everything(s: Storage, catalog: Catalog, plan: RetentionPlan) -> None:
        real_apply(s, catalog, plan)
        for record in load_catalog(s).records:  # as if other runs had deleted every backup
            s.delete(layout.manifest_key(record.id))

    monkeypatch.setattr(run, "apply_retention", retention_that_loses_everything)
    report: dict[str, object] = {}
    with pytest.raises(IntegrityError, match=r"is not restorable after retention \(incomplete\)"):
        run_backup(repo.url, storage, RunOptions(on_unchanged="full"), report=report)
    assert "ok" not in report
    assert report["stage"] == "restorable-check"
