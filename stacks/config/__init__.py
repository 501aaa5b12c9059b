"""Environments: one YAML file each in ``environments/``, ``extends`` for inheritance."""

from stacks.config.loader import (
    DEFAULT_ENV_DIR,
    LoadedEnvironment,
    environment_names,
    load_all,
    load_environment,
)
from stacks.config.model import Environment

__all__ = [
    "DEFAULT_ENV_DIR",
    "Environment",
    "LoadedEnvironment",
    "environment_names",
    "load_all",
    "load_environment",
]
