"""Reads one environment file into plain data plus the line of every key.

ruamel.yaml is used instead of PyYAML because its round-trip loader keeps positions for every
mapping key and sequence item, which is what lets every later error name a line.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from stacks.errors import ConfigError, Location

__all__ = ["Document", "KeyPath", "format_key_path", "read_document"]

KeyPath = tuple[str | int, ...]


def format_key_path(path: KeyPath) -> str:
    """``("cluster", "node_groups", "a", "taints", 0)`` -> ``cluster.node_groups.a.taints[0]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass(frozen=True)
class Document:
    """One parsed file: its data as plain dicts/lists/scalars, and ``lines[key_path]`` (1-based)."""

    path: Path
    data: dict[str, Any]
    lines: Mapping[KeyPath, int] = field(default_factory=dict)


def read_document(path: Path) -> Document:
    """Parse ``path``; any syntax problem becomes a :class:`ConfigError` naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(Location(path, None, ""), f"cannot read file: {exc}") from None
    yaml = YAML(typ="rt", pure=True)
    try:
        root = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise ConfigError(Location(path, line, ""), f"invalid YAML: {problem}") from None
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        problem = " ".join(str(exc).split()) or type(exc).__name__
        raise ConfigError(Location(path, None, ""), f"invalid YAML: {problem}") from None
    if root is None:
        root = CommentedMap()
    if not isinstance(root, CommentedMap):
        raise ConfigError(
            Location(path, 1, ""), f"expected a mapping of settings, got {_kind(root)}"
        )
    lines: dict[KeyPath, int] = {(): 1}
    data = _plain(root, (), path, lines)
    assert isinstance(data, dict)
    return Document(path=path, data=data, lines=lines)


def _plain(node: Any, at: KeyPath, path: Path, lines: dict[KeyPath, int]) -> Any:
    """Turn ruamel's commented containers and scalar subclasses into plain Python values."""
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key, value in node.items():
            line = node.lc.key(key)[0] + 1
            if not isinstance(key, str):
                raise ConfigError(
                    Location(path, line, format_key_path(at)),
                    f"keys must be strings, got {_kind(key)} {key!r}",
                )
            lines[(*at, key)] = line
            out[key] = _plain(value, (*at, key), path, lines)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            lines[(*at, index)] = node.lc.item(index)[0] + 1
            items.append(_plain(value, (*at, index), path, lines))
        return items
    if node is None or isinstance(node, bool):
        return node
    for plain in (int, float, str):
        if isinstance(node, plain):
            return plain(node)
    if isinstance(node, datetime.date):
        return node.isoformat()
    line = lines.get(at)
    raise ConfigError(
        Location(path, line, format_key_path(at)), f"unsupported YAML value {_kind(node)}"
    )


def _kind(value: object) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"
