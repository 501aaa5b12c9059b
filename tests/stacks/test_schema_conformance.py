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


PRIMITIVES = {"string": str, "number": (int, float), "bool": bool}


def check_value(type_: Any, value: Any, where: str, problems: list[str]) -> None:
    if isinstance(value, str) and "${" in value:
        return  # an expression; Terraform checks its type at plan time
    if isinstance(type_, str):
        if not isinstance(value, PRIMITIVES[type_]) or (
            type_ == "number" and isinstance(value, bool)
        ):
            problems.append(f"{where}: expected {type_}, got {value!r}")
    elif type_[0] in ("list", "set"):
        if not isinstance(value, list):
            problems.append(f"{where}: expected {type_[0]}, got {value!r}")
        else:
            for i, item in enumerate(value):
                check_value(type_[1], item, f"{where}[{i}]", problems)
    elif type_[0] == "map":
        if not isinstance(value, dict):
            problems.append(f"{where}: expected map, got {value!r}")
        else:
            for k, item in value.items():
                check_value(type_[1], item, f"{where}.{k}", problems)


META = {"depends_on", "lifecycle", "provider", "count", "for_each", "//"}


def check_block(
    block: dict[str, Any], body: dict[str, Any], where: str, problems: list[str]
) -> None:
    attributes = block.get("attributes", {})
    nested = block.get("block_types", {})
    for key, value in body.items():
        if key in META:
            continue
        if key in attributes:
            spec = attributes[key]
            if spec.get("computed") and not (spec.get("optional") or spec.get("required")):
                problems.append(f"{where}.{key}: read-only attribute")
            check_value(spec["type"], value, f"{where}.{key}", problems)
        elif key in nested:
            spec = nested[key]
            items = value if isinstance(value, list) else [value]
            if spec["nesting_mode"] == "single" and isinstance(value, list):
                problems.append(f"{where}.{key}: single block given as a list")
            if spec.get("max_items") and len(items) > spec["max_items"]:
                problems.append(f"{where}.{key}: {len(items)} blocks, at most {spec['max_items']}")
            for i, item in enumerate(items):
                if not isinstance(item, dict):
                    problems.append(f"{where}.{key}[{i}]: expected a block, got {item!r}")
                else:
                    check_block(spec["block"], item, f"{where}.{key}[{i}]", problems)
        else:
            problems.append(f"{where}.{key}: not in the provider schema")
    for key, spec in attributes.items():
        if spec.get("required") and key not in body:
            problems.append(f"{where}.{key}: required attribute missing")
    for key, spec in nested.items():
        if spec.get("min_items") and key not in body:
            problems.append(f"{where}.{key}: required block missing")


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
        check_block(schemas[type_]["block"], body, f"{type_}.{name}", problems)
    for provider in stack["provider"]["aws"]:
        check_block(aws_schema["provider"]["block"], provider, "provider.aws", problems)
    assert problems == []


def test_the_checker_catches_mistakes(aws_schema: dict[str, Any]) -> None:
    """The conformance check must be able to fail: feed it deliberate errors."""
    problems: list[str] = []
    vpc = aws_schema["resource_schemas"]["aws_vpc"]["block"]
    check_block(
        vpc,
        {"cidr_blok": "10.0.0.0/16", "enable_dns_support": "yes", "arn": "x"},
        "aws_vpc.x",
        problems,
    )
    assert any("cidr_blok: not in the provider schema" in p for p in problems)
    assert any("enable_dns_support: expected bool" in p for p in problems)
    assert any("arn: read-only attribute" in p for p in problems)
    eks = aws_schema["resource_schemas"]["aws_eks_cluster"]["block"]
    problems.clear()
    check_block(eks, {"name": "x"}, "aws_eks_cluster.x", problems)
    assert any("role_arn: required attribute missing" in p for p in problems)
