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

from bootstrap.gitops import safefs
from bootstrap.gitops.errors import GitOpsError
from bootstrap.gitops.layout import Manifest
from stacks.config.rules import paths_overlap
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
    kept: list[str] = field(default_factory=list)  # not underlay's to (re)write

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


def load_record(root: Path, *, strict: bool = True) -> OwnershipRecord:
    """The record on the branch; forged or unsafe entries are refused, content never echoed.
    ``strict=False`` keeps unsafe entries for a reader that checks each one itself and never
    writes (``underlay drift`` reports them as findings)."""
    if not safefs.exists(root, RECORD_PATH):
        return OwnershipRecord()
    try:
        raw = safefs.read_bytes(root, RECORD_PATH)
        record = OwnershipRecord.model_validate(json.loads(raw.decode("utf-8")))
    except (ValueError, ValidationError) as exc:
        kind = type(exc).__name__
        raise GitOpsError(
            f"{RECORD_PATH} in the repo is corrupt ({kind}); fix or remove it"
        ) from None
    for path in record.files if strict else ():
        try:
            safefs.check_relpath(path)
        except GitOpsError:
            raise GitOpsError(
                f"{RECORD_PATH} in the repo lists an unsafe path; fix or remove the record"
            ) from None
    return record


def save_record(root: Path, record: OwnershipRecord) -> None:
    data = record.model_dump(mode="json")
    data["files"] = dict(sorted(data["files"].items()))
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    safefs.write_bytes(root, RECORD_PATH, text.encode("utf-8"))


def apply_layout(root: Path, manifests: list[Manifest], env_name: str) -> Changes:
    """Bring ``root`` to ``manifests`` for ``env_name``; raise before writing on any conflict."""
    record = load_record(root)
    owned = dict(record.files)
    changes = Changes()
    conflicts: list[str] = _foreign_folders(record, manifests, env_name)
    writes: dict[str, bytes] = {}
    for manifest in manifests:
        content = manifest.content.encode("utf-8")
        mine = owned.get(manifest.path)
        if mine is not None and mine.env not in (None, env_name):
            conflicts.append(f"{manifest.path} belongs to environment {mine.env!r}")
            continue
        verdict = _decide(root, manifest, content, mine)
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
    _skip_unreferenced(manifests, changes=changes, writes=writes, owned=owned)
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
        safefs.write_bytes(root, path, content)
    for path in changes.removed:
        safefs.unlink(root, path)
    new_record = OwnershipRecord(files=owned)
    if new_record != record:
        save_record(root, new_record)
    return changes


def _skip_unreferenced(
    manifests: list[Manifest],
    *,
    changes: Changes,
    writes: dict[str, bytes],
    owned: dict[str, OwnedFile],
) -> None:
    """A seed is added only together with the seed that lists it (``referenced_by``)."""
    for manifest in manifests:
        needs = manifest.referenced_by
        if needs and manifest.path in changes.added and needs not in changes.added:
            del writes[manifest.path], owned[manifest.path]
            changes.added.remove(manifest.path)


def _foreign_folders(
    record: OwnershipRecord, manifests: list[Manifest], env_name: str
) -> list[str]:
    """Managed folders of ``env_name`` that are, contain or lie in another env's managed folder."""
    theirs = {
        (path.rsplit("/", 1)[0], mine.env)
        for path, mine in record.files.items()
        if mine.mode == "managed" and mine.env is not None and mine.env != env_name and "/" in path
    }
    ours = {m.path.rsplit("/", 1)[0] for m in manifests if m.mode == "managed" and "/" in m.path}
    return [
        f"{folder}/ overlaps {other}/ of environment {env!r}"
        for folder in sorted(ours)
        for other, env in sorted(theirs)
        if paths_overlap(folder, other)
    ]


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
        present = safefs.is_file(root, path)
        if present and digest(safefs.read_bytes(root, path)) != mine.sha256:
            conflicts.append(f"{path} is no longer generated but was changed outside underlay")
            continue
        if not present and safefs.exists(root, path):
            conflicts.append(f"{path} is no longer generated but is not a regular file")
            continue
        if present:
            changes.removed.append(path)
        del owned[path]


def _decide(root: Path, manifest: Manifest, content: bytes, mine: OwnedFile | None) -> str:
    """add / update / keep / adopt (identical, unrecorded), or a conflict's reason."""
    if not safefs.exists(root, manifest.path):
        # A seed underlay wrote before and that is gone was deleted by its owner, the user.
        return "keep" if mine is not None and manifest.mode == "seed" else "add"
    if not safefs.is_file(root, manifest.path):
        return "is not a regular file"
    current = safefs.read_bytes(root, manifest.path)
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
        if safefs.is_file(root, path):
            content = safefs.read_bytes(root, path)
            files[path] = mine.model_copy(update={"sha256": digest(content)})
        else:
            del files[path]
    if files != record.files:
        save_record(root, OwnershipRecord(files=files))
