"""Field checks of the platform's custom resources against their published APIs.

``kubernetes-validate`` knows only core kinds. For the custom resources the platform creates
through its charts' values, this checks the fields their CRDs define (unknown fields, required
fields, enums, patterns), in the format of ``flux_schema.py``. Sources: Gateway API v1.3
(gateway.networking.k8s.io/v1 GatewayClass, Gateway, HTTPRoute, standard channel), Flux
Operator ``fluxcd.controlplane.io/v1`` FluxInstance (its API reference and the flux-instance
chart's values), Envoy Gateway ``gateway.envoyproxy.io/v1alpha1`` EnvoyProxy (the subset we
set), prometheus-operator ``monitoring.coreos.com/v1`` PrometheusRule.
"""

from __future__ import annotations

import re
from typing import Any

from tests.support.flux_schema import _check

__all__ = ["check_custom_object"]

_DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DURATION = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"
_SELECTOR = {"matchLabels": (dict, False), "matchExpressions": (list, False)}
_SECRET_REF = {
    "group": (str, False),
    "kind": (str, False),
    "name": (str, True),
    "namespace": (str, False),
}
_LISTENER = {
    "name": (str, True, _DNS_LABEL),
    "hostname": (
        str,
        False,
        r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
    ),
    "port": (int, True),
    "protocol": (str, True, r"^(HTTP|HTTPS|TLS|TCP|UDP)$|^[a-z0-9.-]+/[A-Za-z0-9]+$"),
    "tls": (
        {
            "mode": (str, False, r"^(Terminate|Passthrough)$"),
            "certificateRefs": ([_SECRET_REF], False),
            "options": (dict, False),
        },
        False,
    ),
    "allowedRoutes": (
        {
            "namespaces": (
                {
                    "from": (str, False, r"^(All|Selector|Same|None)$"),
                    "selector": (_SELECTOR, False),
                },
                False,
            ),
            "kinds": (list, False),
        },
        False,
    ),
}
_GATEWAY = {
    "gatewayClassName": (str, True, _DNS_LABEL),
    "listeners": ([_LISTENER], True),
    "addresses": (list, False),
    "infrastructure": (dict, False),
    "backendTLS": (dict, False),
}
_GATEWAY_CLASS = {
    "controllerName": (
        str,
        True,
        r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$",
    ),
    "parametersRef": (
        {
            "group": (str, True),
            "kind": (str, True),
            "name": (str, True),
            "namespace": (str, False),
        },
        False,
    ),
    "description": (str, False),
}
_PARENT_REF = {
    "group": (str, False),
    "kind": (str, False),
    "namespace": (str, False),
    "name": (str, True),
    "sectionName": (str, False, _DNS_LABEL),
    "port": (int, False),
}
_FILTER = {
    "type": (
        str,
        True,
        r"^(RequestHeaderModifier|ResponseHeaderModifier|RequestMirror|RequestRedirect|"
        r"URLRewrite|ExtensionRef)$",
    ),
    "requestRedirect": (
        {
            "scheme": (str, False, r"^(http|https)$"),
            "hostname": (str, False),
            "path": (dict, False),
            "port": (int, False),
            "statusCode": (int, False),
        },
        False,
    ),
    "requestHeaderModifier": (dict, False),
    "responseHeaderModifier": (dict, False),
    "requestMirror": (dict, False),
    "urlRewrite": (dict, False),
    "extensionRef": (dict, False),
}
_HTTP_ROUTE = {
    "parentRefs": ([_PARENT_REF], False),
    "hostnames": ([str], False),
    "rules": (
        [
            {
                "name": (str, False),
                "matches": (list, False),
                "filters": ([_FILTER], False),
                "backendRefs": (list, False),
                "timeouts": (dict, False),
            }
        ],
        False,
    ),
}
_FLUX_INSTANCE = {
    "distribution": (
        {
            "version": (str, True),
            "registry": (str, True),
            "artifact": (str, False, r"^oci://.*$"),
            "artifactPullSecret": (str, False),
            "imagePullSecret": (str, False),
            "variant": (str, False),
        },
        True,
    ),
    "components": (
        [str],
        False,
    ),
    "cluster": (
        {
            "type": (str, False, r"^(kubernetes|openshift|aws|azure|gcp)$"),
            "size": (str, False, r"^(small|medium|large)$"),
            "multitenant": (bool, False),
            "networkPolicy": (bool, False),
            "domain": (str, False),
            "tenantDefaultServiceAccount": (str, False),
        },
        False,
    ),
    "kustomize": (
        {"patches": ([{"patch": (str, True), "target": (dict, False)}], False)},
        False,
    ),
    "sync": (
        {
            "kind": (str, True, r"^(OCIRepository|GitRepository|Bucket)$"),
            "url": (str, True),
            "ref": (str, True),
            "path": (str, True),
            "pullSecret": (str, False),
            "interval": (str, False, _DURATION),
            "provider": (str, False),
            "name": (str, False),
        },
        False,
    ),
    "sharding": (dict, False),
    "storage": (dict, False),
    "wait": (bool, False),
    "migrateResources": (bool, False),
    "commonMetadata": (dict, False),
}
_FLUX_COMPONENTS = {
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
    "image-reflector-controller",
    "image-automation-controller",
    "source-watcher",
}
_ENVOY_PROXY = {
    "provider": (
        {
            "type": (str, True, r"^(Kubernetes|Custom)$"),
            "kubernetes": (
                {
                    "envoyDeployment": (
                        {
                            "replicas": (int, False),
                            "pod": (
                                {
                                    "annotations": (dict, False),
                                    "labels": (dict, False),
                                    "securityContext": (dict, False),
                                },
                                False,
                            ),
                            "container": (
                                {
                                    "env": (list, False),
                                    "resources": (dict, False),
                                    "securityContext": (dict, False),
                                },
                                False,
                            ),
                        },
                        False,
                    ),
                    "envoyService": (dict, False),
                },
                False,
            ),
        },
        False,
    ),
}
_PROMETHEUS_RULE = {
    "groups": (
        [
            {
                "name": (str, True),
                "interval": (str, False),
                "rules": (
                    [
                        {
                            "alert": (str, False),
                            "record": (str, False),
                            "expr": (str, True),
                            "for": (
                                str,
                                False,
                                r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$",
                            ),
                            "labels": (dict, False),
                            "annotations": (dict, False),
                        }
                    ],
                    False,
                ),
            }
        ],
        False,
    ),
}
_KINDS: dict[tuple[str, str], tuple[dict[str, Any], bool]] = {
    # (apiVersion, kind): (spec fields, namespaced)
    ("gateway.networking.k8s.io/v1", "GatewayClass"): (_GATEWAY_CLASS, False),
    ("gateway.networking.k8s.io/v1", "Gateway"): (_GATEWAY, True),
    ("gateway.networking.k8s.io/v1", "HTTPRoute"): (_HTTP_ROUTE, True),
    ("gateway.envoyproxy.io/v1alpha1", "EnvoyProxy"): (_ENVOY_PROXY, True),
    ("fluxcd.controlplane.io/v1", "FluxInstance"): (_FLUX_INSTANCE, True),
    ("monitoring.coreos.com/v1", "PrometheusRule"): (_PROMETHEUS_RULE, True),
}


