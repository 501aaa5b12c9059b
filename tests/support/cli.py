"""Running ``underlay`` from tests and checking how it fails."""

from __future__ import annotations

import pytest

from bootstrap.cli import main

__all__ = ["one_line_error"]


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
