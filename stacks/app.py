"""Where stacks are built: every environment's stacks in one CDK app, and the atomic synth."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from stacks.config import Environment, environment_names, load_environment
from stacks.config.loader import check_name_collisions
from stacks.engine import engine

if TYPE_CHECKING:
    from stacks.platform_stack import PlatformStack

__all__ = [
    "STACK_KINDS",
    "UnderlayApp",
    "build_app",
    "load_environments",
    "stack_names",
    "synth_app",
    "synth_to",
]

STACK_KINDS = ("cluster", "platform")


class UnderlayApp(engine.App):
    """The CDK app, remembering what ``synth_app`` finishes after ``synth()``."""

    def __init__(self, outdir: Path) -> None:
        super().__init__(outdir=str(outdir))
        self.out = outdir
        self.platform_stacks: list[PlatformStack] = []


def stack_names(env: str) -> list[str]:
    return [f"{env}-{kind}" for kind in STACK_KINDS]


def load_environments(env_dir: Path, names: Sequence[str] | None = None) -> list[Environment]:
    """Load and check every environment first, so a bad file stops the run before any output."""
    loaded = [load_environment(n, env_dir) for n in (names or environment_names(env_dir))]
    check_name_collisions(loaded)
    return [item.env for item in loaded]


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
        platform = PlatformStack(
            app,
            f"{env.name}-platform",
            PlatformStackProps(env=env, project_root=root, objects_chart=chart),
        )
        app.platform_stacks.append(platform)
    return app


def synth_app(app: UnderlayApp) -> None:
    """``app.synth()``, then the platform stacks' direct blocks into their JSON
    (stacks/platform/direct.py says why). Every way of synthesizing goes through here."""
    from stacks.platform.direct import merge_direct_blocks

    app.synth()
    for stack in app.platform_stacks:
        stack_file = app.out / "stacks" / stack.node.id / "cdk.tf.json"
        merge_direct_blocks(stack_file, stack.direct)


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
        synth_app(build_app(envs, staging, root))
        if outdir.exists():
            outdir.rename(retired)
        staging.rename(outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    return [s for env in envs for s in stack_names(env.name)]
