"""Resource groups and providers that skip the jsii pipe: merged into the stack's JSON after
synth.

Why: a platform stack holds ~40 deeply nested Kubernetes resources. Handing them to cdktf costs
a Python->Node round trip per construct and per override (~1 ms each) plus a walk over every
node of every resource (jsii wraps each map, Node resolves each string for tokens): ~40 ms per
environment, enough to break the synth budget (50 envs <= 3x the time of 5; samples <= 2x the
floor). These blocks hold no cdktf tokens (references are plain ``${...}`` strings, ids are
fixed), so nothing in Node needs to see them. A :class:`DirectResourceGroup` has the
construct signature ``(scope, id, props)`` and the same ``<type>.<group>_<name>`` addresses as
:class:`~stacks.l1.ResourceGroup`, but it is plain Python, not a jsii object: it is not in the
construct tree. ``stacks.app.synth_app`` merges every group and provider into ``cdk.tf.json``
right after ``app.synth()``; the JSON file is complete and tools read one file as before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stacks.l1 import Blocks

__all__ = ["DirectBlocks", "DirectProvider", "DirectResourceGroup", "merge_direct_blocks"]


@dataclass(frozen=True)
class DirectProvider:
    name: str
    source: str
    version: str
    attributes: Mapping[str, Any]


@dataclass
class DirectBlocks:
    """What one stack gets merged into its JSON after synth."""

    groups: list[DirectResourceGroup] = field(default_factory=list)
    providers: list[DirectProvider] = field(default_factory=list)


class DirectResourceGroup(Blocks):
    """Like :class:`~stacks.l1.ResourceGroup` (same ``resource``/``data`` API and addresses),
    registered with ``blocks`` instead of being a jsii element."""

    def __init__(self, blocks: DirectBlocks, id: str) -> None:
        super().__init__(id)
        blocks.groups.append(self)


def merge_direct_blocks(stack_file: Path, blocks: DirectBlocks) -> None:
    """Add the groups' blocks and the providers to a synthesized ``cdk.tf.json``."""
    data = json.loads(stack_file.read_text(encoding="utf-8"))
    for group in blocks.groups:
        for kind, types in group.terraform_blocks().items():
            for type_, bodies in types.items():
                target = data.setdefault(kind, {}).setdefault(type_, {})
                for name, body in bodies.items():
                    if name in target:
                        raise ValueError(f"{stack_file}: {kind} {type_}.{name} defined twice")
                    target[name] = body
    required = data.setdefault("terraform", {}).setdefault("required_providers", {})
    for provider in blocks.providers:
        if provider.name in required:
            raise ValueError(f"{stack_file}: provider {provider.name} defined twice")
        required[provider.name] = {"source": provider.source, "version": provider.version}
        data.setdefault("provider", {})[provider.name] = [dict(provider.attributes)]
    # No indent: the C encoder (indent makes json fall back to pure Python, ~10x slower).
    stack_file.write_text(json.dumps(data) + "\n", encoding="utf-8")
