"""How every stack's Terraform blocks are built: one mechanism, plain Python, no jsii pipe.

Why: importing the prebuilt provider bindings (``cdktf-cdktf-provider-aws`` …) costs ~21 s and
~0.5 GB before one resource exists, and every jsii object or call crosses a pipe to Node
(~0.4-1 ms), after which Node walks every node of every returned value to resolve tokens. A
resource here is a plain Python value: a construct that owns resources is a
:class:`ResourceGroup` (signature ``(scope, id, props)`` like any construct, ``scope`` being an
:class:`UnderlayStack`), and providers and outputs are registered the same way. Each stack
collects its blocks in a :class:`StackBlocks`; :meth:`UnderlayApp.synth` runs cdktf's own synth
(the stack, its backend, the manifest the cdktf CLI reads) and then writes every stack's blocks
into its ``cdk.tf.json``. Since that happens inside ``synth()`` itself, no synth path can write
a stack without its resources, and a construct id or address used twice fails where it is
declared, not at write time.

Resource addresses are ``<type>.<group>_<name>``, readable and stable (a rename is a state move,
like any construct id). What a group emits is checked against the real provider schemas in the
tests (``tests/stacks/test_cluster_stack_schema.py`` and its kin).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from constructs import Construct

from stacks.engine import engine

__all__ = [
    "Blocks",
    "DataSource",
    "Provider",
    "Resource",
    "ResourceGroup",
    "StackBlocks",
    "UnderlayApp",
    "UnderlayStack",
    "blocks_of",
    "expression",
    "tf_name",
]


@functools.cache
def tf_name(*parts: str) -> str:
    """A Terraform-safe local name: ``("network", "private-0")`` -> ``network_private_0``.
    Cached: every environment asks for the same few hundred names."""
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


@dataclass(frozen=True)
class Provider:
    """One ``provider`` block and its ``required_providers`` entry."""

    name: str
    source: str
    version: str
    attributes: Mapping[str, Any]


class StackBlocks:
    """Everything one stack declares, in declaration order, keyed as Terraform will see it."""

    def __init__(self, stack_name: str) -> None:
        self.stack_name = stack_name
        self._groups: set[str] = set()
        self._blocks: dict[str, Resource] = {}
        self._providers: dict[str, Provider] = {}
        self._outputs: dict[str, dict[str, Any]] = {}
        self._backend: tuple[str, dict[str, Any]] | None = None

    def set_backend(self, kind: str, config: Mapping[str, Any]) -> None:
        """``terraform { backend "<kind>" {...} }``; it replaces the local default cdktf
        writes for a stack that declares no backend construct."""
        if self._backend is not None:
            raise ValueError(f"stack {self.stack_name}: backend declared twice")
        self._backend = (kind, dict(config))

    def add_group(self, id: str) -> None:
        if id in self._groups:
            raise ValueError(f"stack {self.stack_name}: construct id {id!r} is used twice")
        self._groups.add(id)

    def add_block(self, block: Resource) -> None:
        if block.address in self._blocks:
            raise ValueError(f"stack {self.stack_name}: {block.address} is declared twice")
        self._blocks[block.address] = block

    def add_provider(self, provider: Provider) -> None:
        if provider.name in self._providers:
            raise ValueError(f"stack {self.stack_name}: provider {provider.name} declared twice")
        self._providers[provider.name] = provider

    def add_output(self, name: str, value: Any, description: str) -> None:
        if name in self._outputs:
            raise ValueError(f"stack {self.stack_name}: output {name!r} declared twice")
        self._outputs[name] = {"value": value, "description": description}

    def write_into(self, stack_file: Path) -> None:
        """Add the blocks to the ``cdk.tf.json`` cdktf wrote for this stack."""
        data = json.loads(stack_file.read_text(encoding="utf-8"))
        for block in self._blocks.values():
            body = {**_drop_none(block.attributes), **block.meta}
            data.setdefault(block.kind, {}).setdefault(block.type, {})[block.name] = body
        terraform = data.setdefault("terraform", {})
        if self._backend is not None:
            kind, config = self._backend
            terraform["backend"] = {kind: config}
            data.setdefault("//", {}).setdefault("metadata", {})["backend"] = kind
        required = terraform.setdefault("required_providers", {})
        for provider in self._providers.values():
            required[provider.name] = {"source": provider.source, "version": provider.version}
            data.setdefault("provider", {})[provider.name] = [dict(provider.attributes)]
        if self._outputs:
            data.setdefault("output", {}).update(self._outputs)
            # The cdktf CLI's --outputs-file maps `terraform output` through this record.
            outputs = data.setdefault("//", {}).setdefault("outputs", {})
            outputs[self.stack_name] = {name: name for name in self._outputs}
        # No indent: the C encoder (indent makes json fall back to pure Python, ~10x slower).
        stack_file.write_text(json.dumps(data) + "\n", encoding="utf-8")


class UnderlayApp(engine.App):
    """The CDK app: ``synth()`` is cdktf's synth, then every stack's blocks into its JSON."""

    def __init__(self, outdir: Path) -> None:
        # No construct creation stack traces: they cost Node time per construct and nothing
        # here reads them.
        super().__init__(outdir=str(outdir), stack_traces=False)
        self.out = outdir
        self.underlay_stacks: list[UnderlayStack] = []

    def synth(self) -> None:
        super().synth()
        for stack in self.underlay_stacks:
            stack.blocks.write_into(self.out / "stacks" / stack.blocks.stack_name / "cdk.tf.json")

    def release_blocks(self) -> None:
        """Drop every stack's blocks (after ``synth``): the jsii kernel keeps the stacks alive
        until the process ends, and with them everything they declared."""
        for stack in self.underlay_stacks:
            stack.blocks = StackBlocks(stack.blocks.stack_name)


class UnderlayStack(engine.TerraformStack):
    """A stack whose resources, providers and outputs are :class:`StackBlocks`."""

    def __init__(self, scope: Construct, id: str) -> None:
        if not isinstance(scope, UnderlayApp):
            raise TypeError(f"stack {id!r}: an UnderlayStack belongs to an UnderlayApp")
        super().__init__(scope, id)
        self.blocks = StackBlocks(id)
        scope.underlay_stacks.append(self)


def blocks_of(scope: Construct) -> StackBlocks:
    """The blocks of the stack ``scope`` is."""
    if not isinstance(scope, UnderlayStack):
        raise TypeError(f"a resource group's scope must be an UnderlayStack, not {scope!r}")
    return scope.blocks


class Blocks:
    """The resources and data sources one construct declares, named ``<id>_<name>``."""

    def __init__(self, stack: StackBlocks, id: str) -> None:
        stack.add_group(id)
        self._stack = stack
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
        self._stack.add_block(block)
        return block

    def data(self, type: str, name: str, attributes: Mapping[str, Any]) -> DataSource:
        block = DataSource(type, tf_name(self._prefix, name), attributes)
        self._stack.add_block(block)
        return block


class ResourceGroup(Blocks):
    """A construct that owns resources: ``(scope, id)`` where ``scope`` is its stack."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(blocks_of(scope), id)


def _drop_none(value: Any) -> Any:
    """Leave unset optional attributes out of the JSON rather than writing ``null``."""
    kind = type(value)
    if kind is str or kind is int or kind is bool:  # most leaves; skips the ABC checks below
        return value
    if isinstance(value, Mapping):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_drop_none(v) for v in value]
    return value
