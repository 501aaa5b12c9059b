"""A scratch git history of a copy of the project (code + environments, one commit on main):
what `affected`, `plan`, `apply` and `deliver` tests and the delivery benchmark run on."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

__all__ = ["commit_all", "git", "make_project"]

ROOT = Path(__file__).resolve().parents[2]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".underlay", "cdktf.out")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def make_project(dest: Path) -> Path:
    """Copy what synth needs (stacks/, bootstrap/, environments/) into a fresh repo on main."""
    for part in ("stacks", "bootstrap", "environments"):
        shutil.copytree(ROOT / part, dest / part, ignore=IGNORE)
    (dest / ".gitignore").write_text(".underlay/\nterraform-state/\nplans/\n", encoding="utf-8")
    git(dest, "init", "-q", "-b", "main")
    git(dest, "config", "user.email", "t@example.invalid")
    git(dest, "config", "user.name", "test")
    commit_all(dest, "initial")
    return dest
