"""`underlay drift` for real: `local-cluster` applied to a moto server of its own with real
Terraform, then changed behind Terraform's back with boto3. Each change is reported by resource
and attribute; a re-apply makes it clean again; no run takes a lock or writes state."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stacks.app import synth_to
from stacks.terraform_runner import Terraform
from tests.support.envs import copy_samples
from tests.support.moto_server import FAKE_CREDENTIALS, MotoServer, moto_server

pytestmark = pytest.mark.deploy


@dataclass(frozen=True)
class Deployed:
    root: Path
    env: dict[str, str]
    terraform: Terraform
    moto: MotoServer

    @property
    def state(self) -> Path:
        return self.root / "terraform-state" / "local-cluster.tfstate"

    def drift(self) -> tuple[int, dict[str, Any], str]:
        """Run the real CLI; return exit code, the JSON report and stderr."""
        before = hashlib.sha256(self.state.read_bytes()).hexdigest()
        result = subprocess.run(
            ["underlay", "drift", "local", "--skip-repo", "--json", "--out", ".underlay/drift"],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        after = hashlib.sha256(self.state.read_bytes()).hexdigest()
        assert before == after, "drift must never write state"
        assert not list(self.state.parent.glob("*.lock.info")), "drift must leave no lock"
        written = self.root / ".underlay/drift/drift.json"
        assert written.is_file(), result.stderr
        report = json.loads(written.read_text())
        assert json.loads(result.stdout) == report
        return result.returncode, report, result.stderr


@pytest.fixture(scope="module")
def deployed(
    tmp_path_factory: pytest.TempPathFactory, terraform_env: dict[str, str]
) -> Iterator[Deployed]:
    root = tmp_path_factory.mktemp("drift")
    env_dir = copy_samples(root)
    with moto_server() as moto:
        env = {**terraform_env, **FAKE_CREDENTIALS, "UNDERLAY_AWS_ENDPOINT": moto.endpoint}
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("UNDERLAY_AWS_ENDPOINT", moto.endpoint)
            synth_to(root / "cdktf.out", env_dir, ["local"])
        tf = Terraform(root / "cdktf.out" / "stacks" / "local-cluster", env)
        tf.init()
        tf.apply()
        yield Deployed(root, env, tf, moto)
        if os.environ.get("UNDERLAY_KEEP_DEPLOYMENT") != "1":
            tf.destroy()


def _vpc_id(d: Deployed) -> str:
    ec2 = d.moto.client("ec2")
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["ul-local"]}])["Vpcs"]
    return str(vpc["VpcId"])


def test_fresh_apply_has_no_drift(deployed: Deployed) -> None:
    code, report, err = deployed.drift()
    assert code == 0, err
    assert report["findings"] == []
    verdicts = {c["where"]: c["verdict"] for c in report["checked"]}
    assert verdicts == {"local-cluster": "clean", "local-platform": "not deployed"}


def test_changes_outside_terraform_are_reported_then_cleared_by_apply(deployed: Deployed) -> None:
    ec2 = deployed.moto.client("ec2")
    vpc_id = _vpc_id(deployed)
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "team", "Value": "edited-by-hand"}])
    state = json.loads(deployed.state.read_text())
    groups = [
        (r["type"], r["name"], r["instances"][0]["attributes"])
        for r in state["resources"]
        if r["mode"] == "managed" and r["type"] == "aws_default_security_group"
    ]
    assert groups, "local-cluster manages the VPC default security group (no rules)"
    sg_type, sg_name, sg = groups[0]
    ec2.authorize_security_group_ingress(
        GroupId=sg["id"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    logs = [
        r
        for r in state["resources"]
        if r["mode"] == "managed" and r["type"] == "aws_cloudwatch_log_group"
    ]
    assert logs, "local-cluster manages the EKS log group"
    log_name = logs[0]["instances"][0]["attributes"]["name"]
    deployed.moto.client("logs").delete_log_group(logGroupName=log_name)

    code, report, err = deployed.drift()
    assert code == 3, err
    by_address = {f["address"]: f for f in report["findings"]}
    vpc = next(f for a, f in by_address.items() if a.startswith("aws_vpc."))
    assert vpc["kind"] == "changed"
    assert "tags.team" in vpc["attributes"]
    sg_finding = by_address[next(a for a in by_address if a.endswith(f"{sg_type}.{sg_name}"))]
    assert sg_finding["kind"] == "changed"
    assert "ingress" in sg_finding["attributes"]
    log_finding = next(
        f for a, f in by_address.items() if a.startswith("aws_cloudwatch_log_group.")
    )
    assert log_finding["kind"] == "deleted"
    md = (deployed.root / ".underlay/drift/drift.md").read_text()
    assert "tags.team" in md
    assert "edited-by-hand" not in md + json.dumps(report), "values never reach the report"

    deployed.terraform.apply()
    code, report, err = deployed.drift()
    assert code == 0, (err, report["findings"])
