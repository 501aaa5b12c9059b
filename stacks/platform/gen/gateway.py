"""Gateway API ingress on Envoy Gateway: the CRDs (pinned chart), the controller, and the
GatewayClass, EnvoyProxy, Gateway and (HTTP -> HTTPS) HTTPRoute of this environment.

The Gateway objects ride in a small chart of our own (``stacks/platform/charts/objects``) so
that no ``kubernetes_manifest`` is needed: that resource reads CRDs from the API server at plan
time, which fails before the CRDs exist (see docs/platform.md).
"""

from __future__ import annotations

from typing import Any

from stacks.config.model import Environment
from stacks.platform.gen.namespaces import ROUTES_LABEL
from stacks.platform.gen.objects import HelmRelease, K8sObject, metadata, obj

__all__ = [
    "CONTROLLER_NAME",
    "ENVOY_GATEWAY_REPO",
    "gateway_objects",
    "gateway_releases",
]

ENVOY_GATEWAY_REPO = "oci://docker.io/envoyproxy"
CONTROLLER_NAME = "gateway.envoyproxy.io/gatewayclass-controller"
GATEWAY_API = "gateway.networking.k8s.io/v1"
ENVOY_API = "gateway.envoyproxy.io/v1alpha1"


def gateway_objects(env: Environment) -> list[K8sObject]:
    g = env.platform.gateway
    ns = g.namespace
    proxy = obj(
        ENVOY_API,
        "EnvoyProxy",
        metadata(env, "restricted", ns),
        spec={
            "provider": {
                "type": "Kubernetes",
                "kubernetes": {
                    "envoyDeployment": {
                        # PSA `restricted` in the gateway namespace rejects pods without these.
                        "pod": {
                            "securityContext": {
                                "runAsNonRoot": True,
                                "seccompProfile": {"type": "RuntimeDefault"},
                            }
                        },
                        "container": {
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]},
                            }
                        },
                    }
                },
            }
        },
    )
    gateway_class = obj(
        GATEWAY_API,
        "GatewayClass",
        metadata(env, g.class_name),
        spec={
            "controllerName": CONTROLLER_NAME,
            "parametersRef": {
                "group": "gateway.envoyproxy.io",
                "kind": "EnvoyProxy",
                "name": "restricted",
                "namespace": ns,
            },
        },
    )
    listeners: list[dict[str, Any]] = []
    for name, listener in sorted(g.listeners.items()):
        entry: dict[str, Any] = {"name": name, "protocol": listener.protocol, "port": listener.port}
        if listener.hostname:
            entry["hostname"] = listener.hostname
        if listener.tls_secret:
            entry["tls"] = {
                "mode": "Terminate",
                "certificateRefs": [{"kind": "Secret", "name": listener.tls_secret}],
            }
        entry["allowedRoutes"] = {
            "namespaces": {
                "from": "Selector",
                "selector": {"matchLabels": {ROUTES_LABEL: g.name}},
            }
        }
        listeners.append(entry)
    gateway = obj(
        GATEWAY_API,
        "Gateway",
        metadata(env, g.name, ns),
        spec={"gatewayClassName": g.class_name, "listeners": listeners},
    )
    objects = [proxy, gateway_class, gateway]
    http = sorted(n for n, lst in g.listeners.items() if lst.protocol == "HTTP")
    https = [lst for lst in g.listeners.values() if lst.protocol == "HTTPS"]
    if g.redirect_http_to_https and http and https:
        for listener_name in http:
            objects.append(
                obj(
                    GATEWAY_API,
                    "HTTPRoute",
                    metadata(env, f"{listener_name}-to-https", ns),
                    spec={
                        "parentRefs": [{"name": g.name, "sectionName": listener_name}],
                        "rules": [
                            {
                                "filters": [
                                    {
                                        "type": "RequestRedirect",
                                        "requestRedirect": {
                                            "scheme": "https",
                                            "statusCode": 301,
                                            "port": https[0].port,
                                        },
                                    }
                                ]
                            }
                        ],
                    },
                )
            )
    return objects


def gateway_releases(env: Environment, objects_chart_path: str) -> list[HelmRelease]:
    g, charts = env.platform.gateway, env.versions.charts
    ns = g.namespace
    objects = gateway_objects(env)
    return [
        HelmRelease(
            name="gateway-crds",
            namespace=ns,
            repository=ENVOY_GATEWAY_REPO,
            chart="gateway-crds-helm",
            version=charts.gateway_crds,
            values={
                "crds": {
                    "gatewayAPI": {"enabled": True, "channel": "standard"},
                    "envoyGateway": {"enabled": True},
                }
            },
            # Its CRDs are chart templates: uninstalling or replacing this release deletes every
            # Gateway and HTTPRoute in the cluster. Terraform refuses that (docs/platform.md).
            protect=True,
        ),
        HelmRelease(
            name="envoy-gateway",
            namespace=ns,
            repository=ENVOY_GATEWAY_REPO,
            chart="gateway-helm",
            version=charts.envoy_gateway,
            skip_crds=True,  # installed, pinned, by gateway-crds
            values={
                "crds": {"enabled": False},
                "deployment": {"replicas": g.controller_replicas},
            },
            depends_on=("gateway-crds",),
        ),
        HelmRelease(
            name="gateway",
            namespace=ns,
            repository="",
            chart=objects_chart_path,
            version="0.1.0",
            values={"objects": objects},
            depends_on=("envoy-gateway",),
            custom_objects=tuple(objects),
        ),
    ]
