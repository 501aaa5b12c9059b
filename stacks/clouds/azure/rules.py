"""Azure's own rules for an environment: what AKS, Log Analytics and a VNet accept."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from stacks.clouds.azure.settings import AzureSettings
from stacks.config.model import Environment
from stacks.config.yaml_source import KeyPath

__all__ = ["LOG_RETENTION_RANGE", "check", "pool_name"]

LOG_RETENTION_RANGE = (30, 730)
# AKS node pool names: lowercase letters and digits, a letter first, at most 12 (Linux).
_POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")


def pool_name(group: str) -> str:
    """The AKS pool name of a node group (AKS allows no hyphens)."""
    return group.replace("-", "")


def check(env: Environment) -> Iterator[tuple[KeyPath, str]]:
    cloud = env.cloud
    assert isinstance(cloud, AzureSettings)
    low, high = LOG_RETENTION_RANGE
    if not low <= cloud.log_retention_days <= high:
        yield (
            ("cloud", "log_retention_days"),
            f"{cloud.log_retention_days}: Log Analytics keeps logs {low} to {high} days",
        )
    yield from _network_rules(cloud)
    yield from _pool_rules(env)


def _network_rules(cloud: AzureSettings) -> Iterator[tuple[KeyPath, str]]:
    networks = {
        "vnet_cidr": ipaddress.ip_network(cloud.vnet_cidr),
        "pod_cidr": ipaddress.ip_network(cloud.pod_cidr),
        "service_cidr": ipaddress.ip_network(cloud.service_cidr),
    }
    for key, network in networks.items():
        if network.version != 4:
            yield ("cloud", key), f"{network}: must be an IPv4 network"
    if networks["vnet_cidr"].prefixlen > 20:
        yield ("cloud", "vnet_cidr"), f"{cloud.vnet_cidr} is too small: /20 or larger"
    keys = list(networks)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if networks[a].overlaps(networks[b]):
                yield ("cloud", b), f"{networks[b]} overlaps {a} {networks[a]}"


def _pool_rules(env: Environment) -> Iterator[tuple[KeyPath, str]]:
    for i, (name, group) in enumerate(env.cluster.node_groups.items()):
        at: KeyPath = ("cluster", "node_groups", name)
        if not _POOL_NAME.match(pool_name(name)):
            yield at, f"{name!r}: AKS pool names are a letter then letters/digits, 12 at most"
        if len(group.instance_types) != 1:
            yield (
                (*at, "instance_types"),
                "an AKS node pool has exactly one VM size: give one instance type",
            )
        if i == 0 and group.capacity_type == "SPOT":
            yield (
                (*at, "capacity_type"),
                "the first node group is the AKS system pool, which cannot be Spot",
            )
        if i == 0 and group.taints:
            yield (
                (*at, "taints"),
                "the first node group is the AKS system pool, which takes no taints "
                "(it runs critical add-ons only when user pools exist)",
            )
        if i == 0 and group.min_size < 1:
            yield (*at, "min_size"), "the AKS system pool needs at least one node"
