"""The constructs of an AWS cluster stack and how they fit together (loaded only to synth)."""

from __future__ import annotations

import string

from constructs import Construct

from stacks.clouds.aws.account import Account
from stacks.clouds.aws.backup_target import BackupTarget, BackupTargetProps
from stacks.clouds.aws.eks import EksCluster, EksClusterProps
from stacks.clouds.aws.encryption import EncryptionKey, EncryptionKeyProps
from stacks.clouds.aws.network import Network, NetworkProps
from stacks.clouds.aws.settings import AwsSettings
from stacks.clouds.contract import ClusterFacts
from stacks.config.model import Environment

__all__ = ["build_cluster"]


def build_cluster(scope: Construct, id: str, env: Environment) -> ClusterFacts:
    """Network, KMS key, EKS with node groups and OIDC, and the backup target, wired together."""
    cloud, cluster = env.cloud, env.cluster
    assert isinstance(cloud, AwsSettings)
    name = env.cluster_name
    zones = tuple(f"{cloud.region}{letter}" for letter in string.ascii_lowercase[: cloud.az_count])
    account = Account(scope, "account")
    key = EncryptionKey(
        scope, "kms", EncryptionKeyProps(alias=name, region=cloud.region, account=account)
    )
    network = Network(
        scope,
        "network",
        NetworkProps(
            cidr=cloud.vpc_cidr,
            zones=zones,
            nat_gateways=cloud.nat_gateways,
            cluster_name=name,
            account=account,
            kms_key_arn=key.arn,
            flow_log_retention_days=cloud.log_retention_days,
        ),
    )
    eks = EksCluster(
        scope,
        id,
        EksClusterProps(
            name=name,
            kubernetes_version=cluster.kubernetes_version,
            account=account,
            node_subnets=tuple(network.private_subnets),
            kms_key_arn=key.arn,
            log_retention_days=cloud.log_retention_days,
            node_groups=dict(cluster.node_groups),
            endpoint_public_access=cluster.endpoint_public_access,
            public_access_cidrs=cluster.public_access_cidrs,
            oidc_thumbprints=cloud.oidc_thumbprints,
            emulated=cloud.endpoint is not None,
        ),
    )
    backup = BackupTarget(
        scope,
        "backup",
        BackupTargetProps(
            cluster_name=name,
            prefix=env.backup.prefix,
            retention_days=env.backup.retention_days,
            account=account,
            kms_key_arn=key.arn,
            oidc_provider_arn=eks.oidc_provider.arn,
            oidc_issuer_url=eks.oidc_issuer_url,
            namespace=env.backup.namespace,
            service_account=env.backup.service_account,
            emulated=cloud.endpoint is not None,
            signing_key=env.backup.signing.key
            if env.backup.signing is not None and env.backup.signing.kind == "aws-kms"
            else None,
            region=cloud.region,
        ),
    )
    return ClusterFacts(
        cluster_name=eks.cluster.ref("name"),
        cluster_endpoint=eks.cluster.ref("endpoint"),
        cluster_ca_data=eks.cluster.ref("certificate_authority[0].data"),
        oidc_issuer_url=eks.oidc_issuer_url,
        backup_bucket=backup.bucket.id,
        backup_identity=backup.role_arn,
        backup_target=backup.target,
    )
