"""End-to-end fixtures shared across folders: the one Terraform deployment on the session's moto."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.deployment import Deployment, deploy_local, empty_bucket
from tests.support.moto_server import FAKE_CREDENTIALS, MotoServer


@pytest.fixture(scope="session")
def aws_env(moto: MotoServer, terraform_env: dict[str, str]) -> dict[str, str]:
    """Terraform's environment against the session's moto server."""
    return {**terraform_env, **FAKE_CREDENTIALS, "UNDERLAY_AWS_ENDPOINT": moto.endpoint}


@pytest.fixture(scope="session")
def local_deployment(
    tmp_path_factory: pytest.TempPathFactory, moto: MotoServer, aws_env: dict[str, str]
) -> Iterator[Deployment]:
    """`local-cluster` applied once per run (per xdist worker: modules using it share the
    ``deploy-local`` group). Its teardown is the run's one destroy, and it must succeed: it is
    the check that an applied environment can be destroyed (the other deployments live on
    emulators that are discarded anyway)."""
    deployment = deploy_local(tmp_path_factory.mktemp("deploy"), moto, aws_env)
    yield deployment
    if os.environ.get("UNDERLAY_KEEP_DEPLOYMENT") != "1":
        empty_bucket(moto, str(deployment.outputs["backup_bucket"]))
        # init again first, as anyone destroying from a workdir would: once (1 in 4 full runs
        # at three workers) the workdir's provider links no longer matched its lock file at
        # teardown, after the other tests on the worker had run; cause not yet found
        deployment.terraform.init()
        deployment.terraform.destroy()
