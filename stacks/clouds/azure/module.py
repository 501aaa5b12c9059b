"""Azure (AKS) behind the cloud contract.

Like the AWS module, the constructs load only when a stack is built: ``underlay render`` and
``underlay versions`` need only this module's facts (exec auth, workload identity).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from stacks.clouds.azure.settings import AKS_AAD_SERVER_APP_ID, AzureSettings
from stacks.clouds.contract import ClusterFacts, ExecAuth, WorkloadIdentity
from stacks.config.model import Environment
from stacks.config.yaml_source import KeyPath

if TYPE_CHECKING:
    from constructs import Construct

__all__ = ["MODULE", "AzureCloud"]


def _cloud(env: Environment) -> AzureSettings:
    assert isinstance(env.cloud, AzureSettings)
    return env.cloud


class AzureCloud:
    def check(self, env: Environment) -> Iterator[tuple[KeyPath, str]]:
        from stacks.clouds.azure.rules import check

        return check(env)

    def metadata(self, env: Environment) -> Mapping[str, str]:
        return {"cloud": "azure", "cloud_region": _cloud(env).location}

    def configure_provider(self, scope: Construct, env: Environment) -> None:
        from stacks.clouds.azure.provider import azurerm_provider
        from stacks.l1 import blocks_of

        blocks_of(scope).add_provider(azurerm_provider(_cloud(env)))

    def build_cluster(self, scope: Construct, id: str, env: Environment) -> ClusterFacts:
        from stacks.clouds.azure.cluster import build_cluster

        return build_cluster(scope, id, env)

    def exec_auth(self, env: Environment, cluster_name: str) -> ExecAuth:
        # kubelogin turns an Entra ID login (CLI, CI federation, managed identity) into the
        # token AKS wants; local accounts are off, so there is no other way in.
        return ExecAuth(
            api_version="client.authentication.k8s.io/v1beta1",
            command="kubelogin",
            args=(
                "get-token",
                "--login",
                _cloud(env).kubelogin_mode,
                "--server-id",
                AKS_AAD_SERVER_APP_ID,
            ),
        )

    def workload_identity(self, identity: str) -> WorkloadIdentity:
        # The AKS workload identity webhook: the client id on the service account, and the
        # pod label that makes it inject the federated token.
        return WorkloadIdentity(
            annotations={"azure.workload.identity/client-id": identity},
            pod_labels={"azure.workload.identity/use": "true"},
        )


MODULE = AzureCloud()
