"""Target URL parsing: strict, one-line errors, nothing contacted."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.backup.errors import BackupInputError
from bootstrap.backup.targets import open_target, parse_target
from tests.support import azurite


@pytest.mark.parametrize(
    ("url", "scheme", "bucket", "prefix", "account"),
    [
        ("s3://my-bucket", "s3", "my-bucket", "", None),
        ("s3://my-bucket/", "s3", "my-bucket", "", None),
        ("s3://my.bucket/a/b/", "s3", "my.bucket", "a/b", None),
        ("azblob://acct01/backups", "azblob", "backups", "", "acct01"),
        ("azblob://acct01/backups/team/x", "azblob", "backups", "team/x", "acct01"),
    ],
)
def test_valid_targets(
    url: str, scheme: str, bucket: str, prefix: str, account: str | None
) -> None:
    spec = parse_target(url)
    assert (spec.scheme, spec.bucket, spec.prefix, spec.account) == (
        scheme,
        bucket,
        prefix,
        account,
    )
    assert parse_target(spec.url) == spec


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("my-bucket/prefix", "not a URL"),
        ("gs://bucket/x", "unknown scheme"),
        ("s3://", "bucket"),
        ("s3://Bad_Bucket/x", "bucket"),
        ("s3://ab", "bucket"),
        ("s3://bucket/../x", "prefix"),
        ("s3://bucket/a b", "prefix"),
        ("s3://key:secret@bucket/x", "credentials"),
        ("azblob://acct01", "account/container"),
        ("azblob://Acct/c0ntainer", "account"),
        ("azblob://acct01/Bad--name", "container"),
        ("azblob://acct01/c1?sig=abc", "credentials"),
    ],
)
def test_bad_targets_are_input_errors(url: str, message: str) -> None:
    with pytest.raises(BackupInputError, match=message) as caught:
        parse_target(url)
    assert caught.value.exit_code == 2
    assert "\n" not in str(caught.value)
    assert "secret" not in str(caught.value)


def test_part_size_limits_and_endpoint_only_for_s3() -> None:
    with pytest.raises(BackupInputError, match="5 MiB"):
        open_target("s3://bucket-x/p", part_size=1024 * 1024)
    with pytest.raises(BackupInputError, match="s3:// only"):
        open_target("azblob://acct01/cont/p", endpoint="http://127.0.0.1:1")


def test_azure_connection_string_must_name_the_target_account(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "AZURE_STORAGE_CONNECTION_STRING",
        "DefaultEndpointsProtocol=http;AccountName=other;AccountKey=a2V5;"
        "BlobEndpoint=http://127.0.0.1:1/other;",
    )
    with pytest.raises(BackupInputError, match="does not match") as caught:
        open_target("azblob://acct01/cont/p")
    assert "a2V5" not in str(caught.value)


def test_missing_azurite_fails_in_ci_and_skips_locally(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(azurite, "_REPO_ROOT", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        azurite.azurite_binary()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="npm ci"):
        azurite.azurite_binary()
