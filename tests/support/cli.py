"""Running ``underlay`` from tests, in-process or as its own process, and checking how it fails."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from bootstrap.cli import main

__all__ = ["one_line_error", "underlay_process"]


def one_line_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run ``underlay args`` in-process: it must exit 2 with one stderr line and no traceback.

    Returns that stderr, for the test's own checks of what the line names.
    """
    with pytest.raises(SystemExit) as info:
        main(list(args))
    err = capsys.readouterr().err
    assert info.value.code == 2, err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def underlay_process(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bootstrap.cli args`` as its own process (``env``: its whole environment,
    default this one's), output captured as text; the caller checks the exit code."""
    return subprocess.run(
        [sys.executable, "-m", "bootstrap.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
