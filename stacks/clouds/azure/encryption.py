"""The Key Vault and key that encrypt Kubernetes secrets at rest (AKS KMS), and the control
plane's identity that may use the key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from constructs import Construct

from stacks.clouds.azure.foundation import Foundation, unique_name
from stacks.l1 import ResourceGroup

__all__ = ["SecretsKey", "SecretsKeyProps"]


@dataclass(frozen=True)
class SecretsKeyProps:
    name: str
    location: str
    foundation: Foundation
    terraform_ip_rules: tuple[str, ...] = ()
    """Where Terraform runs from (CI egress): the vault's firewall admits only these and Azure's
    trusted services (AKS KMS)."""
    tags: Mapping[str, str] = field(default_factory=dict)


class SecretsKey(ResourceGroup):
    def __init__(self, scope: Construct, id: str, props: SecretsKeyProps) -> None:
        super().__init__(scope, id)
        base = props.foundation
        at = {"resource_group_name": base.group.ref("name"), "location": props.location}
        self.vault = self.resource(
            "azurerm_key_vault",
            "vault",
            {
                "name": unique_name(props.name, "kv", 24, base.group),
                **at,
                "tenant_id": base.tenant_id,
                "sku_name": "premium",
                "rbac_authorization_enabled": True,
                "purge_protection_enabled": True,
                "soft_delete_retention_days": 90,
                "public_network_access_enabled": True,
                "network_acls": {
                    "default_action": "Deny",
                    "bypass": "AzureServices",
                    "ip_rules": list(props.terraform_ip_rules),
                },
                "tags": dict(props.tags),
            },
        )
        # Terraform itself creates the key: it needs the crypto officer role on this vault.
        officer = self.resource(
            "azurerm_role_assignment",
            "terraform_crypto_officer",
            {
                "scope": self.vault.id,
                "role_definition_name": "Key Vault Crypto Officer",
                "principal_id": base.client.ref("object_id"),
            },
        )
        self.key = self.resource(
            "azurerm_key_vault_key",
            "secrets",
            {
                "name": f"{props.name}-secrets",
                "key_vault_id": self.vault.id,
                "key_type": "RSA-HSM",
                "key_size": 2048,
                "key_opts": ["decrypt", "encrypt", "unwrapKey", "wrapKey"],
                "expiration_date": '${timeadd(plantimestamp(), "8760h")}',
                "rotation_policy": {
                    "expire_after": "P1Y",
                    "notify_before_expiry": "P30D",
                    "automatic": {"time_before_expiry": "P60D"},
                },
            },
            depends_on=[officer],
            lifecycle={"ignore_changes": ["expiration_date"]},
        )
        base.private_endpoint(self, "vault", self.vault, "vault", "vaultcore")
        # Node OS and data disks are encrypted with the same key (a disk encryption set).
        self.disk_encryption = self.resource(
            "azurerm_disk_encryption_set",
            "disks",
            {
                "name": f"{props.name}-disks",
                **at,
                "key_vault_key_id": self.key.ref("versionless_id"),
                "auto_key_rotation_enabled": True,
                "identity": {"type": "SystemAssigned"},
                "tags": dict(props.tags),
            },
        )
        self.disk_grant = self.resource(
            "azurerm_role_assignment",
            "disks_crypto_user",
            {
                "scope": self.vault.id,
                "role_definition_name": "Key Vault Crypto Service Encryption User",
                "principal_id": self.disk_encryption.ref("identity[0].principal_id"),
            },
        )
        self.identity = self.resource(
            "azurerm_user_assigned_identity",
            "control_plane",
            {"name": f"{props.name}-control-plane", **at, "tags": dict(props.tags)},
        )
        self.grant = self.resource(
            "azurerm_role_assignment",
            "control_plane_crypto_user",
            {
                "scope": self.vault.id,
                "role_definition_name": "Key Vault Crypto User",
                "principal_id": self.identity.ref("principal_id"),
            },
        )
