"""One customer-managed KMS key per environment: Kubernetes secrets, logs and backups."""

from __future__ import annotations

import json
from dataclasses import dataclass

from constructs import Construct

from stacks.clouds.aws.account import Account
from stacks.l1 import ResourceGroup

__all__ = ["EncryptionKey", "EncryptionKeyProps"]


@dataclass(frozen=True)
class EncryptionKeyProps:
    alias: str
    region: str
    account: Account
    deletion_window_days: int = 30


class EncryptionKey(ResourceGroup):
    def __init__(self, scope: Construct, id: str, props: EncryptionKeyProps) -> None:
        super().__init__(scope, id)
        account, partition = props.account.account_id, props.account.partition
        # Key policies are JSON strings, not policy-document data sources: their only
        # expressions are quote-free references, and checkov reads them as key policies.
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "CloudWatchLogsEncrypts",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{props.region}.amazonaws.com"},
                    "Action": [
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": (
                                f"arn:{partition}:logs:{props.region}:{account}:*"
                            )
                        }
                    },
                },
            ],
        }
        self.key = self.resource(
            "aws_kms_key",
            "key",
            {
                "description": f"{props.alias}: Kubernetes secrets, logs and backups",
                "enable_key_rotation": True,
                "deletion_window_in_days": props.deletion_window_days,
                "policy": json.dumps(policy),
            },
        )
        self.resource(
            "aws_kms_alias", "alias", {"name": f"alias/{props.alias}", "target_key_id": self.key.id}
        )
        self.arn = self.key.arn
