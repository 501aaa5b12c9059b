"""Terraform resources without the prebuilt provider bindings.

Why: importing ``cdktf-cdktf-provider-aws`` costs ~21 s and ~0.5 GB before one resource exists,
and every jsii call crosses a pipe to Node (~0.4 ms). Here a construct that owns several
resources is one :class:`ResourceGroup` element: one jsii object, and one callback at synth that
returns all of its resources. Resource addresses are ``<type>.<group>_<name>``, readable and
stable (a rename is a state move, like any construct id). Attribute names and types are checked
against the real provider schema in the tests (``tests/stacks/test_cluster_stack_schema.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jsii
from constructs import Construct

from stacks.engine import engine

__all__ = ["Blocks", "DataSource", "Resource", "ResourceGroup", "expression", "tf_name"]


def tf_name(*parts: str) -> str:
    """A Terraform-safe local name: ``("network", "private-0")`` -> ``network_private_0``."""
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(p for p in parts if p))


def expression(ref: str) -> str:
    """The bare expression inside a ``${...}`` reference, for use inside a function call."""
    if not (ref.startswith("${") and ref.endswith("}") and ref.count("${") == 1):
        raise ValueError(f"not a single Terraform reference: {ref!r}")
    return ref[2:-1]


@dataclass(frozen=True)
class Resource:
    """One ``resource`` block. ``ref("arn")`` is the Terraform expression of an attribute."""

    type: str
    name: str
    attributes: Mapping[str, Any]
    meta: Mapping[str, Any] = field(default_factory=dict)

    kind = "resource"

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"

    def ref(self, attribute: str) -> str:
        return f"${{{self.address}.{attribute}}}"

    @property
    def id(self) -> str:
        return self.ref("id")

    @property
    def arn(self) -> str:
        return self.ref("arn")


@dataclass(frozen=True)
class DataSource(Resource):
    """One ``data`` block."""

    kind = "data"

    @property
    def address(self) -> str:
        return f"data.{self.type}.{self.name}"


class Blocks:
    """The resources and data sources one construct declares, named ``<id>_<name>``.

    Plain Python: :class:`ResourceGroup` hands them to cdktf in one synth callback;
    ``stacks/platform/direct.py`` merges them into the JSON after synth instead."""

    def __init__(self, id: str) -> None:
        self._blocks: list[Resource] = []
        self._prefix = tf_name(id)

    def resource(
        self,
        type: str,
        name: str,
        attributes: Mapping[str, Any],
        *,
        depends_on: list[Resource] | None = None,
        lifecycle: Mapping[str, Any] | None = None,
        checkov_skips: Mapping[str, str] | None = None,
    ) -> Resource:
        """``checkov_skips`` maps a check id to the reason it does not apply: an inline,
        justified decision, written into the resource's ``//`` comment property."""
        meta: dict[str, Any] = {}
        if checkov_skips:
            meta["//"] = "\n".join(f"checkov:skip={k}:{v}" for k, v in checkov_skips.items())
        if depends_on:
            meta["depends_on"] = [r.address for r in depends_on]
        if lifecycle:
            meta["lifecycle"] = dict(lifecycle)
        block = Resource(type, tf_name(self._prefix, name), attributes, meta)
        self._blocks.append(block)
        return block

    def data(self, type: str, name: str, attributes: Mapping[str, Any]) -> DataSource:
        block = DataSource(type, tf_name(self._prefix, name), attributes)
        self._blocks.append(block)
        return block

    def terraform_blocks(self) -> dict[str, dict[str, dict[str, Any]]]:
        """``{"resource": {type: {name: body}}, "data": {...}}`` for the stack's JSON."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for block in self._blocks:
            body = {**_drop_none(block.attributes), **block.meta}
            out.setdefault(block.kind, {}).setdefault(block.type, {})[block.name] = body
        return out


class ResourceGroup(Blocks, engine.TerraformElement):
    """A construct that emits the resources it declares, all in one synth callback."""

    def __init__(self, scope: Construct, id: str) -> None:
        engine.TerraformElement.__init__(self, scope, id)
        Blocks.__init__(self, id)

    @jsii.member(jsii_name="toTerraform")
    def to_terraform(self) -> Any:
        return self.terraform_blocks()


def _drop_none(value: Any) -> Any:
    """Leave unset optional attributes out of the JSON rather than writing ``null``."""
    if isinstance(value, Mapping):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_drop_none(v) for v in value]
    return value
