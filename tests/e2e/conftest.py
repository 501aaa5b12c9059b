"""End-to-end fixtures shared across folders: Terraform's environment against the session's moto."""

from __future__ import annotations

import pytest

from tests.support.moto_server import FAKE_CREDENTIALS, MotoServer


@pytest.fixture(scope="session")
def aws_env(moto: MotoServer, terraform_env: dict[str, str]) -> dict[str, str]:
    """Terraform's environment against the session's moto server."""
    return {**terraform_env, **FAKE_CREDENTIALS, "UNDERLAY_AWS_ENDPOINT": moto.endpoint}
