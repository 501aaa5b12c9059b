"""Where an environment is read: find its file, follow ``extends``, merge, validate, check rules.

Constructs never see raw YAML: they get the :class:`Environment` this module returns.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from stacks.config.merge import Layer, Origin, layer_of, merge
from stacks.config.model import Environment
from stacks.config.paths import DEFAULT_ENV_DIR
from stacks.config.rules import check_rules, paths_overlap
from stacks.config.safety import check_literals, check_repo_credentials
from stacks.config.yaml_source import KeyPath, format_key_path, read_document
from stacks.errors import ConfigError, Location

__all__ = [
    "LoadedEnvironment",
    "check_disjoint_paths",
    "check_name_collisions",
    "environment_names",
    "iter_leaves",
    "load_all",
    "load_environment",
    "load_layer",
]

SUFFIX = ".yaml"


@dataclass(frozen=True)
class LoadedEnvironment:
    """The typed environment plus the merged layer it came from (for provenance and diffs)."""

    env: Environment
    layer: Layer
    chain: tuple[Path, ...]


def environment_names(env_dir: Path = DEFAULT_ENV_DIR) -> list[str]:
    if not env_dir.is_dir():
        raise ConfigError(Location(env_dir, None, ""), "environments directory not found")
    return sorted(p.stem for p in env_dir.glob(f"*{SUFFIX}"))


def load_environment(
    name: str, env_dir: Path = DEFAULT_ENV_DIR, *, shared: _Shared | None = None
) -> LoadedEnvironment:
    layer, chain = load_layer(name, env_dir, shared=shared)
    data = {k: v for k, v in layer.data.items() if k != "extends"}
    for key_path, problem in check_literals(data):
        raise ConfigError(_locate(key_path, layer, chain[-1]), problem)
    data["name"] = name
    try:
        env = Environment.model_validate(data)
    except ValidationError as exc:
        raise _config_error(exc, layer, chain[-1]) from None
    # credentials in the repo URL first: the most urgent thing to fix in this file
    repo_problem = check_repo_credentials(env.gitops.repo)
    if repo_problem is not None:
        raise ConfigError(_locate(("gitops", "repo"), layer, chain[-1]), repo_problem)
    for key_path, problem in check_rules(env):
        raise ConfigError(_locate(key_path, layer, chain[-1]), problem)
    return LoadedEnvironment(env, layer, chain)


def load_all(env_dir: Path = DEFAULT_ENV_DIR) -> list[LoadedEnvironment]:
    loaded = load_many(environment_names(env_dir), env_dir)
    check_disjoint_paths(loaded)
    return loaded


def check_disjoint_paths(loaded: list[LoadedEnvironment]) -> None:
    """Two environments loaded together must not share or nest their manifest-repo folders."""
    for i, later in enumerate(loaded):
        for earlier in loaded[:i]:
            if paths_overlap(earlier.env.gitops_path, later.env.gitops_path):
                raise ConfigError(
                    _locate(("gitops", "path"), later.layer, later.chain[-1]),
                    f"{later.env.gitops_path!r} overlaps environment {earlier.env.name!r}'s "
                    f"{earlier.env.gitops_path!r}: each environment needs its own folder",
                )


def check_name_collisions(loaded: list[LoadedEnvironment]) -> None:
    """Two environments must not share a cluster name (``<prefix>-<env>``): env ``b`` with
    prefix ``ul-a`` and env ``a-b`` with prefix ``ul`` would both own ``ul-a-b``."""
    owner: dict[str, LoadedEnvironment] = {}
    for item in loaded:
        name = item.env.cluster_name
        first = owner.setdefault(name, item)
        if first is not item:
            raise ConfigError(
                _locate(("prefix",), item.layer, item.chain[-1]),
                f"environments {first.env.name!r} and {item.env.name!r} both name their "
                f"resources {name!r}; change a prefix or rename one",
            )


def load_many(names: Sequence[str], env_dir: Path = DEFAULT_ENV_DIR) -> list[LoadedEnvironment]:
    """Several environments of one folder: each file is read and parsed once, however many
    environments extend it (loading N children of one parent stays linear in N)."""
    shared = _Shared(environment_names(env_dir), {})
    loaded = [load_environment(n, env_dir, shared=shared) for n in names]
    check_name_collisions(loaded)
    return loaded


@dataclass(frozen=True)
class _Shared:
    """What the environments of one folder share while they load: the names, the parsed files."""

    known: list[str]
    layers: dict[Path, Layer]


def load_layer(
    name: str, env_dir: Path = DEFAULT_ENV_DIR, *, shared: _Shared | None = None
) -> tuple[Layer, tuple[Path, ...]]:
    """Merge ``name``'s file over its ancestors; returns the layer and the files, root first."""
    shared = shared or _Shared(environment_names(env_dir), {})
    known = shared.known
    if name not in known:
        raise ConfigError(
            Location(env_dir / f"{name}{SUFFIX}", None, ""),
            f"unknown environment {name!r}{_suggest(name, known)}; known: {', '.join(known)}",
        )
    chain: list[tuple[Path, Layer]] = []
    seen: list[str] = []
    current: str | None = name
    while current is not None:
        path = env_dir / f"{current}{SUFFIX}"
        if current in seen:
            cycle = " -> ".join([*seen, current])
            line = chain[-1][1].origins.get(("extends",), Origin(path, 1)).line
            raise ConfigError(
                Location(chain[-1][0], line, "extends"), f"inheritance cycle: {cycle}"
            )
        seen.append(current)
        layer = shared.layers.get(path) or layer_of(read_document(path))
        shared.layers[path] = layer
        chain.append((path, layer))
        parent = layer.data.get("extends")
        if parent is not None and (not isinstance(parent, str) or parent not in known):
            line = layer.origins[("extends",)].line
            expected = f"one of: {', '.join(known)}"
            raise ConfigError(
                Location(path, line, "extends"),
                f"unknown parent environment {parent!r}{_suggest(str(parent), known)}; "
                f"expected {expected}",
            )
        current = parent
    merged = Layer({}, {})
    for _, layer in reversed(chain):
        merged = merge(merged, layer)
    return merged, tuple(p for p, _ in reversed(chain))


