"""The kubernetes and helm providers, configured from ``<env>-cluster``'s outputs.

The cluster stack's state is read with ``terraform_remote_state`` on the same backend settings
(local path or S3). Authentication is the cloud's exec plugin (``aws eks get-token`` on AWS,
from the cloud contract), so no token or key is ever written into the JSON or the state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs import Construct

from stacks.backend import backend_config
from stacks.clouds.contract import ExecAuth
from stacks.config.model import StateSettings
from stacks.l1 import DataSource, Provider, ResourceGroup, expression
from stacks.platform.gen.objects import ClusterRefs, terraform_refs

__all__ = [
    "HELM_PROVIDER_VERSION",
    "KUBERNETES_PROVIDER_VERSION",
    "ClusterOutputs",
    "ClusterOutputsProps",
    "helm_provider",
    "kubernetes_provider",
]

# The versions whose schema the tests check against (cdktf prebuilt bindings 12.1.x carry
# hashicorp/kubernetes 2.38.0 and hashicorp/helm 3.1.1); `~>` admits later patch releases.
KUBERNETES_PROVIDER_VERSION = "~> 2.38.0"
HELM_PROVIDER_VERSION = "~> 3.1.1"


@dataclass(frozen=True)
class ClusterOutputsProps:
    state: StateSettings
    cluster_stack: str
    project_root: str
    """The project folder relative to this stack's synth folder (local state lives there)."""


class ClusterOutputs(ResourceGroup):
    """``data.terraform_remote_state.cluster_outputs``: the cluster stack's outputs."""

    def __init__(self, scope: Construct, id: str, props: ClusterOutputsProps) -> None:
        super().__init__(scope, id)
        self.state: DataSource = self.data(
            "terraform_remote_state", "outputs", _remote_state(props)
        )
        self.refs: ClusterRefs = terraform_refs(self.state.address)


def _remote_state(props: ClusterOutputsProps) -> dict[str, Any]:
    backend, config = backend_config(props.state, props.cluster_stack, props.project_root)
    if backend == "s3":
        del config["use_lockfile"]  # a reader takes no lock
    return {"backend": backend, "config": config}


def _connection(refs: ClusterRefs, auth: ExecAuth) -> dict[str, Any]:
    return {
        "host": refs.cluster_endpoint,
        "cluster_ca_certificate": f"${{base64decode({expression(refs.cluster_ca_data)})}}",
        "exec": {"api_version": auth.api_version, "command": auth.command, "args": list(auth.args)},
    }


def kubernetes_provider(refs: ClusterRefs, auth: ExecAuth) -> Provider:
    """``provider "kubernetes"``: ``exec`` is a block (a list of one in JSON)."""
    attributes = _connection(refs, auth)
    attributes["exec"] = [attributes["exec"]]
    return Provider("kubernetes", "hashicorp/kubernetes", KUBERNETES_PROVIDER_VERSION, attributes)


def helm_provider(refs: ClusterRefs, auth: ExecAuth) -> Provider:
    """``provider "helm"``: in helm 3.x ``kubernetes`` is a nested attribute (an object)."""
    return Provider(
        "helm", "hashicorp/helm", HELM_PROVIDER_VERSION, {"kubernetes": _connection(refs, auth)}
    )
