"""Run the ``underlay`` CLI in-process and check that the newest good backup is intact."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from bootstrap.backup.catalog import load_catalog
from bootstrap.backup.targets import Storage
from bootstrap.backup.verify import verify_backup
from bootstrap.cli import main


@dataclass(frozen=True)
class Result:
    code: int
    lines: list[dict[str, Any]]
    stderr: str

    @property
    def summary(self) -> dict[str, Any]:
        assert len(self.lines) == 1, self.lines
        return self.lines[0]


def underlay(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    code = exited.value.code
    return Result(code if isinstance(code, int) else 1, lines, err)


def assert_intact(storage: Storage, newest_good: str) -> None:
    """Nothing lost: the expected backup is still the newest good one and verifies end to end."""
    good = load_catalog(storage).newest_good()
    assert good is not None
    assert good.id == newest_good
    assert verify_backup(storage, newest_good, quarantine=False)["id"] == newest_good
