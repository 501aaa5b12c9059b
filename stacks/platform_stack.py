"""``<env>-platform``: what runs inside the environment's cluster, deployed after ``<env>-cluster``.

Namespaces (PSA restricted, default-deny NetworkPolicies, quotas, limits), Gateway API ingress on
Envoy Gateway, kube-prometheus-stack with the platform's alerts, Flux through the Flux Operator
synced to the manifest repo, and the manifest-repo backup CronJob. Every object comes from the
pure generators in ``stacks/platform/gen`` (the same ones ``underlay render`` uses).
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from stacks.backend import configure_backend
from stacks.clouds import cloud_module
from stacks.config.model import Environment
from stacks.l1 import UnderlayStack
from stacks.platform.gen.plan import platform_plan
from stacks.platform.providers import (
    ClusterOutputs,
    ClusterOutputsProps,
    helm_provider,
    kubernetes_provider,
)
from stacks.platform.resources import (
    ChartReleases,
    ChartReleasesProps,
    KubernetesObjects,
    KubernetesObjectsProps,
    Namespaces,
    NamespacesProps,
)

__all__ = ["PlatformStack", "PlatformStackProps"]


@dataclass(frozen=True)
class PlatformStackProps:
    env: Environment
    project_root: str
    """The project folder relative to this stack's synth folder (where local state goes)."""
    objects_chart: str
    """The in-repo ``objects`` chart, relative to this stack's synth folder."""


class PlatformStack(UnderlayStack):
    def __init__(self, scope: Construct, id: str, props: PlatformStackProps) -> None:
        super().__init__(scope, id)
        env = props.env
        cloud = cloud_module(env.cloud.kind)
        configure_backend(self, env.state, id, props.project_root)
        cluster = ClusterOutputs(
            self,
            "cluster",
            ClusterOutputsProps(
                state=env.state,
                cluster_stack=f"{env.name}-cluster",
                project_root=props.project_root,
            ),
        )
        refs = cluster.refs
        auth = cloud.exec_auth(env, refs.cluster_name)
        self.blocks.add_provider(kubernetes_provider(refs, auth))
        self.blocks.add_provider(helm_provider(refs, auth))
        identity = cloud.workload_identity(refs.backup_identity)
        plan = platform_plan(
            env, refs, identity.annotations, identity.pod_labels, props.objects_chart
        )
        namespaces = Namespaces(self, "namespaces", NamespacesProps(plan.namespaces))
        platform = env.platform
        for id_, ns in (
            ("flux", platform.flux.namespace),
            ("gateway", platform.gateway.namespace),
            ("monitoring", platform.monitoring.namespace),
        ):
            ChartReleases(
                self,
                id_,
                ChartReleasesProps(
                    releases=[r for r in plan.releases if r.namespace == ns],
                    namespace=namespaces.namespace(ns),
                ),
            )
        KubernetesObjects(
            self,
            "backup_job",
            KubernetesObjectsProps(
                objects=plan.backup, depends_on=[namespaces.namespace(env.backup.namespace)]
            ),
        )
        self.blocks.add_output(
            "managed_namespaces", sorted(plan.namespaces), "Namespaces this stack manages"
        )
