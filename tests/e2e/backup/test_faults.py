"""The fault matrix of issue #5. Each case: nothing lost, newest good backup intact, a clear
one-line error, a non-zero exit status (and a JSON summary line with ``"ok": false``)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bootstrap.backup import layout
from bootstrap.backup.catalog import load_catalog
from bootstrap.backup.errors import IntegrityError
from bootstrap.backup.restore import restore_backup
from bootstrap.backup.retention import RetentionPolicy, plan_retention
from bootstrap.backup.run import RunOptions, run_backup
from tests.e2e.backup.conftest import PREFIX, Target
from tests.e2e.backup.helpers import assert_intact, underlay
from tests.support.azurite import connection_string
from tests.support.cut_proxy import cut_proxy
from tests.support.git_repos import GitRepo, git
from tests.support.ports import free_port

Capsys = pytest.CaptureFixture[str]


def _cli_run(capsys: Capsys, target: Target, repo_url: str, *extra: str) -> Any:
    return underlay(capsys, "backup", "run", "--repo", repo_url, "--to", target.url,
                    *target.cli_args, *extra)  # fmt: skip


def _change(repo: GitRepo, name: str = "change.txt") -> None:
    repo.commit(name, f"{name} {datetime.now(UTC).isoformat()}\n")
    repo.push("main")


def test_storage_unreachable_at_start(
    target: Target, repo: GitRepo, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = run_backup(repo.url, target.storage(), RunOptions())["id"]
    before = target.raw_keys()
    _change(repo)
    dead = free_port()
    args = list(target.cli_args)
    if target.kind == "s3":
        args[args.index("--endpoint") + 1] = f"http://127.0.0.1:{dead}"
    else:
        monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", connection_string(dead))
    result = underlay(capsys, "backup", "run", "--repo", repo.url, "--to", target.url, *args)
    assert result.code == 1
    assert result.summary["ok"] is False
    assert result.summary["stage"] == "storage-check"
    assert "access check failed" in result.summary["error"]
    assert "underlay: error:" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    if target.kind == "azblob":
        monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", target.extra["conn"])
    assert target.raw_keys() == before
    assert_intact(target.storage(), good)


def test_connection_cut_mid_upload(
    target: Target, big_repo: GitRepo, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = run_backup(big_repo.url, target.storage(), RunOptions())["id"]
    _change(big_repo)
    upstream = target.extra["port"]
    with cut_proxy(upstream, cut_after=7 * 1024 * 1024) as proxy:
        args = list(target.cli_args)
        if target.kind == "s3":
            args[args.index("--endpoint") + 1] = proxy.endpoint
        else:
            monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", connection_string(proxy.port))
        result = _cli_run_with(capsys, target, big_repo.url, args)
        assert proxy.cut.is_set(), "the cut must happen mid-upload"
    if target.kind == "azblob":
        monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", target.extra["conn"])
    assert result.code == 1
    assert result.summary["ok"] is False
    assert result.summary["stage"] == "upload"
    assert "upload failed" in result.summary["error"]
    failed_id = result.summary["id"]
    assert f"{PREFIX}/{layout.manifest_key(failed_id)}" not in target.raw_keys()
    assert_intact(target.storage(), good)
    # the next run succeeds and the interrupted one never counts as a backup
    after = run_backup(big_repo.url, target.storage(), RunOptions())
    assert after["outcome"] == "full"
    assert_intact(target.storage(), after["id"])


def _cli_run_with(capsys: Capsys, target: Target, repo_url: str, args: list[str]) -> Any:
    return underlay(capsys, "backup", "run", "--repo", repo_url, "--to", target.url, *args)


def test_corrupted_stored_bundle(
    target: Target, repo: GitRepo, capsys: Capsys, tmp_path: Path
) -> None:
    storage = target.storage()
    good = run_backup(repo.url, storage, RunOptions())["id"]
    _change(repo)
    bad = run_backup(repo.url, storage, RunOptions())["id"]
    key = f"{PREFIX}/{layout.bundle_key(bad)}"
    data = bytearray(target.get_raw(key))
    data[len(data) // 2] ^= 0xFF  # same size, one bit pattern flipped
    target.put_raw(key, bytes(data))

    verify = underlay(capsys, "backup", "verify", "--from", target.url, *target.cli_args)
    assert verify.code == 1
    assert verify.summary["ok"] is False
    assert "checksum mismatch" in verify.summary["error"]
    assert f"{PREFIX}/{layout.quarantine_key(bad)}" in target.raw_keys()

    dest = tmp_path / "restore-bad.git"
    refused = underlay(capsys, "restore", "--from", target.url, *target.cli_args,
                       "--id", bad, "--to", str(dest))  # fmt: skip
    assert refused.code == 1
    assert "checksum mismatch" in refused.summary["error"]
    assert not dest.exists()

    # "latest" now falls back to the last good backup; retention keeps it
    catalog = load_catalog(storage)
    assert catalog.newest_good() is not None
    assert catalog.newest_good().id == good  # type: ignore[union-attr]
    plan = plan_retention(catalog.states(), RetentionPolicy(keep_last=1), now=datetime.now(UTC))
    assert good in plan.keep
    assert_intact(storage, good)
    listed = underlay(capsys, "backup", "list", "--from", target.url, *target.cli_args)
    assert listed.code == 0
    assert {line["id"]: line["status"] for line in listed.lines} == {
        good: "complete",
        bad: "quarantined",
    }
    # the next run does not reuse the quarantined bundle: it stores a fresh one
    fresh = run_backup(repo.url, storage, RunOptions(policy=RetentionPolicy(keep_last=1)))
    assert fresh["outcome"] == "full"
    assert_intact(storage, fresh["id"])


@pytest.mark.parametrize("kind", ["missing-path", "closed-port-with-credentials"])
def test_repo_unreachable(
    target: Target, repo: GitRepo, capsys: Capsys, tmp_path: Path, kind: str
) -> None:
    good = run_backup(repo.url, target.storage(), RunOptions())["id"]
    before = target.raw_keys()
    if kind == "missing-path":
        url = str(tmp_path / "no-such-repo.git")
    else:
        url = f"http://deploy:s3cr3t-token@127.0.0.1:{free_port()}/manifests.git"
    result = _cli_run(capsys, target, url)
    assert result.code == 1
    assert result.summary["ok"] is False
    assert result.summary["stage"] in {"read-refs", "clone"}
    assert "s3cr3t" not in result.stderr
    assert "s3cr3t" not in str(result.lines)
    if kind != "missing-path":
        assert "***@127.0.0.1" in result.summary["repo"]
    assert target.raw_keys() == before
    assert_intact(target.storage(), good)


def test_two_runs_at_once(target: Target, repo: GitRepo) -> None:
    first = run_backup(repo.url, target.storage(), RunOptions())["id"]
    _change(repo)
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def one(mode: str) -> None:
        try:
            options = RunOptions(on_unchanged=mode, policy=RetentionPolicy(keep_last=1))  # type: ignore[arg-type]
            results.append(run_backup(repo.url, target.storage(), options))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(mode,)) for mode in ("full", "record", "full")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    ids = [r["id"] for r in results]
    assert len(set(ids)) == 3
    catalog = load_catalog(target.storage())
    assert all(r.complete for r in catalog.records), [r.status for r in catalog.records]
    newest = catalog.newest_good()
    assert newest is not None
    assert newest.id != first
    assert_intact(target.storage(), newest.id)
    assert newest.manifest is not None
    assert newest.manifest.refs == repo.refs()


def test_retention_with_failures_interleaved(target: Target, repo: GitRepo, tmp_path: Path) -> None:
    storage = target.storage()
    real_now = datetime.now(UTC)
    keep2 = RunOptions(policy=RetentionPolicy(keep_last=2))
    a = run_backup(repo.url, storage, keep2)["id"]
    _change(repo, "b.txt")
    b = run_backup(repo.url, storage, keep2)["id"]
    with pytest.raises(Exception, match="failed"):
        run_backup(str(tmp_path / "gone.git"), storage, keep2)  # failed run in between
    old_leftover = layout.new_backup_id(real_now - timedelta(days=2))
    target.put_raw(f"{PREFIX}/{layout.bundle_key(old_leftover)}", b"half an upload")
    _change(repo, "c.txt")
    run_c = run_backup(repo.url, storage, keep2)
    c = run_c["id"]
    assert run_c["deleted"] == [a]  # failed runs do not count towards --keep-last
    assert run_c["cleaned_incomplete"] == []  # the leftover is younger than the grace period
    with pytest.raises(Exception, match="failed"):
        run_backup(str(tmp_path / "gone.git"), storage, keep2)
    # Three days later: a leftover from a run that started an hour ago must survive.
    later = real_now + timedelta(days=3)
    young_leftover = layout.new_backup_id(later - timedelta(hours=1))
    target.put_raw(f"{PREFIX}/{layout.bundle_key(young_leftover)}", b"still uploading")
    _change(repo, "d.txt")
    d = run_backup(repo.url, storage, keep2, clock=lambda: later)
    assert d["deleted"] == [b]
    assert d["cleaned_incomplete"] == [old_leftover]
    ids = {r.id for r in load_catalog(storage).records}
    assert ids == {c, d["id"], young_leftover}
    assert_intact(storage, d["id"])


def test_restore_into_non_empty_remote(
    target: Target, repo: GitRepo, capsys: Capsys, tmp_path: Path
) -> None:
    storage = target.storage()
    good = run_backup(repo.url, storage, RunOptions())["id"]
    other = GitRepo(tmp_path / "other")
    other.commit("unrelated.txt", "someone else's work\n")
    other.push("main")
    before = other.refs()

    refused = underlay(capsys, "restore", "--from", target.url, *target.cli_args,
                       "--to", f"file://{other.origin}")  # fmt: skip
    assert refused.code == 2
    assert refused.summary["ok"] is False
    assert "--force" in refused.summary["error"]
    assert other.refs() == before

    local = tmp_path / "busy-dir"
    local.mkdir()
    (local / "keep.txt").write_text("mine\n")
    refused_dir = underlay(capsys, "restore", "--from", target.url, *target.cli_args,
                           "--to", str(local))  # fmt: skip
    assert refused_dir.code == 2
    assert (local / "keep.txt").read_text() == "mine\n"

    forced = underlay(capsys, "restore", "--from", target.url, *target.cli_args,
                      "--to", f"file://{other.origin}", "--force")  # fmt: skip
    assert forced.code == 0, forced
    assert forced.summary["ok"] is True
    assert other.refs() == repo.refs()
    assert_intact(storage, good)


def test_restore_refuses_checksum_failure_without_touching_destination(
    target: Target, repo: GitRepo, tmp_path: Path
) -> None:
    storage = target.storage()
    backup_id = run_backup(repo.url, storage, RunOptions())["id"]
    key = f"{PREFIX}/{layout.bundle_key(backup_id)}"
    data = bytearray(target.get_raw(key))
    data[-1] ^= 0xFF  # always a change (a bundle's last byte is itself 0 one time in 256)
    target.put_raw(key, bytes(data))
    empty = tmp_path / "empty.git"
    git("init", "--quiet", "--bare", str(empty))
    with pytest.raises(IntegrityError, match="checksum mismatch"):
        restore_backup(storage, f"file://{empty}")
    assert git("for-each-ref", cwd=empty) == ""
    empty_dir = tmp_path / "empty-dir"
    empty_dir.mkdir()
    with pytest.raises(IntegrityError, match="checksum mismatch"):
        restore_backup(storage, str(empty_dir))
    assert list(empty_dir.iterdir()) == []


def test_missing_cloud_credentials_fail_in_one_line(
    capsys: Capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE",
                 "AZURE_STORAGE_CONNECTION_STRING", "AZURE_CLIENT_ID", "AZURE_TENANT_ID",
                 "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE", "IDENTITY_ENDPOINT",
                 "MSI_ENDPOINT"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("UNDERLAY_STORAGE_RETRIES", "0")
    s3 = underlay(capsys, "backup", "list", "--from", "s3://bucket-a/p",
                  "--endpoint", f"http://127.0.0.1:{free_port()}")  # fmt: skip
    assert s3.code == 1
    assert "Unable to locate credentials" in s3.summary["error"]
    azure = underlay(capsys, "backup", "list", "--from", "azblob://acct01/cont/p")
    assert azure.code == 1
    assert "access check failed" in azure.summary["error"]
    for result in (s3, azure):
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
