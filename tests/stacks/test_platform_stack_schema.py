"""Every kubernetes/helm attribute the platform stacks emit exists in the providers' schemas.

Source: the jsii assemblies of the prebuilt CDKTF bindings for hashicorp/kubernetes 2.38.0 and
hashicorp/helm 3.1.1, which were generated from those providers' own schema output (no
provider binary exists here; see tests/support/provider_schema.py and docs/platform.md).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from stacks.platform.providers import HELM_PROVIDER_VERSION, KUBERNETES_PROVIDER_VERSION
from tests.support.provider_schema import PACKAGES, Schema
from tests.support.rendered import ENVS
from tests.support.schema_check import check_block
from tests.support.synth import iter_blocks, load_stack

REMOTE_STATE = {"backend", "config", "defaults", "workspace"}  # Terraform's built-in data source


def stack_problems(stack: dict[str, Any], schemas: dict[str, Schema]) -> list[str]:
    problems: list[str] = []
    for kind, type_, name, body in iter_blocks(stack):
        if kind == "data":
            if type_ != "terraform_remote_state" or set(body) - REMOTE_STATE:
                problems.append(f"data {type_}.{name}: unexpected data source or attribute")
            continue
        provider = "helm" if type_.startswith("helm_") else "kubernetes"
        resources = schemas[provider]["resources"]
        if type_ not in resources:
            problems.append(f"resource {type_}: unknown type")
            continue
        check_block(resources[type_], body, f"{type_}.{name}", problems)
    for provider in ("kubernetes", "helm"):
        for body in stack["provider"][provider]:
            check_block(schemas[provider]["provider"], body, f"provider.{provider}", problems)
    return problems


@pytest.mark.parametrize("env", ENVS)
def test_every_emitted_attribute_is_in_the_provider_schema(
    synth_out: Path, provider_schemas: dict[str, Schema], env: str
) -> None:
    stack = load_stack(synth_out, f"{env}-platform")
    assert stack_problems(stack, provider_schemas) == []
    types = {type_ for _, type_, _, _ in iter_blocks(stack)}
    assert {"kubernetes_cron_job_v1", "kubernetes_network_policy_v1", "helm_release"} <= types


def test_schema_source_matches_the_pinned_providers(provider_schemas: dict[str, Schema]) -> None:
    """The bindings we read are the ones for the provider versions the stack requires."""
    for name, constraint in (
        ("kubernetes", KUBERNETES_PROVIDER_VERSION),
        ("helm", HELM_PROVIDER_VERSION),
    ):
        package, binding_version, provider_version = PACKAGES[name]
        assert provider_schemas[name]["version"] == binding_version, package
        assert constraint == f"~> {provider_version}"


def test_the_checker_catches_mistakes(synth_out: Path, provider_schemas: dict[str, Schema]) -> None:
    """The conformance check must be able to fail: feed it deliberate errors."""
    stack = copy.deepcopy(load_stack(synth_out, "prod-platform"))
    cron = next(iter(stack["resource"]["kubernetes_cron_job_v1"].values()))
    cron["spec"]["time_zone"] = "Etc/UTC"  # the provider calls it `timezone`
    cron["spec"]["starting_deadline_seconds"] = "600"  # a number, not a string
    pod = cron["spec"]["job_template"]["spec"]["template"]["spec"]
    pod["containers"] = pod.pop("container")  # the provider's block is singular
    quota = next(iter(stack["resource"]["kubernetes_resource_quota_v1"].values()))
    del quota["metadata"]  # required block
    release = next(iter(stack["resource"]["helm_release"].values()))
    release["values"] = "a: 1"  # a list of strings
    problems = stack_problems(stack, provider_schemas)
    assert any(p.endswith("spec[0].time_zone: not in the provider schema") for p in problems)
    assert any("starting_deadline_seconds: expected number" in p for p in problems)
    assert any(p.endswith(".containers: not in the provider schema") for p in problems)
    assert any(p.endswith(".metadata: required block missing") for p in problems)
    assert any(".values: expected list" in p for p in problems)
