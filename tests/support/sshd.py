"""A real OpenSSH server on a free loopback port, with its own config, host key and users' key.

Never the system sshd or port 22: everything lives under a temp dir, and the server is stopped
when the context ends. Serves git over SSH for the repos on the file system (``ssh://…/abs/path``).
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.ports import free_port

__all__ = ["SSHD", "Sshd", "sshd_server"]

SSHD = "/usr/sbin/sshd"


@dataclass(frozen=True)
class Sshd:
    port: int
    user: str
    client_key: Path  # authorised private key
    known_hosts: Path  # has this server's host key for [127.0.0.1]:port
    other_key: Path  # a valid key that is NOT authorised

    def url(self, repo: Path) -> str:
        return f"ssh://{self.user}@127.0.0.1:{self.port}{repo}"


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True, timeout=30
    )


@contextmanager
def sshd_server(root: Path) -> Iterator[Sshd]:
    if not os.access(SSHD, os.X_OK) or shutil.which("ssh") is None:
        raise RuntimeError(f"{SSHD} not installed (apt-get install openssh-server)")
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation dir
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    host_key, client_key, other_key = root / "host_key", root / "client_key", root / "other_key"
    for key in (host_key, client_key, other_key):
        _keygen(key)
    authorized = root / "authorized_keys"
    authorized.write_text((root / "client_key.pub").read_text())
    authorized.chmod(0o600)
    port = free_port()
    config = root / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\n"
        f"AuthorizedKeysFile {authorized}\nPidFile {root / 'sshd.pid'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "StrictModes no\nPermitRootLogin yes\nPubkeyAuthentication yes\n"
        "LogLevel ERROR\n"
    )
    known = root / "known_hosts"
    pub = (root / "host_key.pub").read_text().split()
    known.write_text(f"[127.0.0.1]:{port} {pub[0]} {pub[1]}\n")
    log = root / "sshd.log"
    with log.open("wb") as log_handle:
        proc = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=log_handle
        )
    try:
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"sshd exited: {log.read_text()[-500:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("sshd did not listen within 15 s") from None
                time.sleep(0.05)
        yield Sshd(port, getpass.getuser(), client_key, known, other_key)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
