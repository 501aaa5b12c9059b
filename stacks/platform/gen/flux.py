"""Flux v2 through the Flux Operator: the operator chart, then the ``flux-instance`` chart
carrying the FluxInstance (pinned distribution, sync to ``clusters/<env>``, SOPS-ready)."""

from __future__ import annotations

from typing import Any

from stacks.config.model import Environment
from stacks.platform.gen.objects import HelmRelease, K8sObject, metadata, obj

__all__ = ["FLUX_OPERATOR_REPO", "INSTANCE_NAME", "flux_instance", "flux_releases"]

FLUX_OPERATOR_REPO = "oci://ghcr.io/controlplaneio-fluxcd/charts"
MANIFESTS_ARTIFACT = "oci://ghcr.io/controlplaneio-fluxcd/flux-operator-manifests"
INSTANCE_NAME = "flux"  # the operator accepts exactly one FluxInstance, named flux


def _instance_spec(env: Environment) -> dict[str, Any]:
    f, v = env.platform.flux, env.versions
    spec: dict[str, Any] = {
        "distribution": {
            "version": v.flux,
            "registry": "ghcr.io/fluxcd",
            # Pinned to the operator's own release, never the floating :latest default.
            "artifact": f"{MANIFESTS_ARTIFACT}:v{v.charts.flux_operator}",
        },
        "components": list(f.components),
        "cluster": {
            "type": "kubernetes",
            "multitenant": False,
            "networkPolicy": True,
            "domain": "cluster.local",
        },
    }
    if env.gitops.repo:
        sync: dict[str, Any] = {
            "kind": "GitRepository",
            "url": env.gitops.repo,
            "ref": f"refs/heads/{env.gitops.branch}",
            "path": env.gitops_path,
            "interval": env.gitops.interval,
        }
        if f.git_secret:
            sync["pullSecret"] = f.git_secret
        spec["sync"] = sync
    if f.sops.enabled:
        spec["kustomize"] = {
            "patches": [
                {
                    "target": {"kind": "Kustomization", "name": f.namespace},
                    "patch": (
                        "- op: add\n  path: /spec/decryption\n  value:\n"
                        f"    provider: {f.sops.provider}\n"
                        f"    secretRef:\n      name: {f.sops.key_secret}\n"
                    ),
                }
            ]
        }
    return spec


def flux_instance(env: Environment) -> K8sObject:
    """The FluxInstance the flux-instance chart renders from our values."""
    return obj(
        "fluxcd.controlplane.io/v1",
        "FluxInstance",
        metadata(env, INSTANCE_NAME, env.platform.flux.namespace),
        spec=_instance_spec(env),
    )


def flux_releases(env: Environment) -> list[HelmRelease]:
    f, charts = env.platform.flux, env.versions.charts
    return [
        HelmRelease(
            name="flux-operator",
            namespace=f.namespace,
            repository=FLUX_OPERATOR_REPO,
            chart="flux-operator",
            version=charts.flux_operator,
            values={"serviceMonitor": {"create": False}},
        ),
        HelmRelease(
            name="flux",
            namespace=f.namespace,
            repository=FLUX_OPERATOR_REPO,
            chart="flux-instance",
            version=charts.flux_instance,
            values={"instance": _instance_spec(env)},
            depends_on=("flux-operator",),
            custom_objects=(flux_instance(env),),
            reshaped=(
                "Reshaped by the flux-instance chart: the FluxInstance is named flux, in the\n"
                "release namespace, with the chart's labels and annotations instead of these;\n"
                "its spec is the one below."
            ),
        ),
    ]
