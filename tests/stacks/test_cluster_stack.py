"""What the synthesized cluster stacks contain, per environment, straight from the JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stacks.clouds.contract import OUTPUT_ALIASES, OUTPUT_NAMES
from tests.support.synth import iter_blocks, load_stack


def resources(stack: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = stack["resource"].get(type_, {})
    return found


def test_every_environment_gets_a_cluster_stack(synth_out: Path) -> None:
    assert sorted(p.name for p in (synth_out / "stacks").glob("*-cluster")) == [
        "aks-dev-cluster",
        "aks-prod-cluster",
        "dev-cluster",
        "local-cluster",
        "prod-cluster",
        "staging-cluster",
    ]


@pytest.mark.parametrize(
    ("env", "zones", "nats"), [("prod", 3, 3), ("staging", 2, 1), ("dev", 2, 1), ("local", 2, 1)]
)
def test_zones_and_nat_gateways_follow_config(
    synth_out: Path, env: str, zones: int, nats: int
) -> None:
    stack = load_stack(synth_out, f"{env}-cluster")
    subnets = resources(stack, "aws_subnet")
    private = [s for n, s in subnets.items() if "private" in n]
    public = [s for n, s in subnets.items() if "public" in n]
    assert len(private) == len(public) == zones
    assert len({s["availability_zone"] for s in private}) == zones
    assert all(s["map_public_ip_on_launch"] is False for s in subnets.values())
    assert len(resources(stack, "aws_nat_gateway")) == nats
    assert len(resources(stack, "aws_eip")) == nats
    routes = [
        r for n, r in resources(stack, "aws_route").items() if n.startswith("network_private")
    ]
    assert len(routes) == zones
    assert len({r["nat_gateway_id"] for r in routes}) == nats, (
        "each private zone routes via its NAT"
    )


def test_nodes_are_private_and_the_api_is_not_public(synth_out: Path) -> None:
    stack = load_stack(synth_out, "prod-cluster")
    private_ids = {
        f"${{aws_subnet.{n}.id}}" for n in resources(stack, "aws_subnet") if "private" in n
    }
    (cluster,) = resources(stack, "aws_eks_cluster").values()
    vpc = cluster["vpc_config"]
    assert vpc["endpoint_private_access"] is True
    assert vpc["endpoint_public_access"] is False
    assert set(vpc["subnet_ids"]) == private_ids
    for group in resources(stack, "aws_eks_node_group").values():
        assert set(group["subnet_ids"]) == private_ids
        assert "remote_access" not in group


def test_cluster_encrypts_secrets_and_logs_everything(synth_out: Path) -> None:
    stack = load_stack(synth_out, "prod-cluster")
    (cluster,) = resources(stack, "aws_eks_cluster").values()
    assert cluster["encryption_config"]["resources"] == ["secrets"]
    assert cluster["encryption_config"]["provider"]["key_arn"] == "${aws_kms_key.kms_key.arn}"
    assert sorted(cluster["enabled_cluster_log_types"]) == sorted(
        ["api", "audit", "authenticator", "controllerManager", "scheduler"]
    )
    assert cluster["version"] == "1.33"
    assert resources(stack, "aws_kms_key")["kms_key"]["enable_key_rotation"] is True
    assert "aws_iam_openid_connect_provider" in stack["resource"]


def test_node_groups_come_from_config(synth_out: Path) -> None:
    prod = resources(load_stack(synth_out, "prod-cluster"), "aws_eks_node_group")
    assert set(prod) == {"cluster_nodes_general", "cluster_nodes_system"}
    system = prod["cluster_nodes_system"]
    assert system["taint"] == [
        {"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}
    ]
    assert system["labels"] == {"workload": "system"}
    general = prod["cluster_nodes_general"]
    assert general["instance_types"] == ["m6i.xlarge", "m6a.xlarge"]
    assert general["scaling_config"] == {"min_size": 3, "max_size": 9, "desired_size": 3}
    assert general["lifecycle"]["ignore_changes"] == ["scaling_config[0].desired_size"]
    dev = resources(load_stack(synth_out, "dev-cluster"), "aws_eks_node_group")
    assert dev["cluster_nodes_general"]["scaling_config"] == {
        "min_size": 1,
        "max_size": 3,
        "desired_size": 2,
    }


def test_emulator_gaps_are_tolerated_only_on_the_emulated_env(synth_out: Path) -> None:
    local = load_stack(synth_out, "local-cluster")
    groups = resources(local, "aws_eks_node_group")
    assert "remote_access" in groups["cluster_nodes_general"]["lifecycle"]["ignore_changes"]
    assert "aws_s3_bucket_policy" not in local["resource"]
    for env in ("dev", "staging", "prod"):
        stack = load_stack(synth_out, f"{env}-cluster")
        for group in resources(stack, "aws_eks_node_group").values():
            assert group["lifecycle"]["ignore_changes"] == ["scaling_config[0].desired_size"]
        assert "backup_tls_only" in resources(stack, "aws_s3_bucket_policy")


def test_backup_bucket_is_locked_down(synth_out: Path) -> None:
    stack = load_stack(synth_out, "prod-cluster")
    assert resources(stack, "aws_s3_bucket_versioning")["backup_versioning"][
        "versioning_configuration"
    ] == {"status": "Enabled"}
    (sse,) = resources(stack, "aws_s3_bucket_server_side_encryption_configuration").values()
    assert sse["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"
    (block,) = resources(stack, "aws_s3_bucket_public_access_block").values()
    assert all(
        block[k] is True
        for k in (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        )
    )
    (policy,) = resources(stack, "aws_s3_bucket_policy").values()
    statement = json.loads(policy["policy"])["Statement"][0]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (lifecycle,) = resources(stack, "aws_s3_bucket_lifecycle_configuration").values()
    retention = lifecycle["rule"][0]
    assert retention["filter"] == {"prefix": "manifest-repo/"}
    assert retention["expiration"] == {"days": 90}, "prod keeps backups 90 days (prod.yaml)"
    dev = load_stack(synth_out, "dev-cluster")
    (dev_lifecycle,) = resources(dev, "aws_s3_bucket_lifecycle_configuration").values()
    assert dev_lifecycle["rule"][0]["expiration"] == {"days": 14}


def test_backup_role_trusts_one_service_account_and_reaches_one_prefix(synth_out: Path) -> None:
    stack = load_stack(synth_out, "prod-cluster")
    trust = stack["data"]["aws_iam_policy_document"]["backup_irsa_trust"]["statement"][0]
    conditions = {c["variable"].rsplit(":", 1)[1]: c["values"] for c in trust["condition"]}
    assert conditions == {
        "sub": ["system:serviceaccount:underlay-backup:repo-backup"],
        "aud": ["sts.amazonaws.com"],
    }
    access = stack["data"]["aws_iam_policy_document"]["backup_access"]["statement"]
    object_rule = next(s for s in access if s["sid"] == "ReadWriteOwnPrefix")
    assert object_rule["resources"] == ["${aws_s3_bucket.backup_bucket.arn}/manifest-repo/*"]
    list_rule = next(s for s in access if s["sid"] == "ListOwnPrefix")
    assert list_rule["condition"][0]["values"] == ["manifest-repo", "manifest-repo/*"]


def test_outputs_are_the_contract(synth_out: Path) -> None:
    for env in ("dev", "prod", "aks-prod"):
        outputs = load_stack(synth_out, f"{env}-cluster")["output"]
        assert sorted(outputs) == sorted([*OUTPUT_NAMES, *OUTPUT_ALIASES])
        for old, new in OUTPUT_ALIASES.items():
            assert outputs[old]["value"] == outputs[new]["value"]
            assert "Deprecated alias" in outputs[old]["description"]


def test_state_backends_follow_config(synth_out: Path) -> None:
    prod = load_stack(synth_out, "prod-cluster")["terraform"]["backend"]
    assert prod == {
        "s3": {
            "bucket": "ul-terraform-state",
            "key": "underlay/prod-cluster.tfstate",
            "region": "eu-west-1",
            "encrypt": True,
            "use_lockfile": True,
        }
    }
    dev = load_stack(synth_out, "dev-cluster")["terraform"]["backend"]
    assert dev == {"local": {"path": "../../../terraform-state/dev-cluster.tfstate"}}


def test_provider_is_pinned_and_only_local_talks_to_an_emulator(synth_out: Path) -> None:
    for env in ("dev", "staging", "prod", "local"):
        stack = load_stack(synth_out, f"{env}-cluster")
        assert stack["terraform"]["required_providers"]["aws"] == {
            "source": "hashicorp/aws",
            "version": "~> 5.100",
        }
        (provider,) = stack["provider"]["aws"]
        assert ("endpoints" in provider) == (env == "local")


def test_no_credentials_in_synthesized_json(synth_out: Path) -> None:
    # The platform stacks legitimately say `get-token` (exec auth) and
    # `automount_service_account_token`; tests/stacks/test_platform_stack.py checks them.
    for path in (synth_out / "stacks").glob("*-cluster/cdk.tf.json"):
        text = path.read_text()
        for word in ("access_key", "secret_key", "AKIA", "password", "token"):
            # Whole words: azurerm's `shared_access_key_enabled: false` is a setting, not a key.
            assert not re.search(rf"\b{word}\b", text), f"{word} in {path}"


def test_resource_addresses_are_readable(synth_out: Path) -> None:
    names = [f"{t}.{n}" for _, t, n, _ in iter_blocks(load_stack(synth_out, "dev-cluster"))]
    assert "aws_vpc.network_vpc" in names
    assert "aws_eks_cluster.cluster_cluster" in names
    assert "aws_s3_bucket.backup_bucket" in names
