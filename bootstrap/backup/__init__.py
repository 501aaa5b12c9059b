"""Backup and restore of the manifest git repository to S3 or Azure Blob (issue #5).

A backup is a ``git bundle --all`` of a mirror clone plus a JSON manifest written *after* the
bundle; the manifest's presence is what makes a backup complete. See ``docs/backup.md``.
"""

from __future__ import annotations

__all__: list[str] = []
