"""One checker for emitted Terraform JSON against a provider schema, whatever the schema's source.

Schemas come in one normalized shape: ``{"attributes": {name: {"type", "required",
"read_only"}}, "blocks": {name: {"nesting", "required", "max_items", "block"}}}``.
:func:`from_terraform` builds it from ``terraform providers schema -json`` (AWS, with the real
binary); ``tests/support/provider_schema.py`` builds it from the jsii assemblies of the prebuilt
bindings (kubernetes, helm, whose binaries this machine lacks).
"""

from __future__ import annotations

from typing import Any

__all__ = ["check_block", "from_terraform"]

PRIMITIVES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "number": (int, float),
    "bool": bool,
}
META = {"depends_on", "lifecycle", "provider", "count", "for_each", "//"}


def from_terraform(block: dict[str, Any]) -> dict[str, Any]:
    """A ``block`` of ``terraform providers schema -json``, normalized."""
    return {
        "attributes": {
            name: {
                "type": spec["type"],
                "required": bool(spec.get("required")),
                "read_only": bool(spec.get("computed"))
                and not (spec.get("optional") or spec.get("required")),
            }
            for name, spec in block.get("attributes", {}).items()
        },
        "blocks": {
            name: {
                "nesting": spec["nesting_mode"],
                "required": bool(spec.get("min_items")),
                "max_items": spec.get("max_items"),
                "block": from_terraform(spec["block"]),
            }
            for name, spec in block.get("block_types", {}).items()
        },
    }


def _check_value(type_: Any, value: Any, where: str, problems: list[str]) -> None:
    if isinstance(value, str) and "${" in value:
        return  # an expression; Terraform checks its type at plan time
    if type_ == "any":
        return
    if isinstance(type_, str):
        if not isinstance(value, PRIMITIVES[type_]) or (
            type_ == "number" and isinstance(value, bool)
        ):
            problems.append(f"{where}: expected {type_}, got {value!r}")
    elif type_[0] in ("list", "set"):
        if not isinstance(value, list):
            problems.append(f"{where}: expected {type_[0]}, got {value!r}")
        else:
            for i, item in enumerate(value):
                _check_value(type_[1], item, f"{where}[{i}]", problems)
    elif type_[0] == "map":
        if not isinstance(value, dict):
            problems.append(f"{where}: expected map, got {value!r}")
        else:
            for k, item in value.items():
                _check_value(type_[1], item, f"{where}.{k}", problems)


def check_block(
    block: dict[str, Any], body: dict[str, Any], where: str, problems: list[str]
) -> None:
    """Every key of ``body`` exists in ``block`` with the right type and nesting, nothing
    read-only is set, and everything required is present."""
    for key, value in body.items():
        if key in META:
            continue
        if key in block["attributes"]:
            spec = block["attributes"][key]
            if spec.get("read_only"):
                problems.append(f"{where}.{key}: read-only attribute")
            _check_value(spec["type"], value, f"{where}.{key}", problems)
        elif key in block["blocks"]:
            spec = block["blocks"][key]
            items = value if isinstance(value, list) else [value]
            limit = 1 if spec["nesting"] == "single" else spec.get("max_items")
            if limit and len(items) > limit:
                problems.append(f"{where}.{key}: {len(items)} blocks, at most {limit}")
            for i, item in enumerate(items):
                if not isinstance(item, dict):
                    problems.append(f"{where}.{key}[{i}]: expected a block, got {item!r}")
                else:
                    check_block(spec["block"], item, f"{where}.{key}[{i}]", problems)
        else:
            problems.append(f"{where}.{key}: not in the provider schema")
    for key, spec in block["attributes"].items():
        if spec["required"] and key not in body:
            problems.append(f"{where}.{key}: required attribute missing")
    for key, spec in block["blocks"].items():
        if spec["required"] and key not in body:
            problems.append(f"{where}.{key}: required block missing")
