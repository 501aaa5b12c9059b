"""AWS behind the cloud contract: how the pieces of an EKS environment fit together."""

from __future__ import annotations

import string

from constructs import Construct

from stacks.clouds.aws.account import Account
from stacks.clouds.aws.backup_target import BackupTarget, BackupTargetProps
from stacks.clouds.aws.eks import EksCluster, EksClusterProps
from stacks.clouds.aws.encryption import EncryptionKey, EncryptionKeyProps
from stacks.clouds.aws.network import Network, NetworkProps
from stacks.clouds.aws.provider import AwsProvider
from stacks.clouds.contract import ClusterFacts, ExecAuth, WorkloadIdentity
from stacks.config.model import Environment

__all__ = ["MODULE", "AwsCloud"]


class AwsCloud:
    def configure_provider(self, scope: Construct, env: Environment) -> None:
        AwsProvider(scope, "aws", env)

    def build_cluster(self, scope: Construct, id: str, env: Environment) -> ClusterFacts:
        cloud, cluster = env.cloud, env.cluster
        name = env.cluster_name
        zones = tuple(
            f"{cloud.region}{letter}" for letter in string.ascii_lowercase[: cloud.az_count]
        )
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
                flow_log_retention_days=cluster.log_retention_days,
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
                log_retention_days=cluster.log_retention_days,
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
            ),
        )
        return ClusterFacts(
            cluster_name=eks.cluster.ref("name"),
            cluster_endpoint=eks.cluster.ref("endpoint"),
            cluster_ca_data=eks.cluster.ref("certificate_authority[0].data"),
            oidc_issuer_url=eks.oidc_issuer_url,
            backup_bucket=backup.bucket.id,
            backup_role_arn=backup.role_arn,
            backup_target=backup.target,
        )

    def exec_auth(self, env: Environment, cluster_name: str) -> ExecAuth:
        # The AWS CLI's token for EKS; credentials come from the usual AWS chain at apply time.
        return ExecAuth(
            api_version="client.authentication.k8s.io/v1beta1",
            command="aws",
            args=("eks", "get-token", "--cluster-name", cluster_name, "--region", env.cloud.region),
        )

    def workload_identity(self, identity: str) -> WorkloadIdentity:
        # IRSA: the EKS pod identity webhook reads this annotation on the service account.
        return WorkloadIdentity(annotations={"eks.amazonaws.com/role-arn": identity})


MODULE = AwsCloud()
