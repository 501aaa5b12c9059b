"""The kubernetes and helm provider schemas, read from the prebuilt CDKTF bindings' jsii assembly.

No provider binary exists on these machines, so ``terraform providers schema -json`` is out. The
prebuilt bindings (``cdktf-cdktf-provider-kubernetes`` 12.1.1 = hashicorp/kubernetes 2.38.0,
``cdktf-cdktf-provider-helm`` 12.1.2 = hashicorp/helm 3.1.1) were generated from exactly that
command's output; their ``.jsii`` assembly keeps, for every resource, the config struct with
each property's type, whether it is optional, and a registry link whose anchor is the Terraform
name. We read only that JSON (never import the 6-second Python package).

Wheels come from ``$UNDERLAY_PROVIDER_WHEELS`` (``nox -s tests`` downloads them there) or are
downloaded with pip into pytest's cache folder.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

__all__ = ["PACKAGES", "Schema", "load_schema", "provider_wheel"]

PACKAGES = {
    "kubernetes": ("cdktf-cdktf-provider-kubernetes", "12.1.1", "2.38.0"),
    "helm": ("cdktf-cdktf-provider-helm", "12.1.2", "3.1.1"),
    # The last prebuilt azurerm bindings (cdktf's archival, 2025-12-10) = hashicorp/azurerm 4.55.0.
    "azurerm": ("cdktf-cdktf-provider-azurerm", "14.23.1", "4.55.0"),
}
WHEELS_ENV = "UNDERLAY_PROVIDER_WHEELS"

# {"resources": {tf type: block}, "provider": block}; block = {"attributes": {name: spec},
# "blocks": {name: {"nesting": "single"|"list", "required": bool, "block": block}}}
Schema = dict[str, Any]

_LINK = re.compile(r"\{@link https://registry\.terraform\.io/providers/[^ ]+#([a-z0-9_]+) ")
_REPRESENTS = re.compile(r"Represents a \{@link \S+ ([a-z0-9_]+)\}")
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def provider_wheel(name: str, cache: Path) -> Path:
    package, version, _ = PACKAGES[name]
    pattern = f"{package.replace('-', '_')}-{version}-*.whl"
    for folder in (os.environ.get(WHEELS_ENV), str(cache)):
        if folder:
            found = sorted(Path(folder).glob(pattern))
            if found:
                return found[0]
    cache.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "-q",
            "-d",
            str(cache),
            f"{package}=={version}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    found = sorted(cache.glob(pattern))
    if not found:
        message = f"could not download {package}=={version}: {result.stderr[-300:]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found[0]


def _assembly(wheel: Path) -> dict[str, Any]:
    with zipfile.ZipFile(wheel) as whl:
        (tgz,) = [n for n in whl.namelist() if n.endswith(".jsii.tgz")]
        with tarfile.open(fileobj=io.BytesIO(whl.read(tgz))) as tar:
            member = tar.extractfile("package/.jsii")
            assert member is not None
            data: dict[str, Any] = json.load(member)
            return data


def _tf_name(prop: dict[str, Any]) -> str:
    docs = prop.get("docs", {})
    match = _LINK.search(docs.get("remarks", "") + " " + docs.get("summary", ""))
    return match.group(1) if match else _CAMEL.sub(r"_\1", prop["name"]).lower()


def _type(t: dict[str, Any], types: dict[str, Any]) -> tuple[str, Any]:
    """("attr", terraform type) or ("block", (nesting, struct fqn))."""
    if "union" in t:
        options = [o for o in t["union"]["types"] if o.get("fqn") != "cdktf.IResolvable"]
        if len(options) == 1:
            return _type(options[0], types)
        return "attr", "any"
    if "primitive" in t:
        return "attr", {"string": "string", "number": "number", "boolean": "bool"}.get(
            t["primitive"], "any"
        )
    if "collection" in t:
        kind, element = t["collection"]["kind"], t["collection"]["elementtype"]
        what, inner = _type(element, types)
        if what == "block":
            return "block", ("list", inner[1])
        return "attr", ("list" if kind == "array" else "map", inner)
    fqn = t["fqn"]
    if types.get(fqn, {}).get("kind") == "interface":
        return "block", ("single", fqn)
    return "attr", "any"


def _block(fqn: str, types: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {"attributes": {}, "blocks": {}}
    if depth > 20:
        return out
    for prop in types[fqn].get("properties", []):
        name = _tf_name(prop)
        what, spec = _type(prop["type"], types)
        required = not prop.get("optional", False)
        if what == "attr":
            out["attributes"][name] = {"type": spec, "required": required}
        else:
            nesting, inner = spec
            out["blocks"][name] = {
                "nesting": nesting,
                "required": required,
                "block": _block(inner, types, depth + 1),
            }
    return out


def load_schema(wheel: Path) -> Schema:
    assembly = _assembly(wheel)
    types = assembly["types"]
    schema: Schema = {
        "resources": {},
        "data": {},
        "readable": {},
        "provider": None,
        "version": assembly["version"],
    }
    for fqn, t in types.items():
        if t.get("kind") != "class" or "initializer" not in t:
            continue
        params = t["initializer"].get("parameters", [])
        config = next((p for p in params if p["name"] == "config"), None)
        if config is None or "fqn" not in config["type"]:
            continue
        if fqn.endswith(".provider." + fqn.rsplit(".", 1)[-1]) and fqn.endswith("Provider"):
            schema["provider"] = _block(config["type"]["fqn"], types)
            continue
        match = _REPRESENTS.search(t.get("docs", {}).get("summary", ""))
        summary = t.get("docs", {}).get("summary", "")
        if match and "/docs/resources/" in summary:
            schema["resources"][match.group(1)] = _block(config["type"]["fqn"], types)
            # What a reference may read: the class's attribute getters (computed ones too).
            schema["readable"][match.group(1)] = {
                _CAMEL.sub(r"_\1", p["name"]).lower()
                for p in t.get("properties", [])
                if not p.get("static") and not p["name"].endswith("Input")
            }
        elif match and "/docs/data-sources/" in summary:
            schema["data"][match.group(1)] = _block(config["type"]["fqn"], types)
    return schema
