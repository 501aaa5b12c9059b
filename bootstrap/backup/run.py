"""``backup run``: check storage, read refs, bundle, upload, write the manifest last, then prune.

Order is what makes failures harmless: nothing is deleted before the new backup is complete, a
backup is complete only once its manifest exists, and the manifest is written only after the
bundle is uploaded and its stored size checked. A crash anywhere leaves at worst an incomplete
leftover that a later run cleans after the grace period.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from bootstrap.backup import layout
from bootstrap.backup.bundle import (
    RefState,
    bundle_heads,
    create_bundle,
    git_version,
    local_refs,
    mirror_clone,
    remote_refs,
    verify_bundle,
)
from bootstrap.backup.catalog import BackupRecord, Catalog, load_catalog
from bootstrap.backup.errors import BackupInputError, IntegrityError, RepoError, StorageError
from bootstrap.backup.manifest import BundleInfo, LastSuccess, Manifest, dump_json, tool_version
from bootstrap.backup.retention import RetentionPlan, RetentionPolicy, plan_retention
from bootstrap.backup.signing import Signer, sign_manifest
from bootstrap.backup.targets.base import Storage
from bootstrap.git.auth import Auth
from bootstrap.git.redact import redact_url

__all__ = ["OnUnchanged", "RunOptions", "apply_retention", "run_backup"]

OnUnchanged = Literal["record", "skip", "full"]
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RunOptions:
    on_unchanged: OnUnchanged = "record"
    policy: RetentionPolicy = field(default_factory=RetentionPolicy)
    work_dir: Path | None = None
    auth: Auth | None = None  # how git reaches the repo (bootstrap.git.auth); None: defaults
    signer: Signer | None = None
    """Signing on: sign each new manifest, and trust only signed ones as the unchanged base."""


def run_backup(
    repo_url: str,
    storage: Storage,
    options: RunOptions,
    *,
    report: dict[str, Any] | None = None,
    clock: Clock = _utcnow,
) -> dict[str, Any]:
    """Run one backup; ``report`` is filled as it goes so a failure summary says how far it got."""
    started = time.monotonic()
    summary: dict[str, Any] = report if report is not None else {}
    summary.update(
        {"command": "backup run", "repo": redact_url(repo_url), "target": storage.description}
    )

    if not repo_url or repo_url.startswith("-"):
        raise BackupInputError(f"--repo {redact_url(repo_url)!r} is not a repository URL or path")
    if options.signer is not None and not options.signer.can_sign:
        raise BackupInputError(
            f"--signing-key {options.signer.key_ref} cannot sign (a public key): backup run "
            "needs the private key; readers need only the public one"
        )
    summary["stage"] = "storage-check"
    storage.check()
    catalog = load_catalog(storage, options.signer)
    summary["signing"] = catalog.signing or "off"
    if refused := catalog.signature_refused():
        # never a base, never "latest"; left in place as evidence (retention may prune them)
        summary["signature_refused"] = [r.id for r in refused]
    base = catalog.newest_good()

    now = clock()
    backup_id = layout.new_backup_id(now)
    summary["id"] = backup_id

    if base is not None and base.manifest is not None and options.on_unchanged != "full":
        summary["stage"] = "read-refs"
        current = remote_refs(repo_url, options.auth)
        if _same(current, base) and _bundle_present(storage, base):
            if options.on_unchanged == "skip":
                summary["id"] = base.id
                _write_last_success(storage, base.id, "skipped", clock())
                summary.update(
                    outcome="unchanged-skipped", bundle_owner=base.manifest.bundle.owner_id
                )
                return _finish(summary, started, storage, options, current_id=None, clock=clock)
            summary["stage"] = "copy"
            bundle = _own_copy(storage, base, backup_id)
            if bundle is not None:
                manifest = base.manifest.model_copy(
                    update={
                        "id": backup_id,
                        "kind": "unchanged",
                        "repo_url": redact_url(repo_url),
                        "created_at": now,
                        "completed_at": clock(),
                        "tool_version": tool_version(),
                        "bundle": bundle,
                    }
                )
                summary["stage"] = "manifest"
                _store_manifest(storage, manifest, options.signer)
                _write_last_success(storage, backup_id, "unchanged", manifest.completed_at)
                summary.update(
                    outcome="unchanged-recorded",
                    copied_from=base.id,
                    bundle_owner=manifest.bundle.owner_id,
                    refs=len(manifest.refs),
                    bundle_bytes=manifest.bundle.size,
                    sha256=manifest.bundle.sha256,
                )
                return _finish(
                    summary, started, storage, options, current_id=backup_id, clock=clock
                )
            # The base's bundle went (a concurrent run's retention) while we copied: back up
            # in full instead.
            summary["copy_fallback"] = base.id

    manifest = _full_backup(
        repo_url=repo_url,
        storage=storage,
        backup_id=backup_id,
        now=now,
        options=options,
        summary=summary,
        clock=clock,
    )
    summary.update(
        outcome="full",
        bundle_owner=backup_id,
        refs=len(manifest.refs),
        bundle_bytes=manifest.bundle.size,
        sha256=manifest.bundle.sha256,
    )
    return _finish(summary, started, storage, options, current_id=backup_id, clock=clock)


def _same(current: RefState, base: BackupRecord) -> bool:
    assert base.manifest is not None
    return dict(current.refs) == base.manifest.refs and current.head == base.manifest.head


def _bundle_present(storage: Storage, base: BackupRecord) -> bool:
    """Reuse a bundle only if it is still there at its recorded size."""
    assert base.manifest is not None
    return storage.size_of(base.manifest.bundle.key) == base.manifest.bundle.size


def _own_copy(storage: Storage, base: BackupRecord, backup_id: str) -> BundleInfo | None:
    """The base's bundle copied (server side) under ``backup_id``, so the new record owns its
    bundle and no retention run can take it away while the record is kept. ``None`` when the
    base's bundle is gone or the copy is incomplete."""
    assert base.manifest is not None
    source = base.manifest.bundle
    key = layout.bundle_key(backup_id)
    try:
        storage.copy(source.key, key)
    except StorageError:
        if storage.size_of(source.key) is not None:
            raise  # the store failed, not a concurrent delete
        return None
    if storage.size_of(key) != source.size:
        return None
    return BundleInfo(key=key, owner_id=backup_id, size=source.size, sha256=source.sha256)


