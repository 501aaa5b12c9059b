"""IAM policy documents as ``aws_iam_policy_document`` data sources.

Why data sources rather than ``json.dumps``: they let policies embed Terraform expressions
(ARNs, the OIDC issuer) with correct quoting, and Terraform normalises the JSON, so plans
stay quiet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stacks.l1 import DataSource, ResourceGroup

__all__ = ["Statement", "assume_role_policy", "policy_document"]

Statement = Mapping[str, Any]


def policy_document(group: ResourceGroup, name: str, statements: Sequence[Statement]) -> DataSource:
    return group.data("aws_iam_policy_document", name, {"statement": list(statements)})


def assume_role_policy(group: ResourceGroup, name: str, service: str) -> DataSource:
    """Trust policy letting an AWS service (``eks.amazonaws.com``…) assume a role."""
    return policy_document(
        group,
        name,
        [
            {
                "effect": "Allow",
                "actions": ["sts:AssumeRole"],
                "principals": [{"type": "Service", "identifiers": [service]}],
            }
        ],
    )


def managed_policy_arn(partition: str, name: str) -> str:
    return f"arn:{partition}:iam::aws:policy/{name}"
