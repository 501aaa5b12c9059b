"""What underlay owns in the manifest repo, and the only file writes bootstrap may make.

The record (``.underlay/owned.json``) lists each file underlay created with the SHA-256 of what
it last wrote. The rule it enforces: a file underlay did not create is never deleted or
rewritten; a managed file changed behind underlay's back is a conflict, not something to clobber.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from bootstrap.gitops.errors import GitOpsError
from bootstrap.gitops.layout import Manifest
from stacks.config.types import Frozen

__all__ = [
    "RECORD_PATH",
    "Changes",
    "OwnedFile",
    "OwnershipRecord",
    "apply_layout",
    "digest",
    "load_record",
    "refresh_record",
    "save_record",
]

RECORD_PATH = ".underlay/owned.json"


class OwnedFile(Frozen):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    mode: Literal["managed", "seed"]
    env: str | None = Field(None, description="The environment it belongs to; None = shared.")


class OwnershipRecord(Frozen):
    version: Literal[1] = 1
    files: dict[str, OwnedFile] = Field(default_factory=dict)


@dataclass
class Changes:
    """What a bootstrap did to the tree, for the commit message and the user."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # present and not underlay's to rewrite

    @property
    def any(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        parts = [
            f"{verb} {len(paths)} file{'s' * (len(paths) != 1)}"
            for verb, paths in (
                ("add", self.added),
                ("update", self.updated),
                ("remove", self.removed),
            )
            if paths
        ]
        return ", ".join(parts) or "no change"

    def body(self) -> str:
        lines = [
            f"{mark} {p}"
            for mark, paths in (("A", self.added), ("M", self.updated), ("D", self.removed))
            for p in paths
        ]
        return "\n".join(lines)


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def load_record(root: Path) -> OwnershipRecord:
    path = root / RECORD_PATH
    if not path.exists():
        return OwnershipRecord()
    try:
        return OwnershipRecord.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        raise GitOpsError(
            f"{RECORD_PATH} in the repo is corrupt; fix or remove it ({exc})"
        ) from None


def save_record(root: Path, record: OwnershipRecord) -> None:
    data = record.model_dump(mode="json")
    data["files"] = dict(sorted(data["files"].items()))
    path = root / RECORD_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def apply_layout(root: Path, manifests: list[Manifest], env_name: str) -> Changes:
    """Bring ``root`` to ``manifests`` for ``env_name``; raise before writing on any conflict."""
    record = load_record(root)
    owned = dict(record.files)
    changes = Changes()
    conflicts: list[str] = []
    writes: dict[str, bytes] = {}
    for manifest in manifests:
        content = manifest.content.encode("utf-8")
        verdict = _decide(root / manifest.path, manifest, content, owned.get(manifest.path))
        if verdict in ("add", "update"):
            writes[manifest.path] = content
            (changes.added if verdict == "add" else changes.updated).append(manifest.path)
        elif verdict in ("keep", "adopt"):
            changes.kept.append(manifest.path)
        else:
            conflicts.append(f"{manifest.path} {verdict}")
        if verdict in ("add", "update", "adopt"):
            shared = manifest.mode == "seed" and not manifest.path.startswith(f"apps/{env_name}/")
            owned[manifest.path] = OwnedFile(
                sha256=digest(content), mode=manifest.mode, env=None if shared else env_name
            )
    _drop_stale(
        root,
        record=record,
        wanted={m.path for m in manifests},
        env_name=env_name,
        owned=owned,
        changes=changes,
        conflicts=conflicts,
    )
    if conflicts:
        raise GitOpsError(
            "refusing to overwrite: " + "; ".join(conflicts) + " (move or delete them, then re-run)"
        )
    for path, content in writes.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content)
    for path in changes.removed:
        (root / path).unlink()
    new_record = OwnershipRecord(files=owned)
    if new_record != record:
        save_record(root, new_record)
    return changes


def _drop_stale(
    root: Path,
    *,
    record: OwnershipRecord,
    wanted: set[str],
    env_name: str,
    owned: dict[str, OwnedFile],
    changes: Changes,
    conflicts: list[str],
) -> None:
    """Managed files of this env that the layout no longer has: removed if still as written."""
    for path, mine in sorted(record.files.items()):
        if mine.env != env_name or mine.mode != "managed" or path in wanted:
            continue
        target = root / path
        if target.is_file() and digest(target.read_bytes()) != mine.sha256:
            conflicts.append(f"{path} is no longer generated but was changed outside underlay")
            continue
        if target.is_file():
            changes.removed.append(path)
        del owned[path]


def _decide(target: Path, manifest: Manifest, content: bytes, mine: OwnedFile | None) -> str:
    """add / update / keep / adopt (identical, unrecorded), or a conflict's reason."""
    if target.exists() and not target.is_file():
        return "is not a regular file"
    if not target.exists():
        return "add"
    current = target.read_bytes()
    if current == content or manifest.mode == "seed":
        return "adopt" if mine is None and current == content else "keep"
    if mine is None:
        return "exists but underlay did not create it"
    if digest(current) != mine.sha256:
        return "was changed outside underlay since it wrote it"
    return "update"


def refresh_record(root: Path, paths: list[str]) -> None:
    """After underlay itself rewrote owned managed files (rollback), record their new content."""
    record = load_record(root)
    files = dict(record.files)
    for path in paths:
        mine = files.get(path)
        if mine is None or mine.mode != "managed":
            continue
        target = root / path
        if target.is_file():
            files[path] = mine.model_copy(update={"sha256": digest(target.read_bytes())})
        else:
            del files[path]
    if files != record.files:
        save_record(root, OwnershipRecord(files=files))
