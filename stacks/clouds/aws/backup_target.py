"""Where the manifest repo's backups go: a locked-down S3 bucket and an IRSA role for the job."""

from __future__ import annotations

import json
from dataclasses import dataclass

from constructs import Construct

from stacks.clouds.aws.account import Account
from stacks.clouds.aws.emulator import BUCKET_POLICY_ON_EMULATOR
from stacks.clouds.aws.iam import policy_document
from stacks.l1 import ResourceGroup, expression

__all__ = ["BackupTarget", "BackupTargetProps"]


@dataclass(frozen=True)
class BackupTargetProps:
    cluster_name: str
    prefix: str
    retention_days: int
    account: Account
    kms_key_arn: str
    oidc_provider_arn: str
    oidc_issuer_url: str
    namespace: str
    service_account: str
    emulated: bool = False
    """True on an AWS API emulator: leave out what it cannot honour (see ``emulator.py``)."""
    signing_key: str | None = None
    """The KMS key (id, key ARN, alias ARN or ``alias/<name>``) that signs the backup manifests
    (``backup.signing``); the role may then ``kms:Sign`` and ``kms:Verify`` with it and nothing
    else. None: signing is off, no such permission."""
    region: str = ""
    """The stack's region: where a bare key id or ``alias/<name>`` lives."""


class BackupTarget(ResourceGroup):
    def __init__(self, scope: Construct, id: str, props: BackupTargetProps) -> None:
        super().__init__(scope, id)
        self.bucket = self.resource(
            "aws_s3_bucket",
            "bucket",
            {"bucket": f"{props.cluster_name}-backups-{props.account.account_id}"},
            checkov_skips={
                "CKV_AWS_18": "only the backup role may write (IAM + TLS-only policy); server "
                "access logs would need a second bucket that fails this same check; use "
                "account-wide CloudTrail S3 data events",
                "CKV2_AWS_62": "backup freshness is alerted from the job's last-success "
                "marker, not from bucket events",
                "CKV_AWS_144": "single-region by design for now: versioning plus retention "
                "keep history; cross-region copies are a planned option, not built",
            },
        )
        bucket_id, bucket_arn = self.bucket.id, self.bucket.arn
        self.resource(
            "aws_s3_bucket_versioning",
            "versioning",
            {"bucket": bucket_id, "versioning_configuration": {"status": "Enabled"}},
        )
        self.resource(
            "aws_s3_bucket_server_side_encryption_configuration",
            "encryption",
            {
                "bucket": bucket_id,
                "rule": [
                    {
                        "apply_server_side_encryption_by_default": {
                            "sse_algorithm": "aws:kms",
                            "kms_master_key_id": props.kms_key_arn,
                        },
                        "bucket_key_enabled": True,
                    }
                ],
            },
        )
        self.resource(
            "aws_s3_bucket_public_access_block",
            "public_access",
            {
                "bucket": bucket_id,
                "block_public_acls": True,
                "block_public_policy": True,
                "ignore_public_acls": True,
                "restrict_public_buckets": True,
            },
        )
        self.resource(
            "aws_s3_bucket_ownership_controls",
            "ownership",
            {"bucket": bucket_id, "rule": {"object_ownership": "BucketOwnerEnforced"}},
        )
        tls_only = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket_arn, f"{bucket_arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
        if BUCKET_POLICY_ON_EMULATOR or not props.emulated:
            self.resource(
                "aws_s3_bucket_policy",
                "tls_only",
                {"bucket": bucket_id, "policy": json.dumps(tls_only)},
            )
        self.resource(
            "aws_s3_bucket_lifecycle_configuration",
            "retention",
            {
                "bucket": bucket_id,
                "rule": [
                    {
                        "id": "backup-retention",
                        "status": "Enabled",
                        "filter": {"prefix": f"{props.prefix}/"},
                        # Backups are pruned by `underlay backup run`'s own retention; this
                        # catches anything it leaves (and old versions) a little later.
                        "expiration": {"days": props.retention_days},
                        "noncurrent_version_expiration": {"noncurrent_days": props.retention_days},
                    },
                    {
                        # Bucket-wide: a cut upload (the job died mid-way) is never billed long.
                        "id": "abort-incomplete-uploads",
                        "status": "Enabled",
                        "filter": {},
                        "abort_incomplete_multipart_upload": {"days_after_initiation": 1},
                    },
                ],
            },
        )
        self.role_arn = self._irsa_role(props)
        self.target = f"s3://{bucket_id}/{props.prefix}"

    def _irsa_role(self, props: BackupTargetProps) -> str:
        """A role only the backup service account can assume, allowed only under the prefix."""
        issuer = f'${{replace({expression(props.oidc_issuer_url)}, "https://", "")}}'
        trust = policy_document(
            self,
            "irsa_trust",
            [
                {
                    "effect": "Allow",
                    "actions": ["sts:AssumeRoleWithWebIdentity"],
                    "principals": [{"type": "Federated", "identifiers": [props.oidc_provider_arn]}],
                    "condition": [
                        {
                            "test": "StringEquals",
                            "variable": f"{issuer}:sub",
                            "values": [
                                f"system:serviceaccount:{props.namespace}:{props.service_account}"
                            ],
                        },
                        {
                            "test": "StringEquals",
                            "variable": f"{issuer}:aud",
                            "values": ["sts.amazonaws.com"],
                        },
                    ],
                }
            ],
        )
        role = self.resource(
            "aws_iam_role",
            "irsa",
            {"name": f"{props.cluster_name}-repo-backup", "assume_role_policy": trust.ref("json")},
        )
        bucket_arn = self.bucket.arn
        access = policy_document(
            self,
            "access",
            [
                {
                    "sid": "ListOwnPrefix",
                    "effect": "Allow",
                    "actions": ["s3:ListBucket"],
                    "resources": [bucket_arn],
                    "condition": [
                        {
                            "test": "StringLike",
                            "variable": "s3:prefix",
                            "values": [props.prefix, f"{props.prefix}/*"],
                        }
                    ],
                },
                {
                    "sid": "ReadWriteOwnPrefix",
                    "effect": "Allow",
                    "actions": [
                        "s3:GetObject",
                        "s3:PutObject",
                        "s3:DeleteObject",
                        "s3:AbortMultipartUpload",
                        "s3:ListMultipartUploadParts",
                    ],
                    "resources": [f"{bucket_arn}/{props.prefix}/*"],
                },
                {
                    "sid": "UseBackupKey",
                    "effect": "Allow",
                    "actions": ["kms:GenerateDataKey", "kms:Decrypt"],
                    "resources": [props.kms_key_arn],
                },
                *_signing_statements(props),
            ],
        )
        self.resource(
            "aws_iam_role_policy",
            "access",
            {"name": "repo-backup", "role": role.id, "policy": access.ref("json")},
        )
        return role.arn


