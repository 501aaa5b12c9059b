"""Flags shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["env_dir_option"]

env_dir_option = click.option(
    "--env-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("environments"),
    show_default=True,
    envvar="UNDERLAY_ENV_DIR",
    help="Folder holding one YAML file per environment.",
)
