"""``underlay backup run|list|verify`` and ``underlay restore``.

Each command prints exactly one JSON line on stdout (``list``: one per backup) — for the job log
and for scripts — also on failure (``"ok": false``), then re-raises so ``bootstrap.cli`` maps the
error to its exit code (1 operation failed, 2 bad input). SDKs are imported lazily.
"""

# lazy imports keep CLI start fast; click passes options as arguments

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from bootstrap.cli.options import auth_from, git_auth_options
from stacks.errors import UnderlayError

__all__ = ["backup", "restore"]

_PART_MIB = 8
# Upper bounds keep every numeric option inside what timedelta and the SDKs accept, so an absurd
# value is one line and exit 2 (click's usage error), never an OverflowError traceback.
_MAX_PART_MIB = 4000  # Azure's largest block (S3 allows 5 GiB parts)
_MAX_KEEP_LAST = 1_000_000
_MAX_DAYS = 36_500.0  # a century


class _Finite(click.FloatRange):
    """A FloatRange that also refuses NaN and ±inf (click's own lets ``nan`` through)."""

    name = "finite float range"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


def _emit(summary: dict[str, Any]) -> None:
    click.echo(json.dumps(summary, sort_keys=True, default=str))


@contextmanager
def _summarised(summary: dict[str, Any]) -> Iterator[None]:
    try:
        yield
    except UnderlayError as exc:
        from bootstrap.git.redact import redact

        summary.update(ok=False, error=redact(str(exc)), exit_code=exc.exit_code)
        _emit(summary)
        raise


def _storage(url: str, endpoint: str | None, part_size_mib: int) -> Any:
    from bootstrap.backup.targets import open_target

    return open_target(url, endpoint=endpoint, part_size=part_size_mib * 1024 * 1024)


