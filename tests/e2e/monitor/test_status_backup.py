"""`underlay status`, backup side, and `underlay backup drill`, for real against moto S3 and
Azurite: a fresh backup with a passed drill is green; a stale or missing backup is red; a failed,
missing or forged drill record is red. The drill runs the exact argv of the drill CronJob."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bootstrap.backup import layout
from bootstrap.backup.drill import LAST_DRILL_KEY, read_last_drill
from bootstrap.backup.run import RunOptions, run_backup
from bootstrap.backup.targets import Storage, open_target
from bootstrap.monitor.status import backup_rows
from stacks.config.loader import load_environment
from stacks.platform.gen.backup_job import drill_command
from stacks.platform.gen.objects import ClusterRefs
from tests.support.azurite import AZURITE_ACCOUNT, Azurite
from tests.support.envs import SAMPLE_ENV_DIR
from tests.support.git_repos import GitRepo
from tests.support.moto_server import FAKE_CREDENTIALS, MotoServer

ENV = load_environment("local", SAMPLE_ENV_DIR).env


@dataclass
class Store:
    url: str
    env: dict[str, str]
    cli: list[str]
    open: Callable[[], Storage]


@pytest.fixture(params=["s3", "azblob"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Store:
    name = f"st-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("UNDERLAY_STORAGE_RETRIES", "1")
    if request.param == "s3":
        moto: MotoServer = request.getfixturevalue("moto")
        for key, value in FAKE_CREDENTIALS.items():
            monkeypatch.setenv(key, value)
        moto.client("s3").create_bucket(Bucket=name)
        url = f"s3://{name}/manifest-repo"
        extra = {**FAKE_CREDENTIALS, "UNDERLAY_S3_ENDPOINT": moto.endpoint}
        return Store(
            url,
            extra,
            ["--endpoint", moto.endpoint],
            lambda: open_target(url, endpoint=moto.endpoint),
        )
    azurite: Azurite = request.getfixturevalue("azurite")
    azurite.create_container(name)
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite.connection_string)
    url = f"azblob://{AZURITE_ACCOUNT}/{name}/manifest-repo"
    extra = {"AZURE_STORAGE_CONNECTION_STRING": azurite.connection_string}
    return Store(url, extra, [], lambda: open_target(url))


def _backup(store: Store, tmp_path: Path) -> None:
    repo = GitRepo.populated(tmp_path / "repo")
    run_backup(repo.url, store.open(), RunOptions())


def _cli(store: Store, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["underlay", *args],
        env={**os.environ, **store.env, "UNDERLAY_STORAGE_RETRIES": "1"},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _drill_argv(store: Store) -> list[str]:
    """The drill CronJob's exact command, with the target of this test's store."""
    refs = ClusterRefs("ul-local", "https://x", "ca", "role", store.url)
    argv = drill_command(ENV, refs)
    assert argv[:4] == ["underlay", "backup", "drill", "--from"]
    return argv


def _rows(storage: Storage, now: datetime | None = None) -> dict[str, tuple[str, str]]:
    return {r.check: (r.state, r.detail) for r in backup_rows(storage, ENV, now)}


def test_fresh_backup_and_drill_are_green_then_stale_is_red(store: Store, tmp_path: Path) -> None:
    _backup(store, tmp_path)
    argv = _drill_argv(store)
    done = _cli(store, *argv[1:], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["ok"] is True
    assert summary["refs"] >= 4
    rows = _rows(store.open())
    assert rows["backup"][0] == "green", rows
    assert rows["restore drill"][0] == "green", rows
    later = datetime.now(UTC) + timedelta(hours=ENV.platform.monitoring.backup_max_age_hours + 1)
    rows = _rows(store.open(), now=later)
    assert rows["backup"][0] == "red", "older than backup_max_age_hours"
    assert rows["restore drill"][0] == "green", "a drill is good for drill.max_age_days"
    much_later = datetime.now(UTC) + timedelta(days=ENV.backup.drill.max_age_days + 1)
    assert _rows(store.open(), now=much_later)["restore drill"][0] == "red"


def test_missing_backup_and_never_drilled_are_red(store: Store, tmp_path: Path) -> None:
    rows = _rows(store.open())
    assert rows["backup"][0] == "red"
    assert rows["restore drill"] == ("red", "no restore drill has run")
    done = _cli(store, *_drill_argv(store)[1:], cwd=tmp_path)
    assert done.returncode == 1, "nothing to drill is a failed drill"
    assert json.loads(done.stdout)["ok"] is False
    rows = _rows(store.open())
    assert rows["restore drill"][0] == "red"
    assert "no complete" in rows["restore drill"][1]


def test_corrupted_bundle_fails_the_drill_and_status_says_red(store: Store, tmp_path: Path) -> None:
    _backup(store, tmp_path)
    storage = store.open()
    (newest,) = [o.key for o in storage.list_objects() if o.key.endswith(layout.BUNDLE)]
    data = bytearray(storage.get_bytes(newest))
    data[len(data) // 2] ^= 0xFF
    storage.put_bytes(newest, bytes(data))
    done = _cli(store, *_drill_argv(store)[1:], cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    record = read_last_drill(store.open())
    assert record is not None
    assert record.ok is False
    assert "checksum" in (record.error or "")
    rows = _rows(store.open())
    assert rows["restore drill"][0] == "red"
    drills = [o.key for o in store.open().list_objects() if o.key.startswith("drills/")]
    assert len(drills) == 1, "each drill keeps its own record"


@pytest.mark.parametrize(
    "forged",
    [
        b"{not json",
        b'{"version": 1, "at": "2026-01-01T00:00:00Z", "ok": true, "x": 1}',
        b"x" * 70000,
    ],
)
def test_forged_drill_record_is_red_never_trusted(
    store: Store, tmp_path: Path, forged: bytes
) -> None:
    _backup(store, tmp_path)
    store.open().put_bytes(LAST_DRILL_KEY, forged)
    rows = _rows(store.open())
    assert rows["restore drill"][0] == "red"
    assert "not a drill record" in rows["restore drill"][1]


def test_status_cli_backup_part_without_a_cluster(store: Store, tmp_path: Path) -> None:
    _backup(store, tmp_path)
    assert _cli(store, *_drill_argv(store)[1:], cwd=tmp_path).returncode == 0
    report = tmp_path / ".underlay" / "drift"
    report.mkdir(parents=True)
    (report / "drift.json").write_text(
        json.dumps(
            {
                "version": 1,
                "drifted": False,
                "generated_at": "2026-11-22T00:00:00",
                "findings": [],
                "checked": [
                    {
                        "source": "infra",
                        "env": "local",
                        "where": "local-cluster",
                        "verdict": "clean",
                    }
                ],
            }
        )
    )
    done = _cli(
        store,
        "status",
        "local",
        "--env-dir",
        str(SAMPLE_ENV_DIR),
        "--skip-cluster",
        "--backup-target",
        store.url,
        *store.cli,
        "--json",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    states = {r["check"]: r["state"] for r in data["rows"]}
    assert states == {
        "cluster": "skipped",
        "backup": "green",
        "restore drill": "green",
        "drift": "green",
    }
    assert "needs a cluster" in data["rows"][0]["detail"]
