"""Parse ``s3://bucket/prefix`` and ``azblob://account/container/prefix`` strictly.

Bad input fails here, before anything is read or written, with a one-line BackupInputError.
"""

# SDKs are imported lazily so CLI start stays fast

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bootstrap.backup.errors import BackupInputError
from bootstrap.backup.targets.base import DEFAULT_PART_SIZE, Storage
from bootstrap.git.redact import redact_url

__all__ = ["TargetSpec", "open_target", "parse_target"]

_S3_BUCKET = re.compile(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")
_AZ_ACCOUNT = re.compile(r"[a-z0-9]{3,24}")
_AZ_CONTAINER = re.compile(r"(?!.*--)[a-z0-9][a-z0-9\-]{1,61}[a-z0-9]")
_PREFIX_PART = re.compile(r"[A-Za-z0-9._\-]+")


@dataclass(frozen=True)
class TargetSpec:
    scheme: Literal["s3", "azblob"]
    bucket: str
    """S3 bucket or Azure container."""
    prefix: str
    """No leading/trailing slash; empty means the bucket root."""
    account: str | None = None

    @property
    def url(self) -> str:
        root = f"{self.account}/{self.bucket}" if self.scheme == "azblob" else self.bucket
        return f"{self.scheme}://{root}" + (f"/{self.prefix}" if self.prefix else "")


def parse_target(url: str) -> TargetSpec:
    shown = redact_url(url)
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise BackupInputError(
            f"target {shown!r} is not a URL; use s3://bucket/prefix or azblob://account/container/prefix"
        )
    if "@" in rest or "?" in rest or "#" in rest:
        raise BackupInputError(
            f"target {shown!r} must not carry credentials, a query or a fragment"
        )
    parts = rest.split("/")
    if len(parts) > 1 and not parts[-1]:
        parts.pop()  # one trailing slash is harmless: s3://bucket/prefix/
    if "" in parts:
        # s3:///prefix, azblob:///c/p, azblob://acct//p, s3://b//p: an empty bucket, account,
        # container or segment is never silently skipped (the next name would take its place)
        raise BackupInputError(
            f"target {shown!r}: empty bucket, account, container or path segment"
        )
    if scheme == "s3":
        if not parts or not _S3_BUCKET.fullmatch(parts[0]) or ".." in parts[0]:
            raise BackupInputError(f"target {shown!r}: missing or invalid S3 bucket name")
        return TargetSpec("s3", parts[0], _prefix(parts[1:], shown))
    if scheme == "azblob":
        if len(parts) < 2:
            raise BackupInputError(
                f"target {shown!r}: expected azblob://account/container[/prefix]"
            )
        if not _AZ_ACCOUNT.fullmatch(parts[0]):
            raise BackupInputError(f"target {shown!r}: invalid storage account name")
        if not _AZ_CONTAINER.fullmatch(parts[1]):
            raise BackupInputError(f"target {shown!r}: invalid container name")
        return TargetSpec("azblob", parts[1], _prefix(parts[2:], shown), account=parts[0])
    raise BackupInputError(f"target {shown!r}: unknown scheme {scheme!r}; use s3:// or azblob://")


def _prefix(parts: list[str], shown: str) -> str:
    for part in parts:
        if part in {".", ".."} or not _PREFIX_PART.fullmatch(part):
            raise BackupInputError(f"target {shown!r}: invalid prefix segment {part!r}")
    return "/".join(parts)


def open_target(
    url: str, *, endpoint: str | None = None, part_size: int = DEFAULT_PART_SIZE
) -> Storage:
    """Parse and connect lazily (SDKs are imported here, not at CLI start)."""
    spec = parse_target(url)
    if part_size < 1024 * 1024:
        raise BackupInputError("part size must be at least 1 MiB")
    if spec.scheme == "s3":
        if part_size < 5 * 1024 * 1024:
            raise BackupInputError("S3 multipart parts must be at least 5 MiB")
        from bootstrap.backup.targets.s3 import S3Storage

        return S3Storage(spec, endpoint=endpoint, part_size=part_size)
    if endpoint:
        raise BackupInputError(
            "--endpoint applies to s3:// only; for Azure emulators set "
            "AZURE_STORAGE_CONNECTION_STRING"
        )
    from bootstrap.backup.targets.azblob import AzureBlobStorage

    return AzureBlobStorage(spec, part_size=part_size)
