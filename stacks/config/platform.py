"""Platform settings: what ``<env>-platform`` installs into the cluster, typed, with defaults.

Every default of the platform stack lives here, next to its field; the environment model in
``model.py`` holds one ``platform`` and one ``versions`` member. Nothing floats: chart
versions are exact, images are pinned by tag (not ``latest``) or digest.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from stacks.config.types import Duration, Frozen, Name

__all__ = [
    "BackupJobSettings",
    "ChartVersions",
    "DrillSettings",
    "FluxSettings",
    "GatewaySettings",
    "ImageRef",
    "ImageVersions",
    "LimitSettings",
    "ListenerSettings",
    "MonitoringSettings",
    "NamespaceSettings",
    "PlatformSettings",
    "Quantity",
    "QuotaSettings",
    "SopsSettings",
    "Version",
    "Versions",
    "image_digest",
]

_QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$")
_VERSION = re.compile(r"^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$")
_IMAGE = re.compile(
    r"^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+"  # registry/repository
    r"(:(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(@sha256:(?P<digest>[a-f0-9]{64}))?$"
)


def _quantity(value: str) -> str:
    if not _QUANTITY.fullmatch(value):
        raise ValueError("expected a Kubernetes quantity such as 500m, 2, 512Mi or 4Gi")
    return value


def _version(value: str) -> str:
    if not _VERSION.fullmatch(value):
        raise ValueError(
            "expected an exact version such as 1.2.3 or v1.2.3 (no ranges, no 'latest')"
        )
    return value


def _image(value: str) -> str:
    match = _IMAGE.fullmatch(value)
    if not match or not (match.group("tag") or match.group("digest")):
        raise ValueError(
            "expected an image pinned by tag or digest, e.g. registry/name:1.2.3 or "
            "registry/name@sha256:<64 hex>"
        )
    if match.group("tag") == "latest" and not match.group("digest"):
        raise ValueError("'latest' floats: pin a version tag or a digest")
    return value


def image_digest(value: str) -> str | None:
    """The ``sha256:<hex>`` an image ref is pinned to, or None for a tag-only ref."""
    match = _IMAGE.fullmatch(value)
    return f"sha256:{match.group('digest')}" if match and match.group("digest") else None


Quantity = Annotated[str, AfterValidator(_quantity)]
Version = Annotated[str, AfterValidator(_version)]
ImageRef = Annotated[str, AfterValidator(_image)]


class QuotaSettings(Frozen):
    """The namespace's ResourceQuota (``hard``)."""

    requests_cpu: Quantity = "2"
    requests_memory: Quantity = "4Gi"
    limits_cpu: Quantity = "4"
    limits_memory: Quantity = "8Gi"
    pods: int = Field(30, ge=1, le=10000)


class LimitSettings(Frozen):
    """The namespace's LimitRange for containers: defaults for pods that set none, and a max."""

    default_request_cpu: Quantity = "100m"
    default_request_memory: Quantity = "128Mi"
    default_cpu: Quantity = "500m"
    default_memory: Quantity = "512Mi"
    max_cpu: Quantity = "2"
    max_memory: Quantity = "4Gi"


class NamespaceSettings(Frozen):
    quota: QuotaSettings = QuotaSettings()
    limits: LimitSettings = LimitSettings()
    labels: dict[str, str] = Field(default_factory=dict)
    egress_https: bool = Field(
        False, description="Allow egress to TCP 443 anywhere (APIs, git, registries)."
    )


class ListenerSettings(Frozen):
    protocol: Literal["HTTP", "HTTPS"]
    port: int = Field(ge=1, le=65535)
    hostname: str | None = Field(None, pattern=r"^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    tls_secret: Name | None = Field(
        None, description="Secret (in the gateway namespace) holding the certificate; HTTPS only."
    )


class GatewaySettings(Frozen):
    namespace: Name = "gateway-system"
    name: Name = "platform"
    class_name: Name = "envoy"
    controller_replicas: int = Field(1, ge=1, le=5)
    listeners: dict[Name, ListenerSettings] = Field(
        default_factory=lambda: {"http": ListenerSettings(protocol="HTTP", port=80)},
        min_length=1,
    )
    redirect_http_to_https: bool = Field(
        True, description="With both kinds of listener, an HTTPRoute redirects HTTP to HTTPS."
    )


class MonitoringSettings(Frozen):
    namespace: Name = "monitoring"
    retention: str = Field("15d", pattern=r"^[0-9]+(h|d|w|y)$")
    storage_size: Quantity = "50Gi"
    storage_class: str | None = Field(None, description="None: the cluster's default class.")
    replicas: int = Field(1, ge=1, le=5)
    backup_max_age_hours: int = Field(
        26, ge=1, description="Alert when the backup CronJob has not succeeded for this long."
    )
    flux_not_ready_for: Duration = "15m"
    grafana: bool = Field(
        False, description="Off: its chart default admin password would be a secret in values."
    )


