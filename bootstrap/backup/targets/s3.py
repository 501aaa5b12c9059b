"""S3 (or an S3-compatible emulator) through boto3's default credential chain (IRSA in-cluster).

Uploads use boto3's managed multipart transfer with a bounded part size and concurrency, so
memory stays flat whatever the bundle size. Every SDK error becomes a one-line StorageError.
"""

# SDKs are imported lazily so CLI start stays fast

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bootstrap.backup.targets.base import ObjectInfo, PrefixedTarget, retries_from_env
from bootstrap.backup.targets.parse import TargetSpec

__all__ = ["S3Storage"]

_CONCURRENCY = 4


class S3Storage(PrefixedTarget):
    service = "S3"

    def __init__(self, spec: TargetSpec, *, endpoint: str | None, part_size: int) -> None:
        import boto3  # type: ignore[import-untyped]
        from boto3.s3.transfer import TransferConfig  # type: ignore[import-untyped]
        from botocore.config import Config  # type: ignore[import-untyped]

        super().__init__(spec)
        endpoint = endpoint or os.environ.get("UNDERLAY_S3_ENDPOINT") or None
        config = Config(
            retries={"max_attempts": 1 + retries_from_env(), "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
            s3={"addressing_style": "path"} if endpoint else {},
        )
        self._client: Any = boto3.session.Session().client(
            "s3", endpoint_url=endpoint, config=config
        )
        self._transfer: Any = TransferConfig(
            multipart_threshold=part_size,
            multipart_chunksize=part_size,
            max_concurrency=_CONCURRENCY,
            max_io_queue=_CONCURRENCY,
        )

    def _sdk_errors(self) -> tuple[type[BaseException], ...]:
        from boto3.exceptions import Boto3Error  # type: ignore[import-untyped]
        from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

        return (BotoCoreError, ClientError, Boto3Error)

    def check(self) -> None:
        with self._errors("access check"):
            self._client.head_bucket(Bucket=self._spec.bucket)

    def put_file(self, key: str, path: Path) -> None:
        with self._errors("upload", key):
            self._client.upload_file(
                str(path), self._spec.bucket, self._key(key), Config=self._transfer
            )

    def put_bytes(self, key: str, data: bytes) -> None:
        with self._errors("put", key):
            self._client.put_object(
                Bucket=self._spec.bucket,
                Key=self._key(key),
                Body=data,
                ContentType="application/json",
            )

    def get_bytes(self, key: str) -> bytes:
        with self._errors("get", key):
            body = self._client.get_object(Bucket=self._spec.bucket, Key=self._key(key))["Body"]
            return bytes(body.read())

    def download_file(self, key: str, path: Path) -> None:
        with self._errors("download", key):
            self._client.download_file(
                self._spec.bucket, self._key(key), str(path), Config=self._transfer
            )

    def size_of(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        with self._errors("head", key):
            try:
                head = self._client.head_object(Bucket=self._spec.bucket, Key=self._key(key))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey"}:
                    return None
                raise
            return int(head["ContentLength"])

    def copy(self, source: str, key: str) -> None:
        # boto3's managed copy: CopyObject, or UploadPartCopy in parts above the threshold.
        with self._errors("copy", key):
            self._client.copy(
                {"Bucket": self._spec.bucket, "Key": self._key(source)},
                self._spec.bucket,
                self._key(key),
                Config=self._transfer,
            )

    def list_objects(self) -> list[ObjectInfo]:
        root = f"{self._spec.prefix}/" if self._spec.prefix else ""
        found: list[ObjectInfo] = []
        with self._errors("list"):
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self._spec.bucket, Prefix=root
            )
            for page in pages:
                for item in page.get("Contents", []):
                    found.append(
                        ObjectInfo(
                            item["Key"][len(root) :], int(item["Size"]), item["LastModified"]
                        )
                    )
        return found

    def delete(self, key: str) -> None:
        with self._errors("delete", key):
            self._client.delete_object(Bucket=self._spec.bucket, Key=self._key(key))
