"""Where a backup's objects live under the target prefix, and what counts as ours.

``backups/<id>/repo.bundle``, ``backups/<id>/manifest.sig`` (only when signing is on, written
just before the manifest; see ``signing.py``), ``backups/<id>/manifest.json`` (written last: the
completeness marker), ``backups/<id>/quarantine.json`` (written by ``backup verify`` when a
stored backup is found broken) and ``last-success.json``. Keys not matching exactly are foreign
and never touched.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

__all__ = [
    "BUNDLE",
    "LAST_SUCCESS_KEY",
    "MANIFEST",
    "QUARANTINE",
    "SIGNATURE",
    "bundle_key",
    "id_time",
    "is_backup_id",
    "manifest_key",
    "new_backup_id",
    "parse_key",
    "quarantine_key",
    "signature_key",
    "validate_wanted",
]

BUNDLE = "repo.bundle"
MANIFEST = "manifest.json"
QUARANTINE = "quarantine.json"
SIGNATURE = "manifest.sig"
LAST_SUCCESS_KEY = "last-success.json"
_FILES = (BUNDLE, MANIFEST, QUARANTINE, SIGNATURE)

# 20261121T135501.123Z-1a2b3c: sorts by creation time; the random tail keeps concurrent runs apart.
# fullmatch + ASCII classes: "…-1a2b3c\n" or Unicode digits are not ids (``$`` would accept a
# trailing newline, ``\d`` any script's digits), so a foreign key can never parse as ours.
_ID = re.compile(r"(?P<ts>[0-9]{8}T[0-9]{6}\.[0-9]{3}Z)-(?P<rand>[0-9a-f]{6})")
_TS_FORMAT = "%Y%m%dT%H%M%S.%fZ"


def new_backup_id(now: datetime) -> str:
    """A fresh id for a run starting at ``now`` (UTC, millisecond resolution, 24 random bits)."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S.") + f"{now.microsecond // 1000:03d}Z"
    return f"{stamp}-{secrets.token_hex(3)}"


def is_backup_id(value: str) -> bool:
    if not _ID.fullmatch(value):
        return False
    try:
        id_time(value)
    except ValueError:
        return False
    return True


def validate_wanted(wanted: str) -> str:
    """``latest`` or a well-formed id; checked before any storage is contacted."""
    from bootstrap.backup.errors import BackupInputError  # layout stays leaf

    if wanted != "latest" and not is_backup_id(wanted):
        raise BackupInputError(
            f"{wanted!r} is not a backup id (expected e.g. 20260101T000000.000Z-1a2b3c or 'latest')"
        )
    return wanted


def id_time(backup_id: str) -> datetime:
    """The UTC start time encoded in an id."""
    match = _ID.fullmatch(backup_id)
    if not match:
        raise ValueError(f"not a backup id: {backup_id!r}")
    return datetime.strptime(match["ts"], _TS_FORMAT).replace(tzinfo=UTC)


def bundle_key(backup_id: str) -> str:
    return f"backups/{backup_id}/{BUNDLE}"


def manifest_key(backup_id: str) -> str:
    return f"backups/{backup_id}/{MANIFEST}"


def quarantine_key(backup_id: str) -> str:
    return f"backups/{backup_id}/{QUARANTINE}"


def signature_key(backup_id: str) -> str:
    return f"backups/{backup_id}/{SIGNATURE}"


def parse_key(key: str) -> tuple[str, str] | None:
    """``backups/<id>/<file>`` -> ``(id, file)`` for our own objects, else ``None``."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] != "backups" or parts[2] not in _FILES:
        return None
    if not is_backup_id(parts[1]):
        return None
    return parts[1], parts[2]
