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
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    MappingStartEvent,
    ScalarEvent,
)

from stacks.errors import ConfigError, Location

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "Document",
    "KeyPath",
    "format_key_path",
    "read_document",
]

# An environment file is a few hundred nodes; these bounds only stop hostile or broken input.
MAX_NODES = 200_000  # scalars and collections after every alias is expanded
MAX_DEPTH = 64  # nested mappings/sequences

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
        _screen(YAML(typ="safe", pure=True), text, path)
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


def _screen(yaml: YAML, text: str, path: Path) -> None:
    """One linear pass over the parser's events, before anything is built from them.

    Refuses what the loader must never construct: explicit tags (``!foo``, ``!!python/...``,
    even ``!!str``), merge keys (``<<:``, whose provenance no line could name), aliases to a node
    that is still open (recursive), nesting deeper than :data:`MAX_DEPTH`, and documents whose
    alias-expanded size exceeds :data:`MAX_NODES` (alias bombs).
    """
    open_: list[list[Any]] = []  # [anchor, expanded size, is mapping, items seen]
    sizes: dict[str, int] = {}
    total = 0

    def fail(event: Any, problem: str) -> ConfigError:
        return ConfigError(Location(path, event.start_mark.line + 1, ""), problem)

    def add(event: Any, size: int) -> None:
        nonlocal total
        if open_:
            open_[-1][1] += size
            open_[-1][3] += 1
            grown = open_[-1][1]
        else:
            total += size
            grown = total
        if grown > MAX_NODES:
            raise fail(event, f"document expands to more than {MAX_NODES} nodes (alias bomb?)")

    for event in yaml.parse(text):
        tag = getattr(event, "tag", None)
        if tag is not None and not isinstance(event, AliasEvent):
            raise fail(event, f"YAML tags are not allowed (got {tag}); write the plain value")
        if isinstance(event, ScalarEvent):
            at_key = bool(open_) and open_[-1][2] and open_[-1][3] % 2 == 0
            if at_key and event.value == "<<" and event.style is None:
                raise fail(
                    event, "merge keys (<<) are not supported; use extends or repeat the keys"
                )
            if event.anchor is not None:
                sizes[event.anchor] = 1
            add(event, 1)
        elif isinstance(event, AliasEvent):
            if any(entry[0] == event.anchor for entry in open_):
                raise fail(event, f"alias *{event.anchor} refers to a node that contains it")
            add(event, sizes.get(str(event.anchor), 1))
        elif isinstance(event, CollectionStartEvent):
            if len(open_) >= MAX_DEPTH:
                raise fail(event, f"nesting deeper than {MAX_DEPTH} levels")
            open_.append([event.anchor, 1, isinstance(event, MappingStartEvent), 0])
        elif isinstance(event, CollectionEndEvent):
            anchor, size, _, _ = open_.pop()
            if anchor is not None:
                sizes[anchor] = size
            add(event, size)


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
