"""The effective versions table of an environment, as rows (``underlay versions ENV``)."""

from __future__ import annotations

from stacks.config.model import Environment
from stacks.platform.gen.flux import FLUX_OPERATOR_REPO
from stacks.platform.gen.gateway import ENVOY_GATEWAY_REPO
from stacks.platform.gen.monitoring import PROMETHEUS_COMMUNITY_REPO

__all__ = ["version_rows"]


def version_rows(env: Environment) -> list[tuple[str, str, str, str]]:
    """``(key in versions, what, version, source)`` for every pinned thing."""
    v, c = env.versions, env.versions.charts
    return [
        ("flux", "Flux distribution (FluxInstance)", v.flux, "ghcr.io/fluxcd"),
        ("gateway_api", "Gateway API CRDs (standard)", v.gateway_api, "via gateway_crds chart"),
        ("charts.flux_operator", "chart flux-operator", c.flux_operator, FLUX_OPERATOR_REPO),
        ("charts.flux_instance", "chart flux-instance", c.flux_instance, FLUX_OPERATOR_REPO),
        ("charts.gateway_crds", "chart gateway-crds-helm", c.gateway_crds, ENVOY_GATEWAY_REPO),
        ("charts.envoy_gateway", "chart gateway-helm", c.envoy_gateway, ENVOY_GATEWAY_REPO),
        (
            "charts.kube_prometheus_stack",
            "chart kube-prometheus-stack",
            c.kube_prometheus_stack,
            PROMETHEUS_COMMUNITY_REPO,
        ),
        ("images.backup", "backup job image", v.images.backup, "container registry"),
    ]
