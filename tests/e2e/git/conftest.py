"""Fixtures for the git layer's server tests: real sshd, smart HTTP, a stalling server, moto S3."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.backup.conftest import Target, aws_env, s3_target
from tests.support.gitops import _git_identity, bare, cli
from tests.support.ports import free_port
from tests.support.sshd import Sshd, sshd_server

__all__ = ["Target", "_git_identity", "aws_env", "bare", "cli", "s3_target", "sshd", "stall_port"]


@pytest.fixture
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    with sshd_server(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture
def stall_port() -> Iterator[int]:
    """A loopback TCP server that accepts every connection and never answers."""
    port = free_port()
    listener = socket.create_server(("127.0.0.1", port))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()


def bare_with_commit(root: Path, name: str = "m.git") -> Path:
    """A bare repo with one commit on main."""
    import subprocess

    from tests.support.git_daemon import new_bare_repo

    repo = new_bare_repo(root, name, "main")
    work = root / f"{name}-work"
    subprocess.run(["git", "clone", "-q", str(repo), str(work)], check=True)
    (work / "a.txt").write_text("a\n")
    for args in (
        ["add", "a.txt"],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a"],
        ["push", "-q", "origin", "HEAD:main"],
    ):
        subprocess.run(["git", "-C", str(work), *args], check=True)
    return repo
