"""``backup verify``: download a stored backup and prove it restores to exactly its manifest.

Checks, in order: size and sha256 of the downloaded bundle, ``git bundle verify``, the bundle's
refs against the manifest, then a fetch into an empty repo (git checks every object) and the
resulting refs against the manifest. A failure quarantines the bundle's backup, so ``latest``,
"unchanged" detection and retention all fall back to the previous good backup.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bootstrap.backup import layout
from bootstrap.backup.bundle import (
    bundle_heads,
    init_scratch_repo,
    local_refs,
    run_git,
    sha256_file,
    verify_bundle,
)
from bootstrap.backup.catalog import BackupRecord, load_catalog
from bootstrap.backup.errors import IntegrityError, RepoError
from bootstrap.backup.manifest import Manifest, Quarantine, dump_json
from bootstrap.backup.signing import Signer
from bootstrap.backup.targets.base import Storage

__all__ = ["fetch_verified", "signature_summary", "verify_backup"]


def fetch_verified(storage: Storage, manifest: Manifest, work: Path) -> Path:
    """Download the bundle into ``work`` and unbundle it into a bare repo there; return that repo.

    Raises IntegrityError on any mismatch; the returned repo holds exactly the manifest's refs.
    """
    info = manifest.bundle
    bundle = work / layout.BUNDLE
    storage.download_file(info.key, bundle)
    size = bundle.stat().st_size
    if size != info.size:
        raise IntegrityError(f"bundle of {manifest.id} has {size} bytes, manifest says {info.size}")
    digest = sha256_file(bundle)
    if digest != info.sha256:
        raise IntegrityError(
            f"checksum mismatch for {info.key}: sha256 {digest[:12]}…, manifest says "
            f"{info.sha256[:12]}…"
        )
    repo = init_scratch_repo(work / "restore.git")
    verify_bundle(bundle, repo)
    if dict(bundle_heads(bundle, repo).refs) != manifest.refs:
        raise IntegrityError(f"refs in the bundle of {manifest.id} differ from its manifest")
    try:
        run_git(
            ["fetch", "--quiet", "--no-write-fetch-head", str(bundle), "+refs/*:refs/*"],
            cwd=repo,
            what="unbundling",
        )
    except RepoError as exc:
        raise IntegrityError(str(exc)) from None
    if dict(local_refs(repo).refs) != manifest.refs:
        raise IntegrityError(f"unbundled refs of {manifest.id} differ from its manifest")
    bundle.unlink()
    return repo


def verify_backup(
    storage: Storage,
    wanted: str = "latest",
    *,
    work_dir: Path | None = None,
    quarantine: bool = True,
    verifier: Signer | None = None,
) -> dict[str, Any]:
    """``verifier``: signing is on; an unsigned or badly signed manifest is refused
    (SignatureRefused) before its bundle is downloaded, and never quarantined (its bytes may be
    fine; its origin is unknown)."""
    layout.validate_wanted(wanted)
    storage.check()
    catalog = load_catalog(storage, verifier)
    record = catalog.resolve(wanted)
    manifest = _manifest_of(record)
    work = Path(tempfile.mkdtemp(prefix="underlay-verify-", dir=work_dir))
    try:
        fetch_verified(storage, manifest, work)
    except IntegrityError as exc:
        if quarantine:
            owner = manifest.bundle.owner_id
            marker = Quarantine(id=owner, found_at=datetime.now(UTC), reason=str(exc))
            storage.put_bytes(layout.quarantine_key(owner), dump_json(marker))
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "ok": True,
        "command": "backup verify",
        "target": storage.description,
        "id": record.id,
        "bundle_owner": manifest.bundle.owner_id,
        "refs": len(manifest.refs),
        "bundle_bytes": manifest.bundle.size,
        "sha256": manifest.bundle.sha256,
        "signature": signature_summary(catalog.signing),
    }


def signature_summary(signing: str | None) -> str:
    """What the JSON line says about the signature: verified with which key, or not checked."""
    return f"verified ({signing})" if signing else "not checked (signing off)"


def _manifest_of(record: BackupRecord) -> Manifest:
    if record.manifest is None:
        raise IntegrityError(record.problem or f"manifest of {record.id} is unreadable")
    return record.manifest
