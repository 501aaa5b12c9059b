"""``underlay affected``: environments whose synthesized stacks differ between two revisions.

Computed from the JSON, not from file names: a comment changes nothing, a parent's field reaches
every environment that extends it, a change to code or the versions table reaches what it changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bootstrap.delivery.trees import checkout, synth_trees

__all__ = ["Affected", "affected"]


@dataclass(frozen=True)
class Affected:
    """Per affected environment, its changed stacks; environments only in the base are removed."""

    stacks: dict[str, list[str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)

    @property
    def envs(self) -> list[str]:
        return sorted(self.stacks)


def affected(env_dir: Path, base: str, head: str | None = None) -> Affected:
    with checkout(env_dir, base) as base_tree, checkout(env_dir, head) as head_tree:
        before, after = synth_trees([base_tree, head_tree])
    changed: dict[str, list[str]] = {}
    for stack in sorted(after):
        if before.get(stack) != after[stack]:
            env, _, _kind = stack.rpartition("-")
            changed.setdefault(env, []).append(stack)
    head_envs = {s.rpartition("-")[0] for s in after}
    removed = sorted({s.rpartition("-")[0] for s in before} - head_envs)
    return Affected(changed, removed)
