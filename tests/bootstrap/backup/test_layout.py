"""Backup ids and object layout (credential redaction: tests/bootstrap/git/test_redact.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootstrap.backup import layout


def test_ids_sort_by_time_and_are_unique() -> None:
    start = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    ids = [layout.new_backup_id(start + timedelta(milliseconds=i)) for i in range(50)]
    assert ids == sorted(ids)
    assert len({layout.new_backup_id(start) for _ in range(200)}) > 190
    assert ids[0].startswith("20260102T030405.678Z-")
    assert layout.id_time(ids[0]) == start


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2999, 1, 1)))
def test_id_round_trip(moment: datetime) -> None:
    moment = moment.replace(tzinfo=UTC)
    backup_id = layout.new_backup_id(moment)
    assert layout.is_backup_id(backup_id)
    assert layout.id_time(backup_id) == moment.replace(
        microsecond=moment.microsecond // 1000 * 1000
    )


_ID = "20260102T030405.678Z-abcdef"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (f"backups/{_ID}/repo.bundle", (_ID, "repo.bundle")),
        (f"backups/{_ID}/manifest.json", (_ID, "manifest.json")),
        (f"backups/{_ID}/quarantine.json", (_ID, "quarantine.json")),
        ("backups/20260102T030405.678Z-abcdef/other.json", None),
        ("backups/20261302T030405.678Z-abcdef/repo.bundle", None),  # month 13
        ("backups/latest/repo.bundle", None),
        ("x/backups/20260102T030405.678Z-abcdef/repo.bundle", None),
        ("last-success.json", None),
    ],
)  # fmt: skip
def test_only_our_exact_layout_is_ours(key: str, expected: tuple[str, str] | None) -> None:
    assert layout.parse_key(key) == expected
