"""Facts about the AWS account a stack deploys into, read once per stack."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from stacks.l1 import ResourceGroup

__all__ = ["Account", "AccountProps"]


@dataclass(frozen=True)
class AccountProps:
    """Empty for now; defined so it can grow (a role to assume, an expected account id)."""


class Account(ResourceGroup):
    def __init__(self, scope: Construct, id: str, props: AccountProps = AccountProps()) -> None:
        super().__init__(scope, id)
        identity = self.data("aws_caller_identity", "current", {})
        partition = self.data("aws_partition", "current", {})
        self.account_id = identity.ref("account_id")
        self.partition = partition.ref("partition")
