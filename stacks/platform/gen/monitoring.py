"""kube-prometheus-stack, pinned: retention and storage per env, Flux controllers scraped,
Flux object readiness from kube-state-metrics, and the two alerts the issue asks for."""

from __future__ import annotations

from typing import Any

from stacks.config.model import Environment
from stacks.platform.gen.backup_job import CRONJOB_NAME, DRILL_CRONJOB_NAME
from stacks.platform.gen.objects import HelmRelease, K8sObject, metadata, obj

__all__ = ["PROMETHEUS_COMMUNITY_REPO", "alert_rules", "monitoring_releases"]

PROMETHEUS_COMMUNITY_REPO = "https://prometheus-community.github.io/helm-charts"
FLUX_KINDS = (
    ("kustomize.toolkit.fluxcd.io", "v1", "Kustomization", "kustomizations"),
    ("source.toolkit.fluxcd.io", "v1", "GitRepository", "gitrepositories"),
    ("helm.toolkit.fluxcd.io", "v2", "HelmRelease", "helmreleases"),
)


def alert_rules(env: Environment) -> dict[str, Any]:
    m, b = env.platform.monitoring, env.backup
    cron = f'namespace="{b.namespace}", cronjob="{CRONJOB_NAME}"'
    drill = f'namespace="{b.namespace}", cronjob="{DRILL_CRONJOB_NAME}"'
    rules: dict[str, Any] = {
        "groups": [
            {
                "name": "underlay.flux",
                "rules": [
                    {
                        "alert": "FluxKustomizationNotReady",
                        "expr": (
                            "max by (exported_namespace, name) (gotk_resource_info{"
                            'customresource_kind="Kustomization", ready!="True"}) > 0'
                        ),
                        "for": m.flux_not_ready_for,
                        "labels": {"severity": "critical"},
                        "annotations": {
                            "summary": "Flux Kustomization {{ $labels.exported_namespace }}/"
                            "{{ $labels.name }} is not Ready",
                        },
                    }
                ],
            },
            {
                "name": "underlay.backup",
                "rules": [
                    {
                        "alert": "ManifestRepoBackupMissing",
                        "expr": (
                            f"(time() - max(kube_cronjob_status_last_successful_time{{{cron}}}))"
                            f" > {m.backup_max_age_hours * 3600}"
                            f" or absent(kube_cronjob_status_last_successful_time{{{cron}}})"
                        ),
                        "for": "30m",
                        "labels": {"severity": "critical"},
                        "annotations": {
                            "summary": f"No successful manifest-repo backup for "
                            f"{m.backup_max_age_hours} hours",
                        },
                    }
                ],
            },
        ]
    }
    if b.drill.enabled:
        # The drill job succeeds only when `underlay backup drill` proved the newest backup
        # restores (it exits non-zero on any failure), so its last success is the last good drill.
        rules["groups"][1]["rules"].append(
            {
                "alert": "ManifestRepoRestoreDrillMissing",
                "expr": (
                    f"(time() - max(kube_cronjob_status_last_successful_time{{{drill}}}))"
                    f" > {b.drill.max_age_days * 86400}"
                    f" or absent(kube_cronjob_status_last_successful_time{{{drill}}})"
                ),
                "for": "1h",
                "labels": {"severity": "critical"},
                "annotations": {
                    "summary": f"No successful restore drill of the manifest-repo backup in "
                    f"{b.drill.max_age_days} days",
                    "runbook": "docs/monitoring.md#restore-drill",
                },
            }
        )
    return rules


