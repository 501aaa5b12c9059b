"""``underlay synth``: the same ``cdktf.out/`` that ``cdktf synth`` writes, without the Node CLI."""

from __future__ import annotations

from pathlib import Path

import click

from bootstrap.cli.options import env_dir_option
from stacks.errors import UnderlayError

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
@click.option(
    "--replace-all",
    is_flag=True,
    help="With ENVS: replace the output folder even though it holds other environments' stacks.",
)
def synth(envs: tuple[str, ...], env_dir: Path, outdir: Path, replace_all: bool) -> None:
    """Synthesize the stacks of ENVS (all environments when none are named)."""
    from stacks.app import stack_names, synth_to

    if envs and not replace_all:
        wanted = {name for env in envs for name in stack_names(env)}
        stacks_dir = outdir / "stacks"
        others = sorted(
            p.name for p in (stacks_dir.iterdir() if stacks_dir.is_dir() else []) if p.is_dir()
        )
        dropped = [name for name in others if name not in wanted]
        if dropped:
            raise UnderlayError(
                f"{outdir} holds other stacks ({', '.join(dropped)}) that synthesizing only "
                f"{', '.join(envs)} would remove; synth all environments, use another --out, "
                "or pass --replace-all"
            )

    stacks = synth_to(outdir, env_dir, list(envs) or None)
    click.echo(f"synthesized {len(stacks)} stacks into {outdir}: {', '.join(stacks)}")
