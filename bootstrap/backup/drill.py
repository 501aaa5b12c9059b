"""``backup drill``: the scheduled restore test. Download the newest good backup, check it exactly
as ``backup verify`` does (size, sha256, ``git bundle verify``, unbundle, refs against the
manifest), and record the result in the store for ``underlay status`` and the alert rule.

Records: ``drills/<timestamp>.json`` (history) and ``last-drill.json`` (what readers look at),
both outside ``backups/``, so the catalog and retention never see or touch them. A failed drill
is recorded too (then the command fails): a missing record is "never drilled", not "fine".
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bootstrap.backup.catalog import load_catalog
from bootstrap.backup.errors import (
    BackupFailed,
    BackupInputError,
    IntegrityError,
    SignatureRefused,
)
from bootstrap.backup.manifest import dump_json
from bootstrap.backup.signing import Signer
from bootstrap.backup.targets.base import Storage
from bootstrap.backup.verify import fetch_verified
from bootstrap.git.redact import redact

__all__ = ["LAST_DRILL_KEY", "DrillRecord", "drill_key", "read_last_drill", "run_drill"]

LAST_DRILL_KEY = "last-drill.json"
_MAX_RECORD = 64 * 1024  # a record is a few hundred bytes; anything bigger is not ours


def drill_key(at: datetime) -> str:
    return f"drills/{at.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"


class DrillRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    at: datetime
    ok: bool
    backup_id: str | None = Field(None, max_length=64)
    refs: int = Field(0, ge=0)
    error: str | None = Field(None, max_length=2000)


def run_drill(
    storage: Storage, *, work_dir: Path | None = None, verifier: Signer | None = None
) -> DrillRecord:
    """Drill the newest good backup; record the outcome; raise when it failed. With
    ``verifier`` (signing on) "newest good" is chosen as ``restore --id latest`` chooses it: a
    newer backup whose signature is refused fails the drill."""
    storage.check()
    at = datetime.now(UTC)
    backup_id: str | None = None
    work = Path(tempfile.mkdtemp(prefix="underlay-drill-", dir=work_dir))
    try:
        try:
            catalog = load_catalog(storage, verifier)
            if catalog.newest_good() is None and not catalog.signature_refused():
                raise IntegrityError("no complete, unquarantined backup to drill")
            record = catalog.resolve("latest")
            if record.manifest is None:
                raise IntegrityError("no complete, unquarantined backup to drill")
            backup_id = record.id
            fetch_verified(storage, record.manifest, work)
            result = DrillRecord(
                at=at, ok=True, backup_id=backup_id, refs=len(record.manifest.refs)
            )
        except (BackupFailed, BackupInputError, SignatureRefused) as exc:
            result = DrillRecord(
                at=at, ok=False, backup_id=backup_id, error=redact(str(exc))[:2000]
            )
            _record(storage, result)
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _record(storage, result)
    return result


def _record(storage: Storage, result: DrillRecord) -> None:
    data = dump_json(result)
    storage.put_bytes(drill_key(result.at), data)
    storage.put_bytes(LAST_DRILL_KEY, data)


def read_last_drill(storage: Storage) -> DrillRecord | None:
    """The last drill's record, or None when no drill ever ran. The store is untrusted: a
    forged or damaged record is an IntegrityError, never trusted as a success."""
    size = storage.size_of(LAST_DRILL_KEY)
    if size is None:
        return None
    if size > _MAX_RECORD:
        raise IntegrityError(f"{LAST_DRILL_KEY} is {size} bytes: not a drill record")
    try:
        return DrillRecord.model_validate_json(storage.get_bytes(LAST_DRILL_KEY))
    except ValidationError as exc:
        raise IntegrityError(
            f"{LAST_DRILL_KEY} is not a drill record ({exc.error_count()} problem(s))"
        ) from None
