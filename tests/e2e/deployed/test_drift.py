"""`underlay drift` for real: `local-cluster` applied to the session's moto server with real
Terraform (the shared `local_deployment`), then changed behind Terraform's back with boto3. Each
change is reported by resource and attribute; a re-apply makes it clean again (drift says
so; the "no changes" check is `test_resources.py`'s second plan, which holds whichever module
runs first); no run takes a lock or writes state."""

from __future__ import annotations

import hashlib
import json
import subprocess
from typing import Any

import pytest

from tests.support.deployment import Deployment

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy-local")]


def drift(deployed: Deployment) -> tuple[int, dict[str, Any], str]:
    """Run the real CLI; return exit code, the JSON report and stderr."""
    before = hashlib.sha256(deployed.state.read_bytes()).hexdigest()
    result = subprocess.run(
        ["underlay", "drift", "local", "--skip-repo", "--json", "--out", ".underlay/drift"],
        cwd=deployed.root,
        env=deployed.env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    after = hashlib.sha256(deployed.state.read_bytes()).hexdigest()
    assert before == after, "drift must never write state"
    assert not list(deployed.state.parent.glob("*.lock.info")), "drift must leave no lock"
    written = deployed.root / ".underlay/drift/drift.json"
    assert written.is_file(), result.stderr
    report = json.loads(written.read_text())
    assert json.loads(result.stdout) == report
    return result.returncode, report, result.stderr


def _vpc_id(d: Deployment) -> str:
    ec2 = d.moto.client("ec2")
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["ul-local"]}])["Vpcs"]
    return str(vpc["VpcId"])


def test_fresh_apply_has_no_drift(local_deployment: Deployment) -> None:
    code, report, err = drift(local_deployment)
    assert code == 0, err
    assert report["findings"] == []
    verdicts = {c["where"]: c["verdict"] for c in report["checked"]}
    assert verdicts == {"local-cluster": "clean", "local-platform": "not deployed"}


def test_changes_outside_terraform_are_reported_then_cleared_by_apply(
    local_deployment: Deployment,
) -> None:
    ec2 = local_deployment.moto.client("ec2")
    vpc_id = _vpc_id(local_deployment)
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "team", "Value": "edited-by-hand"}])
    state = json.loads(local_deployment.state.read_text())
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
    local_deployment.moto.client("logs").delete_log_group(logGroupName=log_name)

    code, report, err = drift(local_deployment)
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
    md = (local_deployment.root / ".underlay/drift/drift.md").read_text()
    assert "tags.team" in md
    assert "edited-by-hand" not in md + json.dumps(report), "values never reach the report"

    local_deployment.terraform.apply()
    code, report, err = drift(local_deployment)
    assert code == 0, (err, report["findings"])
