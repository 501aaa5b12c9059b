"""The manifest: what a backup holds and how to check it. Written last; its presence = complete.

An "unchanged" manifest records a run that found the same refs as an earlier backup and reuses
that backup's bundle (``bundle.owner_id``) instead of storing a duplicate.
"""

from __future__ import annotations

from importlib import metadata
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from bootstrap.backup.errors import IntegrityError

__all__ = [
    "BundleInfo",
    "LastSuccess",
    "Manifest",
    "Quarantine",
    "dump_json",
    "parse_manifest",
    "tool_version",
]

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class BundleInfo(BaseModel):
    model_config = _FROZEN

    key: str = Field(description="Object key relative to the target prefix.")
    owner_id: str = Field(description="The backup that stored this bundle.")
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Manifest(BaseModel):
    model_config = _FROZEN

    schema_version: Literal[1] = 1
    id: str
    kind: Literal["full", "unchanged"]
    repo_url: str = Field(description="Redacted: never carries credentials.")
    created_at: AwareDatetime
    completed_at: AwareDatetime
    tool_version: str
    git_version: str
    head: str | None
    refs: dict[str, str]
    bundle: BundleInfo


class Quarantine(BaseModel):
    """Written next to a manifest by ``backup verify`` when the stored backup is broken."""

    model_config = _FROZEN

    id: str
    found_at: AwareDatetime
    reason: str


class LastSuccess(BaseModel):
    """``last-success.json``: what monitoring reads to alert on stale backups."""

    model_config = _FROZEN

    id: str
    kind: Literal["full", "unchanged", "skipped"]
    completed_at: AwareDatetime
    completed_unix: int


def dump_json(model: BaseModel) -> bytes:
    return (model.model_dump_json(indent=2) + "\n").encode()


def parse_manifest(data: bytes, *, expected_id: str) -> Manifest:
    try:
        manifest = Manifest.model_validate_json(data)
    except ValidationError as exc:
        raise IntegrityError(
            f"manifest of {expected_id} is unreadable ({exc.error_count()} problems)"
        ) from None
    if manifest.id != expected_id:
        raise IntegrityError(f"manifest stored under {expected_id} claims id {manifest.id}")
    return manifest


def tool_version() -> str:
    try:
        return f"underlay {metadata.version('underlay')}"
    except metadata.PackageNotFoundError:
        return "underlay (not installed)"
