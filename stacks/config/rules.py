"""Cross-field rules, checked after the types and before any resource is built."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stacks.clouds import cloud_module
from stacks.config.model import Environment
from stacks.config.platform import image_digest
from stacks.config.yaml_source import KeyPath

__all__ = ["check_rules", "gitops_path_problem", "paths_overlap"]


def check_rules(env: Environment) -> Iterator[tuple[KeyPath, str]]:
    """Yield ``(key path, problem)`` for every rule ``env`` breaks; the loader reports the first."""
    yield from _cluster_rules(env)
    yield from cloud_module(env.cloud.kind).check(env)
    yield from _platform_rules(env)
    yield from _backup_rules(env)
    yield from _image_rules(env)
    yield from _delivery_rules(env)
    if env.gitops.path is not None and (problem := gitops_path_problem(env.gitops.path)):
        yield ("gitops", "path"), problem


_PATH_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
# Top-level entries of the manifest repo that the shared layout (or git) owns.
_RESERVED_TOP = ("apps", "infrastructure", ".underlay", ".git", "README.md")


def gitops_path_problem(path: str) -> str | None:
    """Why ``path`` cannot be an env's folder in the manifest repo, or None.

    A relative POSIX path of plain segments (letters, digits, ``_ . -``; no leading dot, so no
    ``.``/``..``/``.git``), no empty segment, outside the shared layout folders.
    """
    segments = path.split("/")
    if not path or path.startswith("/"):
        return f"{path!r} must be a relative path inside the manifest repo, e.g. clusters/dev"
    bad = next((s for s in segments if not _PATH_SEGMENT.match(s)), None)
    if bad is not None:
        return (
            f"{path!r} has a bad segment {bad!r}: use letters, digits, '_', '.', '-' "
            "(no empty, '.', '..' or hidden segments, spaces, backslashes)"
        )
    if segments[0] in _RESERVED_TOP:
        return f"{path!r} is inside {segments[0]!r}, which the shared layout owns"
    return None


def paths_overlap(a: str, b: str) -> bool:
    """True when one repo folder is the other or lies inside it."""
    x, y = a.strip("/").split("/"), b.strip("/").split("/")
    shorter = min(len(x), len(y))
    return x[:shorter] == y[:shorter]


def _cluster_rules(env: Environment) -> Iterator[tuple[KeyPath, str]]:
    cluster = env.cluster
    for name, group in cluster.node_groups.items():
        at: KeyPath = ("cluster", "node_groups", name)
        if group.min_size > group.max_size:
            yield (
                (*at, "min_size"),
                (f"min_size ({group.min_size}) must not exceed max_size ({group.max_size})"),
            )
        if not group.min_size <= group.desired_size <= group.max_size:
            yield (
                (*at, "desired_size"),
                (
                    f"desired_size ({group.desired_size}) must lie between min_size "
                    f"({group.min_size}) and max_size ({group.max_size})"
                ),
            )
    if cluster.public_access_cidrs and not cluster.endpoint_public_access:
        yield (
            ("cluster", "public_access_cidrs"),
            (
                "public_access_cidrs is set but endpoint_public_access is false; "
                "set endpoint_public_access: true or remove the CIDRs"
            ),
        )
    if cluster.endpoint_public_access and not cluster.public_access_cidrs:
        yield (
            ("cluster", "endpoint_public_access"),
            ("a public endpoint needs public_access_cidrs (0.0.0.0/0 is not assumed)"),
        )


# The signing key's cloud must be the cluster's: the job reaches it with the cluster's identity.
_SIGNING_CLOUD = {"aws-kms": "aws", "azure-key-vault": "azure"}


def _backup_rules(env: Environment) -> Iterator[tuple[KeyPath, str]]:
    signing = env.backup.signing
    if signing is None:
        return
    cloud = _SIGNING_CLOUD.get(signing.kind)
    if cloud is not None and cloud != env.cloud.kind:
        yield (
            ("backup", "signing", "kind"),
            f"{signing.kind} signing needs cloud.kind {cloud} (this env is {env.cloud.kind}): "
            "the backup job reaches the key with the cluster's identity; use the other cloud's "
            "key service or ed25519-file",
        )


def _image_rules(env: Environment) -> Iterator[tuple[KeyPath, str]]:
    """A backup job that runs for real pulls its image by digest: a tag can be moved under it."""
    if env.cloud.emulated or not env.gitops.repo:
        return
    image = env.versions.images.backup
    digest = image_digest(image)
    if digest is None or len(set(digest.removeprefix("sha256:"))) == 1:
        yield (
            ("versions", "images", "backup"),
            f"{image!r} is not pinned by a published digest: a real environment's backup job "
            "needs registry/name@sha256:<64 hex>, the digest the pipelines' image job prints "
            "(docs/platform.md)",
        )


def _platform_rules(env: Environment) -> Iterator[tuple[KeyPath, str]]:
    platform = env.platform
    system = {
        platform.flux.namespace: ("platform", "flux", "namespace"),
        platform.gateway.namespace: ("platform", "gateway", "namespace"),
        platform.monitoring.namespace: ("platform", "monitoring", "namespace"),
        env.backup.namespace: ("backup", "namespace"),
    }
    if len(system) < 4:
        yield (
            ("platform",),
            "the flux, gateway, monitoring and backup namespaces must all differ",
        )
    for team in platform.teams:
        if team in system or team in RESERVED_NAMESPACES:
            yield (
                ("platform", "teams", team),
                f"{team!r} is a system namespace; choose another team namespace name",
            )
    ports: dict[int, str] = {}
    for name, listener in platform.gateway.listeners.items():
        at: KeyPath = ("platform", "gateway", "listeners", name)
        if listener.protocol == "HTTPS" and listener.tls_secret is None:
            yield (*at, "tls_secret"), "an HTTPS listener needs tls_secret (a Secret name)"
        if listener.protocol == "HTTP" and listener.tls_secret is not None:
            yield (*at, "tls_secret"), "tls_secret applies to HTTPS listeners only"
        if listener.port in ports:
            yield (
                (*at, "port"),
                f"port {listener.port} is already used by listener {ports[listener.port]!r}",
            )
        ports[listener.port] = name
    job = env.backup.job
    if job.active_deadline_seconds <= job.starting_deadline_seconds:
        yield (
            ("backup", "job", "active_deadline_seconds"),
            f"active_deadline_seconds ({job.active_deadline_seconds}) must exceed "
            f"starting_deadline_seconds ({job.starting_deadline_seconds})",
        )
    if platform.monitoring.backup_max_age_hours * 3600 < job.active_deadline_seconds:
        yield (
            ("platform", "monitoring", "backup_max_age_hours"),
            "backup_max_age_hours is shorter than one backup run may take",
        )


# Namespaces Kubernetes or the cloud own; never a team namespace.
RESERVED_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def _delivery_rules(env: Environment) -> Iterator[tuple[KeyPath, str]]:
    delivery = env.delivery
    if delivery.trigger == "tag" and not delivery.tag_pattern:
        yield ("delivery", "tag_pattern"), "trigger: tag needs a tag_pattern (e.g. prod-*)"
    if delivery.trigger == "merge" and delivery.tag_pattern:
        yield ("delivery", "tag_pattern"), "tag_pattern is only read with trigger: tag"
    if delivery.after == env.name:
        yield ("delivery", "after"), "an environment cannot come after itself"
