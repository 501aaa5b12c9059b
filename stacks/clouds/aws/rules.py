"""AWS's own rules for an environment: what CloudWatch and a VPC accept.

Called through :meth:`~stacks.clouds.contract.CloudModule.check` after the types are checked;
the loader reports the first broken rule as one line with file, line and key.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from stacks.clouds.aws.settings import AwsSettings
from stacks.config.model import Environment
from stacks.config.yaml_source import KeyPath

__all__ = ["LOG_RETENTION_DAYS", "check"]

# CloudWatch Logs accepts only these retention periods.
LOG_RETENTION_DAYS: tuple[int, ...] = (
    *(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731),
    *(1096, 1827, 2192, 2557, 2922, 3288, 3653),
)


def check(env: Environment) -> Iterator[tuple[KeyPath, str]]:
    """Yield ``(key path, problem)`` for every AWS rule ``env`` breaks."""
    cloud = env.cloud
    assert isinstance(cloud, AwsSettings)
    if cloud.log_retention_days not in LOG_RETENTION_DAYS:
        yield (
            ("cloud", "log_retention_days"),
            (
                f"{cloud.log_retention_days} is not a CloudWatch retention period; "
                f"expected one of {', '.join(map(str, LOG_RETENTION_DAYS))}"
            ),
        )
    network = ipaddress.ip_network(cloud.vpc_cidr)
    if network.version != 4:
        yield ("cloud", "vpc_cidr"), f"{cloud.vpc_cidr}: a VPC's primary CIDR must be IPv4"
    elif network.prefixlen > 20:
        yield (
            ("cloud", "vpc_cidr"),
            (
                f"{cloud.vpc_cidr} is too small: /20 or larger is needed for "
                f"{cloud.az_count} private and public subnets"
            ),
        )
