"""gitops.repo must not carry credentials: exit 2 at config load, the value never echoed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stacks.config import load_environment
from stacks.errors import ConfigError

ENVS = Path(__file__).resolve().parents[3] / "environments"


@pytest.mark.parametrize(
    "repo",
    [
        "https://u:ab/cd@h/r.git",
        "https://ghp_tokenvalue@h/r.git",
        "http://u:p%40w@h/r.git",
        "ssh://git:pw/x@h/r.git",
    ],
)
def test_credentials_in_gitops_repo_are_rejected(repo: str, tmp_path: Path) -> None:
    for f in ENVS.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "leak.yaml").write_text(f"extends: dev\ngitops:\n  repo: {repo}\n")
    with pytest.raises(
        ConfigError, match=r"leak.yaml:3: gitops.repo: .*carries credentials"
    ) as info:
        load_environment("leak", tmp_path)
    assert repo not in str(info.value)
    assert info.value.exit_code == 2


@pytest.mark.parametrize("repo", ["ssh://git@h/r.git", "git@h:r.git", "https://h/r.git", ""])
def test_repo_without_credentials_is_fine(repo: str, tmp_path: Path) -> None:
    for f in ENVS.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "ok.yaml").write_text(f"extends: dev\ngitops:\n  repo: '{repo}'\n")
    assert load_environment("ok", tmp_path).env.gitops.repo == repo
