"""Kubernetes objects (API field names) -> typed kubernetes provider resources (Terraform).

The hashicorp/kubernetes provider's ``*_v1`` resources mirror the API with snake_case names,
nested objects as blocks, a few singular block names (``container``, ``volume``, ``limit``) and
a few integers typed as strings. The tests check every emitted attribute against the
provider's schema (docs/platform.md: the schema source), so a mapping mistake fails there.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

from stacks.platform.gen.objects import HelmRelease, K8sObject

__all__ = ["RESOURCE_TYPES", "helm_release_attributes", "resource_type", "to_terraform"]

RESOURCE_TYPES = {
    ("v1", "Namespace"): "kubernetes_namespace_v1",
    ("v1", "ResourceQuota"): "kubernetes_resource_quota_v1",
    ("v1", "LimitRange"): "kubernetes_limit_range_v1",
    ("v1", "ServiceAccount"): "kubernetes_service_account_v1",
    ("networking.k8s.io/v1", "NetworkPolicy"): "kubernetes_network_policy_v1",
    ("batch/v1", "CronJob"): "kubernetes_cron_job_v1",
}
# Objects whose values are string maps in the provider, not blocks.
_MAPS = {
    "labels",
    "annotations",
    "match_labels",
    "hard",
    "requests",
    "limits",
    "default",
    "default_request",
    "max",
    "min",
    "node_selector",
}
# Repeated blocks the provider names in the singular.
_SINGULAR = {
    "containers": "container",
    "volumes": "volume",
    "volumeMounts": "volume_mount",
    "limits": "limit",
}
# API field -> provider name where it is not plain snake_case.
_RENAMED = {"timeZone": "timezone"}
# Integers in the API that the provider types as strings.
_STRINGS = {
    "default_mode",
    "run_as_user",
    "run_as_group",
    "fs_group",
    "port",
    "ttl_seconds_after_finished",
}
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def resource_type(o: K8sObject) -> str:
    try:
        return RESOURCE_TYPES[(o["apiVersion"], o["kind"])]
    except KeyError:
        raise ValueError(
            f"no typed kubernetes resource for {o['apiVersion']} {o['kind']}"
        ) from None


@functools.cache
def _snake(key: str) -> str:
    # Cached: a few dozen distinct keys, met ~800 times per environment.
    return _RENAMED.get(key) or _CAMEL.sub(r"_\1", key).lower()


def _convert(value: Any, key: str) -> Any:
    if type(value) is str:  # most leaves; skips the ABC checks below
        return value
    if key in _MAPS and isinstance(value, Mapping):
        return {k: str(v) for k, v in value.items()}
    if isinstance(value, Mapping):
        return _convert_map(value)
    if isinstance(value, list):
        return [_convert(v, key) for v in value]
    if key in _STRINGS and isinstance(value, int) and not isinstance(value, bool):
        # The provider takes file modes as octal strings ("0400").
        return f"0{value:o}" if key == "default_mode" else str(value)
    return value


def _convert_map(value: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in value.items():
        name = _name(k, v)
        out[name] = _convert(v, name)
    return out


def _name(key: str, value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], Mapping) and key in _SINGULAR:
        return _SINGULAR[key]
    return _snake(key)


def to_terraform(o: K8sObject) -> dict[str, Any]:
    """The attributes of the typed resource for ``o``."""
    return _convert_map({k: v for k, v in o.items() if k not in ("apiVersion", "kind")})


def helm_release_attributes(release: HelmRelease) -> dict[str, Any]:
    """A ``helm_release``; values as one JSON document (valid YAML, exact, deterministic)."""
    values = json.dumps(release.values, sort_keys=True, separators=(",", ":"))
    if "%{" in values:
        raise ValueError(f"{release.name}: '%{{' would start a Terraform template directive")
    attributes: dict[str, Any] = {
        "name": release.name,
        "namespace": release.namespace,
        "chart": release.chart,
        "version": release.version,
        "values": [values],
        "atomic": True,
        "cleanup_on_fail": True,
        "max_history": 5,
        "timeout": 600,
    }
    if release.repository:
        attributes["repository"] = release.repository
    if release.skip_crds:
        attributes["skip_crds"] = True
    return attributes