def _config_error(exc: ValidationError, layer: Layer, leaf: Path) -> ConfigError:
    """Turn pydantic's first error into one line naming file, line, key path and expectation."""
    error = exc.errors(include_url=False)[0]
    key_path, fields = _walk(error["loc"])
    kind = error["type"]
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        key_path = (*key_path, str(error.get("ctx", {}).get("discriminator", "")).strip("'"))
    location = _locate(key_path, layer, leaf)
    if kind == "extra_forbidden":
        return ConfigError(
            location,
            f"unknown key{_suggest(str(key_path[-1]), fields)}; "
            f"expected one of: {', '.join(sorted(fields))}",
        )
    if kind == "missing":
        return ConfigError(location, "missing required configuration attribute")
    message = error["msg"].removeprefix("Value error, ")
    given = error.get("input")
    shown = "" if isinstance(given, dict | list) else f" (got {_describe(given)})"
    return ConfigError(location, f"{message}{shown}")


def _describe(given: object) -> str:
    """What the file held, in YAML's words: a quoted "5" is a string, not a number."""
    if isinstance(given, str):
        return f"the string {given!r}"
    if given is None:
        return "null"
    if isinstance(given, bool):
        return "true" if given else "false"
    return repr(given)


def _walk(loc: tuple[int | str, ...]) -> tuple[KeyPath, list[str]]:
    """Drop pydantic's union tags from ``loc`` and find the field names allowed at its end."""
    model: Any = Environment
    clean: list[str | int] = []
    fields: list[str] = []
    for part in loc:
        options = _models_in(model)
        if isinstance(part, str) and options and not any(part in m.model_fields for m in options):
            tagged = [m for m in options if _tag(m) == part]
            if tagged:
                model = tagged[0]
                continue
        clean.append(part)
        fields = sorted({f for m in options for f in m.model_fields})
        model = _child(model, part)
    return tuple(clean), [f for f in fields if f != "name"]


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in typing.get_args(annotation) for m in _models_in(a)]


def _tag(model: type[BaseModel]) -> str | None:
    for field in model.model_fields.values():
        args = typing.get_args(field.annotation)
        if typing.get_origin(field.annotation) is typing.Literal and len(args) == 1:
            return str(args[0])
    return None


def _child(annotation: Any, part: str | int) -> Any:
    models = _models_in(annotation)
    for model in models:
        if isinstance(part, str) and part in model.model_fields:
            return model.model_fields[part].annotation
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (dict, typing.Dict) and len(args) == 2:  # noqa: UP006
        return args[1]
    if origin in (tuple, list) and args:
        return args[0]
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        return next((_child(a, part) for a in args if _models_in(a)), None)
    return None


def _locate(key_path: KeyPath, layer: Layer, leaf: Path) -> Location:
    """The origin of the deepest part of ``key_path`` that some file set."""
    for depth in range(len(key_path), -1, -1):
        origin = layer.origins.get(key_path[:depth])
        if origin is not None and (depth or not key_path):
            return Location(origin.file, origin.line, format_key_path(key_path))
    return Location(leaf, 1 if not key_path else None, format_key_path(key_path))


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def iter_leaves(data: Any, at: KeyPath = ()) -> Iterator[tuple[KeyPath, Any]]:
    """Every scalar or list in ``data`` with its key path; lists are leaves (they replace whole)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_leaves(value, (*at, key))
    else:
        yield at, data
