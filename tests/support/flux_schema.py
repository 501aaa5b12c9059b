"""A field check of Flux objects against their published v1 APIs (the CRDs' OpenAPI facts).

``kubernetes-validate`` knows only core kinds. For ``GitRepository``
(source.toolkit.fluxcd.io/v1) and ``Kustomization`` (kustomize.toolkit.fluxcd.io/v1) this
checks what their CRD schemas enforce on the fields we use, plus unknown fields (a CRD prunes
them silently, hiding typos): required fields, enums, patterns. Facts from the fluxcd
source-controller and kustomize-controller v1 API references.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["check_flux_object"]

_DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$")
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

# field -> (type, required); nested specs are dicts of the same shape
_GIT_REPOSITORY_SPEC: dict[str, Any] = {
    "url": (str, True, r"^(http|https|ssh)://.*$"),
    "interval": (str, True, _DURATION.pattern),
    "timeout": (str, False, r"^([0-9]+(\.[0-9]+)?(ms|s|m))+$"),
    "ref": (
        {
            "branch": (str, False),
            "tag": (str, False),
            "semver": (str, False),
            "name": (str, False),
            "commit": (str, False),
        },
        False,
    ),
    "secretRef": ({"name": (str, True)}, False),
    "suspend": (bool, False),
    "ignore": (str, False),
    "recurseSubmodules": (bool, False),
    "provider": (str, False, r"^(generic|azure|github)$"),
    "proxySecretRef": ({"name": (str, True)}, False),
    "verify": (dict, False),
    "include": (list, False),
    "sparseCheckout": (list, False),
}
_SOURCE_REF = {
    "kind": (str, True, r"^(OCIRepository|GitRepository|Bucket|ExternalArtifact)$"),
    "name": (str, True),
    "namespace": (str, False),
    "apiVersion": (str, False),
}
_SUBSTITUTE_FROM = {
    "kind": (str, True, r"^(Secret|ConfigMap)$"),
    "name": (str, True),
    "optional": (bool, False),
}
_KUSTOMIZATION_SPEC: dict[str, Any] = {
    "interval": (str, True, _DURATION.pattern),
    "retryInterval": (str, False, _DURATION.pattern),
    "timeout": (str, False, _DURATION.pattern),
    "path": (str, False),
    "prune": (bool, True),
    "wait": (bool, False),
    "force": (bool, False),
    "suspend": (bool, False),
    "sourceRef": (_SOURCE_REF, True),
    "dependsOn": ([{"name": (str, True), "namespace": (str, False)}], False),
    "postBuild": (
        {"substitute": (dict, False), "substituteFrom": ([_SUBSTITUTE_FROM], False)},
        False,
    ),
    "targetNamespace": (str, False),
    "serviceAccountName": (str, False),
    "healthChecks": (list, False),
    "patches": (list, False),
    "images": (list, False),
    "components": (list, False),
    "decryption": (dict, False),
    "kubeConfig": (dict, False),
    "commonMetadata": (dict, False),
    "namePrefix": (str, False),
    "nameSuffix": (str, False),
    "deletionPolicy": (str, False, r"^(MirrorPrune|Delete|WaitForTermination|Orphan)$"),
}
_KINDS = {
    ("source.toolkit.fluxcd.io/v1", "GitRepository"): _GIT_REPOSITORY_SPEC,
    ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"): _KUSTOMIZATION_SPEC,
}


def check_flux_object(obj: dict[str, Any]) -> list[str]:
    """Problems with one Flux object; [] when it fits its API. Unknown kinds are a problem."""
    key = (obj.get("apiVersion"), obj.get("kind"))
    spec_schema = _KINDS.get(key)  # type: ignore[arg-type]
    if spec_schema is None:
        return [f"unknown Flux kind {key}"]
    problems = [
        f"unknown top-level field {k}"
        for k in obj
        if k not in {"apiVersion", "kind", "metadata", "spec"}
    ]
    meta = obj.get("metadata") or {}
    for field in ("name", "namespace"):
        if not isinstance(meta.get(field), str) or not _NAME.match(meta[field]):
            problems.append(f"metadata.{field} missing or not a DNS name")
    problems += _check(obj.get("spec"), spec_schema, "spec")
    return problems


def _check(value: Any, schema: Any, where: str) -> list[str]:
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return [f"{where}: expected an object"]
        problems = [f"{where}.{k}: unknown field" for k in value if k not in schema]
        for name, rule in schema.items():
            kind, required, *pattern = rule
            if name not in value:
                if required:
                    problems.append(f"{where}.{name}: required")
                continue
            problems += _check_one(value[name], kind, pattern, f"{where}.{name}")
        return problems
    return _check_one(value, schema, [], where)


def _check_one(value: Any, kind: Any, pattern: list[str], where: str) -> list[str]:
    if isinstance(kind, dict):
        return _check(value, kind, where)
    if isinstance(kind, list):
        if not isinstance(value, list):
            return [f"{where}: expected a list"]
        return [p for i, item in enumerate(value) for p in _check(item, kind[0], f"{where}[{i}]")]
    if (kind is bool and not isinstance(value, bool)) or not isinstance(value, kind):
        return [f"{where}: expected {kind.__name__}"]
    if pattern and isinstance(value, str) and not re.match(pattern[0], value):
        return [f"{where}: {value!r} does not match {pattern[0]}"]
    return []
