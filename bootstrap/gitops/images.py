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

from bootstrap.gitops import safefs
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


def _read(root: Path, rel: str) -> str:
    if not safefs.exists(root, rel):
        raise GitOpsError(f"{rel}: not found; bootstrap the environment first")
    try:
        return safefs.read_bytes(root, rel).decode("utf-8")
    except UnicodeDecodeError:
        raise GitOpsError(f"{rel}: not UTF-8 text") from None


def _parse(text: str, rel: str) -> CommentedMap:
    """A kustomization mapping; hostile YAML (tags, anchors, duplicates, nesting) is refused.

    Messages give the line only: the content of a repo file is never echoed.
    """
    plain = _strip_comments(text)
    for event, what in (("&", "anchors"), ("!", "tags")):
        if re.search(rf"(?:^|[\s\[{{,:-]){re.escape(event)}[^\s]", plain):
            raise GitOpsError(
                f"{rel}: YAML {what} are not allowed in a kustomization underlay edits"
            )
    if _depth(plain) > MAX_DEPTH:
        raise GitOpsError(f"{rel}: YAML nested too deeply (over {MAX_DEPTH} levels)")
    try:
        document = _yaml().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise GitOpsError(f"{rel}: not valid YAML{line} ({type(exc).__name__})") from None
    except RecursionError:
        raise GitOpsError(f"{rel}: YAML nested too deeply") from None
    if not isinstance(document, CommentedMap):
        raise GitOpsError(f"{rel}: expected a kustomization mapping")
    return document


MAX_DEPTH = 64  # a kustomization is a handful of levels deep; the parser is slow past hundreds


def _depth(plain: str) -> int:
    """An upper bound of the nesting: open flow brackets plus indentation steps (cheap, linear)."""
    depth = deepest = 0
    for char in plain:
        depth += (char in "[{") - (char in "]}")
        deepest = max(deepest, depth)
    indents = (len(line) - len(line.lstrip(" -")) for line in plain.splitlines())
    return deepest + max(indents, default=0) // 2


def _strip_comments(text: str) -> str:
    """Text without comments or quoted strings, for spotting anchors and tags (conservative)."""
    text = re.sub(r"'[^'\n]*'|\"(?:[^\"\\\n]|\\.)*\"", "''", text)
    return re.sub(r"(^|\s)#.*", r"\1", text)


def _entries(document: CommentedMap, where: str) -> list[Any]:
    images = document.get("images")
    if images is None:
        return []
    if not isinstance(images, list) or not all(isinstance(e, dict) for e in images):
        raise GitOpsError(f"{where}: `images:` must be a list of mappings")
    return images


def get_pin(root: Path, rel: str, image: str) -> ImagePin | None:
    """The ``images:`` entry for ``image`` in repo file ``rel``, or None."""
    for entry in _entries(_parse(_read(root, rel), rel), rel):
        if entry.get("name") == image:
            tag, sha = entry.get("newTag"), entry.get("digest")
            return ImagePin(
                image, None if tag is None else str(tag), None if sha is None else str(sha)
            )
    return None


def set_pin(root: Path, rel: str, image: str, tag: str | None, digest: str | None) -> bool:
    """Pin ``image`` to ``tag`` (and/or ``digest``) in repo file ``rel``; True when it changed."""
    before = _read(root, rel)
    document = _parse(before, rel)
    entries = _entries(document, rel)
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
    _yaml(before).dump(document, out)
    if out.getvalue() == before:
        return False
    safefs.write_bytes(root, rel, out.getvalue().encode("utf-8"))
    return True


def image_references(root: Path, folders: Iterable[str]) -> set[str]:
    """Image names (tag and digest stripped) used by ``image:`` fields in the YAML files under
    these repo folders; symlinks, huge and hostile files are skipped (kustomize judges them).
    """
    found: set[str] = set()
    yaml = YAML(typ="safe", pure=True)

    def walk(node: Any, seen: set[int]) -> None:
        if id(node) in seen:  # an alias: visited once, so an alias bomb stays linear
            return
        if isinstance(node, dict):
            seen.add(id(node))
            for key, value in node.items():
                if key == "image" and isinstance(value, str):
                    found.add(_strip_reference(value))
                else:
                    walk(value, seen)
        elif isinstance(node, list):
            seen.add(id(node))
            for item in node:
                walk(item, seen)

    for folder in folders:
        for rel in safefs.list_files(root, folder):
            if not rel.endswith((".yaml", ".yml")):
                continue
            try:
                for document in yaml.load_all(safefs.read_bytes(root, rel).decode("utf-8")):
                    walk(document, set())
            except (YAMLError, UnicodeDecodeError, GitOpsError, RecursionError, ValueError):
                continue
    return found


def _strip_reference(reference: str) -> str:
    name = reference.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    return name
