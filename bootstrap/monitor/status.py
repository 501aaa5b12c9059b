"""``underlay status ENV``: is the environment where Git says it should be, right now?

Rows, each green / red / skipped: the cluster is reachable; the FluxInstance is Ready and applied
the manifest repo's branch tip (``git ls-remote``); each Flux Kustomization is Ready and at that
revision; the newest good backup is younger than ``platform.monitoring.backup_max_age_hours``;
the last restore drill succeeded within ``backup.drill.max_age_days``; the last drift report
is clean. The Kubernetes side uses the ``kubernetes`` client with a timeout on every request.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from stacks.config.model import Environment

__all__ = [
    "FLUX_INSTANCE",
    "KUSTOMIZATION",
    "Row",
    "StatusReport",
    "api_client",
    "backup_rows",
    "drift_rows",
    "flux_rows",
]

State = Literal["green", "red", "skipped"]
FLUX_INSTANCE = ("fluxcd.controlplane.io", "v1", "fluxinstances", "flux")
KUSTOMIZATION = ("kustomize.toolkit.fluxcd.io", "v1", "kustomizations")
TIMEOUT = (3.0, 4.0)
"""(connect, read) seconds for every Kubernetes request: status answers in seconds or says red."""


@dataclass(frozen=True)
class Row:
    check: str
    state: State
    detail: str


@dataclass
class StatusReport:
    env: str
    rows: list[Row] = field(default_factory=list)
    elapsed_seconds: float = 0.0

    @property
    def red(self) -> bool:
        return any(r.state == "red" for r in self.rows)

    def to_json(self) -> dict[str, Any]:
        return {
            "env": self.env,
            "ok": not self.red,
            "elapsed_seconds": round(self.elapsed_seconds, 2),
            "rows": [asdict(r) for r in self.rows],
        }

    def table(self) -> str:
        width = max([len(r.check) for r in self.rows] + [5])
        mark = {"green": "ok ", "red": "RED", "skipped": " - "}
        lines = [f"{'check':<{width}}  state  detail"]
        lines += [f"{r.check:<{width}}  {mark[r.state]}    {r.detail}" for r in self.rows]
        return "\n".join(lines)


def _age(then: datetime, now: datetime) -> str:
    seconds = int((now - then).total_seconds())
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


# -- Kubernetes ---------------------------------------------------------------------------------


def api_client(
    *,
    context: str | None = None,
    kubeconfig: Path | None = None,
    outputs: Mapping[str, str] | None = None,
    env: Environment | None = None,
) -> Any:
    """A ``kubernetes.client.ApiClient``: from a kubeconfig (``--context``/KUBECONFIG), else from
    the cluster stack's outputs and the cloud module's exec auth (the same plugin the platform
    stack's providers use)."""
    from kubernetes import client, config

    settings = client.Configuration()
    # No urllib3 retries: one attempt per request within TIMEOUT, so a dead API is red in seconds.
    settings.retries = 0
    if outputs is None or env is None:
        config.load_kube_config(
            config_file=str(kubeconfig) if kubeconfig else None,
            context=context,
            client_configuration=settings,
        )
        return client.ApiClient(settings)
    from stacks.clouds import cloud_module

    auth = cloud_module(env.cloud.kind).exec_auth(env, outputs["cluster_name"])
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": env.name,
                "cluster": {
                    "server": outputs["cluster_endpoint"],
                    "certificate-authority-data": outputs["cluster_ca_data"],
                },
            }
        ],
        "users": [
            {
                "name": env.name,
                "user": {
                    "exec": {
                        "apiVersion": auth.api_version,
                        "command": auth.command,
                        "args": list(auth.args),
                        "interactiveMode": "Never",
                    }
                },
            }
        ],
        "contexts": [{"name": env.name, "context": {"cluster": env.name, "user": env.name}}],
        "current-context": env.name,
    }
    config.load_kube_config_from_dict(document, client_configuration=settings)
    return client.ApiClient(settings)


def _ready(obj: Mapping[str, Any]) -> tuple[bool, str]:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if isinstance(cond, dict) and cond.get("type") == "Ready":
            ok = cond.get("status") == "True"
            return ok, str(cond.get("reason") or cond.get("message") or "")[:120]
    return False, "no Ready condition yet"


def _sha(revision: str) -> str:
    """``main@sha1:abc…`` (Flux v2 revisions) or a bare sha -> the sha."""
    return revision.rpartition(":")[2].rpartition("@")[2]


