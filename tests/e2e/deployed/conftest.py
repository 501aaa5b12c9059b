"""The one Terraform deployment of a run, and the tests that read it (one package, one group).

Package scope puts its destroy right after this package's last test instead of at the end of
the session: the destroy is mostly the provider's waits (EKS cluster 28 s, NAT gateway 10 s),
and mid-run the other workers use the cores meanwhile, where at the end it was the run's tail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.deployment import Deployment, deploy_local, empty_bucket
from tests.support.moto_server import MotoServer


@pytest.fixture(scope="package")
def local_deployment(
    tmp_path_factory: pytest.TempPathFactory, moto: MotoServer, aws_env: dict[str, str]
) -> Iterator[Deployment]:
    """`local-cluster` applied once per run (every module here is in the ``deploy-local``
    xdist group, so one worker runs them all). Its teardown is the run's one destroy, and it
    must succeed: it is the check that an applied environment can be destroyed (the other
    deployments live on emulators that are discarded anyway)."""
    deployment = deploy_local(tmp_path_factory.mktemp("deploy"), moto, aws_env)
    yield deployment
    if os.environ.get("UNDERLAY_KEEP_DEPLOYMENT") != "1":
        empty_bucket(moto, str(deployment.outputs["backup_bucket"]))
        # init again first, as anyone destroying from a workdir would: once (1 in 4 full runs
        # at three workers) the workdir's provider links no longer matched its lock file at
        # teardown, after the other tests on the worker had run; cause not yet found
        deployment.terraform.init()
        deployment.terraform.destroy()
