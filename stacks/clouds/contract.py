"""The contract every cloud module honours (Kubestack's idea): config in, the same facts out.

Swapping clouds swaps one module; stacks, outputs and the platform stack read only these facts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from stacks.config.model import Environment
from stacks.config.yaml_source import KeyPath

if TYPE_CHECKING:
    from constructs import Construct

__all__ = [
    "OUTPUT_ALIASES",
    "OUTPUT_DESCRIPTIONS",
    "OUTPUT_NAMES",
    "CloudModule",
    "ClusterFacts",
    "ExecAuth",
    "WorkloadIdentity",
]


@dataclass(frozen=True)
class ClusterFacts:
    """Terraform expressions for what a cluster stack hands on (its outputs)."""

    cluster_name: str
    cluster_endpoint: str
    cluster_ca_data: str
    oidc_issuer_url: str
    backup_bucket: str
    backup_identity: str
    """What the backup job's service account becomes: an IAM role ARN (AWS), a managed
    identity's client id (Azure)."""
    backup_target: str


# Output names of every ``<env>-cluster`` stack, in order; the outputs file other tools read.
OUTPUT_NAMES = tuple(ClusterFacts.__dataclass_fields__)

# Outputs renamed since a release, old name -> new name. For one release the cluster stack also
# emits the old name (same value) and readers accept a file that has only the old name, so
# outputs files, scripts and Flux substitutions that use it keep working. Remove in 0.3.
OUTPUT_ALIASES: Mapping[str, str] = {"backup_role_arn": "backup_identity"}

OUTPUT_DESCRIPTIONS: Mapping[str, str] = {
    "cluster_name": "Kubernetes cluster name",
    "cluster_endpoint": "API server URL",
    "cluster_ca_data": "API server CA certificate (base64 PEM; public)",
    "oidc_issuer_url": "OIDC issuer that workload identities trust",
    "backup_bucket": "Where manifest-repo backups are stored (bucket or storage account)",
    "backup_identity": "Cloud identity the backup job's service account assumes",
    "backup_target": "Backup target URL for `underlay backup run --to`",
    "backup_role_arn": "Deprecated alias of backup_identity (removed in 0.3)",
}


@dataclass(frozen=True)
class ExecAuth:
    """A client-go exec credential plugin: how kubernetes/helm providers get a token."""

    api_version: str
    command: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class WorkloadIdentity:
    """How a pod's service account assumes a cloud identity (annotations and pod labels)."""

    annotations: Mapping[str, str]
    pod_labels: Mapping[str, str] = field(default_factory=dict)


class CloudModule(Protocol):
    def check(self, env: Environment) -> Iterator[tuple[KeyPath, str]]:
        """The cloud's own rules for ``env`` (what its APIs accept), as ``(key path, problem)``;
        the loader reports the first one as file:line. Called after the types are checked."""

    def metadata(self, env: Environment) -> Mapping[str, str]:
        """Public, environment-derived facts of the cloud for the manifest repo's
        cluster-metadata ConfigMap (e.g. the region), keyed by Flux-substitution-safe names."""

    def configure_provider(self, scope: Construct, env: Environment) -> None:
        """Declare the cloud's Terraform provider in ``scope`` (a stack)."""

    def build_cluster(self, scope: Construct, id: str, env: Environment) -> ClusterFacts:
        """Create network, cluster, node groups, OIDC identity and the backup target."""

    def exec_auth(self, env: Environment, cluster_name: str) -> ExecAuth:
        """The exec plugin that returns a token for ``cluster_name`` (a Terraform expression)."""

    def workload_identity(self, identity: str) -> WorkloadIdentity:
        """Bind a service account to ``identity`` (the cluster output ``backup_identity``)."""
