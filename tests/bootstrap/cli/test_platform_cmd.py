"""``render --out`` onto or below a file: one line, exit 2, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.cli import main
from tests.support.cli import one_line_error
from tests.support.envs import MINIMAL_DEV, write_envs


@pytest.mark.parametrize("below", ["", "sub", "sub/deeper"])
def test_render_out_onto_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], below: str
) -> None:
    env_dir = write_envs(tmp_path, {"dev": MINIMAL_DEV})
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me", encoding="utf-8")
    err = one_line_error(
        capsys, "render", "dev", "--env-dir", str(env_dir), "--out", str(blocker / below)
    )
    assert "is a file" in err
    assert blocker.read_text(encoding="utf-8") == "keep me"


def test_render_out_into_a_new_folder_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env_dir = write_envs(tmp_path, {"dev": MINIMAL_DEV})
    out = tmp_path / "new" / "render"
    with pytest.raises(SystemExit) as exit_info:
        main(["render", "dev", "--env-dir", str(env_dir), "--out", str(out)])
    assert exit_info.value.code == 0
    assert "wrote" in capsys.readouterr().out
    assert list(out.rglob("*.yaml"))