def _full_backup(
    *,
    repo_url: str,
    storage: Storage,
    backup_id: str,
    now: datetime,
    options: RunOptions,
    summary: dict[str, Any],
    clock: Clock,
) -> Manifest:
    work = Path(tempfile.mkdtemp(prefix="underlay-backup-", dir=options.work_dir))
    try:
        summary["stage"] = "clone"
        mirror = work / "mirror.git"
        mirror_clone(repo_url, mirror, options.auth)
        state = local_refs(mirror)
        if not state.refs:
            raise RepoError(f"{redact_url(repo_url)} has no refs: nothing to back up")
        summary["stage"] = "bundle"
        bundle = create_bundle(mirror, work / layout.BUNDLE)
        verify_bundle(bundle.path, mirror)
        if dict(bundle_heads(bundle.path, mirror).refs) != dict(state.refs):
            raise IntegrityError("the bundle's refs differ from the mirror's refs")
        shutil.rmtree(mirror)  # free the work dir before uploading

        summary["stage"] = "upload"
        key = layout.bundle_key(backup_id)
        storage.put_file(key, bundle.path)
        stored = storage.size_of(key)
        if stored != bundle.size:
            raise StorageError(f"stored bundle has {stored} bytes, expected {bundle.size}")

        summary["stage"] = "manifest"
        manifest = Manifest(
            id=backup_id,
            kind="full",
            repo_url=redact_url(repo_url),
            created_at=now,
            completed_at=clock(),
            tool_version=tool_version(),
            git_version=git_version(),
            head=state.head,
            refs=dict(state.refs),
            bundle=BundleInfo(key=key, owner_id=backup_id, size=bundle.size, sha256=bundle.sha256),
        )
        _store_manifest(storage, manifest, options.signer)
        if storage.size_of(key) != bundle.size:
            # only a cleanup with a grace period shorter than this run removes an in-flight
            # bundle; withdraw the manifest rather than leave a record without its bundle
            storage.delete(layout.manifest_key(backup_id))
            raise StorageError(
                f"the bundle of {backup_id} was deleted during the run by a concurrent cleanup "
                "(is --incomplete-grace-hours shorter than a backup run?)"
            )
        _write_last_success(storage, backup_id, "full", manifest.completed_at)
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _store_manifest(storage: Storage, manifest: Manifest, signer: Signer | None) -> None:
    """The signature (when signing is on) first, the manifest last: the manifest stays the
    completeness marker, so a complete backup is never unsigned."""
    data = dump_json(manifest)
    if signer is not None:
        storage.put_bytes(
            layout.signature_key(manifest.id), sign_manifest(signer, manifest.id, data)
        )
    storage.put_bytes(layout.manifest_key(manifest.id), data)


