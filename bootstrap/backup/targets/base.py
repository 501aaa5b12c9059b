"""The storage contract every target implements; keys are relative to the target's prefix.

Kept deliberately small (put/get/list/delete/head/copy) so S3 and Azure behave the same and a
fake can stand in for either. Large objects only move as files, streamed in parts, never as one
buffer, or are copied inside the store.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol

from bootstrap.backup.errors import BackupInputError, StorageError
from bootstrap.git.redact import redact

if TYPE_CHECKING:  # parse.py builds targets from this module: import for types only
    from bootstrap.backup.targets.parse import TargetSpec

__all__ = ["DEFAULT_PART_SIZE", "ObjectInfo", "PrefixedTarget", "Storage", "retries_from_env"]

DEFAULT_PART_SIZE = 8 * 1024 * 1024
"""Multipart / block size: memory per transfer is about this times the concurrency (4)."""


RETRIES_ENV = "UNDERLAY_STORAGE_RETRIES"
_MAX_RETRIES = 20


def retries_from_env(default: int = 3) -> int:
    """Retries per storage request (after the first attempt); ``UNDERLAY_STORAGE_RETRIES``.

    0-20 in ASCII digits; anything else (``"²"``, ``"-1"``, ``"1e9"``) is a one-line input error.
    """
    raw = os.environ.get(RETRIES_ENV, "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"[0-9]{1,2}", raw) or int(raw) > _MAX_RETRIES:
        raise BackupInputError(
            f"{RETRIES_ENV}={raw!r}: expected a whole number from 0 to {_MAX_RETRIES}"
        )
    return int(raw)


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    last_modified: datetime


class Storage(Protocol):
    @property
    def description(self) -> str:
        """The target as a URL, safe to print (no credentials)."""
        ...

    def check(self) -> None:
        """Fail fast with StorageError when the bucket/container cannot be reached."""
        ...

    def put_file(self, key: str, path: Path) -> None:
        """Upload a file streamed in parts (multipart / block upload)."""
        ...

    def put_bytes(self, key: str, data: bytes) -> None: ...

    def get_bytes(self, key: str) -> bytes:
        """Small objects only (manifests, markers)."""
        ...

    def download_file(self, key: str, path: Path) -> None:
        """Download streamed in parts to ``path``."""
        ...

    def size_of(self, key: str) -> int | None:
        """The stored size, or None when the object does not exist."""
        ...

    def copy(self, source: str, key: str) -> None:
        """Copy ``source`` to ``key`` inside the store (server side: no bytes through here).
        StorageError when ``source`` is gone or the copy fails."""
        ...

    def list_objects(self) -> list[ObjectInfo]:
        """Every object under the prefix, keys relative to it."""
        ...

    def delete(self, key: str) -> None: ...


class PrefixedTarget:
    """What the S3 and Azure targets share: keys live under the target's prefix, and an SDK
    error becomes one StorageError line that names the object and shows no credentials."""

    service: ClassVar[str]

    def __init__(self, spec: TargetSpec) -> None:
        self._spec = spec

    @property
    def description(self) -> str:
        return self._spec.url

    def _key(self, key: str) -> str:
        return f"{self._spec.prefix}/{key}" if self._spec.prefix else key

    def _sdk_errors(self) -> tuple[type[BaseException], ...]:
        """The SDK's exception types; imported lazily, like the SDK itself."""
        raise NotImplementedError

    @contextmanager
    def _errors(self, operation: str, key: str | None = None) -> Iterator[None]:
        try:
            yield
        except self._sdk_errors() as exc:
            where = f"{self.description}/{key}" if key else self.description
            text = redact(str(exc)).strip()
            detail = text.splitlines()[0] if text else type(exc).__name__
            raise StorageError(f"{self.service} {operation} failed for {where}: {detail}") from None
