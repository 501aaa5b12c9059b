"""The golden-file fixture itself: a missing or different golden fails with the refresh hint,
and `--update-goldens` rewrites exactly the produced files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Golden


def test_missing_golden_fails_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="missing: run `pytest --update-goldens t::x`"):
        Golden(tmp_path, update=False, nodeid="t::x").check("a.txt", "hello\n")


def test_different_golden_fails_with_a_diff(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello\n")
    with pytest.raises(pytest.fail.Exception, match=r"(?s)-hello.*\+bye"):
        Golden(tmp_path, update=False, nodeid="t::x").check("a.txt", "bye\n")


def test_update_rewrites_the_tree_and_drops_stale_files(tmp_path: Path) -> None:
    produced = tmp_path / "out"
    (produced / "sub").mkdir(parents=True)
    (produced / "sub" / "b.yaml").write_text("b: 1\n")
    golden_dir = tmp_path / "golden"
    (golden_dir / "env").mkdir(parents=True)
    (golden_dir / "env" / "stale.yaml").write_text("old\n")
    Golden(golden_dir, update=True, nodeid="t::x").check_tree("env", produced)
    assert sorted(p.name for p in (golden_dir / "env").rglob("*") if p.is_file()) == ["b.yaml"]
    Golden(golden_dir, update=False, nodeid="t::x").check_tree("env", produced)
    (produced / "extra.yaml").write_text("x\n")
    with pytest.raises(pytest.fail.Exception, match="files differ"):
        Golden(golden_dir, update=False, nodeid="t::x").check_tree("env", produced)
