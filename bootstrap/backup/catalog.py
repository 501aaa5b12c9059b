"""What is stored under a target: our backups (complete, incomplete, quarantined), nothing else.

Built from one listing plus each manifest. Objects outside our layout are not even represented,
which is how retention is kept from ever touching them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bootstrap.backup import layout
from bootstrap.backup.errors import (
    BackupInputError,
    IntegrityError,
    SignatureRefused,
    StorageError,
)
from bootstrap.backup.manifest import Manifest, parse_manifest
from bootstrap.backup.retention import BackupState, rank_key
from bootstrap.backup.signing import MAX_SIGNATURE_BYTES, Signer, check_signature
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
    signature_problem: str | None = None
    """Signing is on and this manifest is unsigned or its signature does not verify."""
    has_signature: bool = False

    @property
    def complete(self) -> bool:
        return self.has_manifest

    @property
    def status(self) -> str:
        if not self.has_manifest:
            return "incomplete"
        if self.quarantined:
            return "quarantined"
        if self.signature_problem is not None:
            return "signature-refused"
        return "complete" if self.manifest is not None else "unreadable"


@dataclass(frozen=True)
class Catalog:
    records: tuple[BackupRecord, ...]
    """Oldest first by ``retention.rank_key`` (id time clamped to the store's manifest timestamp):
    one host a year ahead must not make its backup "latest" for a year."""
    signing: str | None = None
    """The configured verifier (``kind key``) when signing is on: unsigned or badly signed
    manifests are then never good."""

    def get(self, backup_id: str) -> BackupRecord | None:
        return next((r for r in self.records if r.id == backup_id), None)

    def is_good(self, record: BackupRecord) -> bool:
        """Complete, readable, not quarantined, and its bundle (maybe another backup's) is too."""
        if not record.complete or record.manifest is None or record.quarantined:
            return False
        if record.signature_problem is not None:
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

    def signature_refused(self) -> list[BackupRecord]:
        return [r for r in self.records if r.signature_problem is not None]

    def resolve(self, wanted: str) -> BackupRecord:
        """``latest`` = newest good backup; otherwise an exact id that has a manifest.

        With signing on, a refused signature is never passed over silently: ``latest`` refuses
        when a complete backup newer than the newest good one fails its signature check (a
        forged "newest" must be looked at, not hidden by restoring an older backup), and an id
        whose signature fails is refused."""
        if wanted == "latest":
            record = self.newest_good()
            newer = self.records[self.records.index(record) + 1 :] if record else self.records
            forged = next((r for r in reversed(newer) if r.signature_problem is not None), None)
            if forged is not None:
                raise SignatureRefused(
                    f"{forged.signature_problem}; 'latest' will not pass over it: inspect the "
                    "store, or name a signed backup with --id"
                )
            if record is None:
                raise BackupInputError("no complete, unquarantined backup exists at this target")
            return record
        layout.validate_wanted(wanted)
        found = self.get(wanted)
        if found is None or not found.complete:
            raise BackupInputError(f"no complete backup with id {wanted} at this target")
        if found.signature_problem is not None:
            raise SignatureRefused(found.signature_problem)
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


def load_catalog(storage: Storage, verifier: Signer | None = None) -> Catalog:
    """One listing plus each manifest; with ``verifier`` (signing on) each readable manifest's
    signature is checked too (a refused one is recorded, a key-service failure raised)."""
    grouped: dict[str, dict[str, datetime]] = {}
    sizes: dict[str, int] = {}
    for obj in storage.list_objects():
        parsed = layout.parse_key(obj.key)
        if parsed is None:
            continue  # not ours: never read, never touched
        backup_id, name = parsed
        grouped.setdefault(backup_id, {})[name] = obj.last_modified
        sizes[obj.key] = obj.size
    records: list[BackupRecord] = []
    for backup_id in sorted(grouped):
        files = grouped[backup_id]
        manifest: Manifest | None = None
        problem: str | None = None
        raw: bytes | None = None
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
        signature_problem: str | None = None
        if verifier is not None and raw is not None:  # even an unreadable one: a replay
            try:
                check_signature(
                    verifier, backup_id, raw, _signature_bytes(storage, backup_id, files, sizes)
                )
            except SignatureRefused as exc:
                signature_problem = str(exc)
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
                signature_problem=signature_problem,
                has_signature=layout.SIGNATURE in files,
            )
        )
    signing = f"{verifier.kind} {verifier.key_ref}" if verifier is not None else None
    return Catalog(tuple(sorted(records, key=rank_key)), signing)


def _signature_bytes(
    storage: Storage, backup_id: str, files: dict[str, datetime], sizes: dict[str, int]
) -> bytes | None:
    """The stored signature file, or None when there is none; an oversized one is not read."""
    if layout.SIGNATURE not in files:
        return None
    key = layout.signature_key(backup_id)
    if sizes.get(key, 0) > MAX_SIGNATURE_BYTES:  # never downloaded
        raise SignatureRefused(f"signature of backup {backup_id} is not a signature file: refused")
    try:
        return storage.get_bytes(key)
    except StorageError:
        if storage.size_of(key) is not None:
            raise
        return None  # deleted since the listing (retention): unsigned now
