"""``restore``: put a verified backup into an empty remote (mirror push) or a local directory.

The destination is checked before anything is downloaded, the backup is fully verified in a
scratch repo before the destination is touched, and the destination's refs are compared with
the manifest afterwards. A non-empty destination needs ``--force`` (then it is made an exact
mirror of the backup: extra refs are deleted).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from bootstrap.backup import layout
from bootstrap.backup.bundle import local_refs, remote_refs, remote_url, run_git
from bootstrap.backup.catalog import load_catalog
from bootstrap.backup.errors import BackupInputError, IntegrityError, RestoreRefused
from bootstrap.backup.manifest import Manifest
from bootstrap.backup.signing import Signer
from bootstrap.backup.targets.base import Storage
from bootstrap.backup.verify import fetch_verified, signature_summary
from bootstrap.git.auth import Auth
from bootstrap.git.redact import redact_url
from bootstrap.git.urls import is_scp_like

__all__ = ["is_remote", "restore_backup"]


def is_remote(destination: str) -> bool:
    """URLs (``https://``, ``ssh://``, ``file://``) and scp-like ``[user@]host:path`` are remotes.

    git's own rule: a colon before the first slash means a remote, so ``host:repo.git`` is the
    SSH remote git would push to, never a local directory of that name (write
    ``./host:repo.git`` for that).
    """
    return "://" in destination or is_scp_like(destination)


def restore_backup(
    storage: Storage,
    destination: str,
    *,
    wanted: str = "latest",
    force: bool = False,
    work_dir: Path | None = None,
    auth: Auth | None = None,
    verifier: Signer | None = None,
) -> dict[str, Any]:
    layout.validate_wanted(wanted)
    shown = redact_url(destination)
    if not destination or destination.startswith("-"):
        raise BackupInputError(f"--to {shown!r} must be a remote URL or a directory path")
    remote = is_remote(destination)
    fresh_dir: tuple[Path, bool] | None = None
    if remote:
        existing = remote_refs(destination, auth)
        if existing.refs and not force:
            raise RestoreRefused(
                f"{shown} already has {len(existing.refs)} refs; restore only into an empty "
                "remote, or pass --force to make it an exact mirror of the backup"
            )
    else:
        fresh_dir = _check_local(Path(destination), force)

    work = Path(tempfile.mkdtemp(prefix="underlay-restore-", dir=work_dir))
    try:
        storage.check()
        catalog = load_catalog(storage, verifier)  # signing on: refuses before downloading
        record = catalog.resolve(wanted)
        if record.manifest is None:
            raise IntegrityError(record.problem or f"manifest of {record.id} is unreadable")
        manifest = record.manifest
        scratch = fetch_verified(storage, manifest, work)
        if remote:
            target = remote_url(destination)
            run_git(
                ["push", "--mirror", "--quiet", target.url],
                cwd=scratch,
                what=f"push to {target.shown}",
                remote=target,
                auth=auth,
            )
            after = dict(remote_refs(destination, auth).refs)
        else:
            after = _restore_local(scratch, Path(destination), manifest)
    except BaseException:
        if fresh_dir is not None:  # leave the directory as found: absent, or empty
            _clear(fresh_dir[0])
            if fresh_dir[1]:
                fresh_dir[0].rmdir()
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if after != manifest.refs:
        raise IntegrityError(f"refs at {shown} differ from backup {record.id} after restore")
    return {
        "ok": True,
        "command": "restore",
        "target": storage.description,
        "id": record.id,
        "to": shown,
        "refs": len(after),
        "sha256": manifest.bundle.sha256,
        "signature": signature_summary(catalog.signing),
    }


def _check_local(path: Path, force: bool) -> tuple[Path, bool] | None:
    """(dir, created) if it starts out absent or empty, so a failure can undo the restore."""
    if path.exists() and not path.is_dir():
        raise BackupInputError(f"{path} exists and is not a directory")
    if path.exists() and any(path.iterdir()):
        if not force:
            raise RestoreRefused(
                f"{path} is not empty; restore into an empty directory, or pass --force to "
                "overwrite a bare repository there"
            )
        if not ((path / "HEAD").is_file() and (path / "objects").is_dir()):
            raise RestoreRefused(f"{path} is not a bare git repository; --force will not touch it")
        return None
    created = not path.exists()
    path.mkdir(parents=True, exist_ok=True)
    return path, created


def _clear(path: Path) -> None:
    for child in path.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _restore_local(scratch: Path, path: Path, manifest: Manifest) -> dict[str, str]:
    if not (path / "HEAD").is_file():
        run_git(["init", "--quiet", "--bare", str(path)], what=f"git init {path}")
    run_git(
        [
            "fetch",
            "--quiet",
            "--prune",
            "--no-write-fetch-head",
            str(scratch.resolve()),
            "+refs/*:refs/*",
        ],
        cwd=path,
        what=f"restore into {path}",
    )
    if manifest.head and manifest.head in manifest.refs:
        run_git(["symbolic-ref", "HEAD", manifest.head], cwd=path, what="setting HEAD")
    return dict(local_refs(path).refs)