def _signing_statements(props: BackupTargetProps) -> list[dict[str, object]]:
    """``kms:Sign`` + ``kms:Verify`` on the signing key only. A key is named by its ARN; an
    alias by the ``kms:RequestAlias`` condition over the account's keys in its region (IAM
    cannot name a key through its alias)."""
    key = props.signing_key
    if key is None:
        return []
    account = props.account
    statement: dict[str, object] = {
        "sid": "SignBackupManifests",
        "effect": "Allow",
        "actions": ["kms:Sign", "kms:Verify"],
    }
    alias: str | None = None
    if key.startswith("alias/"):
        alias, region = key, props.region
    elif key.startswith("arn:") and ":alias/" in key:
        region = key.split(":")[3]
        alias = "alias/" + key.split(":alias/", 1)[1]
    if alias is not None:
        statement["resources"] = [
            f"arn:{account.partition}:kms:{region}:{account.account_id}:key/*"
        ]
        statement["condition"] = [
            {"test": "StringEquals", "variable": "kms:RequestAlias", "values": [alias]}
        ]
    elif key.startswith("arn:"):
        statement["resources"] = [key]
    else:
        statement["resources"] = [
            f"arn:{account.partition}:kms:{props.region}:{account.account_id}:key/{key}"
        ]
    return [statement]
