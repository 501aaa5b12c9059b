"""The cluster stack's facts from ``cdktf deploy --outputs-file``, for the metadata ConfigMap."""

from __future__ import annotations

import json
from pathlib import Path

from bootstrap.gitops.errors import GitOpsError

__all__ = ["OUTPUT_NAMES", "read_cluster_outputs"]

# The cluster stack's output names, exactly; each becomes a key of the cluster-metadata ConfigMap.
OUTPUT_NAMES = (
    "cluster_name",
    "cluster_endpoint",
    "cluster_ca_data",
    "oidc_issuer_url",
    "backup_bucket",
    "backup_role_arn",
    "backup_target",
)


def read_cluster_outputs(path: Path, env_name: str) -> dict[str, str]:
    """The ``<env>-cluster`` stack's outputs from a cdktf outputs file; any gap is bad input."""
    stack = f"{env_name}-cluster"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GitOpsError(f"{path}: outputs file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GitOpsError(f"{path}: not a readable JSON outputs file ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get(stack), dict):
        found = ", ".join(sorted(document)) if isinstance(document, dict) else "nothing"
        raise GitOpsError(f"{path}: no outputs for stack {stack!r} (found: {found or 'nothing'})")
    outputs = document[stack]
    missing = [name for name in OUTPUT_NAMES if name not in outputs]
    if missing:
        raise GitOpsError(f"{path}: stack {stack!r} lacks outputs: {', '.join(missing)}")
    bad = [name for name in OUTPUT_NAMES if not isinstance(outputs[name], str)]
    if bad:
        raise GitOpsError(f"{path}: stack {stack!r} outputs are not strings: {', '.join(bad)}")
    return {name: outputs[name] for name in OUTPUT_NAMES}
