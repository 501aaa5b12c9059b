"""Image pins in an overlay's ``kustomization.yaml`` (kustomize's ``images:`` transformer).

Edited with ruamel.yaml round-trip so comments, key order and quoting survive: a tag bump is a
one-line diff a reviewer can read.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from bootstrap.gitops.errors import GitOpsError

__all__ = ["ImagePin", "get_pin", "image_references", "set_pin", "validate_image", "validate_tag"]

_IMAGE = re.compile(
    r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
    r"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class ImagePin:
    name: str
    new_tag: str | None
    digest: str | None


def validate_image(name: str) -> str:
    """An image name without tag or digest, e.g. ``ghcr.io/org/app``."""
    if not _IMAGE.match(name):
        raise GitOpsError(f"malformed image name {name!r}: expected e.g. ghcr.io/org/app, no tag")
    return name


def validate_tag(tag: str) -> str:
    if not _TAG.match(tag) and not _DIGEST.match(tag):
        raise GitOpsError(f"malformed image tag {tag!r}: expected e.g. 1.2.3 or sha256:<64 hex>")
    return tag


def _yaml(text: str = "") -> YAML:
    """Round-trip YAML that writes lists the way ``text`` already indents them."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 16
    if re.search(r"^(\w[^:\n]*):[ \t]*\n(?:#.*\n)*- ", text, re.MULTILINE) or not text:
        yaml.indent(mapping=2, sequence=2, offset=0)  # "key:\n- item" (kustomize's own style)
    else:
        yaml.indent(mapping=2, sequence=4, offset=2)  # "key:\n  - item"
    return yaml


def _load(path: Path) -> CommentedMap:
    try:
        document = _yaml().load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GitOpsError(f"{path.name}: not found; bootstrap the environment first") from None
    except YAMLError as exc:
        raise GitOpsError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(document, CommentedMap):
        raise GitOpsError(f"{path}: expected a kustomization mapping")
    return document


def _entries(document: CommentedMap, where: str) -> list[Any]:
    images = document.get("images")
    if images is None:
        return []
    if not isinstance(images, list) or not all(isinstance(e, dict) for e in images):
        raise GitOpsError(f"{where}: `images:` must be a list of mappings")
    return images


def get_pin(path: Path, image: str, where: str) -> ImagePin | None:
    """The ``images:`` entry for ``image`` in ``path``, or None."""
    for entry in _entries(_load(path), where):
        if entry.get("name") == image:
            tag, sha = entry.get("newTag"), entry.get("digest")
            return ImagePin(
                image, None if tag is None else str(tag), None if sha is None else str(sha)
            )
    return None


def set_pin(path: Path, image: str, tag: str | None, digest: str | None, where: str) -> bool:
    """Pin ``image`` to ``tag`` (and/or ``digest``); True when the file changed."""
    document = _load(path)
    entries = _entries(document, where)
    entry = next((e for e in entries if e.get("name") == image), None)
    if entry is None:
        entry = CommentedMap([("name", image)])
        if "images" not in document or not isinstance(document["images"], CommentedSeq):
            seq = CommentedSeq()
            seq.fa.set_block_style()
            document["images"] = seq
        elif document["images"].fa.flow_style():
            document["images"].fa.set_block_style()
        document["images"].append(entry)
    for key, value in (("newTag", tag), ("digest", digest)):
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    out = io.StringIO()
    before = path.read_text(encoding="utf-8")
    _yaml(before).dump(document, out)
    if out.getvalue() == before:
        return False
    path.write_text(out.getvalue(), encoding="utf-8")
    return True


def image_references(files: Iterable[Path]) -> set[str]:
    """Image names (tag and digest stripped) used by ``image:`` fields in these YAML files."""
    found: set[str] = set()
    yaml = YAML(typ="safe", pure=True)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "image" and isinstance(value, str):
                    found.add(_strip_reference(value))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for file in files:
        try:
            for document in yaml.load_all(file.read_text(encoding="utf-8")):
                walk(document)
        except (YAMLError, UnicodeDecodeError):
            continue  # not ours to judge; kustomize will complain about broken files
    return found


def _strip_reference(reference: str) -> str:
    name = reference.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    return name
