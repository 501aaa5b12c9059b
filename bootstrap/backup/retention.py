"""Which backups to delete: a pure function of the listing, the policy and the clock.

Rules (also in docs/backup.md):
* Only our own backups are inputs; foreign objects never reach this module.
* "Newest" is ``rank_key``: the id's start time clamped to the store's timestamp of the manifest,
  then the id. The id's time is the writer's clock and may be skewed or forged; the clamp keeps an
  id from the future from ranking as newest for as long as the skew lasts.
* A complete backup is kept if it is among the newest ``keep_last`` complete ones OR younger than
  ``max_age`` (the union, as restic's keep rules); with neither set, nothing complete is deleted.
* A *dangling* record (complete, but the bundle it points at is gone) can never be restored: it
  is deleted when a policy prunes (unless it is the current run's) and does not count towards
  ``keep_last``.
* Always kept: the newest complete *good* (verified, unquarantined) backup, the current run's
  backup, and every backup whose bundle a kept manifest reuses.
* Incomplete leftovers (no manifest) are cleaned only once older than ``incomplete_grace``: a
  younger one may be a run still uploading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

__all__ = [
    "STORE_CLOCK_TOLERANCE",
    "BackupState",
    "RetentionPlan",
    "RetentionPolicy",
    "plan_retention",
    "rank_key",
]

# How far an id's time may run ahead of the store's timestamp and still rank by the id: store
# timestamps are truncated to the second, and writers' clocks drift by seconds, not years.
STORE_CLOCK_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class BackupState:
    id: str
    started_at: datetime
    last_modified: datetime
    """By the store's clock: the manifest's timestamp for a complete backup, else its newest
    object's."""
    complete: bool
    good: bool
    owner_id: str | None
    """The backup whose bundle this one's manifest points at (itself for full backups)."""
    dangling: bool = False
    """Complete, but the bundle its manifest points at is gone from the listing."""


@dataclass(frozen=True)
class RetentionPolicy:
    keep_last: int | None = None
    max_age: timedelta | None = None
    incomplete_grace: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if self.keep_last is not None and self.keep_last < 1:
            raise ValueError("keep_last must be at least 1")
        if self.max_age is not None and self.max_age <= timedelta(0):
            raise ValueError("max_age must be positive")
        if self.incomplete_grace < timedelta(0):
            raise ValueError("incomplete_grace must not be negative")

    @property
    def prunes(self) -> bool:
        return self.keep_last is not None or self.max_age is not None


@dataclass(frozen=True)
class RetentionPlan:
    delete: tuple[str, ...]
    """Complete backups to delete (manifest first, so a half-done delete reads as incomplete)."""
    clean: tuple[str, ...]
    """Incomplete leftovers past the grace period."""
    keep: tuple[str, ...]


class Ranked(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def last_modified(self) -> datetime: ...


def rank_key(state: Ranked) -> tuple[datetime, str]:
    """Newest-first order of complete backups: the id's start time (when its refs were read),
    clamped to the store's timestamp plus :data:`STORE_CLOCK_TOLERANCE`, then the id. Honest
    writers start before the store records their manifest, so they rank by start time; an id
    from the future (a writer's clock a year ahead, or a forged one) ranks at the time the store
    actually received it. The tolerance is there because store timestamps are whole seconds
    (S3 and Azure listings) and hosts' clocks differ a little: without it two honest runs in one
    second could rank against their ids' order, and a run's "covered by a newer backup" check
    (which compares ids) would fail after another run's retention kept the other one."""
    return (min(state.started_at, state.last_modified + STORE_CLOCK_TOLERANCE), state.id)


def plan_retention(
    states: Sequence[BackupState],
    policy: RetentionPolicy,
    *,
    now: datetime,
    current_id: str | None = None,
) -> RetentionPlan:
    complete = [s for s in states if s.complete]
    ranked = sorted(
        (s for s in complete if not s.dangling),
        key=rank_key,
        reverse=True,
    )
    incomplete = [s for s in states if not s.complete]

    keep: set[str] = set()
    newest_good = next((s for s in ranked if s.good), None)
    if newest_good is not None:
        keep.add(newest_good.id)
    if current_id is not None:
        keep.add(current_id)
    if not policy.prunes:
        keep.update(s.id for s in complete)
    for rank, state in enumerate(ranked):
        in_last = policy.keep_last is not None and rank < policy.keep_last
        young = policy.max_age is not None and now - state.started_at <= policy.max_age
        if in_last or young:
            keep.add(state.id)
    # Owners are always roots in practice; the closure still guards against chains.
    owner_of = {s.id: s.owner_id for s in states if s.owner_id is not None}
    pending = list(keep)
    while pending:
        owner = owner_of.get(pending.pop())
        if owner is not None and owner not in keep:
            keep.add(owner)
            pending.append(owner)

    delete = tuple(s.id for s in sorted(complete, key=lambda s: s.id) if s.id not in keep)
    clean = tuple(
        s.id
        for s in sorted(incomplete, key=lambda s: s.id)
        if s.id not in keep and now - max(s.started_at, s.last_modified) > policy.incomplete_grace
    )
    kept = tuple(sorted(s.id for s in states if s.id not in set(delete) | set(clean)))
    return RetentionPlan(delete=delete, clean=clean, keep=kept)
