"""A real Azurite blob emulator in its own process on a free loopback port.

The binary comes from the repo's pinned ``package.json`` (``npm ci`` puts it in
``node_modules/.bin``). Missing binary: skip locally, but FAIL when ``CI=true`` so CI never
silently drops the Azure half of the suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from azure.storage.blob import BlobServiceClient, ContainerClient

from tests.support.ports import free_port, serving

__all__ = ["AZURITE_ACCOUNT", "Azurite", "azurite_binary", "azurite_server"]

AZURITE_ACCOUNT = "devstoreaccount1"
# Azurite's documented, public well-known development key (not a secret).
_AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
_REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Azurite:
    port: int
    connection_string: str
    process: subprocess.Popen[bytes]

    def create_container(self, name: str) -> None:
        BlobServiceClient.from_connection_string(self.connection_string).create_container(name)

    def container(self, name: str) -> ContainerClient:
        service = BlobServiceClient.from_connection_string(self.connection_string)
        return service.get_container_client(name)


def azurite_binary() -> str:
    """Path of ``azurite-blob``; skip (locally) or fail (``CI=true``) when it is missing."""
    local = _REPO_ROOT / "node_modules" / ".bin" / "azurite-blob"
    found = str(local) if local.exists() else shutil.which("azurite-blob")
    if found:
        return found
    message = "azurite-blob not found: run `npm ci` in the repo root"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: the Azure tests must not be skipped)")
    pytest.skip(message)


def connection_string(port: int) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={_AZURITE_KEY};"
        f"BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};"
    )


@contextmanager
def azurite_server() -> Iterator[Azurite]:
    binary = azurite_binary()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="azurite-") as workspace:
        command = [
            binary,
            "--blobHost", "127.0.0.1",
            "--blobPort", str(port),
            "--location", workspace,
            "--silent",
            "--skipApiVersionCheck",
            "--loose",
            "--disableTelemetry",
        ]  # fmt: skip
        with serving(command, port) as process:
            yield Azurite(port, connection_string(port), process)