def flux_rows(
    api: Any, env: Environment, branch_tip: str | None, progress: Callable[[str], None]
) -> list[Row]:
    """FluxInstance and Kustomizations; the cluster is unreachable -> one red row."""
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    custom = client.CustomObjectsApi(api)
    ns = env.platform.flux.namespace
    rows: list[Row] = []
    group, version, plural, name = FLUX_INSTANCE
    progress(f"reading FluxInstance {ns}/{name}")
    try:
        instance = custom.get_namespaced_custom_object(
            group, version, ns, plural, name, _request_timeout=TIMEOUT
        )
    except ApiException as exc:
        if exc.status == 404:
            rows.append(Row("cluster", "green", "reachable"))
            rows.append(Row("flux instance", "red", f"{ns}/{name} not found"))
            return rows
        return [Row("cluster", "red", f"API answered {exc.status} {exc.reason}")]
    except (HTTPError, OSError) as exc:
        return [Row("cluster", "red", f"unreachable: {type(exc).__name__}")]
    rows.append(Row("cluster", "green", "reachable"))
    ok, reason = _ready(instance)
    dist = str((instance.get("status") or {}).get("lastAppliedRevision") or "-")
    rows.append(
        Row("flux instance", "green" if ok else "red", f"Ready={ok} {dist} {reason}".strip())
    )
    # The operator's sync: a GitRepository and a Kustomization named sync.name (default: the
    # namespace). Their applied revision is what Flux last applied from the manifest repo.
    sync = ((instance.get("spec") or {}).get("sync") or {}) if isinstance(instance, dict) else {}
    sync_name = str(sync.get("name") or ns)
    group, version, plural = KUSTOMIZATION
    progress("listing Kustomizations")
    try:
        listed = custom.list_cluster_custom_object(group, version, plural, _request_timeout=TIMEOUT)
    except (ApiException, HTTPError, OSError) as exc:
        rows.append(Row("kustomizations", "red", f"cannot list: {type(exc).__name__}"))
        return rows
    items = [i for i in listed.get("items") or [] if isinstance(i, dict) and "metadata" in i]
    synced = next(
        (
            i
            for i in items
            if (i["metadata"].get("namespace"), i["metadata"].get("name")) == (ns, sync_name)
        ),
        None,
    )
    applied = str(((synced or {}).get("status") or {}).get("lastAppliedRevision") or "")
    rows.append(_revision_row("flux revision", applied, branch_tip))
    if not items:
        rows.append(Row("kustomizations", "red", "none found"))
    for item in sorted(
        items, key=lambda i: (str(i["metadata"].get("namespace")), str(i["metadata"].get("name")))
    ):
        meta = item["metadata"]
        ok, reason = _ready(item)
        revision = str((item.get("status") or {}).get("lastAppliedRevision") or "")
        source = (item.get("spec") or {}).get("sourceRef") or {}
        from_sync = source.get("kind") == "GitRepository" and source.get("name") == sync_name
        at_tip = branch_tip is None or not from_sync or _sha(revision) == branch_tip
        state: State = "green" if ok and at_tip else "red"
        if from_sync and branch_tip:
            where = "at branch tip" if at_tip else f"at {_sha(revision)[:12] or '-'}, behind"
        else:
            where = f"at {revision or '-'}"
        rows.append(
            Row(
                f"ks {meta.get('namespace')}/{meta.get('name')}",
                state,
                f"Ready={ok} {where} {reason}",
            )
        )
    return rows


def _revision_row(check: str, applied: str, tip: str | None) -> Row:
    if tip is None:
        return Row(check, "skipped", f"applied {applied or '-'}; branch tip unknown")
    if _sha(applied) == tip:
        return Row(check, "green", f"{applied} is the branch tip")
    return Row(check, "red", f"applied {applied or 'nothing'}, branch tip is {tip[:12]}")


# -- backup and drill ---------------------------------------------------------------------------


def backup_rows(storage: Any, env: Environment, now: datetime | None = None) -> list[Row]:
    """Newest good backup's age, and the last drill's result and age, read through the same
    storage and catalog code as ``underlay backup``."""
    from bootstrap.backup.catalog import load_catalog
    from bootstrap.backup.drill import read_last_drill
    from stacks.errors import UnderlayError

    now = now or datetime.now(UTC)
    max_age = timedelta(hours=env.platform.monitoring.backup_max_age_hours)
    drill_age = timedelta(days=env.backup.drill.max_age_days)
    rows: list[Row] = []
    try:
        storage.check()
        newest = load_catalog(storage).newest_good()
    except UnderlayError as exc:
        return [
            Row("backup", "red", str(exc)[:160]),
            Row("restore drill", "red", "store unreadable"),
        ]
    if newest is None or newest.manifest is None:
        rows.append(Row("backup", "red", f"no complete backup at {storage.description}"))
    else:
        done = newest.manifest.completed_at
        fresh = now - done <= max_age
        rows.append(
            Row(
                "backup",
                "green" if fresh else "red",
                f"{newest.id} {_age(done, now)} old (limit {_age(now - max_age, now)})",
            )
        )
    try:
        drill = read_last_drill(storage)
    except UnderlayError as exc:
        rows.append(Row("restore drill", "red", str(exc)[:160]))
        return rows
    if drill is None:
        rows.append(Row("restore drill", "red", "no restore drill has run"))
    elif not drill.ok:
        rows.append(
            Row("restore drill", "red", f"failed {_age(drill.at, now)} ago: {drill.error or '?'}")
        )
    elif now - drill.at > drill_age:
        rows.append(
            Row(
                "restore drill",
                "red",
                f"last success {_age(drill.at, now)} ago (limit {env.backup.drill.max_age_days}d)",
            )
        )
    else:
        rows.append(
            Row("restore drill", "green", f"ok {_age(drill.at, now)} ago ({drill.backup_id})")
        )
    return rows


# -- drift --------------------------------------------------------------------------------------


def drift_rows(report: Mapping[str, Any], env: str) -> list[Row]:
    """The drift report's verdict for ``env`` (shared manifest-repo files count for every env)."""
    mine = [f for f in report.get("findings") or [] if f.get("env") in (env, "*")]
    failed = [
        c
        for c in report.get("checked") or []
        if c.get("env") == env and c.get("verdict") == "check failed"
    ]
    checked = [c for c in report.get("checked") or [] if c.get("env") == env]
    stamp = str(report.get("generated_at", "?"))[:16]
    if not checked:
        return [Row("drift", "red", f"report of {stamp} did not check {env}")]
    if failed:
        return [Row("drift", "red", f"{len(failed)} check(s) failed at {stamp}")]
    if mine:
        what = ", ".join(sorted({f"{f.get('address')}" for f in mine}))[:120]
        return [Row("drift", "red", f"{len(mine)} finding(s) at {stamp}: {what}")]
    return [Row("drift", "green", f"clean at {stamp}")]


def timed(func: Callable[[], list[Row]], report: StatusReport) -> None:
    start = time.monotonic()
    report.rows += func()
    report.elapsed_seconds += time.monotonic() - start
