"""The ``azurerm`` provider block, without the prebuilt binding (a handful of overrides)."""

from __future__ import annotations

from typing import Any

from stacks.clouds.azure.settings import AzureSettings
from stacks.l1 import Provider

__all__ = ["AZURERM_PROVIDER_VERSION", "azurerm_provider"]

# A current 4.x; the schema tests read the bindings generated from 4.55.0.
AZURERM_PROVIDER_VERSION = "~> 4.55"


def azurerm_provider(cloud: AzureSettings) -> Provider:
    """``provider "azurerm"`` without the prebuilt binding: plain data."""
    attributes: dict[str, Any] = {
        "features": [{}],
        # Storage data-plane calls with Entra ID: the backup account has shared keys off.
        "storage_use_azuread": True,
    }
    if cloud.subscription_id is not None:
        attributes["subscription_id"] = cloud.subscription_id
    return Provider("azurerm", "hashicorp/azurerm", AZURERM_PROVIDER_VERSION, attributes)
