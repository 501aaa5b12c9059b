"""Retention rule by rule, as tables: keep_last > 1, the max_age boundary, the grace period,
dangling records, ranking by the store's clock (not the id's), and policy validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bootstrap.backup.retention import (
    STORE_CLOCK_TOLERANCE,
    BackupState,
    RetentionPlan,
    RetentionPolicy,
    plan_retention,
)
from tests.support.backup_states import backup_state

NOW = datetime(2026, 6, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def make(
    name: str,
    age_days: float,
    *,
    complete: bool = True,
    good: bool = True,
    owner: str | None = None,
    stored_days: float | None = None,
    dangling: bool = False,
) -> BackupState:
    """``name`` is a 6-hex-digit tail; ``stored_days`` (default: the age) is the store's clock."""
    started = NOW - timedelta(days=age_days)
    stored = None if stored_days is None else NOW - timedelta(days=stored_days)
    return backup_state(
        name, started, stored, complete=complete, good=good, owner=owner, dangling=dangling
    )


A, B, C, D = (make("00000a", 40), make("00000b", 30), make("00000c", 20), make("00000d", 10))


def ids(*states: BackupState) -> tuple[str, ...]:
    return tuple(sorted(s.id for s in states))


@pytest.mark.parametrize(
    ("policy", "deleted"),
    [
        (RetentionPolicy(), ()),
        (RetentionPolicy(keep_last=1), (A, B, C)),
        (RetentionPolicy(keep_last=2), (A, B)),
        (RetentionPolicy(keep_last=3), (A,)),
        (RetentionPolicy(keep_last=4), ()),
        (RetentionPolicy(keep_last=9), ()),
        (RetentionPolicy(max_age=15 * DAY), (A, B, C)),
        (RetentionPolicy(max_age=25 * DAY), (A, B)),
        (RetentionPolicy(max_age=25 * DAY, keep_last=3), (A,)),
        (RetentionPolicy(max_age=35 * DAY, keep_last=1), (A,)),
        (RetentionPolicy(max_age=1 * DAY, keep_last=2), (A, B)),
    ],
    ids=lambda v: repr(v) if not isinstance(v, RetentionPolicy) else None,
)
def test_keep_last_and_max_age_union(policy: RetentionPolicy, deleted: tuple[BackupState]) -> None:
    plan = plan_retention([A, B, C, D], policy, now=NOW)
    assert plan == RetentionPlan(
        delete=ids(*deleted),
        clean=(),
        keep=ids(*(s for s in (A, B, C, D) if s not in deleted)),
    )


@pytest.mark.parametrize(
    ("later", "kept"),
    [(timedelta(0), True), (timedelta(microseconds=1), False)],
)
def test_max_age_boundary_is_inclusive(later: timedelta, kept: bool) -> None:
    old = make("000001", 20)
    new = make("000002", 0)
    plan = plan_retention([old, new], RetentionPolicy(max_age=20 * DAY), now=NOW + later)
    assert (old.id in plan.keep) is kept
    assert (old.id in plan.delete) is not kept


def test_keep_last_ranks_by_the_store_clock_not_the_id() -> None:
    # a writer a year ahead: its id sorts last, but the store saw it first
    forged = make("0000ff", -365, stored_days=5)
    honest = make("000001", 1)
    plan = plan_retention([forged, honest], RetentionPolicy(keep_last=1), now=NOW)
    assert plan.delete == (forged.id,)
    assert plan.keep == (honest.id,)


def test_store_clock_ties_break_by_id() -> None:
    first = make("000001", 2, stored_days=1)
    second = make("000002", 2, stored_days=1)
    plan = plan_retention([first, second], RetentionPolicy(keep_last=1), now=NOW)
    assert plan.keep == (second.id,)


SECOND = timedelta(seconds=1)


def test_honest_runs_in_one_store_second_rank_by_their_ids() -> None:
    # Seen with Azurite under two concurrent runs: the later-started run's manifest was stamped
    # in the same whole second it started (the store truncates), the earlier one's a second
    # later. Clamping to the bare store time ranked the earlier run newer; its retention then
    # deleted the later run's backup, whose exit check (newer ids only) found nothing.
    early = backup_state("0000e1", NOW + timedelta(milliseconds=100), NOW + SECOND)
    late = backup_state("0000e2", NOW + timedelta(milliseconds=550), NOW)
    plan = plan_retention([early, late], RetentionPolicy(keep_last=1), now=NOW + 2 * SECOND)
    assert (plan.keep, plan.delete) == ((late.id,), (early.id,))


@pytest.mark.parametrize(
    ("ahead", "kept"),
    [
        (STORE_CLOCK_TOLERANCE - SECOND, "ahead"),  # within the tolerance: ranks by its id
        (STORE_CLOCK_TOLERANCE + SECOND, "honest"),  # beyond: ranks at store time + tolerance
    ],
)
def test_an_id_ahead_of_the_store_ranks_by_id_only_within_the_tolerance(
    ahead: timedelta, kept: str
) -> None:
    # honest started half a second before the skewed id's time (and was stored a second after
    # it started): it is newer only when the skewed id is clamped
    stored = NOW - timedelta(minutes=30)
    skewed = backup_state("0000a1", stored + ahead, stored)
    started = stored + ahead - SECOND / 2
    honest = backup_state("0000b2", started, started + SECOND)
    plan = plan_retention([skewed, honest], RetentionPolicy(keep_last=1), now=NOW)
    assert plan.keep == ((skewed if kept == "ahead" else honest).id,)


