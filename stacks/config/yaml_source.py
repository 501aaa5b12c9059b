"""Reads one environment file into plain data plus the line of every key.

The text is parsed by libyaml (PyYAML's C parser, ``yaml.CSafeLoader``) into events; one pass
over those events both screens them (what an env file may not use, see :func:`read_document`)
and builds plain dicts/lists/scalars, taking every key's and list item's line from the event's
mark. Plain scalars are typed with ruamel.yaml's YAML 1.2 resolver and constructor (``no`` is a
string, ``0o17`` an int), the rules env files have always been read with. Nothing else parses
env files: this is the one reader. Why events and not a composer: docs/architecture.md.
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.error import MantissaNoDotYAML1_1Warning, StreamMark
from ruamel.yaml.error import YAMLError as RuamelYAMLError
from ruamel.yaml.nodes import ScalarNode
from yaml import CSafeLoader  # libyaml: the pinned PyYAML wheels carry it; no pure-Python fallback

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
MAX_DEPTH = 64  # nested mappings/sequences, aliases expanded

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
    """Parse ``path``; any problem becomes a :class:`ConfigError` naming file and line.

    Refused, before anything is built from them: explicit tags (``!foo``, ``!!python/...``,
    even ``!!str``), merge keys (``<<:``, whose provenance no line could name), aliases to a node
    that is still open (recursive), nesting deeper than :data:`MAX_DEPTH` (aliases expanded),
    documents whose alias-expanded size exceeds :data:`MAX_NODES` (alias bombs), duplicate and
    non-string keys, and more than one document.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(Location(path, None, ""), f"cannot read file: {exc}") from None
    try:
        root = _Builder(path).build(yaml.parse(text, Loader=CSafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise ConfigError(Location(path, line, ""), f"invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:  # libyaml counts UTF-8 bytes
        line = text.encode("utf-8")[: exc.position].count(b"\n") + 1
        char = exc.character
        shown = f"#x{char:04x}" if isinstance(char, int) else repr(char)
        problem = f"unacceptable character {shown}: {exc.reason}"
        raise ConfigError(Location(path, line, ""), f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split()) or type(exc).__name__
        raise ConfigError(Location(path, None, ""), f"invalid YAML: {problem}") from None
    if root.value is None:
        return Document(path=path, data={}, lines={(): 1})
    if not isinstance(root.value, dict):
        raise ConfigError(
            Location(path, 1, ""), f"expected a mapping of settings, got {_kind(root.value)}"
        )
    return Document(path=path, data=root.value, lines=root.lines)


_NO_KEY: Any = object()  # a mapping frame waiting for its next key


class _Frame:
    """A mapping or sequence whose end event has not come yet."""

    __slots__ = ("anchor", "at", "container", "height", "key", "key_line", "size")

    def __init__(self, anchor: str | None, at: KeyPath, container: dict[str, Any] | list[Any]):
        self.anchor = anchor
        self.at = at
        self.container = container
        self.size = 1  # nodes, aliases expanded
        self.height = 1  # levels of nesting below and including it, aliases expanded
        self.key: Any = _NO_KEY
        self.key_line = 0


@dataclass
class _Anchored:
    value: Any
    at: KeyPath
    size: int
    height: int


class _Builder:
    """One pass over parser events: screen each one, then add it to the data being built
    (aliased collections are copied in at the end, after the whole document passed)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.open: list[_Frame] = []
        self.anchors: dict[str, _Anchored] = {}
        # aliased collections, placed as None until the whole document passed the screen
        self.aliases: list[tuple[dict[str, Any] | list[Any], KeyPath, _Anchored]] = []
        self.lines: dict[KeyPath, int] = {(): 1}
        self.value: Any = None
        self.total = 0
        self.documents = 0
        self.typer = _ScalarTyper((1, 2))

    def build(self, events: Iterator[yaml.Event]) -> _Builder:
        for event in events:
            if isinstance(event, yaml.ScalarEvent):
                self._scalar(event)
            elif isinstance(event, yaml.AliasEvent):
                self._alias(event)
            elif isinstance(event, yaml.CollectionStartEvent):
                self._start(event)
            elif isinstance(event, yaml.CollectionEndEvent):
                self._end(event)
            elif isinstance(event, yaml.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    raise self._fail(
                        event, "invalid YAML: expected a single document in the stream"
                    )
                self.typer = _ScalarTyper((1, 1) if event.version == (1, 1) else (1, 2))
        self._expand_aliases()
        return self

    def _fail(self, event: yaml.Event, problem: str) -> ConfigError:
        return ConfigError(Location(self.path, _line(event), ""), problem)

    def _refuse_tag(self, event: yaml.ScalarEvent | yaml.CollectionStartEvent) -> None:
        if event.tag is not None:
            raise self._fail(
                event, f"YAML tags are not allowed (got {event.tag}); write the plain value"
            )

    def _at_key(self) -> bool:
        """Whether the next node is a mapping key."""
        return (
            bool(self.open)
            and self.open[-1].key is _NO_KEY
            and isinstance(self.open[-1].container, dict)
        )

    def _place(self, event: yaml.Event, value: Any, merge_key: bool) -> KeyPath | None:
        """Put ``value`` where the event stands; returns its key path (``None`` for a key)."""
        if not self.open:
            self.value = value
            return ()
        parent = self.open[-1]
        container = parent.container
        if isinstance(container, list):
            at = (*parent.at, len(container))
            container.append(value)
            self.lines[at] = _line(event)
            return at
        if parent.key is _NO_KEY:
            self._key(event, value, merge_key)
            return None
        at = (*parent.at, parent.key)
        container[parent.key] = value
        self.lines[at] = parent.key_line
        parent.key = _NO_KEY
        return at

    def _key(self, event: yaml.Event, key: Any, merge_key: bool) -> None:
        parent = self.open[-1]
        line = _line(event)
        if merge_key:
            raise self._fail(
                event, "merge keys (<<) are not supported; use extends or repeat the keys"
            )
        if not isinstance(key, str):
            written = event.value if isinstance(event, yaml.ScalarEvent) else key
            shown = "" if written is None or written == "" else f" ({written}); quote it"
            raise ConfigError(
                Location(self.path, line, format_key_path(parent.at)),
                f"keys must be strings, got {_kind(key)}{shown}",
            )
        if key in parent.container:
            first = self.lines[(*parent.at, key)]
            raise ConfigError(
                Location(self.path, line, format_key_path((*parent.at, key))),
                f"duplicate key {key!r} (first set on line {first})",
            )
        parent.key = key
        parent.key_line = line

    def _grow(self, event: yaml.Event, size: int, height: int) -> None:
        """Count a finished node of ``size`` nodes and ``height`` levels into its parent."""
        if self.open:
            parent = self.open[-1]
            parent.size += size
            grown = parent.size
            if height >= parent.height:
                parent.height = height + 1
        else:
            self.total += size
            grown = self.total
        if grown > MAX_NODES:
            raise self._fail(
                event, f"document expands to more than {MAX_NODES} nodes (alias bomb?)"
            )
        if len(self.open) + height > MAX_DEPTH:
            raise self._fail(event, f"nesting deeper than {MAX_DEPTH} levels")

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        self._refuse_tag(event)
        plain = event.style is None or event.style == ""
        at_key = self._at_key()
        try:
            value = self.typer(event.value) if plain else event.value
        except (ValueError, TypeError, OverflowError, RuamelYAMLError) as exc:
            raise self._fail(event, f"invalid YAML: cannot read {event.value!r}: {exc}") from None
        if isinstance(value, datetime.date) and not at_key:
            value = value.isoformat()
        merge_key = at_key and plain and event.value == "<<"
        self._place(event, value, merge_key)
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchored(value, (), 1, 0)
        self._grow(event, 1, 0)

    def _alias(self, event: yaml.AliasEvent) -> None:
        name = str(event.anchor)
        if any(frame.anchor == name for frame in self.open):
            raise self._fail(event, f"alias *{name} refers to a node that contains it")
        anchored = self.anchors.get(name)
        if anchored is None:
            raise self._fail(event, f"invalid YAML: found undefined alias {name!r}")
        self._grow(event, anchored.size, anchored.height)
        if self._at_key() or not isinstance(anchored.value, dict | list):
            self._place(event, anchored.value, False)  # a collection as a key is refused there
            return
        container = self.open[-1].container  # an alias at the root would be undefined
        at = self._place(event, None, False)
        assert at is not None
        self.aliases.append((container, at, anchored))

    def _expand_aliases(self) -> None:
        """Copy each aliased collection into place, once every bound has been checked (a bomb
        is refused before anything is copied). In document order, so an anchored collection's
        own aliases are expanded before anything copies it."""
        for container, at, anchored in self.aliases:
            value = _clone(anchored.value, anchored.at, at, self.lines)
            if isinstance(container, list):
                container[int(at[-1])] = value
            else:
                container[str(at[-1])] = value

    def _start(self, event: yaml.CollectionStartEvent) -> None:
        self._refuse_tag(event)
        if len(self.open) >= MAX_DEPTH:
            raise self._fail(event, f"nesting deeper than {MAX_DEPTH} levels")
        container: dict[str, Any] | list[Any] = (
            {} if isinstance(event, yaml.MappingStartEvent) else []
        )
        if self._at_key():
            raise ConfigError(
                Location(self.path, _line(event), format_key_path(self.open[-1].at)),
                f"keys must be strings, got {_kind(container)}",
            )
        at = self._place(event, container, False)
        assert at is not None  # a key was refused above
        self.open.append(_Frame(event.anchor, at, container))

    def _end(self, event: yaml.Event) -> None:
        frame = self.open.pop()
        if frame.anchor is not None:
            self.anchors[frame.anchor] = _Anchored(
                frame.container, frame.at, frame.size, frame.height
            )
        self._grow(event, frame.size, frame.height)


class _ScalarTyper:
    """A plain scalar's value under the document's YAML version (1.2 unless ``%YAML 1.1``)."""

    def __init__(self, version: tuple[int, int]) -> None:
        self.version = version
        loader = YAML(typ="rt", pure=True)
        loader.version = version
        self.resolve = loader.resolver.resolve
        # ruamel keys its implicit rules by first character: a scalar starting with any other
        # character is a string, without the resolver's per-call lookups (most of read time).
        rules = loader.resolver.versioned_resolver
        self.typed_starts = frozenset(rules) if None not in rules else None
        self.seen: dict[str, Any] = {}
        constructor = loader.constructor
        self.construct: dict[str, Callable[[ScalarNode], Any]] = {
            "tag:yaml.org,2002:null": constructor.construct_yaml_null,
            "tag:yaml.org,2002:bool": constructor.construct_yaml_sbool,
            "tag:yaml.org,2002:int": constructor.construct_yaml_int,
            "tag:yaml.org,2002:float": constructor.construct_yaml_float,
            "tag:yaml.org,2002:timestamp": constructor.construct_yaml_timestamp,
        }

    def __call__(self, text: str) -> Any:
        """``None``, a bool, int, float, ``datetime.date`` or the text itself."""
        if self.typed_starts is not None and text[:1] not in self.typed_starts:
            return text
        known = self.seen.get(text, self)
        if known is not self:
            return known
        value = self._type(text)
        if len(self.seen) < 4096:  # "1", "true", "3": the same few values recur
            self.seen[text] = value
        return value

    def _type(self, text: str) -> Any:
        tag = str(self.resolve(ScalarNode, text, (True, False)))
        construct = self.construct.get(tag)
        if construct is None:  # str, and the tags a plain "<<" or "=" resolve to
            return text
        if self.version == (1, 2):
            value = construct(ScalarNode(tag, text))
        else:
            with warnings.catch_warnings():  # YAML 1.1 warns on stderr about 1e3 (1.2 allows it)
                warnings.simplefilter("ignore", MantissaNoDotYAML1_1Warning)
                value = construct(ScalarNode(tag, text, start_mark=StreamMark(None, 0, 0, 0)))
        if value is None or isinstance(value, bool | datetime.date):
            return value
        for plain in (int, float):  # ruamel's ScalarInt/ScalarFloat keep formatting we drop
            if isinstance(value, plain):
                return plain(value)
        return text


def _line(event: yaml.Event) -> int:
    mark = event.start_mark
    assert mark is not None  # libyaml marks every event it emits
    return mark.line + 1


def _clone(source: Any, source_at: KeyPath, at: KeyPath, lines: dict[KeyPath, int]) -> Any:
    """A copy of ``source``; each key inside it gets the line the same key has in ``source``."""
    if isinstance(source, dict):
        out: dict[str, Any] = {}
        for key, child in source.items():
            out[key] = _clone(child, (*source_at, key), (*at, key), lines)
            lines[(*at, key)] = lines[(*source_at, key)]
        return out
    if isinstance(source, list):
        items = []
        for index, child in enumerate(source):
            items.append(_clone(child, (*source_at, index), (*at, index), lines))
            lines[(*at, index)] = lines[(*source_at, index)]
        return items
    return source


def _kind(value: object) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    for kind, words in _KINDS:
        if isinstance(value, kind):
            return words
    return f"a {type(value).__name__}"


_KINDS: tuple[tuple[type, str], ...] = (
    (str, "a string"),
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a float"),
    (datetime.datetime, "a timestamp"),
    (datetime.date, "a date"),
)
