"""Object stores for backups: one contract (:class:`Storage`), S3 and Azure Blob behind it."""

from __future__ import annotations

from bootstrap.backup.targets.base import ObjectInfo, Storage
from bootstrap.backup.targets.parse import TargetSpec, open_target, parse_target

__all__ = ["ObjectInfo", "Storage", "TargetSpec", "open_target", "parse_target"]
