"""The one reader of the cluster stacks' outputs file (``cdktf deploy --outputs-file`` JSON):
``underlay bootstrap`` fills the cluster-metadata ConfigMap from it, ``underlay render`` the
platform objects. Output names come from the cloud contract, once."""

from __future__ import annotations

import json
from pathlib import Path

from stacks.clouds.contract import OUTPUT_ALIASES, OUTPUT_NAMES
from stacks.errors import UnderlayError

__all__ = ["OutputsError", "read_cluster_outputs"]


class OutputsError(UnderlayError):
    """The outputs file is missing, unreadable, or lacks the stack's outputs (bad input)."""


def read_cluster_outputs(path: Path, env_name: str, *, complete: bool = True) -> dict[str, str]:
    """``<env>-cluster``'s outputs under their current names (a file written before a rename
    may carry the old name only). ``complete``: every output must be there."""
    stack = f"{env_name}-cluster"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutputsError(f"{path}: outputs file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OutputsError(f"{path}: not a readable JSON outputs file ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get(stack), dict):
        found = ", ".join(sorted(document)) if isinstance(document, dict) else ""
        raise OutputsError(f"{path}: no outputs for stack {stack!r} (found: {found or 'nothing'})")
    raw = dict(document[stack])
    for old, new in OUTPUT_ALIASES.items():
        if old in raw:
            raw.setdefault(new, raw[old])
    missing = [name for name in OUTPUT_NAMES if name not in raw]
    if complete and missing:
        raise OutputsError(f"{path}: stack {stack!r} lacks outputs: {', '.join(missing)}")
    present = [name for name in OUTPUT_NAMES if name in raw]
    bad = [name for name in present if not isinstance(raw[name], str)]
    if bad:
        raise OutputsError(f"{path}: stack {stack!r} outputs are not strings: {', '.join(bad)}")
    return {name: raw[name] for name in present}
