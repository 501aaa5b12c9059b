"""Free loopback ports and waiting for a server to answer."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = ["free_port", "serving", "wait_for_port"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int, timeout: float = 30.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Wait until something answers on ``port``. With ``process``, fail at once when it exits
    (a server that cannot start) and otherwise wait up to ``timeout`` for a server that is
    still starting (a loaded CI machine can take a minute to start Node)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"{process.args!r} exited with {process.returncode} before port {port} answered"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing answered on 127.0.0.1:{port} within {timeout}s")


@contextmanager
def serving(command: Sequence[str], port: int, **popen: Any) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process until the block ends: wait until ``port`` answers, then stop it
    (terminate, and kill if it does not stop within 10 s)."""
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    process = subprocess.Popen(list(command), **popen)
    try:
        wait_for_port(port, timeout=180.0, process=process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