def _target_options(flag: str, envvar: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        func = click.option(
            "--part-size-mib",
            type=click.IntRange(min=1, max=_MAX_PART_MIB),
            default=_PART_MIB,
            show_default=True,
            help="Multipart/block size; memory per transfer is about 4x this.",
        )(func)
        func = click.option(
            "--endpoint",
            help="S3 endpoint URL (emulators). Env: UNDERLAY_S3_ENDPOINT, read for s3:// "
            "targets only (an azblob:// target ignores it).",
        )(func)
        func = click.option(
            "--work-dir",
            type=click.Path(path_type=Path, file_okay=False, exists=True),
            envvar="UNDERLAY_WORK_DIR",
            help="Scratch space for clones and bundles (default: TMPDIR). Env: UNDERLAY_WORK_DIR.",
        )(func)
        return click.option(
            flag,
            "target",
            required=True,
            envvar=envvar,
            help=f"s3://bucket/prefix or azblob://account/container/prefix. Env: {envvar}.",
        )(func)

    return decorate


_signing_key_option = click.option(
    "--signing-key",
    envvar="UNDERLAY_BACKUP_SIGNING_KEY",
    metavar="SPEC",
    help="Signed manifests (off when unset): awskms:<key id|ARN|alias/name>, "
    "azurekv:https://<vault>.vault.azure.net/keys/<name> or file:<Ed25519 PEM>. `run` signs; "
    "the readers refuse unsigned or badly signed manifests (exit 2). "
    "Env: UNDERLAY_BACKUP_SIGNING_KEY.",
)


def _signer(spec: str | None) -> Any:
    """The configured signer, or None (signing off); a bad spec fails before any storage call."""
    if not spec:
        return None
    from bootstrap.backup.signing import open_signer

    return open_signer(spec)


@click.group()
def backup() -> None:
    """Back up the manifest git repository to S3 or Azure Blob, list and verify backups."""


@backup.command("run")
@click.option("--repo", required=True, envvar="UNDERLAY_BACKUP_REPO", help="Git URL or path.")
@_target_options("--to", "UNDERLAY_BACKUP_TARGET")
@click.option(
    "--on-unchanged",
    type=click.Choice(["record", "skip", "full"]),
    default="record",
    show_default=True,
    help="Refs equal to the newest good backup: write a manifest reusing its bundle (record), "
    "write nothing but last-success (skip), or store a new bundle anyway (full).",
)
@click.option(
    "--keep-last",
    type=click.IntRange(min=1, max=_MAX_KEEP_LAST),
    help="Keep the newest N backups.",
)
@click.option(
    "--max-age",
    "max_age_days",
    type=_Finite(min=0, min_open=True, max=_MAX_DAYS),
    help="Keep backups younger than DAYS (union with --keep-last).",
)
@click.option(
    "--incomplete-grace-hours",
    type=_Finite(min=0, max=_MAX_DAYS * 24),
    default=24.0,
    show_default=True,
    help="Age after which an unfinished upload is cleaned up.",
)
@_signing_key_option
@git_auth_options
def run_cmd(
    repo: str,
    target: str,
    work_dir: Path | None,
    endpoint: str | None,
    part_size_mib: int,
    on_unchanged: str,
    keep_last: int | None,
    max_age_days: float | None,
    incomplete_grace_hours: float,
    signing_key: str | None,
    **auth_flags: Any,
) -> None:
    """Mirror-clone REPO, bundle it, upload it to TARGET, write its manifest, then prune."""
    from bootstrap.git.redact import redact_url

    summary: dict[str, Any] = {"command": "backup run", "repo": redact_url(repo), "ok": False}
    with _summarised(summary):
        from bootstrap.backup.retention import RetentionPolicy
        from bootstrap.backup.run import RunOptions, run_backup

        signer = _signer(signing_key)
        storage = _storage(target, endpoint, part_size_mib)
        options = RunOptions(
            on_unchanged=on_unchanged,  # type: ignore[arg-type]  # click.Choice guarantees it
            policy=RetentionPolicy(
                keep_last=keep_last,
                max_age=timedelta(days=max_age_days) if max_age_days else None,
                incomplete_grace=timedelta(hours=incomplete_grace_hours),
            ),
            work_dir=work_dir,
            auth=auth_from(auth_flags),
            signer=signer,
        )
        run_backup(repo, storage, options, report=summary)
    _emit(summary)


@backup.command("list")
@_target_options("--from", "UNDERLAY_BACKUP_TARGET")
@_signing_key_option
def list_cmd(
    target: str,
    work_dir: Path | None,
    endpoint: str | None,
    part_size_mib: int,
    signing_key: str | None,
) -> None:
    """One JSON line per backup at TARGET, oldest first (incomplete ones included)."""
    summary: dict[str, Any] = {"command": "backup list", "ok": False}
    with _summarised(summary):
        from bootstrap.backup.catalog import load_catalog

        signer = _signer(signing_key)
        storage = _storage(target, endpoint, part_size_mib)
        storage.check()
        catalog = load_catalog(storage, signer)
    for record in catalog.records:
        line: dict[str, Any] = {
            "id": record.id,
            "status": record.status,
            "good": catalog.is_good(record),
            "signed": record.has_signature,
        }
        if record.manifest is not None:
            line.update(
                kind=record.manifest.kind,
                completed_at=record.manifest.completed_at.isoformat(),
                refs=len(record.manifest.refs),
                bundle_owner=record.manifest.bundle.owner_id,
                bundle_bytes=record.manifest.bundle.size,
                sha256=record.manifest.bundle.sha256,
            )
        _emit(line)


_backup_id_option = click.option(
    "--id",
    "backup_id",
    default="latest",
    show_default=True,
    help="Backup id, or 'latest' (newest good backup).",
)


@backup.command("verify")
@_target_options("--from", "UNDERLAY_BACKUP_TARGET")
@_backup_id_option
@click.option("--no-quarantine", is_flag=True, help="Do not mark a broken backup as quarantined.")
@_signing_key_option
def verify_cmd(
    target: str,
    work_dir: Path | None,
    endpoint: str | None,
    part_size_mib: int,
    backup_id: str,
    no_quarantine: bool,
    signing_key: str | None,
) -> None:
    """Download a backup, check size + sha256, git bundle verify, unbundle, compare refs."""
    summary: dict[str, Any] = {"command": "backup verify", "id": backup_id, "ok": False}
    with _summarised(summary):
        from bootstrap.backup.verify import verify_backup

        signer = _signer(signing_key)
        storage = _storage(target, endpoint, part_size_mib)
        summary.update(
            verify_backup(
                storage,
                backup_id,
                work_dir=work_dir,
                quarantine=not no_quarantine,
                verifier=signer,
            )
        )
    _emit(summary)


@backup.command("drill")
@_target_options("--from", "UNDERLAY_BACKUP_TARGET")
@_signing_key_option
def drill_cmd(
    target: str,
    work_dir: Path | None,
    endpoint: str | None,
    part_size_mib: int,
    signing_key: str | None,
) -> None:
    """Restore drill: verify the newest good backup as `verify` does and record the result at
    TARGET (last-drill.json, drills/<time>.json) for `underlay status` and the alert rule."""
    summary: dict[str, Any] = {"command": "backup drill", "ok": False}
    with _summarised(summary):
        from bootstrap.backup.drill import run_drill

        signer = _signer(signing_key)
        storage = _storage(target, endpoint, part_size_mib)
        result = run_drill(storage, work_dir=work_dir, verifier=signer)
        summary.update(result.model_dump(mode="json"))
    _emit(summary)


@click.command()
@_target_options("--from", "UNDERLAY_BACKUP_TARGET")
@_backup_id_option
@click.option(
    "--to",
    "destination",
    required=True,
    help="Empty remote URL (mirror push) or a local directory (bare repo).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite a non-empty remote or bare repo to mirror the backup exactly.",
)
@_signing_key_option
@git_auth_options
def restore(
    target: str,
    work_dir: Path | None,
    endpoint: str | None,
    part_size_mib: int,
    backup_id: str,
    destination: str,
    force: bool,
    signing_key: str | None,
    **auth_flags: Any,
) -> None:
    """Restore a verified backup from TARGET into an empty remote or a local directory."""
    from bootstrap.git.redact import redact_url

    summary: dict[str, Any] = {
        "command": "restore",
        "id": backup_id,
        "to": redact_url(destination),
        "ok": False,
    }
    with _summarised(summary):
        from bootstrap.backup.restore import restore_backup

        signer = _signer(signing_key)
        storage = _storage(target, endpoint, part_size_mib)
        summary.update(
            restore_backup(
                storage,
                destination,
                wanted=backup_id,
                force=force,
                work_dir=work_dir,
                auth=auth_from(auth_flags),
                verifier=signer,
            )
        )
    _emit(summary)
