"""The constructs of the platform stack: typed kubernetes resources and Helm releases, each
group one :class:`~stacks.platform.direct.DirectResourceGroup` (plain Python; its blocks are
merged into the stack JSON after synth: stacks/platform/direct.py says why)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from constructs import Construct

from stacks.l1 import Resource, ResourceGroup, tf_name
from stacks.platform.gen.convert import helm_release_attributes, resource_type, to_terraform
from stacks.platform.gen.objects import HelmRelease, K8sObject

__all__ = [
    "ChartReleases",
    "ChartReleasesProps",
    "KubernetesObjects",
    "KubernetesObjectsProps",
    "Namespaces",
    "NamespacesProps",
]


def _local_name(o: K8sObject) -> str:
    meta = o["metadata"]
    return tf_name(meta.get("namespace", ""), meta["name"])


@dataclass(frozen=True)
class KubernetesObjectsProps:
    objects: Sequence[K8sObject]
    depends_on: Sequence[Resource] = ()
    """Created first (the namespace of these objects)."""


class KubernetesObjects(ResourceGroup):
    """Typed resources for ``objects``, in order: each after ``depends_on`` and the objects
    before it (the ServiceAccount exists before the CronJob that runs as it)."""

    def __init__(self, scope: Construct, id: str, props: KubernetesObjectsProps) -> None:
        super().__init__(scope, id)
        created: list[Resource] = []
        for o in props.objects:
            created.append(
                self.resource(
                    resource_type(o),
                    _local_name(o),
                    to_terraform(o),
                    depends_on=[*props.depends_on, *created] or None,
                )
            )


@dataclass(frozen=True)
class NamespacesProps:
    namespaces: Mapping[str, Sequence[K8sObject]]
    """Per namespace: its Namespace object first, then the objects that live in it."""


class Namespaces(ResourceGroup):
    """Namespaces with their PSA labels, NetworkPolicies, ResourceQuota and LimitRange."""

    def __init__(self, scope: Construct, id: str, props: NamespacesProps) -> None:
        super().__init__(scope, id)
        self._namespaces: dict[str, Resource] = {}
        for name, (namespace, *inside) in props.namespaces.items():
            ns = self.resource(resource_type(namespace), tf_name(name), to_terraform(namespace))
            self._namespaces[name] = ns
            for o in inside:
                self.resource(resource_type(o), _local_name(o), to_terraform(o), depends_on=[ns])

    def namespace(self, name: str) -> Resource:
        return self._namespaces[name]


@dataclass(frozen=True)
class ChartReleasesProps:
    releases: Sequence[HelmRelease]
    namespace: Resource
    """The namespace resource the releases install into (created by ``Namespaces``)."""


class ChartReleases(ResourceGroup):
    """``helm_release``s, in order, each after the releases it names in ``depends_on``."""

    def __init__(self, scope: Construct, id: str, props: ChartReleasesProps) -> None:
        super().__init__(scope, id)
        self.releases: dict[str, Resource] = {}
        for release in props.releases:
            after = [props.namespace, *(self.releases[d] for d in release.depends_on)]
            self.releases[release.name] = self.resource(
                "helm_release",
                tf_name(release.name),
                helm_release_attributes(release),
                depends_on=after,
                lifecycle={"prevent_destroy": True} if release.protect else None,
            )
