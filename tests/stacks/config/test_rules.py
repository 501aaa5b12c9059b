"""gitops.path: a plain relative folder of the manifest repo, never shared between envs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stacks.config.rules import gitops_path_problem, paths_overlap
from tests.support.cli import one_line_error
from tests.support.envs import MINIMAL_DEV, write_envs

BAD_PATHS = [
    ("../..", "bad segment '..'"),
    ("clusters/../../x", "bad segment '..'"),
    ("/abs/path", "must be a relative path"),
    ("", "must be a relative path"),
    (".git/hooks", "bad segment '.git'"),
    ("clusters/.git", "bad segment '.git'"),
    (".underlay/x", "bad segment '.underlay'"),
    ("clusters/my env", "bad segment 'my env'"),
    ("clusters/a\x01", "bad segment"),
    ("clusters//dev", "bad segment ''"),
    ("clusters/dev/", "bad segment ''"),
    ("clusters/./dev", r"bad segment '\.'"),
    ("clusters\\dev", "bad segment"),
    ("apps/dev", "inside 'apps', which the shared layout owns"),
    ("infrastructure", "inside 'infrastructure'"),
    ("README.md", "inside 'README.md'"),
]


@pytest.mark.parametrize(("path", "message"), BAD_PATHS)
def test_bad_gitops_paths(path: str, message: str) -> None:
    problem = gitops_path_problem(path)
    assert problem is not None
    assert re.search(message, problem)


@pytest.mark.parametrize("path", ["clusters/dev", "clusters/eu-west-1/prod", "k8s", "a.b/c_d"])
def test_good_gitops_paths(path: str) -> None:
    assert gitops_path_problem(path) is None


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ("clusters/dev", "clusters/dev", True),
        ("clusters/dev", "clusters/dev/sub", True),
        ("clusters", "clusters/dev", True),
        ("clusters/dev", "clusters/dev2", False),
        ("clusters/dev", "clusters/prod", False),
    ],
)
def test_paths_overlap(a: str, b: str, overlap: bool) -> None:
    assert paths_overlap(a, b) is overlap
    assert paths_overlap(b, a) is overlap


@pytest.mark.parametrize(("path", "message"), BAD_PATHS[:13])
def test_bad_gitops_path_is_a_config_error_at_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str, message: str
) -> None:
    quoted = path.replace("\\", "\\\\").replace('"', '\\"').replace("\x01", "\\x01")
    env_dir = write_envs(tmp_path, {"dev": MINIMAL_DEV + f'gitops:\n  path: "{quoted}"\n'})
    err = one_line_error(capsys, "config", "show", "dev", "--env-dir", str(env_dir))
    assert f"{env_dir / 'dev.yaml'}:" in err
    assert ": gitops.path:" in err
    assert re.search(message, err), err


def test_overlapping_env_paths_are_a_config_error_when_loaded_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env_dir = write_envs(
        tmp_path,
        {
            "dev": MINIMAL_DEV + "gitops:\n  path: clusters/shared\n",
            "prod": "extends: dev\ngitops:\n  path: clusters/shared/prod\n",
        },
    )
    out = tmp_path / "out"
    err = one_line_error(capsys, "synth", "--env-dir", str(env_dir), "--out", str(out))
    assert f"{env_dir / 'prod.yaml'}:3: gitops.path:" in err
    assert "overlaps environment 'dev'" in err
    assert not out.exists()
