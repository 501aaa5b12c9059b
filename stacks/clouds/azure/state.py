"""Terraform state in Azure Blob Storage (``state: {backend: azurerm, ...}``), locked by blob
leases and reached with Entra ID (no storage account keys)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from stacks.config.types import Frozen

__all__ = ["AzurermState"]


class AzurermState(Frozen):
    backend: Literal["azurerm"]
    resource_group_name: str = Field(pattern=r"^[-\w._()]{1,90}$")
    storage_account_name: str = Field(pattern=r"^[a-z0-9]{3,24}$")
    container_name: str = Field("tfstate", pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
    key_prefix: str = "underlay"

    def backend_config(self, stack_name: str, project_root: str) -> dict[str, Any]:
        """The ``azurerm`` backend's settings (``project_root`` unused: state is in the blob)."""
        return {
            "resource_group_name": self.resource_group_name,
            "storage_account_name": self.storage_account_name,
            "container_name": self.container_name,
            "key": f"{self.key_prefix}/{stack_name}.tfstate",
            # Entra ID, never the account key: the state account has shared keys off.
            "use_azuread_auth": True,
        }
