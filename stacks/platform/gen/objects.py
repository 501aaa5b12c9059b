"""The shapes generators return: Kubernetes objects as dicts, Helm releases as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stacks.config.model import Environment

__all__ = [
    "MANAGED_BY",
    "MANAGED_BY_LABEL",
    "ClusterRefs",
    "HelmRelease",
    "K8sObject",
    "common_labels",
    "metadata",
    "obj",
    "terraform_refs",
]

K8sObject = dict[str, Any]
MANAGED_BY = "underlay"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"


@dataclass(frozen=True)
class ClusterRefs:
    """What the platform reads from ``<env>-cluster``: Terraform expressions in the stack,
    the same expressions (or real values from an outputs file) in ``underlay render``."""

    cluster_name: str
    cluster_endpoint: str
    cluster_ca_data: str
    backup_identity: str
    backup_target: str


def terraform_refs(data_address: str) -> ClusterRefs:
    """References into a ``terraform_remote_state`` data source's outputs."""

    def out(name: str) -> str:
        return f"${{{data_address}.outputs.{name}}}"

    # Each field is named as the cluster contract's output it reads (a test holds them equal).
    return ClusterRefs(**{name: out(name) for name in ClusterRefs.__dataclass_fields__})


@dataclass(frozen=True)
class HelmRelease:
    """One ``helm_release``: where the chart comes from, its exact version, and its values."""

    name: str
    namespace: str
    repository: str
    chart: str
    version: str
    values: Mapping[str, Any]
    depends_on: tuple[str, ...] = ()
    """Names of releases that must be installed first (CRDs before their objects)."""
    skip_crds: bool = False
    custom_objects: tuple[K8sObject, ...] = field(default=())
    """The custom resources this release creates from its values (checked against their API)."""
    reshaped: str = ""
    """What the chart changes when it builds ``custom_objects`` from our values (names,
    labels, extra objects), said in ``render``'s output; empty when it renders them verbatim."""
    protect: bool = False
    """Terraform refuses to destroy or replace it (``lifecycle.prevent_destroy``): for releases
    whose uninstall would delete CRDs and with them every object of those kinds."""


def common_labels(env: Environment) -> dict[str, str]:
    return {MANAGED_BY_LABEL: MANAGED_BY, "underlay.io/environment": env.name}


def metadata(
    env: Environment,
    name: str,
    namespace: str | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["labels"] = {**common_labels(env), **(labels or {})}
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def obj(api_version: str, kind: str, meta: dict[str, Any], **body: Any) -> K8sObject:
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, **body}
