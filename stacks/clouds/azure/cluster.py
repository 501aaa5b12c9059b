"""The constructs of an AKS cluster stack and how they fit together (loaded only to synth)."""

from __future__ import annotations

from constructs import Construct

from stacks.clouds.azure.aks import AksCluster, AksClusterProps
from stacks.clouds.azure.backup_target import AzureBackupTarget, AzureBackupTargetProps
from stacks.clouds.azure.encryption import SecretsKey, SecretsKeyProps
from stacks.clouds.azure.foundation import Foundation, FoundationProps
from stacks.clouds.azure.settings import AzureSettings
from stacks.clouds.contract import ClusterFacts
from stacks.config.model import Environment

__all__ = ["build_cluster"]


def build_cluster(scope: Construct, id: str, env: Environment) -> ClusterFacts:
    """Resource group, network, KMS key, AKS with its pools and logs, and the backup target."""
    cloud, cluster = env.cloud, env.cluster
    assert isinstance(cloud, AzureSettings)
    name = env.cluster_name
    # azurerm has no provider-wide default tags: every taggable resource gets these.
    tags = {"underlay-environment": env.name, **env.tags}
    foundation = Foundation(
        scope,
        "foundation",
        FoundationProps(name=name, location=cloud.location, vnet_cidr=cloud.vnet_cidr, tags=tags),
    )
    key = SecretsKey(
        scope,
        "kms",
        SecretsKeyProps(
            name=name,
            location=cloud.location,
            foundation=foundation,
            terraform_ip_rules=cloud.terraform_ip_rules,
            tags=tags,
        ),
    )
    aks = AksCluster(
        scope,
        id,
        AksClusterProps(
            name=name,
            kubernetes_version=cluster.kubernetes_version,
            cloud=cloud,
            foundation=foundation,
            key=key,
            node_groups=dict(cluster.node_groups),
            endpoint_public_access=cluster.endpoint_public_access,
            public_access_cidrs=cluster.public_access_cidrs,
            tags=tags,
        ),
    )
    backup = AzureBackupTarget(
        scope,
        "backup",
        AzureBackupTargetProps(
            name=name,
            cloud=cloud,
            foundation=foundation,
            key=key,
            prefix=env.backup.prefix,
            retention_days=env.backup.retention_days,
            oidc_issuer_url=aks.oidc_issuer_url,
            log_workspace_id=aks.logs.id,
            namespace=env.backup.namespace,
            service_account=env.backup.service_account,
            tags=tags,
        ),
    )
    fqdn = "private_fqdn" if not cluster.endpoint_public_access else "fqdn"
    return ClusterFacts(
        cluster_name=aks.cluster.ref("name"),
        cluster_endpoint=f"https://{aks.cluster.ref(fqdn)}:443",
        # The CA is public, but the provider marks all of kube_config sensitive.
        cluster_ca_data="${nonsensitive(azurerm_kubernetes_cluster."
        + aks.cluster.name
        + ".kube_config[0].cluster_ca_certificate)}",
        oidc_issuer_url=aks.oidc_issuer_url,
        backup_bucket=backup.account.ref("name"),
        backup_identity=backup.client_id,
        backup_target=backup.target,
    )
