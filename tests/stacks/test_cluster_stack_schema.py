"""Every resource type and attribute the stacks emit exists in the real AWS provider schema.

The schema comes from `terraform providers schema -json` with hashicorp/aws from the offline
mirror, so this is the binary's own truth, not a copy.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.schema_check import check_block, from_terraform
from tests.support.synth import iter_blocks, load_stack

ENVS = ("dev", "staging", "prod", "local")


@pytest.fixture(scope="session")
def aws_schema(
    tmp_path_factory: pytest.TempPathFactory, terraform_env: dict[str, str]
) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("schema")
    (work / "main.tf.json").write_text(
        json.dumps(
            {
                "terraform": {
                    "required_providers": {
                        "aws": {"source": "hashicorp/aws", "version": "~> 5.100"}
                    }
                }
            }
        )
    )
    subprocess.run(
        ["terraform", f"-chdir={work}", "init", "-input=false", "-no-color"],
        env=terraform_env,
        check=True,
        capture_output=True,
    )
    raw = subprocess.run(
        ["terraform", f"-chdir={work}", "providers", "schema", "-json"],
        env=terraform_env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    schema: dict[str, Any] = json.loads(raw)["provider_schemas"][
        "registry.terraform.io/hashicorp/aws"
    ]
    return schema


@pytest.mark.parametrize("env", ENVS)
def test_every_emitted_attribute_is_in_the_provider_schema(
    synth_out: Path, aws_schema: dict[str, Any], env: str
) -> None:
    stack = load_stack(synth_out, f"{env}-cluster")
    problems: list[str] = []
    for kind, type_, name, body in iter_blocks(stack):
        schemas = aws_schema["resource_schemas" if kind == "resource" else "data_source_schemas"]
        if type_ not in schemas:
            problems.append(f"{kind} {type_}: unknown type")
            continue
        check_block(from_terraform(schemas[type_]["block"]), body, f"{type_}.{name}", problems)
    for provider in stack["provider"]["aws"]:
        check_block(
            from_terraform(aws_schema["provider"]["block"]), provider, "provider.aws", problems
        )
    assert problems == []


def test_the_checker_catches_mistakes(aws_schema: dict[str, Any]) -> None:
    """The conformance check must be able to fail: feed it deliberate errors."""
    problems: list[str] = []
    vpc = from_terraform(aws_schema["resource_schemas"]["aws_vpc"]["block"])
    check_block(
        vpc,
        {"cidr_blok": "10.0.0.0/16", "enable_dns_support": "yes", "arn": "x"},
        "aws_vpc.x",
        problems,
    )
    assert any("cidr_blok: not in the provider schema" in p for p in problems)
    assert any("enable_dns_support: expected bool" in p for p in problems)
    assert any("arn: read-only attribute" in p for p in problems)
    eks = from_terraform(aws_schema["resource_schemas"]["aws_eks_cluster"]["block"])
    problems.clear()
    check_block(eks, {"name": "x"}, "aws_eks_cluster.x", problems)
    assert any("role_arn: required attribute missing" in p for p in problems)
