"""Cross-field rules, checked after the types and before any resource is built."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from stacks.config.model import Environment
from stacks.config.yaml_source import KeyPath

__all__ = ["check_rules"]

# CloudWatch Logs accepts only these retention periods.
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


def check_rules(env: Environment) -> Iterator[tuple[KeyPath, str]]:
    """Yield ``(key path, problem)`` for every rule ``env`` breaks; the loader reports the first."""
    cluster = env.cluster
    for name, group in cluster.node_groups.items():
        at: KeyPath = ("cluster", "node_groups", name)
        if group.min_size > group.max_size:
            yield (
                (*at, "min_size"),
                (f"min_size ({group.min_size}) must not exceed max_size ({group.max_size})"),
            )
        if not group.min_size <= group.desired_size <= group.max_size:
            yield (
                (*at, "desired_size"),
                (
                    f"desired_size ({group.desired_size}) must lie between min_size "
                    f"({group.min_size}) and max_size ({group.max_size})"
                ),
            )
    if cluster.public_access_cidrs and not cluster.endpoint_public_access:
        yield (
            ("cluster", "public_access_cidrs"),
            (
                "public_access_cidrs is set but endpoint_public_access is false; "
                "set endpoint_public_access: true or remove the CIDRs"
            ),
        )
    if cluster.endpoint_public_access and not cluster.public_access_cidrs:
        yield (
            ("cluster", "endpoint_public_access"),
            ("a public endpoint needs public_access_cidrs (0.0.0.0/0 is not assumed)"),
        )
    if cluster.log_retention_days not in LOG_RETENTION_DAYS:
        yield (
            ("cluster", "log_retention_days"),
            (
                f"{cluster.log_retention_days} is not a CloudWatch retention period; "
                f"expected one of {', '.join(map(str, LOG_RETENTION_DAYS))}"
            ),
        )
    network = ipaddress.ip_network(env.cloud.vpc_cidr)
    if network.version != 4:
        yield ("cloud", "vpc_cidr"), f"{env.cloud.vpc_cidr}: a VPC's primary CIDR must be IPv4"
    elif network.prefixlen > 20:
        yield (
            ("cloud", "vpc_cidr"),
            (
                f"{env.cloud.vpc_cidr} is too small: /20 or larger is needed for "
                f"{env.cloud.az_count} private and public subnets"
            ),
        )
