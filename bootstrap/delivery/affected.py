"""``underlay affected``: environments whose synthesized stacks differ between two revisions.

Computed from the JSON, not from file names: a comment changes nothing, a parent's field reaches
every environment that extends it, a change to code or the versions table reaches what it changes.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bootstrap.delivery.trees import synth_revision

__all__ = ["Affected", "affected", "compare"]


@dataclass(frozen=True)
class Affected:
    """Per affected environment, its changed stacks; environments only in the base are removed."""

    stacks: dict[str, list[str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)

    @property
    def envs(self) -> list[str]:
        return sorted(self.stacks)


def affected(env_dir: Path, base: str, head: str | None = None) -> Affected:
    """Base and head are synthesized at once (two processes; the base's worktree is made while
    the head synthesizes), the base from the cache when that commit was synthesized before."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        before = pool.submit(synth_revision, env_dir, base)
        after = synth_revision(env_dir, head)
        return compare(before.result(), after)


def compare(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> Affected:
    """Which stacks differ, from two normalized synths (stack name -> JSON)."""
    changed: dict[str, list[str]] = {}
    for stack in sorted(after):
        if before.get(stack) != after[stack]:
            env, _, _kind = stack.rpartition("-")
            changed.setdefault(env, []).append(stack)
    head_envs = {s.rpartition("-")[0] for s in after}
    removed = sorted({s.rpartition("-")[0] for s in before} - head_envs)
    return Affected(changed, removed)
