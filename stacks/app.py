"""Where stacks are built: every environment's stacks in one CDK app, and the atomic synth."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from stacks.config import Environment, environment_names, load_environment
from stacks.engine import engine

__all__ = ["STACK_KINDS", "build_app", "load_environments", "stack_names", "synth_to"]

STACK_KINDS = ("cluster",)


def stack_names(env: str) -> list[str]:
    return [f"{env}-{kind}" for kind in STACK_KINDS]


def load_environments(env_dir: Path, names: Sequence[str] | None = None) -> list[Environment]:
    """Load and check every environment first, so a bad file stops the run before any output."""
    return [load_environment(n, env_dir).env for n in (names or environment_names(env_dir))]


def build_app(envs: Sequence[Environment], outdir: Path, project_root: Path) -> engine.App:
    """One app, stacks ``<env>-cluster`` for each environment, writing to ``outdir``."""
    from stacks.cluster_stack import ClusterStack, ClusterStackProps

    app = engine.App(outdir=str(outdir))
    # Every stack folder is outdir/stacks/<name>: one depth, so one relative root serves all.
    root = os.path.relpath(project_root, outdir / "stacks" / "any")
    for env in envs:
        ClusterStack(app, f"{env.name}-cluster", ClusterStackProps(env=env, project_root=root))
    return app


def synth_to(
    outdir: Path,
    env_dir: Path,
    names: Sequence[str] | None = None,
    project_root: Path | None = None,
) -> list[str]:
    """Synthesize into ``outdir``: written beside it, swapped in only when everything succeeded."""
    envs = load_environments(env_dir, names)
    root = (project_root or env_dir.resolve().parent).resolve()
    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    # A sibling folder: same depth, so the relative state paths are the same as in `outdir`.
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.new-", dir=outdir.parent))
    retired = outdir.parent / f".{outdir.name}.old-{staging.name.rsplit('-', 1)[-1]}"
    try:
        build_app(envs, staging, root).synth()
        if outdir.exists():
            outdir.rename(retired)
        staging.rename(outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    return [s for env in envs for s in stack_names(env.name)]
