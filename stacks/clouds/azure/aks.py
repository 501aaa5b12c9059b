"""AKS: the control plane (Entra ID RBAC, no local accounts, OIDC issuer and workload identity,
KMS-encrypted secrets, Azure CNI overlay), its node pools, and control-plane logs."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from stacks.clouds.azure.encryption import SecretsKey
from stacks.clouds.azure.foundation import Foundation
from stacks.clouds.azure.rules import pool_name
from stacks.clouds.azure.settings import AzureSettings
from stacks.config.model import NodeGroup
from stacks.l1 import ResourceGroup

__all__ = ["CONTROL_PLANE_LOG_CATEGORIES", "AksCluster", "AksClusterProps"]

CONTROL_PLANE_LOG_CATEGORIES = (
    "kube-apiserver",
    "kube-audit-admin",
    "kube-controller-manager",
    "kube-scheduler",
    "cluster-autoscaler",
    "guard",
)
_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute"}
_EFFECTS["PREFER_NO_SCHEDULE"] = "PreferNoSchedule"


@dataclass(frozen=True)
class AksClusterProps:
    name: str
    kubernetes_version: str
    cloud: AzureSettings
    foundation: Foundation
    key: SecretsKey
    node_groups: Mapping[str, NodeGroup]
    """The first is the system pool (critical add-ons only when others exist), the rest user."""
    endpoint_public_access: bool = False
    """Left out: a private cluster, its API server reachable inside the VNet only."""
    public_access_cidrs: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


def _pool(name: str, group: NodeGroup, cloud: AzureSettings) -> dict[str, Any]:
    autoscale = group.min_size != group.max_size
    pool: dict[str, Any] = {
        "name": pool_name(name),
        "vm_size": group.instance_types[0],
        "zones": list(cloud.zones),
        "os_disk_size_gb": group.disk_size_gb,
        "os_disk_type": cloud.os_disk_type,
        "auto_scaling_enabled": autoscale,
        "node_count": group.desired_size,
        "min_count": group.min_size if autoscale else None,
        "max_count": group.max_size if autoscale else None,
        "node_labels": dict(group.labels) or None,
        "upgrade_settings": {"max_surge": "33%"},
        "host_encryption_enabled": True,
        "max_pods": 110,
    }
    return pool


class AksCluster(ResourceGroup):
    def __init__(self, scope: Construct, id: str, props: AksClusterProps) -> None:
        super().__init__(scope, id)
        cloud, base = props.cloud, props.foundation
        at = {"resource_group_name": base.group.ref("name"), "location": cloud.location}
        tags = dict(props.tags)
        self.logs = self.resource(
            "azurerm_log_analytics_workspace",
            "logs",
            {
                "name": f"{props.name}-logs",
                **at,
                "sku": "PerGB2018",
                "retention_in_days": cloud.log_retention_days,
                "local_authentication_enabled": False,
                "tags": tags,
            },
        )
        (system_name, system), *user_groups = props.node_groups.items()
        default_pool = {
            **_pool(system_name, system, cloud),
            "vnet_subnet_id": base.nodes_subnet.id,
            # With user pools present, the system pool runs critical add-ons only.
            "only_critical_addons_enabled": bool(user_groups),
            "temporary_name_for_rotation": "rotating",
        }
        network = {
            "network_plugin": "azure",
            "network_plugin_mode": "overlay",
            "network_policy": cloud.network_policy,
            "network_data_plane": "cilium" if cloud.network_policy == "cilium" else "azure",
            "pod_cidr": cloud.pod_cidr,
            "service_cidr": cloud.service_cidr,
            "dns_service_ip": _tenth_address(cloud.service_cidr),
            "load_balancer_sku": "standard",
        }
        access: dict[str, Any] = {
            "virtual_network_integration_enabled": True,
            "subnet_id": base.apiserver_subnet.id,
        }
        if props.endpoint_public_access:
            access["authorized_ip_ranges"] = list(props.public_access_cidrs)
        self.cluster = self.resource(
            "azurerm_kubernetes_cluster",
            "cluster",
            {
                "name": props.name,
                **at,
                "dns_prefix": props.name,
                "kubernetes_version": props.kubernetes_version,
                "sku_tier": cloud.sku_tier,
                "private_cluster_enabled": not props.endpoint_public_access,
                "local_account_disabled": True,
                "role_based_access_control_enabled": True,
                "azure_active_directory_role_based_access_control": {
                    "azure_rbac_enabled": True,
                    "tenant_id": base.tenant_id,
                    "admin_group_object_ids": list(cloud.admin_group_object_ids),
                },
                "oidc_issuer_enabled": True,
                "workload_identity_enabled": True,
                "azure_policy_enabled": True,
                "automatic_upgrade_channel": "patch",
                "node_os_upgrade_channel": "NodeImage",
                "identity": {"type": "UserAssigned", "identity_ids": [props.key.identity.id]},
                "key_management_service": {
                    "key_vault_key_id": props.key.key.id,
                    "key_vault_network_access": "Private",
                },
                "api_server_access_profile": access,
                "disk_encryption_set_id": props.key.disk_encryption.id,
                # Container insights into the same workspace, with managed identity auth.
                "oms_agent": {
                    "log_analytics_workspace_id": self.logs.id,
                    "msi_auth_for_monitoring_enabled": True,
                },
                "key_vault_secrets_provider": {
                    "secret_rotation_enabled": True,
                    "secret_rotation_interval": "2m",
                },
                "default_node_pool": default_pool,
                "network_profile": network,
                "tags": tags,
            },
            depends_on=[props.key.grant, props.key.disk_grant],
        )
        cluster_id = self.cluster.id
        for name, group in user_groups:
            pool = _pool(name, group, cloud)
            self.resource(
                "azurerm_kubernetes_cluster_node_pool",
                f"pool_{pool_name(name)}",
                {
                    **pool,
                    "kubernetes_cluster_id": cluster_id,
                    "mode": "User",
                    "vnet_subnet_id": base.nodes_subnet.id,
                    "node_taints": [f"{t.key}={t.value}:{_EFFECTS[t.effect]}" for t in group.taints]
                    or None,
                    **(
                        {"priority": "Spot", "eviction_policy": "Delete", "spot_max_price": -1}
                        if group.capacity_type == "SPOT"
                        else {}
                    ),
                    "tags": tags,
                },
            )
        self.resource(
            "azurerm_monitor_diagnostic_setting",
            "control_plane_logs",
            {
                "name": "control-plane",
                "target_resource_id": cluster_id,
                "log_analytics_workspace_id": self.logs.id,
                "log_analytics_destination_type": "Dedicated",
                "enabled_log": [{"category": c} for c in CONTROL_PLANE_LOG_CATEGORIES],
            },
        )
        self.oidc_issuer_url = self.cluster.ref("oidc_issuer_url")


def _tenth_address(cidr: str) -> str:
    """The cluster DNS service's address: the 10th of the service range, as AKS suggests."""
    return str(ipaddress.ip_network(cidr)[10])
