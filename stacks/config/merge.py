"""The inheritance law, written once.

``merge(parent, child)``:

* mappings merge key by key, recursively;
* anything else (scalars *and lists*) in the child replaces the parent's value whole;
* an explicit ``null`` in the child removes the inherited key (and a ``null`` with nothing to
  remove is dropped), so no merged mapping holds ``None``.

A chain ``prod extends staging extends dev`` is the left fold ``merge(merge(dev, staging), prod)``.
Each leaf keeps its :class:`Origin`, the file and line that set it, for ``--provenance`` and errors.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stacks.config.yaml_source import Document, KeyPath

__all__ = ["Layer", "Origin", "deep_merge", "layer_of", "merge"]


@dataclass(frozen=True)
class Origin:
    file: Path
    line: int


@dataclass(frozen=True)
class Layer:
    """Merged data and, for every key path in it, where that value was set."""

    data: dict[str, Any]
    origins: Mapping[KeyPath, Origin]


def layer_of(document: Document) -> Layer:
    """One file as a layer, its ``null`` values kept: they act when it is merged onto a parent."""
    origins = {p: Origin(document.path, line) for p, line in document.lines.items()}
    return Layer(document.data, origins)


def merge(base: Layer, overlay: Layer) -> Layer:
    origins = dict(base.origins)
    data = _merge_map(base.data, overlay.data, (), origins, overlay.origins)
    return Layer(data, origins)


def deep_merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """The law on bare data (no provenance)."""
    return _merge_map(base, overlay, (), {}, {})


def _merge_map(
    base: Mapping[str, Any],
    overlay: Mapping[str, Any],
    at: KeyPath,
    origins: dict[KeyPath, Origin],
    overlay_origins: Mapping[KeyPath, Origin],
) -> dict[str, Any]:
    out = dict(base)
    for key, value in overlay.items():
        path = (*at, key)
        old = out.get(key)
        if value is None:
            if key in out:
                _forget(origins, path, out.pop(key))
        elif isinstance(value, Mapping) and isinstance(old, Mapping):
            _take(origins, overlay_origins, path, None)
            out[key] = _merge_map(old, value, path, origins, overlay_origins)
        else:
            if key in out:
                _forget(origins, path, old)
            out[key] = _strip_nulls(value)
            _take(origins, overlay_origins, path, out[key])
    return out


def _strip_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value]
    return value


def _paths(path: KeyPath, value: Any) -> Iterator[KeyPath]:
    """``path`` and every key path inside ``value``: the origins a subtree can own.

    Walking the value (not scanning every origin) keeps a merge linear in the file size."""
    yield path
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield from _paths((*path, key), child)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths((*path, index), child)


def _forget(origins: dict[KeyPath, Origin], path: KeyPath, old: Any) -> None:
    for key in _paths(path, old):
        origins.pop(key, None)


def _take(
    origins: dict[KeyPath, Origin],
    source: Mapping[KeyPath, Origin],
    path: KeyPath,
    subtree: Any,
) -> None:
    """Copy the origins of ``path`` and of every key path inside ``subtree`` that source has."""
    for key in _paths(path, subtree):
        if key in source:
            origins[key] = source[key]
