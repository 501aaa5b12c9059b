"""Retention's input for tests: a ``BackupState`` as the catalog would report it."""

from __future__ import annotations

from datetime import datetime

from bootstrap.backup import layout
from bootstrap.backup.retention import BackupState

__all__ = ["backup_state"]


def backup_state(
    tail: str,
    started: datetime,
    stored: datetime | None = None,
    *,
    complete: bool = True,
    good: bool = True,
    owner: str | None = None,
    dangling: bool = False,
) -> BackupState:
    """A backup whose run started at ``started``: its id is that time with ``tail`` (6 hex
    digits) for the random part; ``stored`` (default: ``started``) is the store's clock."""
    backup_id = layout.new_backup_id(started)[:-6] + tail
    return BackupState(
        id=backup_id,
        started_at=layout.id_time(backup_id),
        last_modified=started if stored is None else stored,
        complete=complete,
        good=good and complete,
        owner_id=(owner or backup_id) if complete else None,
        dangling=dangling,
    )
