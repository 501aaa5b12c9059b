"""What is stored under a target: our backups (complete, incomplete, quarantined), nothing else.

Built from one listing plus each manifest. Objects outside our layout are not even represented,
which is how retention is kept from ever touching them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bootstrap.backup import layout
from bootstrap.backup.errors import BackupInputError, IntegrityError, StorageError
from bootstrap.backup.manifest import Manifest, parse_manifest
from bootstrap.backup.retention import BackupState, rank_key
from bootstrap.backup.targets.base import Storage

__all__ = ["BackupRecord", "Catalog", "load_catalog"]


@dataclass(frozen=True)
class BackupRecord:
    id: str
    started_at: datetime
    last_modified: datetime
    has_bundle: bool
    has_manifest: bool
    quarantined: bool
    manifest: Manifest | None
    problem: str | None = None

    @property
    def complete(self) -> bool:
        return self.has_manifest

    @property
    def status(self) -> str:
        if not self.has_manifest:
            return "incomplete"
        if self.quarantined:
            return "quarantined"
        return "complete" if self.manifest is not None else "unreadable"


@dataclass(frozen=True)
class Catalog:
    records: tuple[BackupRecord, ...]
    """Oldest first by ``retention.rank_key`` (id time clamped to the store's manifest timestamp):
    one host a year ahead must not make its backup "latest" for a year."""

    def get(self, backup_id: str) -> BackupRecord | None:
        return next((r for r in self.records if r.id == backup_id), None)

    def is_good(self, record: BackupRecord) -> bool:
        """Complete, readable, not quarantined, and its bundle (maybe another backup's) is too."""
        if not record.complete or record.manifest is None or record.quarantined:
            return False
        owner = self.get(record.manifest.bundle.owner_id)
        return owner is not None and owner.has_bundle and not owner.quarantined

    def is_dangling(self, record: BackupRecord) -> bool:
        """Complete and readable, but the bundle it points at is gone: never restorable again
        (bundles are written before any manifest names them, and never re-created)."""
        if not record.complete or record.manifest is None:
            return False
        owner = self.get(record.manifest.bundle.owner_id)
        return owner is None or not owner.has_bundle

    def referenced_owners(self) -> set[str]:
        """Every backup whose bundle some readable manifest in this listing points at."""
        return {r.manifest.bundle.owner_id for r in self.records if r.manifest is not None}

    def newest_good(self) -> BackupRecord | None:
        return next((r for r in reversed(self.records) if self.is_good(r)), None)

    def resolve(self, wanted: str) -> BackupRecord:
        """``latest`` = newest good backup; otherwise an exact id that has a manifest."""
        if wanted == "latest":
            record = self.newest_good()
            if record is None:
                raise BackupInputError("no complete, unquarantined backup exists at this target")
            return record
        layout.validate_wanted(wanted)
        found = self.get(wanted)
        if found is None or not found.complete:
            raise BackupInputError(f"no complete backup with id {wanted} at this target")
        return found

    def states(self) -> list[BackupState]:
        """The view retention decides on."""
        return [
            BackupState(
                id=r.id,
                started_at=r.started_at,
                last_modified=r.last_modified,
                complete=r.complete,
                good=self.is_good(r),
                owner_id=r.manifest.bundle.owner_id if r.manifest else None,
                dangling=self.is_dangling(r),
            )
            for r in self.records
        ]


def load_catalog(storage: Storage) -> Catalog:
    grouped: dict[str, dict[str, datetime]] = {}
    for obj in storage.list_objects():
        parsed = layout.parse_key(obj.key)
        if parsed is None:
            continue  # not ours: never read, never touched
        backup_id, name = parsed
        grouped.setdefault(backup_id, {})[name] = obj.last_modified
    records: list[BackupRecord] = []
    for backup_id in sorted(grouped):
        files = grouped[backup_id]
        manifest: Manifest | None = None
        problem: str | None = None
        has_manifest = layout.MANIFEST in files
        if has_manifest:
            try:
                raw = storage.get_bytes(layout.manifest_key(backup_id))
            except StorageError:
                if storage.size_of(layout.manifest_key(backup_id)) is not None:
                    raise
                # deleted by a concurrent run's retention since the listing: the bundle may
                # still be listed (kept while referenced), so the record stays, as incomplete
                has_manifest = False
                del files[layout.MANIFEST]
                if not files:
                    continue
            else:
                try:
                    manifest = parse_manifest(raw, expected_id=backup_id)
                except IntegrityError as exc:
                    problem = str(exc)
        records.append(
            BackupRecord(
                id=backup_id,
                started_at=layout.id_time(backup_id),
                last_modified=files[layout.MANIFEST] if has_manifest else max(files.values()),
                has_bundle=layout.BUNDLE in files,
                has_manifest=has_manifest,
                quarantined=layout.QUARANTINE in files,
                manifest=manifest,
                problem=problem,
            )
        )
    return Catalog(tuple(sorted(records, key=rank_key)))
