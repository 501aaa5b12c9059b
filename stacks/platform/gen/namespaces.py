"""Namespaces with Pod Security Admission labels, default-deny NetworkPolicies plus the
allowances each namespace's role needs, a ResourceQuota and a LimitRange."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from stacks.config.model import Environment
from stacks.config.platform import NamespaceSettings
from stacks.platform.gen.objects import K8sObject, metadata, obj

__all__ = [
    "PSA_LEVEL",
    "ROUTES_LABEL",
    "NamespaceSpec",
    "container_port",
    "namespace_objects",
    "namespaces",
]

PSA_LEVEL = "restricted"
ROUTES_LABEL = "underlay.io/gateway-routes"
"""Namespace label the Gateway's listeners select routes by (value: the Gateway's name)."""
DNS_NAMESPACE = "kube-system"
Role = Literal["flux", "gateway", "monitoring", "backup", "team"]


@dataclass(frozen=True)
class NamespaceSpec:
    name: str
    role: Role
    settings: NamespaceSettings


def namespaces(env: Environment) -> list[NamespaceSpec]:
    """The system namespaces (one per platform component), then the team namespaces."""
    p = env.platform
    system = p.system_namespace
    return [
        NamespaceSpec(p.flux.namespace, "flux", system),
        NamespaceSpec(p.gateway.namespace, "gateway", system),
        NamespaceSpec(p.monitoring.namespace, "monitoring", system),
        NamespaceSpec(env.backup.namespace, "backup", system),
        *(NamespaceSpec(name, "team", s) for name, s in sorted(p.teams.items())),
    ]


def container_port(port: int) -> int:
    """Envoy Gateway maps a privileged listener port to port + 10000 in the proxy pod."""
    return port + 10000 if port < 1024 else port


def _ns_selector(name: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def _policy(env: Environment, ns: str, name: str, spec: dict[str, Any]) -> K8sObject:
    return obj("networking.k8s.io/v1", "NetworkPolicy", metadata(env, name, ns), spec=spec)


def _policies(env: Environment, spec: NamespaceSpec) -> list[K8sObject]:
    """``default-deny`` and ``allow-dns`` everywhere; then one ``allow-<role>`` policy with
    the rules the namespace's role needs (NetworkPolicies add up, so one policy per namespace
    keeps the set small and readable)."""
    ns, role = spec.name, spec.role
    p = env.platform
    everything: dict[str, Any] = {"podSelector": {}}
    policies = [
        _policy(env, ns, "default-deny", {**everything, "policyTypes": ["Ingress", "Egress"]}),
        _policy(
            env,
            ns,
            "allow-dns",
            {
                **everything,
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                **_ns_selector(DNS_NAMESPACE),
                                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                            }
                        ],
                        "ports": [
                            {"protocol": "UDP", "port": 53},
                            {"protocol": "TCP", "port": 53},
                        ],
                    }
                ],
            },
        ),
    ]
    if role == "backup":
        return policies  # the backup job's own egress policy allows 443 (gen/backup_job.py)
    # Pods of one namespace talk to each other; Prometheus scrapes every namespace.
    ingress: list[dict[str, Any]] = [{"from": [{"podSelector": {}}]}]
    egress: list[dict[str, Any]] = [{"to": [{"podSelector": {}}]}]
    if role != "monitoring":
        ingress.append({"from": [_ns_selector(p.monitoring.namespace)]})
    if role == "team":
        ingress.append({"from": [_ns_selector(p.gateway.namespace)]})
    if role == "gateway":
        ports = sorted({container_port(lst.port) for lst in p.gateway.listeners.values()})
        ingress.append({"ports": [{"protocol": "TCP", "port": port} for port in ports]})
    if role in ("monitoring", "gateway"):
        # Prometheus scrapes every namespace; the gateway forwards to team backends.
        egress.append({"to": [{"namespaceSelector": {}}]})
    if spec.settings.egress_https:
        egress.append({"ports": [{"protocol": "TCP", "port": 443}]})
    policies.append(
        _policy(
            env,
            ns,
            f"allow-{role}",
            {
                **everything,
                "policyTypes": ["Ingress", "Egress"],
                "ingress": ingress,
                "egress": egress,
            },
        )
    )
    return policies


def namespace_objects(env: Environment, spec: NamespaceSpec) -> list[K8sObject]:
    ns, s = spec.name, spec.settings
    psa_version = f"v{env.cluster.kubernetes_version}"
    labels = {
        **s.labels,
        "underlay.io/role": spec.role,
        **{
            f"pod-security.kubernetes.io/{mode}{suffix}": value
            for mode in ("enforce", "audit", "warn")
            for suffix, value in (("", PSA_LEVEL), ("-version", psa_version))
        },
    }
    if spec.role in ("team", "gateway"):
        # The listeners admit routes from namespaces with this label (gen/gateway.py); the
        # gateway namespace holds the HTTP -> HTTPS redirect route, so it carries it too.
        labels[ROUTES_LABEL] = env.platform.gateway.name
    quota, limits = s.quota, s.limits
    return [
        obj("v1", "Namespace", metadata(env, ns, labels=labels)),
        *_policies(env, spec),
        obj(
            "v1",
            "ResourceQuota",
            metadata(env, "quota", ns),
            spec={
                "hard": {
                    "requests.cpu": quota.requests_cpu,
                    "requests.memory": quota.requests_memory,
                    "limits.cpu": quota.limits_cpu,
                    "limits.memory": quota.limits_memory,
                    "pods": str(quota.pods),
                }
            },
        ),
        obj(
            "v1",
            "LimitRange",
            metadata(env, "limits", ns),
            spec={
                "limits": [
                    {
                        "type": "Container",
                        "defaultRequest": {
                            "cpu": limits.default_request_cpu,
                            "memory": limits.default_request_memory,
                        },
                        "default": {"cpu": limits.default_cpu, "memory": limits.default_memory},
                        "max": {"cpu": limits.max_cpu, "memory": limits.max_memory},
                    }
                ]
            },
        ),
    ]
