"""The manifest repo's layout for one environment, as data: options in, files out.

No git and no cluster here, so the layout can be tested (``kubectl kustomize``, schema checks)
without either. Two kinds of file come out:

* ``managed``: derived from the environment (Flux objects, cluster metadata); rewritten by every
  bootstrap so the repo follows the config, and never hand-edited.
* ``seed``: a starting point (overlay skeletons, README, the example app) written once when
  absent, then the user's: bootstrap never rewrites it, nor writes it again once the user
  deleted it; ``set-image`` and ``promote`` edit only an overlay's ``images:``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field

from stacks.clouds import cloud_module
from stacks.clouds.contract import OUTPUT_ALIASES
from stacks.config import Environment
from stacks.config.types import Frozen
from stacks.platform.gen.objects import MANAGED_BY, MANAGED_BY_LABEL
from stacks.yaml_out import dump_all

__all__ = [
    "EXAMPLE_APP",
    "EXAMPLE_IMAGE",
    "EXAMPLE_TAG",
    "METADATA_CONFIGMAP",
    "LayoutOptions",
    "Manifest",
    "env_paths",
    "generate_layout",
    "metadata_facts",
]

METADATA_CONFIGMAP = "cluster-metadata"
RETRY_INTERVAL = "2m"
# The example workload in apps/base, so `set-image`, `promote` and `rollback` have something to
# act on from the first bootstrap: podinfo, Flux's own demo app, at a pinned tag.
EXAMPLE_APP = "apps/base/example-app.yaml"
EXAMPLE_IMAGE = "ghcr.io/stefanprodan/podinfo"
EXAMPLE_TAG = "6.7.1"
EXAMPLE_NAMESPACE = "example"
TIMEOUT = "5m"


class Manifest(Frozen):
    """One file of the layout: a repo-relative POSIX path, its full text, and who owns edits."""

    path: str = Field(pattern=r"^[A-Za-z0-9_.][A-Za-z0-9_./-]*$")
    content: str
    mode: Literal["managed", "seed"]
    referenced_by: str | None = Field(
        None,
        description="The seed that lists this one: it is written only together with that file, "
        "so a repo that already has its own never gets an unreferenced file beside it.",
    )


class LayoutOptions(Frozen):
    """Everything the layout depends on; equal options give byte-equal files."""

    env: Environment
    outputs: dict[str, str] | None = None


def env_paths(env: Environment) -> tuple[str, ...]:
    """The folders that belong to ``env`` alone: what rollback may touch."""
    return (env.gitops_path.strip("/") + "/", f"apps/{env.name}/")


def metadata_facts(env: Environment, outputs: dict[str, str] | None) -> dict[str, str]:
    """The cluster-metadata ConfigMap data: env facts, then the cluster stack's outputs if given.

    Keys are valid Flux substitution variable names; only public facts (the CA is public).
    """
    facts = {
        "env": env.name,
        "cluster_name": env.cluster_name,
        "gitops_path": env.gitops_path,
        "backup_prefix": env.backup.prefix,
        "backup_namespace": env.backup.namespace,
        "backup_service_account": env.backup.service_account,
    }
    facts.update(cloud_module(env.cloud.kind).metadata(env))
    facts.update(outputs or {})
    # Renamed outputs keep their old key for one release (Flux substitutions may use it).
    facts.update({old: facts[new] for old, new in OUTPUT_ALIASES.items() if new in facts})
    return dict(sorted(facts.items()))


def generate_layout(options: LayoutOptions) -> list[Manifest]:
    """All files bootstrap wants for ``options.env``, sorted by path."""
    env = options.env
    cluster_dir = env.gitops_path.strip("/")
    flux = env.platform.flux
    # The Flux Operator names the GitRepository it syncs from (and the root Kustomization)
    # after the FluxInstance's namespace: one fact, ``platform.flux.namespace``.
    namespace = source_name = flux.namespace
    managed = _managed_header(env.name)
    substitute = {"substituteFrom": [{"kind": "ConfigMap", "name": METADATA_CONFIGMAP}]}

    def kustomization(name: str, path: str, depends_on: str | None) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        if depends_on:
            spec["dependsOn"] = [{"name": depends_on}]
        spec |= {
            "interval": env.gitops.interval,
            "retryInterval": _shorter(RETRY_INTERVAL, env.gitops.interval),
            "timeout": TIMEOUT,
            "path": path,
            "prune": True,
            "wait": True,
            "sourceRef": {"kind": "GitRepository", "name": source_name},
            "postBuild": substitute,
        }
        if flux.sops.enabled:
            # The root Kustomization's decryption (gen/flux.py) does not reach the children
            # that apply the user's content: each decrypts with the same key.
            spec["decryption"] = {
                "provider": flux.sops.provider,
                "secretRef": {"name": flux.sops.key_secret},
            }
        return _object("kustomize.toolkit.fluxcd.io/v1", "Kustomization", name, namespace, spec)

    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": METADATA_CONFIGMAP,
            "namespace": namespace,
            "labels": {MANAGED_BY_LABEL: MANAGED_BY},
        },
        "data": metadata_facts(env, options.outputs),
    }
    files = [
        Manifest(
            path=f"{cluster_dir}/cluster-metadata.yaml",
            content=managed
            + (
                "# Without --outputs only env-derived facts are here.\n"
                if not options.outputs
                else ""
            )
            + _dump_all([configmap]),
            mode="managed",
        ),
        Manifest(
            path=f"{cluster_dir}/infrastructure.yaml",
            content=managed
            + _dump_all(
                [
                    kustomization("infra-controllers", "./infrastructure/controllers", None),
                    kustomization("infra-configs", "./infrastructure/configs", "infra-controllers"),
                ]
            ),
            mode="managed",
        ),
        Manifest(
            path=f"{cluster_dir}/apps.yaml",
            content=managed
            + _dump_all([kustomization("apps", f"./apps/{env.name}", "infra-configs")]),
            mode="managed",
        ),
        Manifest(
            path=f"{cluster_dir}/kustomization.yaml",
            content=managed
            + _dump_all(
                [_kustomize(["cluster-metadata.yaml", "infrastructure.yaml", "apps.yaml"])]
            ),
            mode="managed",
        ),
        _seed(
            "infrastructure/controllers/kustomization.yaml",
            "Cluster add-ons (CRDs, controllers) every environment runs; reconciled first.",
        ),
        _seed(
            "infrastructure/configs/kustomization.yaml",
            "Configuration that needs the controllers' CRDs (issuers, policies); second.",
        ),
        _seed(
            "apps/base/kustomization.yaml",
            "Workloads shared by all environments.",
            [EXAMPLE_APP.removeprefix("apps/base/")],
        ),
        Manifest(
            path=EXAMPLE_APP,
            content=_example_app(),
            mode="seed",
            referenced_by="apps/base/kustomization.yaml",
        ),
        _seed(
            f"apps/{env.name}/kustomization.yaml",
            f"The {env.name} overlay of apps/base. `underlay set-image` and `underlay promote`\n"
            "# pin image tags here (kustomize's `images:`); the rest is yours.",
            ["../base"],
        ),
        Manifest(path="README.md", content=README, mode="seed"),
    ]
    return sorted(files, key=lambda m: m.path)


def _managed_header(env_name: str) -> str:
    return (
        f"# Managed by `underlay bootstrap {env_name}` from environments/{env_name}.yaml.\n"
        "# Do not edit: change the environment file and re-run bootstrap instead.\n"
    )


def _seed(path: str, purpose: str, resources: list[str] | None = None) -> Manifest:
    header = (
        f"# {purpose}\n"
        "# Created by `underlay bootstrap`; yours to edit: underlay never rewrites this file.\n"
    )
    return Manifest(
        path=path, content=header + _dump_all([_kustomize(resources or [])]), mode="seed"
    )


def _example_app() -> str:
    """A Namespace, Deployment and Service: the smallest workload Flux's `apps` applies."""

    def labels() -> dict[str, str]:  # a fresh dict each time: no YAML anchors in the output
        return {"app.kubernetes.io/name": "podinfo", "app.kubernetes.io/part-of": "example"}

    def meta() -> dict[str, Any]:
        return {"name": "podinfo", "namespace": EXAMPLE_NAMESPACE, "labels": labels()}

    container = {
        "name": "podinfo",
        "image": f"{EXAMPLE_IMAGE}:{EXAMPLE_TAG}",
        "ports": [{"name": "http", "containerPort": 9898, "protocol": "TCP"}],
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": "http"}},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
        "resources": {
            "requests": {"cpu": "10m", "memory": "32Mi"},
            "limits": {"memory": "64Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }
    documents = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": EXAMPLE_NAMESPACE,
                "labels": {"pod-security.kubernetes.io/enforce": "restricted"},
            },
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta(),
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app.kubernetes.io/name": "podinfo"}},
                "template": {
                    "metadata": {"labels": labels()},
                    "spec": {"containers": [container]},
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta(),
            "spec": {
                "selector": {"app.kubernetes.io/name": "podinfo"},
                "ports": [{"name": "http", "port": 9898, "targetPort": "http"}],
            },
        },
    ]
    header = (
        "# An example workload (podinfo, Flux's demo app) so that `underlay set-image`, `promote`\n"
        "# and `rollback` have an image to act on. Created by `underlay bootstrap`; yours: keep,\n"
        "# change or delete it (then drop it from apps/base/kustomization.yaml). Once deleted,\n"
        "# bootstrap does not bring it back.\n"
    )
    return header + _dump_all(documents)


def _kustomize(resources: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources,
    }


def _object(
    api_version: str, kind: str, name: str, namespace: str, spec: dict[str, Any]
) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def _dump_all(documents: list[dict[str, Any]]) -> str:
    text = dump_all(documents)
    return text if len(documents) > 1 else text.removeprefix("---\n")


def _seconds(duration: str) -> int:
    units = {"h": 3600, "m": 60, "s": 1}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([hms])", duration))


def _shorter(a: str, b: str) -> str:
    return a if _seconds(a) <= _seconds(b) else b


README = """\
# Manifest repository

Flux keeps each cluster in sync with this repository. Laid out by `underlay bootstrap`.

- `clusters/<env>/`: Flux's entry point for one cluster (its source, the Kustomizations, the
  `cluster-metadata` ConfigMap). Written by `underlay bootstrap` only: change the environment
  file and re-run it.
- `infrastructure/controllers/`: add-ons every cluster runs (reconciled first). Yours.
- `infrastructure/configs/`: configuration that needs those add-ons' CRDs (second). Yours.
- `apps/base/`: workloads shared by all environments. Yours. `example-app.yaml` (podinfo) is an
  example to keep, change or delete.
- `apps/<env>/`: the per-environment overlay. Image tags are pinned under `images:` by
  `underlay set-image`, `promote` and `rollback`; the rest is yours.

Order in each cluster: `infra-controllers` -> `infra-configs` -> `apps` (`dependsOn`, `wait`).
Manifests may use `${cluster_name}`, `${env}`, `${backup_bucket}`... : Flux substitutes them from
the `cluster-metadata` ConfigMap (`postBuild.substituteFrom`).

`.underlay/owned.json` records the files underlay created; it never deletes or rewrites others.
"""
