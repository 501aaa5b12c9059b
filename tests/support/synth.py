"""Synthesizing the sample environments once and reading the JSON back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["Stack", "iter_blocks", "load_stack"]

Stack = dict[str, Any]


def load_stack(outdir: Path, name: str) -> Stack:
    data: Stack = json.loads((outdir / "stacks" / name / "cdk.tf.json").read_text())
    return data


def iter_blocks(stack: Stack) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """``(kind, type, name, body)`` for every resource and data block."""
    for kind in ("resource", "data"):
        for type_, blocks in stack.get(kind, {}).items():
            for name, body in blocks.items():
                yield kind, type_, name, body
