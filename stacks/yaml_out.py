"""The one YAML writer for generated files (``render``, the manifest-repo layout): safe
dumper, block style, keys in insertion order, one line per value so diffs and greps stay
readable (the CA bundle included)."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML

__all__ = ["dump_all"]


def dump_all(documents: list[Any]) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 1 << 16
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    out = io.StringIO()
    yaml.dump_all(documents, out)
    return out.getvalue()
