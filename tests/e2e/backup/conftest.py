"""Backup test fixtures: one fresh bucket/container per test, on both storage backends."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bootstrap.backup.targets import Storage, open_target
from tests.support.azurite import AZURITE_ACCOUNT, Azurite
from tests.support.git_repos import GitRepo
from tests.support.moto_server import FAKE_CREDENTIALS, MotoServer

PART = 5 * 1024 * 1024  # S3's minimum part size: a 12 MB bundle uploads in 3 parts
PREFIX = "team/manifests"


@dataclass
class Target:
    kind: str
    url: str
    cli_args: list[str]
    open: Callable[..., Storage]
    raw_keys: Callable[[], list[str]]
    put_raw: Callable[[str, bytes], None]
    get_raw: Callable[[str], bytes]
    extra: dict[str, Any] = field(default_factory=dict)

    def storage(self, **kwargs: Any) -> Storage:
        return self.open(**kwargs)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("UNDERLAY_S3_ENDPOINT", raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("UNDERLAY_STORAGE_RETRIES", "1")  # faults fail in seconds, not minutes


def _name() -> str:
    return f"bk-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def s3_target(moto: MotoServer, aws_env: None) -> Target:
    bucket = _name()
    client = moto.client("s3")
    client.create_bucket(Bucket=bucket)

    def raw_keys() -> list[str]:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def put_raw(key: str, data: bytes) -> None:
        client.put_object(Bucket=bucket, Key=key, Body=data)

    def get_raw(key: str) -> bytes:
        return bytes(client.get_object(Bucket=bucket, Key=key)["Body"].read())

    def opener(endpoint: str | None = None, part_size: int = PART) -> Storage:
        return open_target(
            f"s3://{bucket}/{PREFIX}", endpoint=endpoint or moto.endpoint, part_size=part_size
        )

    return Target(
        "s3",
        f"s3://{bucket}/{PREFIX}",
        ["--endpoint", moto.endpoint, "--part-size-mib", "5"],
        opener,
        raw_keys,
        put_raw,
        get_raw,
        {"bucket": bucket, "port": moto.port},
    )


@pytest.fixture
def azblob_target(azurite: Azurite, monkeypatch: pytest.MonkeyPatch) -> Target:
    container_name = _name()
    azurite.create_container(container_name)
    container = azurite.container(container_name)
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite.connection_string)
    monkeypatch.setenv("UNDERLAY_STORAGE_RETRIES", "1")
    url = f"azblob://{AZURITE_ACCOUNT}/{container_name}/{PREFIX}"

    def raw_keys() -> list[str]:
        return sorted(b.name for b in container.list_blobs())

    def put_raw(key: str, data: bytes) -> None:
        container.upload_blob(key, data, overwrite=True)

    def get_raw(key: str) -> bytes:
        return bytes(container.download_blob(key).readall())

    def opener(part_size: int = PART) -> Storage:
        return open_target(url, part_size=part_size)

    return Target(
        "azblob",
        url,
        ["--part-size-mib", "5"],
        opener,
        raw_keys,
        put_raw,
        get_raw,
        {"container": container_name, "port": azurite.port, "conn": azurite.connection_string},
    )


@pytest.fixture(params=["s3", "azblob"])
def target(request: pytest.FixtureRequest) -> Target:
    return request.getfixturevalue(f"{request.param}_target")  # type: ignore[no-any-return]


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo.populated(tmp_path / "src")


@pytest.fixture
def big_repo(tmp_path: Path) -> GitRepo:
    """~12 MB of incompressible data: the bundle needs several 5 MiB parts."""
    return GitRepo.populated(tmp_path / "src", big_blob=12 * 1024 * 1024)
