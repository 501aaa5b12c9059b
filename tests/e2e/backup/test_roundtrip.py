"""Backup -> list -> verify -> restore against real emulators (moto S3 and Azurite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bootstrap.backup import layout
from bootstrap.backup.catalog import load_catalog
from bootstrap.backup.errors import RepoError
from bootstrap.backup.restore import restore_backup
from bootstrap.backup.retention import RetentionPolicy
from bootstrap.backup.run import RunOptions, run_backup
from bootstrap.backup.verify import verify_backup
from tests.e2e.backup.conftest import PREFIX, Target
from tests.support.git_repos import GitRepo, git


def test_full_backup_then_restore_to_directory_and_empty_remote(
    target: Target, repo: GitRepo, tmp_path: Path
) -> None:
    storage = target.storage()
    summary = run_backup(repo.url, storage, RunOptions())
    assert summary["ok"] is True
    assert summary["outcome"] == "full"
    backup_id = summary["id"]

    keys = target.raw_keys()
    assert f"{PREFIX}/backups/{backup_id}/repo.bundle" in keys
    assert f"{PREFIX}/backups/{backup_id}/manifest.json" in keys
    last = json.loads(target.get_raw(f"{PREFIX}/last-success.json"))
    assert last["id"] == backup_id

    manifest = json.loads(target.get_raw(f"{PREFIX}/{layout.manifest_key(backup_id)}"))
    assert manifest["refs"] == repo.refs()
    assert {"refs/heads/main", "refs/heads/feature/x", "refs/tags/v0.1.0", "refs/tags/v0.2.0"} <= (
        set(manifest["refs"])
    )
    assert manifest["head"] == "refs/heads/main"

    assert verify_backup(storage)["id"] == backup_id

    restored = tmp_path / "restored.git"
    result = restore_backup(storage, str(restored))
    assert result["refs"] == len(repo.refs())
    git("fsck", "--strict", "--no-progress", cwd=restored)
    assert git("cat-file", "-t", "v0.2.0", cwd=restored).strip() == "tag"  # annotated survives

    empty_remote = tmp_path / "empty-remote.git"
    git("init", "--quiet", "--bare", str(empty_remote))
    restore_backup(storage, f"file://{empty_remote}")
    out = git("for-each-ref", "--format=%(objectname) %(refname)", cwd=empty_remote)
    assert {
        line.split(" ", 1)[1]: line.split(" ", 1)[0] for line in out.splitlines()
    } == repo.refs()


def test_older_backup_still_restores_a_force_pushed_branch(
    target: Target, repo: GitRepo, tmp_path: Path
) -> None:
    storage = target.storage()
    old_tip = repo.refs()["refs/heads/feature/x"]
    first = run_backup(repo.url, storage, RunOptions())["id"]

    git("checkout", "--quiet", "feature/x", cwd=repo.work)
    git("reset", "--quiet", "--hard", "HEAD~1", cwd=repo.work)
    repo.commit("rewritten.txt", "history rewritten\n")
    repo.push("feature/x", force=True)
    new_tip = repo.refs()["refs/heads/feature/x"]
    assert new_tip != old_tip
    git("gc", "--quiet", "--prune=now", cwd=repo.origin)  # the old tip is gone from origin
    second = run_backup(repo.url, storage, RunOptions())["id"]
    assert second > first

    old = tmp_path / "old.git"
    restore_backup(storage, str(old), wanted=first)
    assert git("rev-parse", "refs/heads/feature/x", cwd=old).strip() == old_tip
    new = tmp_path / "new.git"
    restore_backup(storage, str(new), wanted="latest")
    assert git("rev-parse", "refs/heads/feature/x", cwd=new).strip() == new_tip


@pytest.mark.parametrize("mode", ["record", "skip", "full"])
def test_unchanged_refs(target: Target, repo: GitRepo, tmp_path: Path, mode: str) -> None:
    storage = target.storage()
    first = run_backup(repo.url, storage, RunOptions())
    second = run_backup(repo.url, storage, RunOptions(on_unchanged=mode))  # type: ignore[arg-type]
    bundles = [k for k in target.raw_keys() if k.endswith("repo.bundle")]
    if mode == "record":
        # The record owns a server-side copy of the base's bundle (issue 13: no record can lose
        # its bundle to another run's retention while it is kept).
        assert second["outcome"] == "unchanged-recorded"
        assert second["copied_from"] == first["id"]
        assert second["bundle_owner"] == second["id"]
        assert len(bundles) == 2
        assert target.get_raw(f"{PREFIX}/{layout.bundle_key(second['id'])}") == target.get_raw(
            f"{PREFIX}/{layout.bundle_key(first['id'])}"
        )
        restore_backup(storage, str(tmp_path / "r.git"), wanted=second["id"])
        assert verify_backup(storage, second["id"])["bundle_owner"] == second["id"]
    elif mode == "skip":
        assert second["outcome"] == "unchanged-skipped"
        assert len(bundles) == 1
        assert [r.id for r in load_catalog(storage).records] == [first["id"]]
    else:
        assert second["outcome"] == "full"
        assert len(bundles) == 2
    last = json.loads(target.get_raw(f"{PREFIX}/last-success.json"))
    assert last["id"] == second["id"]


def test_retention_keeps_only_the_newest_and_never_touches_foreign_objects(
    target: Target, repo: GitRepo
) -> None:
    foreign = [
        f"{PREFIX}/notes.txt",
        f"{PREFIX}/backups/not-an-id/repo.bundle",
        f"{PREFIX}/backups/20200101T000000.000Z-abcdef/other.bin",
        f"{PREFIX}/backups/20200101T000000.000Z-abcdef/repo.bundle.tmp",
        "team/manifests-other/backups/20200101T000000.000Z-abcdef/repo.bundle",
        "elsewhere/backups/20200101T000000.000Z-abcdef/manifest.json",
    ]
    for key in foreign:
        target.put_raw(key, b"not ours")
    storage = target.storage()
    policy = RetentionPolicy(keep_last=1)
    first = run_backup(repo.url, storage, RunOptions(policy=policy))
    second = run_backup(repo.url, storage, RunOptions(policy=policy))  # unchanged: record
    assert second["outcome"] == "unchanged-recorded"
    assert second["deleted"] == [first["id"]]  # the record has its own copy of the bundle
    assert second["restorable"] == second["id"]
    repo.commit("new.txt", "change\n")
    repo.push("main")
    third = run_backup(repo.url, storage, RunOptions(policy=policy))
    assert third["deleted"] == [second["id"]]
    keys = target.raw_keys()
    for key in foreign:
        assert key in keys
    ours = [k for k in keys if k not in foreign]
    assert sorted(ours) == sorted(
        [
            f"{PREFIX}/last-success.json",
            f"{PREFIX}/{layout.bundle_key(third['id'])}",
            f"{PREFIX}/{layout.manifest_key(third['id'])}",
        ]
    )


def test_empty_repository_is_an_error_and_writes_nothing(s3_target: Target, tmp_path: Path) -> None:
    empty = GitRepo(tmp_path / "empty")
    with pytest.raises(RepoError, match="no refs"):
        run_backup(empty.url, s3_target.storage(), RunOptions())
    assert s3_target.raw_keys() == []
