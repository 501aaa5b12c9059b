"""Flags shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click

from stacks.config.loader import DEFAULT_ENV_DIR, ENV_DIR_VARIABLE

__all__ = ["env_dir_option"]

env_dir_option = click.option(
    "--env-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_ENV_DIR,
    show_default=True,
    envvar=ENV_DIR_VARIABLE,
    help="Folder holding one YAML file per environment.",
)