def _flux_state_metrics() -> dict[str, Any]:
    """kube-state-metrics custom resource state for Flux objects (``gotk_resource_info``),
    the metric Flux's own monitoring guide defines since Flux 2.1 dropped controller gauges."""
    resources = []
    for group, version, kind, _ in FLUX_KINDS:
        resources.append(
            {
                "groupVersionKind": {"group": group, "version": version, "kind": kind},
                "metricNamePrefix": "gotk",
                "metrics": [
                    {
                        "name": "resource_info",
                        "help": "The current state of a Flux resource.",
                        "each": {
                            "type": "Info",
                            "info": {"labelsFromPath": {"name": ["metadata", "name"]}},
                        },
                        "labelsFromPath": {
                            "exported_namespace": ["metadata", "namespace"],
                            "ready": ["status", "conditions", "[type=Ready]", "status"],
                            "suspended": ["spec", "suspend"],
                        },
                    }
                ],
            }
        )
    return {"spec": {"resources": resources}}


def monitoring_objects(env: Environment) -> list[K8sObject]:
    """The PrometheusRule the chart renders from ``additionalPrometheusRulesMap``."""
    ns = env.platform.monitoring.namespace
    return [
        obj(
            "monitoring.coreos.com/v1",
            "PrometheusRule",
            metadata(env, "underlay-platform", ns),
            spec=alert_rules(env),
        )
    ]


def monitoring_releases(env: Environment) -> list[HelmRelease]:
    m = env.platform.monitoring
    flux_ns = env.platform.flux.namespace
    storage: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": m.storage_size}},
    }
    if m.storage_class:
        storage["storageClassName"] = m.storage_class
    values: dict[str, Any] = {
        "grafana": {"enabled": m.grafana},
        # node-exporter needs hostNetwork/hostPID/hostPath: PSA `restricted` forbids them.
        "nodeExporter": {"enabled": False},
        "prometheus": {
            "prometheusSpec": {
                "replicas": m.replicas,
                "retention": m.retention,
                "storageSpec": {"volumeClaimTemplate": {"spec": storage}},
                "podMonitorSelectorNilUsesHelmValues": False,
                "serviceMonitorSelectorNilUsesHelmValues": False,
                "ruleSelectorNilUsesHelmValues": False,
                "resources": {
                    "requests": {"cpu": "200m", "memory": "1Gi"},
                    "limits": {"cpu": "1", "memory": "3Gi"},
                },
            },
            "additionalPodMonitors": [
                {
                    "name": "flux-controllers",
                    "namespaceSelector": {"matchNames": [flux_ns]},
                    "selector": {
                        "matchExpressions": [
                            {
                                "key": "app",
                                "operator": "In",
                                "values": [c for c in env.platform.flux.components],
                            }
                        ]
                    },
                    "podMetricsEndpoints": [{"port": "http-prom"}],
                }
            ],
        },
        "alertmanager": {"alertmanagerSpec": {"replicas": m.replicas}},
        "kube-state-metrics": {
            "rbac": {
                "extraRules": [
                    {
                        "apiGroups": [group for group, _, _, _ in FLUX_KINDS],
                        "resources": [plural for _, _, _, plural in FLUX_KINDS],
                        "verbs": ["list", "watch"],
                    }
                ]
            },
            "customResourceState": {"enabled": True, "config": _flux_state_metrics()},
        },
        "additionalPrometheusRulesMap": {"underlay-platform": alert_rules(env)},
    }
    return [
        HelmRelease(
            name="kube-prometheus-stack",
            namespace=m.namespace,
            repository=PROMETHEUS_COMMUNITY_REPO,
            chart="kube-prometheus-stack",
            version=env.versions.charts.kube_prometheus_stack,
            values=values,
            custom_objects=tuple(monitoring_objects(env)),
            reshaped=(
                "Reshaped by the kube-prometheus-stack chart: the PrometheusRule below is named\n"
                "<release fullname>-underlay-platform and carries the chart's labels (app,\n"
                "release, chart, heritage) instead of these. The chart also creates a PodMonitor\n"
                "for the Flux controllers from prometheus.additionalPodMonitors (see\n"
                "releases/kube-prometheus-stack.yaml), which is not listed here."
            ),
        )
    ]
