"""A real moto server (AWS API emulator) in its own process on a free loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.support.ports import free_port, serving

__all__ = ["MotoServer", "moto_server"]

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass(frozen=True)
class MotoServer:
    endpoint: str
    port: int
    process: subprocess.Popen[bytes]

    def client(self, service: str, region: str = "us-east-1"):  # type: ignore[no-untyped-def]
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@contextmanager
def moto_server() -> Iterator[MotoServer]:
    """Start ``moto.server``; AWS-managed IAM policies are loaded so policy attachments work."""
    port = free_port()
    env = {**os.environ, **FAKE_CREDENTIALS, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with serving(command, port, env=env) as process:
        yield MotoServer(f"http://127.0.0.1:{port}", port, process)
