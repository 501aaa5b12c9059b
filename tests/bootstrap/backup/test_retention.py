"""Retention is pure: examples for each rule, then properties over random histories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bootstrap.backup.retention import BackupState, RetentionPolicy, plan_retention
from tests.support.backup_states import backup_state

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def state(
    age_days: float,
    *,
    complete: bool = True,
    good: bool = True,
    owner: str | None = None,
    suffix: str = "000000",
) -> BackupState:
    started = NOW - timedelta(days=age_days)
    return backup_state(suffix, started, complete=complete, good=good, owner=owner)


def test_no_policy_deletes_no_complete_backup() -> None:
    states = [state(30), state(20), state(10)]
    plan = plan_retention(states, RetentionPolicy(), now=NOW)
    assert plan.delete == ()


def test_keep_last_and_max_age_are_a_union() -> None:
    old, mid, new = state(30), state(5), state(1)
    plan = plan_retention(
        [old, mid, new], RetentionPolicy(keep_last=1, max_age=timedelta(days=7)), now=NOW
    )
    assert plan.delete == (old.id,)


def test_newest_good_survives_even_when_newer_ones_are_broken() -> None:
    good = state(40)
    broken = [state(3, good=False), state(2, good=False)]
    plan = plan_retention(
        [good, *broken], RetentionPolicy(keep_last=1, max_age=timedelta(days=1)), now=NOW
    )
    assert good.id in plan.keep
    assert broken[0].id in plan.delete


def test_referenced_bundle_owner_is_kept() -> None:
    owner = state(10)
    record = state(1, owner=owner.id)
    plan = plan_retention([owner, record], RetentionPolicy(keep_last=1), now=NOW)
    assert plan.delete == ()


def test_incomplete_grace() -> None:
    young = state(0.5, complete=False)
    old = state(2, complete=False)
    plan = plan_retention([young, old, state(3)], RetentionPolicy(), now=NOW)
    assert plan.clean == (old.id,)


def test_policy_validation() -> None:
    with pytest.raises(ValueError, match="keep_last"):
        RetentionPolicy(keep_last=0)
    with pytest.raises(ValueError, match="max_age"):
        RetentionPolicy(max_age=timedelta(0))


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[BackupState], RetentionPolicy, str | None]:
    count = draw(st.integers(0, 12))
    states: list[BackupState] = []
    for index in range(count):
        age = draw(st.floats(0, 100))
        complete = draw(st.booleans())
        good = draw(st.booleans())
        owners = [s.id for s in states if s.complete]
        pick_owner: bool = draw(st.booleans())
        owner = draw(st.sampled_from(owners)) if owners and pick_owner else None
        states.append(state(age, complete=complete, good=good, owner=owner, suffix=f"{index:06x}"))
    states = list({s.id: s for s in states}.values())
    policy = RetentionPolicy(
        keep_last=draw(st.none() | st.integers(1, 5)),
        max_age=draw(st.none() | st.integers(1, 60).map(lambda d: timedelta(days=d))),
        incomplete_grace=timedelta(hours=draw(st.integers(0, 48))),
    )
    completes = [s.id for s in states if s.complete]
    pick_current: bool = draw(st.booleans())
    current = draw(st.sampled_from(completes)) if completes and pick_current else None
    return states, policy, current


@settings(max_examples=300, deadline=None)
@given(histories())
def test_retention_properties(
    history: tuple[list[BackupState], RetentionPolicy, str | None],
) -> None:
    states, policy, current = history
    plan = plan_retention(states, policy, now=NOW, current_id=current)
    removed = set(plan.delete) | set(plan.clean)
    by_id = {s.id: s for s in states}
    # only known ids; deletions and keeps partition the input
    assert removed <= set(by_id)
    assert removed.isdisjoint(plan.keep)
    assert removed | set(plan.keep) == set(by_id)
    # never the newest complete good backup, never the current run's
    goods = sorted((s for s in states if s.good and s.complete), key=lambda s: s.id)
    if goods:
        assert goods[-1].id not in removed
    if current:
        assert current not in removed
    # a kept manifest's bundle owner is kept
    for s in states:
        if s.id not in removed and s.complete and s.owner_id in by_id:
            assert s.owner_id not in removed
    # incomplete ones only after the grace period; complete ones only when a policy prunes
    for backup_id in plan.clean:
        s = by_id[backup_id]
        assert not s.complete
        assert NOW - max(s.started_at, s.last_modified) > policy.incomplete_grace
    if not policy.prunes:
        assert plan.delete == ()
