"""Where the manifest repo's backups go on Azure: a locked-down storage account and container,
and a managed identity the backup job's service account federates to (workload identity)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from constructs import Construct

from stacks.clouds.azure.encryption import SecretsKey
from stacks.clouds.azure.foundation import Foundation, unique_name
from stacks.clouds.azure.settings import AzureSettings
from stacks.l1 import ResourceGroup

__all__ = ["CONTAINER", "AzureBackupTarget", "AzureBackupTargetProps"]

CONTAINER = "backups"
TOKEN_AUDIENCE = "api://AzureADTokenExchange"


@dataclass(frozen=True)
class AzureBackupTargetProps:
    name: str
    cloud: AzureSettings
    foundation: Foundation
    key: SecretsKey
    prefix: str
    retention_days: int
    oidc_issuer_url: str
    log_workspace_id: str
    namespace: str
    service_account: str
    tags: Mapping[str, str] = field(default_factory=dict)


class AzureBackupTarget(ResourceGroup):
    def __init__(self, scope: Construct, id: str, props: AzureBackupTargetProps) -> None:
        super().__init__(scope, id)
        base, cloud = props.foundation, props.cloud
        at = {"resource_group_name": base.group.ref("name"), "location": cloud.location}
        tags = dict(props.tags)
        # The account encrypts with the environment's Key Vault key through its own identity.
        cmk_identity = self.resource(
            "azurerm_user_assigned_identity",
            "storage_cmk",
            {"name": f"{props.name}-backup-cmk", **at, "tags": tags},
        )
        cmk_grant = self.resource(
            "azurerm_role_assignment",
            "storage_cmk_crypto_user",
            {
                "scope": props.key.vault.id,
                "role_definition_name": "Key Vault Crypto Service Encryption User",
                "principal_id": cmk_identity.ref("principal_id"),
            },
        )
        self.account = self.resource(
            "azurerm_storage_account",
            "account",
            {
                "name": unique_name(props.name, "bk", 24, base.group),
                # In-VNet only: the backup job reaches the account through its private endpoint.
                "public_network_access_enabled": False,
                **at,
                "account_tier": "Standard",
                "account_replication_type": cloud.backup_replication,
                "account_kind": "StorageV2",
                "min_tls_version": "TLS1_2",
                "https_traffic_only_enabled": True,
                "allow_nested_items_to_be_public": False,
                "shared_access_key_enabled": False,
                "default_to_oauth_authentication": True,
                "cross_tenant_replication_enabled": False,
                "infrastructure_encryption_enabled": True,
                "local_user_enabled": False,
                "network_rules": {
                    "default_action": "Deny",
                    "bypass": ["AzureServices"],
                    "virtual_network_subnet_ids": [base.nodes_subnet.id],
                    "ip_rules": list(cloud.terraform_ip_rules),
                },
                "identity": {"type": "UserAssigned", "identity_ids": [cmk_identity.id]},
                "customer_managed_key": {
                    "key_vault_key_id": props.key.key.ref("versionless_id"),
                    "user_assigned_identity_id": cmk_identity.id,
                },
                "sas_policy": {"expiration_period": "00.01:00:00"},
                "blob_properties": {
                    "versioning_enabled": True,
                    "change_feed_enabled": True,
                    "delete_retention_policy": {"days": 7},
                    "container_delete_retention_policy": {"days": 7},
                },
                "queue_properties": {
                    "logging": {
                        "delete": True,
                        "read": True,
                        "write": True,
                        "version": "1.0",
                        "retention_policy_days": 10,
                    }
                },
                "tags": tags,
            },
            depends_on=[cmk_grant],
            checkov_skips={
                "CKV_AZURE_43": "the name is computed at plan time (a hash of the resource "
                "group id); unique_name() builds 3-24 lowercase letters and digits",
            },
        )
        base.private_endpoint(self, "blob", self.account, "blob", "blob")
        self.resource(
            "azurerm_monitor_diagnostic_setting",
            "blob_logs",
            {
                "name": "blob-access",
                "target_resource_id": f"{self.account.id}/blobServices/default",
                "log_analytics_workspace_id": props.log_workspace_id,
                "enabled_log": [
                    {"category": c} for c in ("StorageRead", "StorageWrite", "StorageDelete")
                ],
            },
        )
        account_id = self.account.id
        self.container = self.resource(
            "azurerm_storage_container",
            "container",
            {
                "name": CONTAINER,
                "storage_account_id": account_id,
                "container_access_type": "private",
            },
            checkov_skips={
                "CKV2_AZURE_21": "storage insights needs the account key, and shared keys "
                "are off; blob reads, writes and deletes are logged by the diagnostic "
                "setting on the blob service instead",
            },
        )
        self.resource(
            "azurerm_storage_management_policy",
            "retention",
            {
                "storage_account_id": account_id,
                "rule": [
                    {
                        "name": "backup-retention",
                        "enabled": True,
                        "filters": {
                            "blob_types": ["blockBlob"],
                            "prefix_match": [f"{CONTAINER}/{props.prefix}/"],
                        },
                        # `underlay backup run` prunes by its own retention; this catches
                        # anything it leaves (and old versions) a little later.
                        "actions": {
                            "base_blob": {
                                "delete_after_days_since_modification_greater_than": (
                                    props.retention_days
                                )
                            },
                            "version": {"delete_after_days_since_creation": props.retention_days},
                        },
                    }
                ],
            },
        )
        self.identity = self.resource(
            "azurerm_user_assigned_identity",
            "job",
            {"name": f"{props.name}-repo-backup", **at, "tags": tags},
        )
        self.resource(
            "azurerm_federated_identity_credential",
            "job",
            {
                "name": f"{props.namespace}-{props.service_account}",
                "resource_group_name": base.group.ref("name"),
                "parent_id": self.identity.id,
                "audience": [TOKEN_AUDIENCE],
                "issuer": props.oidc_issuer_url,
                "subject": f"system:serviceaccount:{props.namespace}:{props.service_account}",
            },
        )
        # Write access to this container only, nothing else in the account.
        self.resource(
            "azurerm_role_assignment",
            "job_blob_contributor",
            {
                "scope": f"{account_id}/blobServices/default/containers/{CONTAINER}",
                "role_definition_name": "Storage Blob Data Contributor",
                "principal_id": self.identity.ref("principal_id"),
                "principal_type": "ServicePrincipal",
            },
            depends_on=[self.container],
        )
        self.client_id = self.identity.ref("client_id")
        self.target = f"azblob://{self.account.ref('name')}/{CONTAINER}/{props.prefix}"
