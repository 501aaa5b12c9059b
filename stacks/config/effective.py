"""The effective configuration of an environment as data, with the origin of every leaf."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from stacks.config.loader import LoadedEnvironment, iter_leaves
from stacks.config.yaml_source import KeyPath, format_key_path

__all__ = ["diff_leaves", "effective_data", "render_yaml", "yaml_value"]

DEFAULT = "default"


def effective_data(loaded: LoadedEnvironment) -> dict[str, Any]:
    """Every setting after inheritance and defaults; ``name`` is the file name, so left out.

    Defaults computed from other settings are shown as their value (``gitops.path`` is
    ``clusters/<env>`` unless set), not as the ``null`` that means "computed"."""
    data = loaded.env.model_dump(mode="json", exclude={"name"})
    data["gitops"]["path"] = loaded.env.gitops_path
    return data


def yaml_value(value: Any) -> str:
    """One value as YAML writes it inline: ``false``, ``null``, ``[a, b]``, ``'5'``."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = True
    yaml.width = 1_000_000
    buffer = io.StringIO()
    yaml.dump(value, buffer)
    text = buffer.getvalue().strip()
    return text.removesuffix("...").strip()


def origin_of(loaded: LoadedEnvironment, path: KeyPath) -> str:
    origin = loaded.layer.origins.get(path)
    return f"{origin.file}:{origin.line}" if origin else DEFAULT


def render_yaml(loaded: LoadedEnvironment, *, provenance: bool = False) -> str:
    data = effective_data(loaded)
    tree = _commented(data, loaded, (), provenance)
    yaml = YAML(typ="rt", pure=True)
    yaml.default_flow_style = False
    buffer = io.StringIO()
    yaml.dump(tree, buffer)
    return buffer.getvalue()


def _commented(value: Any, loaded: LoadedEnvironment, at: KeyPath, provenance: bool) -> Any:
    if isinstance(value, dict):
        node = CommentedMap()
        for key, child in value.items():
            node[key] = _commented(child, loaded, (*at, key), provenance)
            if provenance and not isinstance(child, dict):
                node.yaml_add_eol_comment(origin_of(loaded, (*at, key)), key)
        return node
    if isinstance(value, list):
        seq = CommentedSeq(value)
        seq.fa.set_flow_style()
        return seq
    return value


def diff_leaves(a: LoadedEnvironment, b: LoadedEnvironment) -> list[str]:
    """One line per differing leaf: ``~ path: old -> new``, ``+ path: new``, ``- path: old``."""
    left = dict(iter_leaves(effective_data(a)))
    right = dict(iter_leaves(effective_data(b)))
    lines = []
    for path in sorted(left.keys() | right.keys(), key=lambda p: tuple(map(str, p))):
        name = format_key_path(path)
        if path not in right:
            lines.append(f"- {name}: {yaml_value(left[path])}")
        elif path not in left:
            lines.append(f"+ {name}: {yaml_value(right[path])}")
        elif left[path] != right[path]:
            lines.append(f"~ {name}: {yaml_value(left[path])} -> {yaml_value(right[path])}")
    return lines
