"""``underlay config show|diff``: what an environment really is after inheritance."""

from __future__ import annotations

from pathlib import Path

import click

from bootstrap.cli.options import env_dir_option

__all__ = ["config"]


@click.group()
def config() -> None:
    """Inspect the effective configuration of environments."""


@config.command()
@click.argument("env")
@click.option("--provenance", is_flag=True, help="Say which file and line set each value.")
@env_dir_option
def show(env: str, provenance: bool, env_dir: Path) -> None:
    """Print ENV's effective configuration as YAML."""
    from stacks.config import load_environment
    from stacks.config.effective import render_yaml

    click.echo(render_yaml(load_environment(env, env_dir), provenance=provenance), nl=False)


@config.command()
@click.argument("env_a")
@click.argument("env_b")
@env_dir_option
def diff(env_a: str, env_b: str, env_dir: Path) -> None:
    """List the settings that differ between ENV_A and ENV_B."""
    from stacks.config import load_environment
    from stacks.config.effective import diff_leaves

    lines = diff_leaves(load_environment(env_a, env_dir), load_environment(env_b, env_dir))
    click.echo("\n".join(lines) if lines else f"{env_a} and {env_b} have the same configuration")
