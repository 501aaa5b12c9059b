"""Everything ``<env>-platform`` creates, as data: the one source for the stack and for render."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stacks.config.model import Environment
from stacks.platform.gen.backup_job import backup_objects
from stacks.platform.gen.flux import flux_releases
from stacks.platform.gen.gateway import gateway_releases
from stacks.platform.gen.monitoring import monitoring_releases
from stacks.platform.gen.namespaces import namespace_objects, namespaces
from stacks.platform.gen.objects import ClusterRefs, HelmRelease, K8sObject
from stacks.yaml_out import dump_all

__all__ = [
    "OBJECTS_CHART",
    "OBJECTS_CHART_DIR",
    "PlatformPlan",
    "platform_plan",
    "render_files",
    "to_yaml",
]

OBJECTS_CHART_DIR = "stacks/platform/charts/objects"
"""The in-repo chart for the Gateway objects, relative to the project root (as rendered)."""
OBJECTS_CHART = Path(__file__).resolve().parents[1] / "charts" / "objects"
"""The same chart where the package is installed (what the stacks point Terraform at)."""


@dataclass(frozen=True)
class PlatformPlan:
    namespaces: Mapping[str, tuple[K8sObject, ...]]
    """Per namespace: the Namespace, its NetworkPolicies, ResourceQuota and LimitRange."""
    backup: tuple[K8sObject, ...]
    releases: tuple[HelmRelease, ...]

    @property
    def objects(self) -> list[K8sObject]:
        """Every core object the stack creates itself (not through a chart)."""
        return [o for group in self.namespaces.values() for o in group] + list(self.backup)

    @property
    def custom_objects(self) -> list[K8sObject]:
        return [o for r in self.releases for o in r.custom_objects]


def platform_plan(
    env: Environment,
    refs: ClusterRefs,
    identity_annotations: Mapping[str, str],
    identity_pod_labels: Mapping[str, str],
    objects_chart: str = OBJECTS_CHART_DIR,
) -> PlatformPlan:
    return PlatformPlan(
        namespaces={s.name: tuple(namespace_objects(env, s)) for s in namespaces(env)},
        backup=tuple(backup_objects(env, refs, identity_annotations, identity_pod_labels)),
        releases=(
            *flux_releases(env),
            *gateway_releases(env, objects_chart),
            *monitoring_releases(env),
        ),
    )


def to_yaml(documents: list[Any]) -> str:
    return dump_all(documents)


def release_document(release: HelmRelease) -> dict[str, Any]:
    return {
        "release": {
            "name": release.name,
            "namespace": release.namespace,
            "repository": release.repository,
            "chart": release.chart,
            "version": release.version,
            "skip_crds": release.skip_crds,
            "protect": release.protect,
            "depends_on": list(release.depends_on),
        },
        "values": _plain(release.values),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def render_files(plan: PlatformPlan) -> dict[str, str]:
    """Relative path -> YAML: ``objects/`` (core, one file per namespace + backup),
    ``releases/<name>.yaml`` (release and values), ``custom/`` (what the charts render from
    our values: FluxInstance, Gateway API objects, PrometheusRule)."""
    files = {f"objects/namespace-{ns}.yaml": to_yaml(list(o)) for ns, o in plan.namespaces.items()}
    files["objects/backup.yaml"] = to_yaml(list(plan.backup))
    for release in plan.releases:
        files[f"releases/{release.name}.yaml"] = to_yaml([release_document(release)])
        if release.custom_objects:
            note = "".join(f"# {line}\n" for line in release.reshaped.splitlines())
            files[f"custom/{release.name}.yaml"] = note + to_yaml(list(release.custom_objects))
    return dict(sorted(files.items()))
