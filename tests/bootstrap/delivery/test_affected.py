"""``affected`` on a scratch git history: computed from synthesized JSON, not file names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bootstrap.delivery.affected import affected
from bootstrap.delivery.errors import DeliveryError
from tests.support.project_copy import commit_all


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_parent_field_reaches_exactly_its_children(project: Path) -> None:
    env_dir = project / "environments"
    from stacks.config import environment_names, load_environment

    children = {  # every environment that extends dev, directly or through a parent
        n
        for n in environment_names(env_dir)
        if n != "dev" and (env_dir / "dev.yaml").resolve() in load_environment(n, env_dir).chain
    }
    assert children, "some sample environment extends dev"
    dev = env_dir / "dev.yaml"
    _edit(dev, "log_retention_days: 365", "log_retention_days: 180")
    commit_all(project, "dev keeps logs 180 days")
    result = affected(env_dir, "main~1", "main")
    # dev and each env that extends it and does not override the field itself.
    expected = {"dev"} | {
        c for c in children if "log_retention_days" not in (env_dir / f"{c}.yaml").read_text()
    }
    assert "prod" in expected, "prod inherits it through staging"
    assert len(expected) > 1, "the field is inherited by at least one child"
    assert set(result.envs) == expected
    assert all(stacks for stacks in result.stacks.values())


def test_comment_only_change_reaches_nothing(project: Path) -> None:
    env_dir = project / "environments"
    _edit(env_dir / "prod.yaml", "\n", "\n# reviewers: a comment changes no synthesized output\n")
    # Working tree (uncommitted) against main: the default head.
    assert affected(env_dir, "main").envs == []


def test_versions_table_change_reaches_all(project: Path) -> None:
    env_dir = project / "environments"
    table = project / "stacks" / "config" / "platform.py"
    # The flux default, whatever it is pinned to today, one patch release up.
    pinned = re.search(r'flux: Version = Field\(\s*"(\d+)\.(\d+)\.(\d+)"', table.read_text())
    assert pinned is not None, "the versions table pins flux"
    major, minor, patch = pinned.groups()
    bumped = pinned.group(0).replace(
        f"{major}.{minor}.{patch}", f"{major}.{minor}.{int(patch) + 1}"
    )
    _edit(table, pinned.group(0), bumped)
    result = affected(env_dir, "main")
    assert set(result.envs) == {p.stem for p in env_dir.glob("*.yaml")}
    assert all(f"{env}-platform" in stacks for env, stacks in result.stacks.items())


def test_unknown_base_is_one_clear_error(project: Path) -> None:
    with pytest.raises(DeliveryError, match="'nope' is not a commit"):
        affected(project / "environments", "nope")