def test_newest_good_is_kept_even_when_newer_ones_are_broken() -> None:
    good = make("000001", 40)
    broken = [make("000002", 3, good=False), make("000003", 2, good=False)]
    plan = plan_retention([good, *broken], RetentionPolicy(keep_last=1), now=NOW)
    assert plan == RetentionPlan(delete=(broken[0].id,), clean=(), keep=ids(good, broken[1]))


def test_current_run_is_kept() -> None:
    plan = plan_retention([A, B, C, D], RetentionPolicy(keep_last=1), now=NOW, current_id=A.id)
    assert plan.delete == ids(B, C)


def test_bundle_owners_are_kept_transitively() -> None:
    root = make("000001", 30)
    middle = make("000002", 20, owner=root.id)
    top = make("000003", 10, owner=middle.id)
    plan = plan_retention([root, middle, top], RetentionPolicy(keep_last=1), now=NOW)
    assert plan == RetentionPlan(delete=(), clean=(), keep=ids(root, middle, top))


@pytest.mark.parametrize(
    ("policy", "deleted"),
    [(RetentionPolicy(keep_last=1), True), (RetentionPolicy(), False)],
)
def test_dangling_records_are_deleted_only_when_pruning(
    policy: RetentionPolicy, deleted: bool
) -> None:
    dangling = make("000009", 0, good=False, dangling=True)
    good = make("000001", 5)
    plan = plan_retention([good, dangling], policy, now=NOW)
    assert (dangling.id in plan.delete) is deleted
    assert good.id in plan.keep  # the dangling one does not take keep_last's only slot


def test_dangling_current_run_is_kept() -> None:
    dangling = make("000009", 0, good=False, dangling=True)
    plan = plan_retention(
        [make("000001", 5), dangling], RetentionPolicy(keep_last=1), now=NOW, current_id=dangling.id
    )
    assert dangling.id in plan.keep


@pytest.mark.parametrize(
    ("age_hours", "stored_hours", "grace_hours", "cleaned"),
    [
        (48, 48, 24, True),
        (24, 24, 24, False),  # exactly the grace period: still kept
        (12, 12, 24, False),
        (48, 1, 24, False),  # touched recently by the store's clock: may still be uploading
        (1, 48, 24, False),  # started recently by the writer's clock
        (1, 1, 0, True),
    ],
)
def test_incomplete_grace(
    age_hours: int, stored_hours: int, grace_hours: int, cleaned: bool
) -> None:
    leftover = make("000001", age_hours / 24, complete=False, stored_days=stored_hours / 24)
    policy = RetentionPolicy(incomplete_grace=timedelta(hours=grace_hours))
    plan = plan_retention([leftover, make("000002", 0)], policy, now=NOW)
    assert plan.clean == ((leftover.id,) if cleaned else ())
    assert plan.delete == ()


def test_incomplete_referenced_bundle_is_not_cleaned() -> None:
    leftover = make("000001", 10, complete=False)
    record = make("000002", 1, owner=leftover.id)
    plan = plan_retention(
        [leftover, record], RetentionPolicy(incomplete_grace=timedelta(0)), now=NOW
    )
    assert plan.clean == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"keep_last": 0}, r"^keep_last must be at least 1$"),
        ({"keep_last": -3}, r"^keep_last must be at least 1$"),
        ({"max_age": timedelta(0)}, r"^max_age must be positive$"),
        ({"max_age": -DAY}, r"^max_age must be positive$"),
        (
            {"incomplete_grace": timedelta(microseconds=-1)},
            r"^incomplete_grace must not be negative$",
        ),
    ],
)
def test_policy_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RetentionPolicy(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("policy", "prunes"),
    [
        (RetentionPolicy(), False),
        (RetentionPolicy(keep_last=1), True),
        (RetentionPolicy(max_age=DAY), True),
        (RetentionPolicy(incomplete_grace=timedelta(0)), False),
    ],
)
def test_prunes(policy: RetentionPolicy, prunes: bool) -> None:
    assert policy.prunes is prunes


def test_accepted_policy_edges() -> None:
    assert RetentionPolicy(keep_last=1, incomplete_grace=timedelta(0)).keep_last == 1
    assert RetentionPolicy(max_age=timedelta(microseconds=1)).max_age == timedelta(microseconds=1)


def test_no_good_backup_at_all() -> None:
    broken = [make("000001", 3, good=False), make("000002", 2, good=False)]
    plan = plan_retention(broken, RetentionPolicy(keep_last=1), now=NOW)
    assert plan == RetentionPlan(delete=(broken[0].id,), clean=(), keep=(broken[1].id,))


def test_plans_are_sorted_by_id_whatever_the_input_order() -> None:
    leftovers = [make(f"00000{n}", 5 - n, complete=False) for n in (1, 2, 3)]
    old = [make(f"00000{n}", 30 - n) for n in (4, 5, 6)]
    states = [leftovers[2], old[1], leftovers[0], old[2], leftovers[1], old[0], D]
    plan = plan_retention(states, RetentionPolicy(keep_last=1), now=NOW)
    assert plan == RetentionPlan(delete=ids(*old), clean=ids(*leftovers), keep=(D.id,))