def _write_last_success(storage: Storage, backup_id: str, kind: str, at: datetime) -> None:
    record = LastSuccess.model_validate(
        {"id": backup_id, "kind": kind, "completed_at": at, "completed_unix": int(at.timestamp())}
    )
    storage.put_bytes(layout.LAST_SUCCESS_KEY, dump_json(record))


def _finish(
    summary: dict[str, Any],
    started: float,
    storage: Storage,
    options: RunOptions,
    *,
    current_id: str | None,
    clock: Clock,
) -> dict[str, Any]:
    summary["backup_completed"] = True
    summary["last_success"] = clock().isoformat()
    summary["stage"] = "retention"
    # after completion: sees concurrent runs' backups too
    fresh = load_catalog(storage, options.signer)
    plan = plan_retention(fresh.states(), options.policy, now=clock(), current_id=current_id)
    summary["deleted"] = list(plan.delete)
    summary["cleaned_incomplete"] = list(plan.clean)
    apply_retention(storage, fresh, plan)
    summary["stage"] = "restorable-check"
    summary["restorable"] = _restorable_at_exit(
        storage, current_id or summary["id"], options.signer
    )
    summary.pop("stage")
    summary["ok"] = True
    summary["seconds"] = round(time.monotonic() - started, 3)
    return summary


def _restorable_at_exit(storage: Storage, backup_id: str, signer: Signer | None) -> str:
    """The id of a good backup at least as new as this run's, re-read from the store after
    every delete; a run must not report success otherwise. Concurrent runs' retention may have
    replaced this run's backup by a newer one, which covers it (same or newer refs)."""
    catalog = load_catalog(storage, signer)
    own = catalog.get(backup_id)
    if own is not None and own.complete and catalog.is_good(own):
        return own.id
    # "newest" ranks by the store's clock, so compare ids only among good backups: one that
    # started no earlier than this run covers it (same or newer refs)
    newer = [r.id for r in catalog.records if r.id >= backup_id and catalog.is_good(r)]
    if not newer:
        state = own.status if own is not None else "gone"
        raise IntegrityError(
            f"backup {backup_id} is not restorable after retention ({state}) and no newer "
            "good backup exists"
        )
    return max(newer)


def apply_retention(storage: Storage, catalog: Catalog, plan: RetentionPlan) -> None:
    """Delete manifest first: an interrupted delete leaves an incomplete leftover, never a
    complete-looking backup without its bundle."""
    for backup_id in (*plan.delete, *plan.clean):
        record = catalog.get(backup_id)
        if record is None:
            continue
        if record.has_manifest:
            storage.delete(layout.manifest_key(backup_id))
        if record.has_bundle:
            storage.delete(layout.bundle_key(backup_id))
        if record.has_signature:
            storage.delete(layout.signature_key(backup_id))
        if record.quarantined:
            storage.delete(layout.quarantine_key(backup_id))