class SopsSettings(Frozen):
    enabled: bool = False
    provider: Literal["sops"] = "sops"
    key_secret: Name = Field(
        "sops-age", description="Secret in the Flux namespace holding the decryption key."
    )


class FluxSettings(Frozen):
    namespace: Name = "flux-system"
    git_secret: Name | None = Field(
        "flux-system",
        description="Name of a Secret (created outside this repo: read-only deploy key or "
        "token) Flux pulls with; None for a public repo. Never the credential itself.",
    )
    components: tuple[
        Literal[
            "source-controller",
            "kustomize-controller",
            "helm-controller",
            "notification-controller",
            "image-reflector-controller",
            "image-automation-controller",
        ],
        ...,
    ] = Field(
        (
            "source-controller",
            "kustomize-controller",
            "helm-controller",
            "notification-controller",
        ),
        min_length=1,
        strict=False,
    )
    sops: SopsSettings = SopsSettings()


class BackupJobSettings(Frozen):
    """The backup CronJob that runs ``underlay backup run`` against the manifest repo."""

    schedule: str = Field("17 2 * * *", pattern=r"^\S+ \S+ \S+ \S+ \S+$")
    time_zone: str = Field("Etc/UTC", pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$")
    starting_deadline_seconds: int = Field(600, ge=10)
    successful_jobs_history_limit: int = Field(3, ge=0, le=20)
    failed_jobs_history_limit: int = Field(3, ge=1, le=20)
    backoff_limit: int = Field(2, ge=0, le=10)
    active_deadline_seconds: int = Field(1800, ge=60)
    ttl_seconds_after_finished: int = Field(86400, ge=0)
    run_as_user: int = Field(10001, ge=10000, description="Fixed non-root UID (> 10000).")
    requests_cpu: Quantity = "100m"
    requests_memory: Quantity = "256Mi"
    limits_cpu: Quantity = "500m"
    limits_memory: Quantity = "512Mi"
    work_dir_size: Quantity = "1Gi"
    keep_last: int = Field(30, ge=1, le=10000, description="`backup run --keep-last`.")
    max_age_days: int = Field(30, ge=1, le=36500, description="`backup run --max-age` (days).")
    git_secret: Name | None = Field(
        None,
        description="Secret (created outside this repo) with read access to a private manifest "
        "repo: key `ssh-privatekey` (a read-only deploy key) or `token`. Mounted read-only as "
        "files, never passed in argv or env values. None: the repo is public.",
    )
    git_secret_kind: Literal["ssh-key", "token"] = "ssh-key"


class DrillSettings(Frozen):
    """The restore-drill CronJob (``underlay backup drill``); it shares the backup job's hardening
    and resources (``backup.job``)."""

    enabled: bool = True
    schedule: str = Field("41 3 * * 0", pattern=r"^\S+ \S+ \S+ \S+ \S+$")
    max_age_days: int = Field(
        8, ge=1, le=366, description="Alert and status red when no drill succeeded for this long."
    )


class PlatformSettings(Frozen):
    teams: dict[Name, NamespaceSettings] = Field(
        default_factory=dict, description="Team namespaces; the system ones always exist."
    )
    system_namespace: NamespaceSettings = NamespaceSettings(
        quota=QuotaSettings(
            requests_cpu="4", requests_memory="8Gi", limits_cpu="8", limits_memory="16Gi"
        ),
        egress_https=True,
    )
    gateway: GatewaySettings = GatewaySettings()
    monitoring: MonitoringSettings = MonitoringSettings()
    flux: FluxSettings = FluxSettings()


class ChartVersions(Frozen):
    flux_operator: Version = "0.49.0"
    flux_instance: Version = "0.49.0"
    envoy_gateway: Version = "v1.9.0"
    gateway_crds: Version = "v1.9.0"
    kube_prometheus_stack: Version = "88.5.3"


class ImageVersions(Frozen):
    backup: ImageRef = Field(
        "ghcr.io/underlay/underlay:0.1.0",
        description="The backup job image built from docker/backup-job.Dockerfile. The default "
        "is a placeholder tag, accepted only where the job never runs for real (an emulated "
        "cloud, or no gitops.repo yet); a real env pins the digest the pipelines' image job "
        "prints: registry/name@sha256:<64 hex>.",
    )


class Versions(Frozen):
    """One table of every pinned version; envs override single entries (maps merge)."""

    flux: Version = Field(
        "2.8.7",
        description="Flux distribution the FluxInstance installs; at most the newest the "
        "flux_operator release knows (its manifests artifact is pinned to that tag).",
    )
    gateway_api: Version = Field(
        "v1.6.1", description="Gateway API CRDs bundled by the gateway_crds chart version."
    )
    charts: ChartVersions = ChartVersions()
    images: ImageVersions = ImageVersions()
