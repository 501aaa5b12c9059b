"""A real ``git daemon`` (git://, push enabled) on a free loopback port."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.ports import free_port, serving

__all__ = ["GitDaemon", "git_daemon", "new_bare_repo"]


@dataclass(frozen=True)
class GitDaemon:
    root: Path
    port: int

    def url(self, repo: str) -> str:
        return f"git://127.0.0.1:{self.port}/{repo}"


def new_bare_repo(root: Path, name: str, branch: str = "main") -> Path:
    path = root / name
    subprocess.run(
        ["git", "init", "--quiet", "--bare", "--initial-branch", branch, str(path)], check=True
    )
    return path


@contextmanager
def git_daemon(root: Path) -> Iterator[GitDaemon]:
    port = free_port()
    command = [
        "git",
        "daemon",
        "--reuseaddr",
        "--listen=127.0.0.1",
        f"--port={port}",
        f"--base-path={root}",
        "--export-all",
        "--enable=receive-pack",
        str(root),
    ]
    with serving(command, port):
        yield GitDaemon(root, port)
