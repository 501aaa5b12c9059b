"""Azure Blob Storage through ``DefaultAzureCredential`` (workload identity in-cluster).

For emulators (Azurite) set ``AZURE_STORAGE_CONNECTION_STRING``; its account must match the one
in the target URL so a backup never lands in an account the operator did not name. Uploads are
staged blocks of ``part_size`` with bounded concurrency: memory stays flat.
"""

# SDKs are imported lazily so CLI start stays fast

from __future__ import annotations

import logging
import os
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from bootstrap.backup.errors import BackupInputError, StorageError
from bootstrap.backup.targets.base import ObjectInfo, PrefixedTarget, retries_from_env
from bootstrap.backup.targets.parse import TargetSpec

__all__ = ["AzureBlobStorage"]

# The SDK logs credential-chain attempts as warnings; without a handler Python would print them
# to stderr. Our error message already says what failed, in one line.
logging.getLogger("azure").addHandler(logging.NullHandler())

_CONCURRENCY = 4
_COPY_TIMEOUT = 600.0
"""Seconds to wait for a server-side copy (same account: usually done at once)."""
CONNECTION_STRING_ENV = "AZURE_STORAGE_CONNECTION_STRING"


def _connection_string_account(conn: str) -> str | None:
    for part in conn.split(";"):
        name, _, value = part.partition("=")
        if name.strip().lower() == "accountname":
            return value.strip()
    return None


class AzureBlobStorage(PrefixedTarget):
    service = "Azure Blob"

    def __init__(self, spec: TargetSpec, *, part_size: int) -> None:
        from azure.storage.blob import BlobServiceClient, ExponentialRetry

        super().__init__(spec)
        options: dict[str, Any] = {
            "max_single_put_size": part_size,
            "max_block_size": part_size,
            "max_single_get_size": part_size,
            "max_chunk_get_size": part_size,
            "connection_timeout": 5,
            "read_timeout": 60,
            # The SDK's default waits 15 s, 18 s, 24 s between tries; a CronJob wants to fail
            # within seconds and let the next schedule (and the alert) take over.
            "retry_policy": ExponentialRetry(
                initial_backoff=1, increment_base=2, retry_total=retries_from_env()
            ),
        }
        conn = os.environ.get(CONNECTION_STRING_ENV)
        if conn:
            account = _connection_string_account(conn)
            if account != spec.account:
                raise BackupInputError(
                    f"target account {spec.account!r} does not match the account in "
                    f"{CONNECTION_STRING_ENV} ({account!r})"
                )
            with self._errors("client setup"):
                service = BlobServiceClient.from_connection_string(conn, **options)
        else:
            from azure.identity import DefaultAzureCredential

            service = BlobServiceClient(
                f"https://{spec.account}.blob.core.windows.net",
                credential=DefaultAzureCredential(),
                **options,
            )
        self._container: Any = service.get_container_client(spec.bucket)

    def _sdk_errors(self) -> tuple[type[BaseException], ...]:
        from azure.core.exceptions import AzureError, ClientAuthenticationError

        return (AzureError, ClientAuthenticationError, ValueError, OSError)

    def check(self) -> None:
        with self._errors("access check"):
            self._container.get_container_properties()

    def put_file(self, key: str, path: Path) -> None:
        with self._errors("upload", key), path.open("rb") as handle:
            self._container.upload_blob(
                self._key(key),
                handle,
                length=path.stat().st_size,
                overwrite=True,
                max_concurrency=_CONCURRENCY,
            )

    def put_bytes(self, key: str, data: bytes) -> None:
        from azure.storage.blob import ContentSettings

        with self._errors("put", key):
            self._container.upload_blob(
                self._key(key),
                data,
                overwrite=True,
                content_settings=ContentSettings(content_type="application/json"),
            )

    def get_bytes(self, key: str) -> bytes:
        with self._errors("get", key):
            return bytes(self._container.download_blob(self._key(key)).readall())

    def download_file(self, key: str, path: Path) -> None:
        with self._errors("download", key), path.open("wb") as handle:
            self._container.download_blob(self._key(key), max_concurrency=_CONCURRENCY).readinto(
                handle
            )

    def size_of(self, key: str) -> int | None:
        from azure.core.exceptions import ResourceNotFoundError

        with self._errors("head", key):
            try:
                props = self._container.get_blob_client(self._key(key)).get_blob_properties()
            except ResourceNotFoundError:
                return None
            return int(props.size)

    def copy(self, source: str, key: str) -> None:
        # Copy Blob within the account; it may run asynchronously, so wait (bounded) for it.
        with self._errors("copy", key):
            source_url = self._container.get_blob_client(self._key(source)).url
            target = self._container.get_blob_client(self._key(key))
            target.start_copy_from_url(source_url)
            deadline = time.monotonic() + _COPY_TIMEOUT
            status = target.get_blob_properties().copy.status
            while status == "pending" and time.monotonic() < deadline:
                time.sleep(0.5)
                status = target.get_blob_properties().copy.status
        if status != "success":
            raise StorageError(f"Azure Blob copy to {self.description}/{key} ended {status}")

    def list_objects(self) -> list[ObjectInfo]:
        root = f"{self._spec.prefix}/" if self._spec.prefix else ""
        with self._errors("list"):
            return [
                ObjectInfo(blob.name[len(root) :], int(blob.size), blob.last_modified)
                for blob in self._container.list_blobs(name_starts_with=root or None)
            ]

    def delete(self, key: str) -> None:
        from azure.core.exceptions import ResourceNotFoundError

        # already gone (a concurrent run's retention): deleting is idempotent
        with self._errors("delete", key), suppress(ResourceNotFoundError):
            self._container.delete_blob(self._key(key))
