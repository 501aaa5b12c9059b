"""The AWS part of an environment file (``cloud: {kind: aws, ...}``)."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field

from stacks.config.types import Cidr, Frozen

__all__ = ["ENDPOINT_ENV", "AwsSettings", "emulator_endpoint"]

ENDPOINT_ENV = "UNDERLAY_AWS_ENDPOINT"

# Root CA thumbprint of the EKS OIDC issuers. AWS no longer checks it for EKS, but the IAM API
# still wants at least one value.
EKS_OIDC_ROOT_CA_THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"


class AwsSettings(Frozen):
    kind: Literal["aws"]
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    vpc_cidr: Cidr = "10.0.0.0/16"
    az_count: int = Field(2, ge=2, le=6, description="Availability zones to spread over.")
    nat_gateways: Literal["single", "per_az"] = Field(
        "single", description="One NAT gateway for the VPC, or one per availability zone."
    )
    endpoint: str | None = Field(
        None,
        pattern=r"^https?://",
        description=(
            "An AWS API emulator to talk to instead of AWS (the local env). "
            f"${ENDPOINT_ENV} overrides it where it is set."
        ),
    )
    log_retention_days: int = Field(
        365, description="Control-plane and flow-log retention; CloudWatch takes only some values."
    )
    oidc_thumbprints: tuple[str, ...] = Field((EKS_OIDC_ROOT_CA_THUMBPRINT,), strict=False)

    def effective_endpoint(self) -> str | None:
        return emulator_endpoint(self.endpoint)

    @property
    def emulated(self) -> bool:
        """Talks to an AWS API emulator (the local env), not to AWS."""
        return self.endpoint is not None


def emulator_endpoint(configured: str | None) -> str | None:
    """An emulated setting's endpoint with ``$UNDERLAY_AWS_ENDPOINT`` applied; real AWS stays real:
    the override never turns an environment without an endpoint into an emulated one."""
    if configured is None:
        return None
    return os.environ.get(ENDPOINT_ENV) or configured