def check_custom_object(obj: dict[str, Any]) -> list[str]:
    """Problems with one custom resource; [] when it fits its API. Unknown kinds are a problem."""
    key = (str(obj.get("apiVersion")), str(obj.get("kind")))
    if key not in _KINDS:
        return [f"unknown custom kind {key}"]
    spec_schema, namespaced = _KINDS[key]
    problems = [
        f"unknown top-level field {k}"
        for k in obj
        if k not in {"apiVersion", "kind", "metadata", "spec"}
    ]
    meta = obj.get("metadata") or {}
    fields = ("name", "namespace") if namespaced else ("name",)
    for field in fields:
        if not isinstance(meta.get(field), str) or not _NAME.match(meta[field]):
            problems.append(f"metadata.{field} missing or not a DNS name")
    if not namespaced and "namespace" in meta:
        problems.append("metadata.namespace set on a cluster-scoped kind")
    problems += _check(obj.get("spec"), spec_schema, "spec")
    if key[1] == "FluxInstance":
        unknown = set(obj.get("spec", {}).get("components", [])) - _FLUX_COMPONENTS
        problems += [f"spec.components: unknown component {c}" for c in sorted(unknown)]
    if key[1] == "Gateway":
        for i, listener in enumerate(obj.get("spec", {}).get("listeners", [])):
            if not 1 <= listener.get("port", 0) <= 65535:
                problems.append(f"spec.listeners[{i}].port: out of range")
    return problems
