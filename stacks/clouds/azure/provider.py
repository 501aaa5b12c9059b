"""The ``azurerm`` provider block, without the prebuilt binding (a handful of overrides)."""

from __future__ import annotations

from constructs import Construct

from stacks.clouds.azure.settings import AzureSettings
from stacks.engine import engine

__all__ = ["AZURERM_PROVIDER_VERSION", "AzurermProvider"]

# A current 4.x; the schema tests read the bindings generated from 4.55.0.
AZURERM_PROVIDER_VERSION = "~> 4.55"


class AzurermProvider(engine.TerraformProvider):
    def __init__(self, scope: Construct, id: str, cloud: AzureSettings) -> None:
        super().__init__(
            scope,
            id,
            terraform_resource_type="azurerm",
            terraform_provider_source="hashicorp/azurerm",
            terraform_generator_metadata=engine.TerraformProviderGeneratorMetadata(
                provider_name="azurerm", provider_version_constraint=AZURERM_PROVIDER_VERSION
            ),
        )
        self.add_override("features", [{}])
        # Storage data-plane calls with Entra ID: the backup account has shared keys off.
        self.add_override("storage_use_azuread", True)
        if cloud.subscription_id is not None:
            self.add_override("subscription_id", cloud.subscription_id)
