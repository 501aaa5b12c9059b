"""`local-cluster` applied to the AWS emulator: what exists is what the config says."""

from __future__ import annotations

import json

import pytest

from tests.support.deployment import Deployment

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy-local")]


def test_outputs_are_all_there(local_deployment: Deployment) -> None:
    out = local_deployment.outputs
    assert out["cluster_name"] == "ul-local"
    assert out["backup_target"] == f"s3://{out['backup_bucket']}/manifest-repo"
    assert out["backup_identity"].endswith(":role/ul-local-repo-backup")
    assert out["backup_role_arn"] == out["backup_identity"]  # the alias, for one release
    assert out["oidc_issuer_url"].startswith("https://")
    assert out["cluster_endpoint"].startswith("https://")
    assert len(out["cluster_ca_data"]) > 100


def test_vpc_and_subnets_exist_as_configured(local_deployment: Deployment) -> None:
    ec2 = local_deployment.moto.client("ec2")
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["ul-local"]}])["Vpcs"]
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])[
        "Subnets"
    ]
    assert sorted(s["CidrBlock"] for s in subnets) == [
        "10.0.0.0/19",
        "10.0.224.0/22",
        "10.0.228.0/22",
        "10.0.32.0/19",
    ]
    assert {s["AvailabilityZone"] for s in subnets} == {"us-east-1a", "us-east-1b"}
    nats = ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])[
        "NatGateways"
    ]
    assert len([n for n in nats if n["State"] != "deleted"]) == 1, "local uses a single NAT gateway"


def test_eks_cluster_and_node_group_exist_as_configured(local_deployment: Deployment) -> None:
    eks = local_deployment.moto.client("eks")
    cluster = eks.describe_cluster(name="ul-local")["cluster"]
    assert cluster["version"] == "1.33"
    assert cluster["resourcesVpcConfig"]["endpointPublicAccess"] is False
    assert cluster["resourcesVpcConfig"]["endpointPrivateAccess"] is True
    assert cluster["encryptionConfig"][0]["resources"] == ["secrets"]
    logging = cluster["logging"]["clusterLogging"]
    enabled = {t for entry in logging if entry["enabled"] for t in entry["types"]}
    assert enabled == {"api", "audit", "authenticator", "controllerManager", "scheduler"}
    group = eks.describe_nodegroup(clusterName="ul-local", nodegroupName="general")["nodegroup"]
    assert group["scalingConfig"] == {"minSize": 1, "maxSize": 2, "desiredSize": 1}
    assert group["instanceTypes"] == ["t3.medium"]
    assert group["labels"] == {"workload": "general"}


def test_backup_bucket_settings(local_deployment: Deployment) -> None:
    s3 = local_deployment.moto.client("s3")
    bucket = local_deployment.outputs["backup_bucket"]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert len(block) == 4
    assert all(block.values())
    # The TLS-only policy is left out on the emulator (it ignores Conditions; emulator.py).
    with pytest.raises(s3.exceptions.ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket=bucket)
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    retention = next(r for r in rules if r["ID"] == "backup-retention")
    assert retention["Expiration"]["Days"] == 7, "local.yaml keeps backups 7 days"


def test_backup_role_is_scoped_to_the_service_account_and_prefix(
    local_deployment: Deployment,
) -> None:
    iam = local_deployment.moto.client("iam")
    role = iam.get_role(RoleName="ul-local-repo-backup")["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    statement = trust["Statement"][0]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    subjects = [
        v for cond in statement["Condition"].values() for k, v in cond.items() if k.endswith(":sub")
    ]
    assert subjects == ["system:serviceaccount:underlay-backup:repo-backup"]
    policy = iam.get_role_policy(RoleName="ul-local-repo-backup", PolicyName="repo-backup")[
        "PolicyDocument"
    ]
    policy = json.loads(policy) if isinstance(policy, str) else policy
    objects = next(s for s in policy["Statement"] if s["Sid"] == "ReadWriteOwnPrefix")
    assert objects["Resource"].endswith("/manifest-repo/*")


def test_second_plan_shows_no_changes(local_deployment: Deployment) -> None:
    assert local_deployment.terraform.plan_exit_code() == 0


def test_backup_prefix_takes_encrypted_objects(local_deployment: Deployment) -> None:
    """The backup job's writes land encrypted with the environment's key by default."""
    s3 = local_deployment.moto.client("s3")
    bucket = local_deployment.outputs["backup_bucket"]
    s3.put_object(Bucket=bucket, Key="manifest-repo/probe", Body=b"x")
    head = s3.head_object(Bucket=bucket, Key="manifest-repo/probe")
    assert head["ServerSideEncryption"] == "aws:kms", "default SSE-KMS applies to new objects"
    # Versioned: remove every version and delete marker, or the bucket cannot be destroyed.
    listed = s3.list_object_versions(Bucket=bucket, Prefix="manifest-repo/probe")
    for entry in listed.get("Versions", []) + listed.get("DeleteMarkers", []):
        s3.delete_object(Bucket=bucket, Key=entry["Key"], VersionId=entry["VersionId"])
