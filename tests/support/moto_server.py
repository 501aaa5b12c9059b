"""A real moto server (AWS API emulator) in its own process on a free loopback port.

``python -m tests.support.moto_server --port P`` runs one in the foreground for `nox -s demo`,
the same way the tests start it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3  # type: ignore[import-untyped]

from tests.support.ports import free_port, serving

__all__ = ["FAKE_CREDENTIALS", "MotoServer", "moto_command", "moto_server"]

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# Without the AWS-managed policies loaded, attaching AmazonEKSClusterPolicy & co. fails.
MOTO_SETTINGS = {"MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}


@dataclass(frozen=True)
class MotoServer:
    endpoint: str
    port: int

    def client(self, service: str, region: str = "us-east-1") -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


def moto_command(port: int) -> list[str]:
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


@contextmanager
def moto_server() -> Iterator[MotoServer]:
    """Start ``moto.server``; AWS-managed IAM policies are loaded so policy attachments work."""
    port = free_port()
    env = {**os.environ, **FAKE_CREDENTIALS, **MOTO_SETTINGS}
    with serving(moto_command(port), port, env=env):
        yield MotoServer(f"http://127.0.0.1:{port}", port)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    command = moto_command(args.port)
    os.environ.update(MOTO_SETTINGS)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
