"""Target URLs: an empty bucket, account, container or segment is one input error, never a shift."""

from __future__ import annotations

import pytest

from bootstrap.backup.errors import BackupInputError
from bootstrap.backup.targets.parse import TargetSpec, parse_target


@pytest.mark.parametrize(
    "url",
    [
        "s3://",
        "s3:///",
        "s3:///prefix",
        "s3:////bucket/prefix",
        "s3://bucket//prefix",
        "s3://bucket/a//b",
        "azblob://",
        "azblob:///container/prefix",
        "azblob://account//prefix",
        "azblob://account//",
        "azblob:////",
        "azblob://account/container//p",
    ],
)
def test_empty_parts_are_refused(url: str) -> None:
    with pytest.raises(BackupInputError, match=r"empty bucket, account, container or path segment"):
        parse_target(url)


@pytest.mark.parametrize(
    ("url", "spec"),
    [
        ("s3://bucket", TargetSpec("s3", "bucket", "")),
        ("s3://bucket/", TargetSpec("s3", "bucket", "")),
        ("s3://bucket/a/b/", TargetSpec("s3", "bucket", "a/b")),
        ("azblob://acct/cont", TargetSpec("azblob", "cont", "", account="acct")),
        ("azblob://acct/cont/p/q/", TargetSpec("azblob", "cont", "p/q", account="acct")),
    ],
)
def test_valid(url: str, spec: TargetSpec) -> None:
    assert parse_target(url) == spec


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("s3://bucket\n/p", r"invalid S3 bucket name"),
        ("s3://bucket/p\n", r"invalid prefix segment"),
        ("azblob://acct\n/cont", r"invalid storage account name"),
        ("azblob://acct/cont\n", r"invalid container name"),
        ("azblob://acct", r"expected azblob://account/container"),
    ],
)
def test_whole_names_only(url: str, message: str) -> None:
    with pytest.raises(BackupInputError, match=message):
        parse_target(url)
