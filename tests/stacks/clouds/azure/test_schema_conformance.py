"""Every azurerm resource, data source, attribute, block and reference the AKS stacks emit
exists in the provider's schema.

No azurerm provider binary and no Azure API emulator exist on these machines, so there is no
`terraform validate` or apply of the AKS stacks here (docs/architecture.md says how to run them
against real Azure). The schema source is the jsii assembly of the last prebuilt bindings,
`cdktf-cdktf-provider-azurerm` 14.23.1 = hashicorp/azurerm 4.55.0, generated from that
provider's own schema output; read as JSON, never imported.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from stacks.clouds.azure.provider import AZURERM_PROVIDER_VERSION
from tests.support.provider_schema import PACKAGES, Schema, load_schema, provider_wheel
from tests.support.schema_check import check_block
from tests.support.synth import iter_blocks, load_stack

AKS_ENVS = ("aks-dev", "aks-prod")
_REF = re.compile(r"\b(data\.)?(azurerm_[a-z0-9_]+)\.([a-z0-9_]+)\.([a-z0-9_]+)")


@pytest.fixture(scope="module")
def azurerm(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Schema:
    cache_plugin = getattr(pytestconfig, "cache", None)
    cache = (
        cache_plugin.mkdir("provider-wheels")
        if cache_plugin is not None
        else tmp_path_factory.mktemp("provider-wheels")
    )
    return load_schema(provider_wheel("azurerm", cache))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def stack_problems(stack: dict[str, Any], schema: Schema) -> list[str]:
    problems: list[str] = []
    declared = set()
    for kind, type_, name, body in iter_blocks(stack):
        declared.add(("data." if kind == "data" else "") + f"{type_}.{name}")
        table = schema["data"] if kind == "data" else schema["resources"]
        if type_ not in table:
            problems.append(f"{kind} {type_}: unknown type")
            continue
        check_block(table[type_], body, f"{type_}.{name}", problems)
    for body in stack["provider"]["azurerm"]:
        check_block(schema["provider"], body, "provider.azurerm", problems)
    for text in _strings({k: stack.get(k) for k in ("resource", "data", "output")}):
        for data, type_, name, attribute in _REF.findall(text):
            address = f"{data}{type_}.{name}"
            if address not in declared:
                problems.append(f"{address}: referenced but not declared")
            elif not data and attribute not in schema["readable"].get(type_, ()):
                problems.append(f"{address}.{attribute}: no such attribute to read")
    return problems


@pytest.mark.parametrize("env", AKS_ENVS)
def test_every_emitted_attribute_is_in_the_azurerm_schema(
    synth_out: Path, azurerm: Schema, env: str
) -> None:
    stack = load_stack(synth_out, f"{env}-cluster")
    assert stack_problems(stack, azurerm) == []
    types = {type_ for _, type_, _, _ in iter_blocks(stack)}
    assert {
        "azurerm_kubernetes_cluster",
        "azurerm_key_vault_key",
        "azurerm_storage_account",
        "azurerm_federated_identity_credential",
        "azurerm_monitor_diagnostic_setting",
    } <= types


def test_schema_source_matches_the_pinned_provider(azurerm: Schema) -> None:
    package, binding_version, provider_version = PACKAGES["azurerm"]
    assert azurerm["version"] == binding_version, package
    minor = provider_version.rsplit(".", 1)[0]
    assert f"~> {minor}" == AZURERM_PROVIDER_VERSION


def test_the_checker_catches_mistakes(synth_out: Path, azurerm: Schema) -> None:
    """The conformance check must be able to fail: feed it deliberate errors."""
    stack = copy.deepcopy(load_stack(synth_out, "aks-prod-cluster"))
    aks = next(iter(stack["resource"]["azurerm_kubernetes_cluster"].values()))
    aks["enable_auto_scaling"] = True  # azurerm 3.x's name; 4.x calls it auto_scaling_enabled
    aks["default_node_pool"]["node_count"] = "3"  # a number, not a string
    del aks["default_node_pool"]["name"]  # required
    account = next(iter(stack["resource"]["azurerm_storage_account"].values()))
    account["blob_properties"]["versioning"] = True  # it is versioning_enabled
    issuer = "${azurerm_kubernetes_cluster.cluster_cluster.oidc_issuer}"  # it is ..._url
    stack["output"]["oidc_issuer_url"]["value"] = issuer
    stack["resource"]["azurerm_dns_zonez"] = {"x": {}}
    problems = stack_problems(stack, azurerm)
    assert any(p.endswith(".enable_auto_scaling: not in the provider schema") for p in problems)
    assert any("node_count: expected number" in p for p in problems)
    missing = "default_node_pool[0].name: required attribute missing"
    assert any(p.endswith(missing) for p in problems)
    assert any(p.endswith("versioning: not in the provider schema") for p in problems)
    assert any(p.endswith(".oidc_issuer: no such attribute to read") for p in problems)
    assert "resource azurerm_dns_zonez: unknown type" in problems
