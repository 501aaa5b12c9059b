"""The Azure part of an environment file (``cloud: {kind: azure, ...}``).

A leaf module: it imports only the shared value types, so the config model can name it in its
union without an import cycle.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from stacks.config.types import Cidr, Frozen

__all__ = ["AKS_AAD_SERVER_APP_ID", "AzureSettings"]

# The application id of the AKS Entra ID server (the audience of every AKS user token); the same
# in every tenant of the public cloud. kubelogin asks Entra ID for a token for it.
AKS_AAD_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"

_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class AzureSettings(Frozen):
    kind: Literal["azure"]
    location: str = Field(pattern=r"^[a-z][a-z0-9]{2,30}$", description="e.g. westeurope")
    subscription_id: str | None = Field(
        None,
        pattern=_UUID,
        description="Left out: ARM_SUBSCRIPTION_ID at plan time (the CI's federated identity).",
    )
    vnet_cidr: Cidr = Field("10.20.0.0/16", description="The VNet; nodes get its first /+4.")
    pod_cidr: Cidr = Field("192.168.0.0/16", description="Azure CNI overlay: pod addresses.")
    service_cidr: Cidr = Field("172.16.0.0/16", description="Kubernetes service addresses.")
    network_policy: Literal["cilium", "calico", "azure"] = Field(
        "cilium", description="The network policy engine (cilium also runs the data plane)."
    )
    zones: tuple[Literal["1", "2", "3"], ...] = Field(("1", "2", "3"), strict=False)
    sku_tier: Literal["Free", "Standard", "Premium"] = Field(
        "Standard", description="Standard: the financially backed API server SLA."
    )
    admin_group_object_ids: tuple[str, ...] = Field(
        (), strict=False, description="Entra ID groups that are cluster admins (Azure RBAC)."
    )
    terraform_ip_rules: tuple[Cidr, ...] = Field(
        (),
        strict=False,
        description="Where Terraform runs from (CI egress): the Key Vault firewall admits these.",
    )
    os_disk_type: Literal["Ephemeral", "Managed"] = Field(
        "Ephemeral",
        description="Ephemeral OS disks need a VM size with a local disk (the `d` sizes).",
    )
    log_retention_days: int = Field(
        90, description="Control-plane logs in Log Analytics: 30 to 730 days."
    )
    backup_replication: Literal["LRS", "ZRS", "GRS", "GZRS"] = Field(
        "ZRS", description="Replication of the backup storage account."
    )
    kubelogin_mode: Literal["azurecli", "workloadidentity", "azurepipelines", "msi"] = Field(
        "azurecli",
        description=(
            "How kubelogin gets the Entra ID token for the kubernetes/helm providers: "
            "`azurecli` for people, `workloadidentity`/`azurepipelines` for CI federation."
        ),
    )

    @property
    def emulated(self) -> bool:
        """Always real: no Azure Resource Manager emulator exists (Azurite covers storage only)."""
        return False
