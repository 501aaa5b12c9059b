"""``underlay render`` and ``underlay versions``: what ``<env>-platform`` will apply."""

from __future__ import annotations

from pathlib import Path

import click

from bootstrap.cli.options import env_dir_option
from stacks.errors import UnderlayError

__all__ = ["render", "versions"]


def _check_out_dir(outdir: Path) -> None:
    """Refuse, before anything is written, an --out below a file or into a file's place."""
    for place in (outdir, *outdir.parents):
        if place.exists() and not place.is_dir():
            raise UnderlayError(f"--out {outdir}: {place} is a file, not a folder")


@click.command()
@click.argument("env")
@env_dir_option
@click.option(
    "--out",
    "outdir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write one YAML file per namespace/release here; without it, print everything.",
)
@click.option(
    "--outputs",
    "outputs_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="cdktf --outputs-file JSON: fill in <env>-cluster's outputs instead of references.",
)
def render(env: str, env_dir: Path, outdir: Path | None, outputs_file: Path | None) -> None:
    """Print or write, as YAML, every Kubernetes object ENV's platform stack creates
    (Helm releases as their release settings and values)."""
    from stacks.config import load_environment
    from stacks.platform.gen.plan import render_files
    from stacks.platform.render import environment_plan

    files = render_files(environment_plan(load_environment(env, env_dir).env, outputs_file))
    if outdir is None:
        for path, text in files.items():
            click.echo(f"# {path}\n---\n{text}", nl=False)
        return
    _check_out_dir(outdir)
    for path, text in files.items():
        target = outdir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    click.echo(f"wrote {len(files)} files into {outdir}")


@click.command()
@click.argument("env")
@env_dir_option
def versions(env: str, env_dir: Path) -> None:
    """Print ENV's effective versions table (charts, CRDs, images)."""
    from stacks.config import load_environment
    from stacks.platform.gen.versions import version_rows

    rows = version_rows(load_environment(env, env_dir).env)
    width = max(len(r[0]) for r in rows)
    for key, what, version, source in rows:
        click.echo(f"versions.{key:<{width}}  {version:<34}  {what} ({source})")
