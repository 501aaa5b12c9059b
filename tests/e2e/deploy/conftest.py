"""A project copy deployed to the moto server with real Terraform and the real AWS provider."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from stacks.app import synth_to
from stacks.terraform_runner import Terraform
from tests.support.envs import copy_samples
from tests.support.moto_server import FAKE_CREDENTIALS, MotoServer


@dataclass(frozen=True)
class Deployment:
    terraform: Terraform
    outputs: dict[str, Any]
    moto: MotoServer


@pytest.fixture(scope="session")
def aws_env(moto: MotoServer, terraform_env: dict[str, str]) -> dict[str, str]:
    return {**terraform_env, **FAKE_CREDENTIALS, "UNDERLAY_AWS_ENDPOINT": moto.endpoint}


@pytest.fixture(scope="session")
def local_deployment(
    tmp_path_factory: pytest.TempPathFactory, moto: MotoServer, aws_env: dict[str, str]
) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("deploy")
    env_dir = copy_samples(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UNDERLAY_AWS_ENDPOINT", moto.endpoint)
        synth_to(root / "cdktf.out", env_dir, ["local"])
    tf = Terraform(root / "cdktf.out" / "stacks" / "local-cluster", aws_env)
    tf.init()
    tf.apply()
    deployment = Deployment(tf, tf.outputs(), moto)
    yield deployment
    if os.environ.get("UNDERLAY_KEEP_DEPLOYMENT") != "1":
        _empty_bucket(moto, str(deployment.outputs["backup_bucket"]))
        tf.destroy()


def _empty_bucket(moto: MotoServer, bucket: str) -> None:
    """Tests back up into the deployed bucket (status, drill); Terraform deletes only an empty
    bucket (no force_destroy, on purpose), so the test removes what the tests wrote."""
    s3 = moto.client("s3")
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
    for page in pages:
        doomed = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        ]
        if doomed:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed})
