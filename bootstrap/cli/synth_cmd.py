"""``underlay synth``: the same ``cdktf.out/`` that ``cdktf synth`` writes, without the Node CLI."""

from __future__ import annotations

from pathlib import Path

import click

from bootstrap.cli.options import env_dir_option

__all__ = ["synth"]


@click.command()
@click.argument("envs", nargs=-1)
@env_dir_option
@click.option(
    "--out",
    "outdir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("cdktf.out"),
    show_default=True,
    help="Output folder; replaced whole, or left untouched on any error.",
)
def synth(envs: tuple[str, ...], env_dir: Path, outdir: Path) -> None:
    """Synthesize the stacks of ENVS (all environments when none are named)."""
    from stacks.app import synth_to

    stacks = synth_to(outdir, env_dir, list(envs) or None)
    click.echo(f"synthesized {len(stacks)} stacks into {outdir}: {', '.join(stacks)}")
