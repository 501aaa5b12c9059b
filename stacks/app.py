"""Where stacks are built: every environment's stacks in one CDK app, and the atomic synth."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from stacks.config import Environment, environment_names, load_many
from stacks.l1 import UnderlayApp

__all__ = [
    "STACK_KINDS",
    "UnderlayApp",
    "build_app",
    "load_environments",
    "stack_names",
    "synth",
    "synth_to",
]

STACK_KINDS = ("cluster", "platform")


def stack_names(env: str) -> list[str]:
    return [f"{env}-{kind}" for kind in STACK_KINDS]


def load_environments(env_dir: Path, names: Sequence[str] | None = None) -> list[Environment]:
    """Load and check every environment first, so a bad file stops the run before any output."""
    return [e.env for e in load_many(names or environment_names(env_dir), env_dir)]


def build_app(envs: Sequence[Environment], outdir: Path, project_root: Path) -> UnderlayApp:
    """One app, stacks ``<env>-cluster`` and ``<env>-platform`` per environment, into ``outdir``."""
    from stacks.cluster_stack import ClusterStack, ClusterStackProps
    from stacks.platform.gen.plan import OBJECTS_CHART
    from stacks.platform_stack import PlatformStack, PlatformStackProps

    app = UnderlayApp(outdir)
    # Every stack folder is outdir/stacks/<name>: one depth, so one relative root serves all.
    root = os.path.relpath(project_root, outdir / "stacks" / "any")
    chart = os.path.relpath(OBJECTS_CHART, outdir / "stacks" / "any")
    for env in envs:
        ClusterStack(app, f"{env.name}-cluster", ClusterStackProps(env=env, project_root=root))
        PlatformStack(
            app,
            f"{env.name}-platform",
            PlatformStackProps(env=env, project_root=root, objects_chart=chart),
        )
    return app


def synth(envs: Sequence[Environment], outdir: Path, project_root: Path) -> None:
    """Build the app and synthesize it into ``outdir``: what ``synth_to`` and ``main.py`` (the
    cdktf CLI's entry point) both do.

    Python's cyclic garbage collector is paused meanwhile: the run allocates many small,
    long-lived objects (every environment's blocks), which made each collection walk all of them
    again, a cost growing with the number of environments; they are freed together at the end.
    (Measured in ``nox -s bench``: the marginal cost per environment.)
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        app = build_app(envs, outdir, project_root)
        app.synth()
        # The jsii kernel holds every stack until the process ends; their blocks are written,
        # so let them go now (freed by reference counting) rather than be walked at exit.
        app.release_blocks()
    finally:
        if paused:
            gc.enable()


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
        synth(envs, staging, root)
        if outdir.exists():
            outdir.rename(retired)
        staging.rename(outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    return [s for env in envs for s in stack_names(env.name)]
