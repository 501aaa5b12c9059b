"""Environments: one YAML file each in ``environments/``, ``extends`` for inheritance.

The names below load on first use (PEP 562), so importing a leaf such as
``stacks.config.types`` (which each cloud's settings module does) never pulls in the model, and
``stacks.config`` and ``stacks.clouds`` import each other in no cycle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stacks.config.loader import (
        LoadedEnvironment,
        environment_names,
        load_all,
        load_environment,
        load_many,
    )
    from stacks.config.model import Environment
    from stacks.config.paths import DEFAULT_ENV_DIR, ENV_DIR_VARIABLE

__all__ = [
    "DEFAULT_ENV_DIR",
    "ENV_DIR_VARIABLE",
    "Environment",
    "LoadedEnvironment",
    "environment_names",
    "load_all",
    "load_environment",
    "load_many",
]

_HOMES = {name: "stacks.config.loader" for name in __all__} | {
    "Environment": "stacks.config.model",
    "DEFAULT_ENV_DIR": "stacks.config.paths",
    "ENV_DIR_VARIABLE": "stacks.config.paths",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
