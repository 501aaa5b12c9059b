"""Backup ids and keys are matched whole: a foreign key never parses as one of ours."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bootstrap.backup import layout
from bootstrap.backup.errors import BackupInputError

GOOD = "20261121T135501.123Z-1a2b3c"


@pytest.mark.parametrize(
    "value",
    [
        GOOD + "\n",  # `$` would accept this
        GOOD + "\r\n",
        "\n" + GOOD,
        GOOD + " ",
        " " + GOOD,
        GOOD + "0",
        "x" + GOOD,
        "2026112\u0661T135501.123Z-1a2b3c",  # Arabic-Indic digit: `\d` would accept it
        "20261121T135501.123Z-1A2B3C",
        "20261121T135501.12Z-1a2b3c",
        "20261321T135501.123Z-1a2b3c",  # month 13
        "",
        "latest",
    ],
)
def test_not_ids(value: str) -> None:
    assert layout.is_backup_id(value) is False
    with pytest.raises(BackupInputError, match=r"is not a backup id"):
        layout.validate_wanted(value) if value != "latest" else layout.validate_wanted(value + "!")


@pytest.mark.parametrize(
    "key",
    [
        f"backups/{GOOD}\n/repo.bundle",
        f"backups/{GOOD}/repo.bundle\n",
        f"backups/{GOOD}/manifest.json.bak",
        f"backups/{GOOD}/x/repo.bundle",
        f"backup/{GOOD}/repo.bundle",
        f"other/backups/{GOOD}/repo.bundle",
        "last-success.json",
    ],
)
def test_foreign_keys_are_not_ours(key: str) -> None:
    assert layout.parse_key(key) is None


@pytest.mark.parametrize("name", [layout.BUNDLE, layout.MANIFEST, layout.QUARANTINE])
def test_own_keys(name: str) -> None:
    assert layout.parse_key(f"backups/{GOOD}/{name}") == (GOOD, name)


def test_id_round_trip() -> None:
    now = datetime(2026, 11, 21, 13, 55, 1, 123456, tzinfo=UTC)
    backup_id = layout.new_backup_id(now)
    assert backup_id.startswith("20261121T135501.123Z-")
    assert layout.is_backup_id(backup_id)
    assert layout.id_time(backup_id) == now.replace(microsecond=123000)


@pytest.mark.parametrize("wanted", [GOOD + "\n", "../x", "-v"])
def test_validate_wanted(wanted: str) -> None:
    with pytest.raises(BackupInputError, match=r"is not a backup id"):
        layout.validate_wanted(wanted)
    assert layout.validate_wanted("latest") == "latest"


def test_keys_exactly() -> None:
    assert layout.bundle_key(GOOD) == f"backups/{GOOD}/repo.bundle"
    assert layout.manifest_key(GOOD) == f"backups/{GOOD}/manifest.json"
    assert layout.quarantine_key(GOOD) == f"backups/{GOOD}/quarantine.json"
    assert layout.LAST_SUCCESS_KEY == "last-success.json"
    for key in (layout.bundle_key, layout.manifest_key, layout.quarantine_key):
        assert layout.parse_key(key(GOOD)) == (GOOD, key(GOOD).rsplit("/", 1)[1])


@pytest.fixture
def local_zone_not_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone set to one that is never UTC (and restored after)."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("local_zone_not_utc")
def test_an_id_is_stamped_in_utc_whatever_the_clock_zone() -> None:
    plus_two = timezone(timedelta(hours=2))
    moment = datetime(2026, 11, 21, 15, 55, 1, 9999, tzinfo=plus_two)
    backup_id = layout.new_backup_id(moment)
    assert backup_id[:21] == "20261121T135501.009Z-"
    assert re.fullmatch(r"[0-9a-f]{6}", backup_id[21:])
    assert layout.id_time(backup_id) == datetime(2026, 11, 21, 13, 55, 1, 9000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("x", r"^not a backup id: 'x'$"),
        (GOOD + "\n", r"^not a backup id: '20261121T135501\.123Z-1a2b3c\\n'$"),
        ("20261321T135501.123Z-1a2b3c", r"^time data '20261321T135501\.123Z' does not match"),
    ],
)
def test_id_time_of_a_non_id(value: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        layout.id_time(value)


def test_validate_wanted_message_and_value() -> None:
    assert layout.validate_wanted(GOOD) == GOOD
    with pytest.raises(
        BackupInputError,
        match=r"^'nope' is not a backup id \(expected e\.g\. 20260101T000000\.000Z-1a2b3c "
        r"or 'latest'\)$",
    ) as info:
        layout.validate_wanted("nope")
    assert info.value.exit_code == 2
