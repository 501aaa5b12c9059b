"""`terraform validate` of every cluster stack, with the real provider from the offline mirror."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from stacks.terraform_runner import Terraform


@pytest.mark.parametrize("env", ["dev", "staging", "prod", "local"])
def test_cluster_stack_is_valid_terraform(
    synth_out: Path, terraform_env: dict[str, str], tmp_path: Path, env: str
) -> None:
    work = tmp_path / f"{env}-cluster"
    shutil.copytree(synth_out / "stacks" / f"{env}-cluster", work)
    tf = Terraform(work, terraform_env)
    tf.init(backend=False)  # the S3 backends of staging/prod are not reachable from tests
    report = tf.validate()
    assert report["valid"] is True, json.dumps(report["diagnostics"], indent=1)
    assert report["error_count"] == 0


def test_validate_can_fail(terraform_env: dict[str, str], tmp_path: Path, synth_out: Path) -> None:
    work = tmp_path / "broken"
    shutil.copytree(synth_out / "stacks" / "dev-cluster", work)
    stack = json.loads((work / "cdk.tf.json").read_text())
    stack["resource"]["aws_vpc"]["network_vpc"]["cidr_block"] = "${aws_subnet.nowhere.id}"
    (work / "cdk.tf.json").write_text(json.dumps(stack))
    tf = Terraform(work, terraform_env)
    tf.init(backend=False)
    assert tf.validate()["valid"] is False
