"""The environment's resource group, tenant facts, network, and the Key Vault key that
encrypts Kubernetes secrets (KMS)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

from constructs import Construct

from stacks.l1 import Resource, ResourceGroup, expression

__all__ = ["PRIVATE_DNS_ZONES", "Foundation", "FoundationProps", "unique_name"]

# The private DNS zones of the services reached through private endpoints (blob, key vault).
PRIVATE_DNS_ZONES = ("privatelink.blob.core.windows.net", "privatelink.vaultcore.azure.net")


def unique_name(base: str, suffix: str, limit: int, seed: Resource) -> str:
    """A globally unique Azure name (storage accounts, key vaults): the letters and digits of
    ``base`` cut to fit ``limit``, ``suffix``, then 6 hex characters of the hash of ``seed``'s
    id (the resource group's id holds the subscription)."""
    stem = "".join(c for c in base.lower() if c.isalnum())
    digest = f"${{substr(sha1({expression(seed.id)}), 0, 6)}}"
    return f"{stem[: limit - len(suffix) - 6]}{suffix}{digest}"


@dataclass(frozen=True)
class FoundationProps:
    name: str
    location: str
    vnet_cidr: str
    tags: Mapping[str, str] = field(default_factory=dict)


class Foundation(ResourceGroup):
    def __init__(self, scope: Construct, id: str, props: FoundationProps) -> None:
        super().__init__(scope, id)
        tags = dict(props.tags)
        self._name = props.name
        self.client = self.data("azurerm_client_config", "current", {})
        self.group = self.resource(
            "azurerm_resource_group",
            "group",
            {"name": f"{props.name}-rg", "location": props.location, "tags": tags},
        )
        at = {"resource_group_name": self.group.ref("name"), "location": props.location}
        vnet = ipaddress.ip_network(props.vnet_cidr)
        self.vnet = self.resource(
            "azurerm_virtual_network",
            "vnet",
            {"name": f"{props.name}-vnet", **at, "address_space": [str(vnet)], "tags": tags},
        )
        nodes, endpoints, *_ = vnet.subnets(prefixlen_diff=4)
        # The API server's own subnet (VNet integration): the last /28 of the VNet.
        apiserver = list(vnet.subnets(new_prefix=28))[-1]
        self.nodes_subnet: Resource = self.resource(
            "azurerm_subnet",
            "nodes",
            {
                "name": "nodes",
                "resource_group_name": self.group.ref("name"),
                "virtual_network_name": self.vnet.ref("name"),
                "address_prefixes": [str(nodes)],
                # The backup job reaches its storage account through this endpoint only.
                "service_endpoints": ["Microsoft.Storage"],
                "default_outbound_access_enabled": False,
            },
        )
        self.apiserver_subnet: Resource = self.resource(
            "azurerm_subnet",
            "apiserver",
            {
                "name": "apiserver",
                "resource_group_name": self.group.ref("name"),
                "virtual_network_name": self.vnet.ref("name"),
                "address_prefixes": [str(apiserver)],
                "default_outbound_access_enabled": False,
                "delegation": [
                    {
                        "name": "aks-apiserver",
                        "service_delegation": {
                            "name": "Microsoft.ContainerService/managedClusters",
                            "actions": ["Microsoft.Network/virtualNetworks/subnets/join/action"],
                        },
                    }
                ],
            },
        )
        self.endpoints_subnet: Resource = self.resource(
            "azurerm_subnet",
            "endpoints",
            {
                "name": "private-endpoints",
                "resource_group_name": self.group.ref("name"),
                "virtual_network_name": self.vnet.ref("name"),
                "address_prefixes": [str(endpoints)],
                "default_outbound_access_enabled": False,
                "private_endpoint_network_policies": "Enabled",
            },
        )
        # Every subnet gets its own NSG (Azure's default rules: VNet-internal in, nothing else).
        for subnet in ("nodes", "apiserver", "endpoints"):
            nsg = self.resource(
                "azurerm_network_security_group",
                f"{subnet}_nsg",
                {"name": f"{props.name}-{subnet}", **at, "tags": tags},
            )
            self.resource(
                "azurerm_subnet_network_security_group_association",
                f"{subnet}_nsg",
                {"subnet_id": self.ref_of(subnet), "network_security_group_id": nsg.id},
            )
        self.zones: dict[str, Resource] = {}
        for zone in PRIVATE_DNS_ZONES:
            key = zone.split(".")[1]
            self.zones[key] = self.resource(
                "azurerm_private_dns_zone",
                f"{key}_zone",
                {"name": zone, "resource_group_name": self.group.ref("name"), "tags": tags},
            )
            self.resource(
                "azurerm_private_dns_zone_virtual_network_link",
                f"{key}_zone",
                {
                    "name": f"{props.name}-{key}",
                    "resource_group_name": self.group.ref("name"),
                    "private_dns_zone_name": self.zones[key].ref("name"),
                    "virtual_network_id": self.vnet.id,
                    "tags": tags,
                },
            )
        self.tenant_id = self.client.ref("tenant_id")
        self._at = at
        self._tags = tags

    def ref_of(self, subnet: str) -> str:
        return {
            "nodes": self.nodes_subnet.id,
            "apiserver": self.apiserver_subnet.id,
            "endpoints": self.endpoints_subnet.id,
        }[subnet]

    def private_endpoint(
        self, group: ResourceGroup, name: str, target: Resource, subresource: str, zone: str
    ) -> Resource:
        """A private endpoint for ``target``'s ``subresource`` (``blob``, ``vault``) in the
        endpoints subnet, registered in the matching private DNS zone: in-VNet clients (the
        backup job, AKS KMS) resolve the service to a private address."""
        return group.resource(
            "azurerm_private_endpoint",
            f"{name}_endpoint",
            {
                "name": f"{self._name}-{name}",
                **self._at,
                "subnet_id": self.endpoints_subnet.id,
                "private_service_connection": {
                    "name": name,
                    "private_connection_resource_id": target.id,
                    "subresource_names": [subresource],
                    "is_manual_connection": False,
                },
                "private_dns_zone_group": {
                    "name": name,
                    "private_dns_zone_ids": [self.zones[zone].id],
                },
                "tags": self._tags,
            },
        )
