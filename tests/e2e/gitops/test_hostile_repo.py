"""A hostile manifest repo, pushed by someone else, against the real CLI and a real bare repo."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.gitops import Run, commits

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Mallory",
    "GIT_AUTHOR_EMAIL": "m@example.com",
    "GIT_COMMITTER_NAME": "Mallory",
    "GIT_COMMITTER_EMAIL": "m@example.com",
}


def push_links(repo: Path, work: Path, links: dict[str, str], files: dict[str, str]) -> None:
    """Commit symlinks (path -> target) and files on main, as an attacker with push rights."""
    subprocess.run(["git", "clone", "-q", str(repo), str(work)], check=True, capture_output=True)
    subprocess.run(["git", "-C", str(work), "checkout", "-q", "-B", "main"], check=True)
    for path, text in files.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(text)
    for path, target in links.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        if (work / path).is_dir() and not (work / path).is_symlink():
            subprocess.run(["rm", "-rf", str(work / path)], check=True)
        elif (work / path).exists():
            (work / path).unlink()
        (work / path).symlink_to(target)
    subprocess.run(["git", "-C", str(work), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(work), "commit", "-qm", "hostile"], check=True, env=ENV)
    subprocess.run(
        ["git", "-C", str(work), "push", "-q", "origin", "HEAD:main"],
        check=True,
        capture_output=True,
    )


def one_line_exit_2(run: Run, phrase: str) -> None:
    assert run.code == 2, run.err
    assert run.err.count("\n") == 1, run.err
    assert phrase in run.err
    assert "Traceback" not in run.err
    assert "TOP-SECRET" not in run.err


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.json").write_text('{"TOP-SECRET": 1}')
    return folder


def test_bootstrap_refuses_a_symlinked_cluster_folder(
    cli: Callable[..., Run], bare: Callable[..., Path], tmp_path: Path, outside: Path
) -> None:
    repo = bare()
    push_links(repo, tmp_path / "w", {"clusters": str(outside)}, {"README.md": "x\n"})
    before = commits(repo)
    one_line_exit_2(cli("bootstrap", "dev", "--repo", str(repo)), "clusters is a symlink")
    assert sorted(p.name for p in outside.iterdir()) == ["secret.json"]
    assert commits(repo) == before


def test_symlinked_record_is_not_read_or_echoed(
    cli: Callable[..., Run], bare: Callable[..., Path], tmp_path: Path, outside: Path
) -> None:
    repo = bare()
    push_links(repo, tmp_path / "w", {".underlay/owned.json": str(outside / "secret.json")}, {})
    one_line_exit_2(cli("bootstrap", "dev", "--repo", str(repo)), "owned.json: a symlink")


def test_set_image_refuses_a_symlinked_env_folder(
    cli: Callable[..., Run], bare: Callable[..., Path], tmp_path: Path, outside: Path
) -> None:
    repo = bare()
    assert cli("bootstrap", "dev", "--repo", str(repo)).code == 0
    (outside / "kustomization.yaml").write_text("images: []\n")
    push_links(repo, tmp_path / "w", {"apps/dev": str(outside)}, {})
    before = commits(repo)
    run = cli("set-image", "dev", "ghcr.io/acme/web", "1.0.0", "--repo", str(repo))
    one_line_exit_2(run, "apps/dev is a symlink")
    assert (outside / "kustomization.yaml").read_text() == "images: []\n"
    assert commits(repo) == before


def test_set_image_on_hostile_yaml_is_one_line(
    cli: Callable[..., Run], bare: Callable[..., Path], tmp_path: Path
) -> None:
    repo = bare()
    assert cli("bootstrap", "dev", "--repo", str(repo)).code == 0
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nimages: []\n"
    push_links(repo, tmp_path / "w", {}, {"apps/dev/kustomization.yaml": bomb})
    run = cli("set-image", "dev", "ghcr.io/acme/web", "1.0.0", "--repo", str(repo))
    one_line_exit_2(run, "anchors are not allowed")


@pytest.mark.parametrize("option", ["--branch", "--via-pr"])
def test_invalid_ref_name_is_refused_before_any_git(
    cli: Callable[..., Run], bare: Callable[..., Path], option: str
) -> None:
    repo = bare()
    one_line_exit_2(
        cli("bootstrap", "dev", "--repo", str(repo), option, "main.lock"), "not a valid branch name"
    )
    assert not (repo / "refs" / "heads" / "main.lock").exists()
