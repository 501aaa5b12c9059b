"""A project copy with `local-cluster` applied to a moto server (real Terraform, real AWS provider).

The `local_deployment` fixture (tests/e2e/deployed/conftest.py) makes one per run for the modules
of that package (xdist group ``deploy-local``); a test that changes it leaves it as the config
says again."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stacks.app import synth_to
from stacks.terraform_runner import Terraform
from tests.support.envs import copy_samples
from tests.support.moto_server import MotoServer

__all__ = ["Deployment", "deploy_local", "empty_bucket"]


@dataclass(frozen=True)
class Deployment:
    root: Path
    """The project copy: environments/, cdktf.out/ and terraform-state/ (the local backend)."""
    env: dict[str, str]
    """Terraform's environment: mirror, plugin cache, fake credentials, the moto endpoint."""
    terraform: Terraform
    outputs: dict[str, Any]
    moto: MotoServer

    @property
    def state(self) -> Path:
        return self.root / "terraform-state" / "local-cluster.tfstate"


def deploy_local(root: Path, moto: MotoServer, env: dict[str, str]) -> Deployment:
    env_dir = copy_samples(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UNDERLAY_AWS_ENDPOINT", moto.endpoint)
        synth_to(root / "cdktf.out", env_dir, ["local"])
    tf = Terraform(root / "cdktf.out" / "stacks" / "local-cluster", env)
    tf.init()
    tf.apply()
    return Deployment(root, env, tf, tf.outputs(), moto)


def empty_bucket(moto: MotoServer, bucket: str) -> None:
    """Tests write into the deployed bucket; Terraform deletes only an empty bucket (no
    force_destroy, on purpose), so the fixture removes what the tests wrote before destroying."""
    s3 = moto.client("s3")
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
    for page in pages:
        doomed = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        ]
        if doomed:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed})
