"""Manifest model strictness and the git bundle helpers on a real repository."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from bootstrap.backup.bundle import (
    bundle_heads,
    create_bundle,
    init_scratch_repo,
    local_refs,
    mirror_clone,
    remote_refs,
    run_git,
    sha256_file,
    verify_bundle,
)
from bootstrap.backup.errors import IntegrityError, RepoError
from bootstrap.backup.manifest import BundleInfo, Manifest, dump_json, parse_manifest
from tests.support.git_repos import GitRepo

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def manifest(**overrides: object) -> Manifest:
    values: dict[str, object] = {
        "id": "20260101T000000.000Z-abcdef",
        "kind": "full",
        "repo_url": "https://***@host/repo.git",
        "created_at": NOW,
        "completed_at": NOW,
        "tool_version": "underlay 0.1.0",
        "git_version": "2.39.5",
        "head": "refs/heads/main",
        "refs": {"refs/heads/main": "a" * 40},
        "bundle": BundleInfo(
            key="backups/20260101T000000.000Z-abcdef/repo.bundle",
            owner_id="20260101T000000.000Z-abcdef",
            size=10,
            sha256="0" * 64,
        ),
    }
    values.update(overrides)
    return Manifest.model_validate(values)


def test_manifest_round_trip_and_strictness() -> None:
    m = manifest()
    assert parse_manifest(dump_json(m), expected_id=m.id) == m
    with pytest.raises(ValidationError):
        m.kind = "unchanged"
    with pytest.raises(ValidationError):
        manifest(extra_field=1)
    with pytest.raises(ValidationError):
        manifest(created_at=datetime(2026, 1, 1))  # naive time is refused
    with pytest.raises(IntegrityError, match="claims id"):
        parse_manifest(dump_json(m), expected_id="20260101T000000.000Z-ffffff")
    with pytest.raises(IntegrityError, match="unreadable"):
        parse_manifest(b"{not json", expected_id=m.id)


def test_bundle_hash_verify_and_refs(tmp_path: Path) -> None:
    repo = GitRepo.populated(tmp_path / "src")
    assert dict(remote_refs(repo.url).refs) == repo.refs()
    assert remote_refs(repo.url).head == "refs/heads/main"
    mirror = tmp_path / "mirror.git"
    mirror_clone(repo.url, mirror)
    state = local_refs(mirror)
    assert dict(state.refs) == repo.refs()
    bundle = create_bundle(mirror, tmp_path / "repo.bundle")
    assert bundle.sha256 == sha256_file(bundle.path)
    assert bundle.size == bundle.path.stat().st_size
    scratch = init_scratch_repo(tmp_path / "scratch.git")
    verify_bundle(bundle.path, scratch)
    assert dict(bundle_heads(bundle.path, scratch).refs) == repo.refs()

    # Why verify also unbundles: `git bundle verify` checks the header and prerequisites only,
    # so a bundle whose pack is damaged still passes it; fetching from it (index-pack) fails.
    bundle.path.write_bytes(bundle.path.read_bytes()[:-100])
    verify_bundle(bundle.path, scratch)
    with pytest.raises(RepoError):
        run_git(["fetch", "--quiet", str(bundle.path), "+refs/*:refs/*"], cwd=scratch, what="x")


def test_git_errors_are_redacted(tmp_path: Path) -> None:
    with pytest.raises(RepoError) as caught:
        remote_refs("https://user:hunter2@127.0.0.1:9/none.git")
    assert "hunter2" not in str(caught.value)
    assert caught.value.exit_code == 1
