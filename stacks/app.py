"""Where stacks are built: every environment's stacks in one CDK app, and the atomic synth."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from stacks.config import Environment, environment_names, load_many
from stacks.errors import UnderlayError
from stacks.l1 import UnderlayApp

__all__ = [
    "STACK_KINDS",
    "SYNTH_MARKER",
    "UnderlayApp",
    "build_app",
    "check_replaceable",
    "load_environments",
    "recover_output",
    "stack_names",
    "synth",
    "synth_to",
]

STACK_KINDS = ("cluster", "platform")
SYNTH_MARKER = ".underlay-synth"  # written into every output folder synth_to makes
_CDKTF_ENTRIES = {"manifest.json", "stacks", SYNTH_MARKER}


def stack_names(env: str) -> list[str]:
    return [f"{env}-{kind}" for kind in STACK_KINDS]


def load_environments(env_dir: Path, names: Sequence[str] | None = None) -> list[Environment]:
    """Load and check every environment first, so a bad file stops the run before any output."""
    from stacks.config.loader import check_disjoint_paths

    loaded = load_many(names or environment_names(env_dir), env_dir)
    check_disjoint_paths(loaded)
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


def check_replaceable(outdir: Path) -> None:
    """Raise unless ``outdir`` is absent, an empty folder, or a synth output folder.

    A synth output holds ``manifest.json`` and either underlay's marker or nothing but what
    ``cdktf synth`` writes; anything else (the project, ``environments/``, a home folder, a
    file) is the user's and is never replaced.
    """
    if not os.path.lexists(outdir):
        return
    if outdir.is_symlink() or not outdir.is_dir():
        raise UnderlayError(f"--out {outdir}: not a folder; refusing to replace it")
    entries = {p.name for p in outdir.iterdir()}
    if not entries:
        return
    if "manifest.json" in entries and (SYNTH_MARKER in entries or entries <= _CDKTF_ENTRIES):
        return
    raise UnderlayError(
        f"--out {outdir}: not a synth output folder (no {SYNTH_MARKER}/manifest.json); "
        "refusing to replace it: choose an empty or new folder"
    )


def recover_output(outdir: Path) -> None:
    """Finish or undo a swap a killed synth left half-done, and drop its leftovers."""
    leftovers = sorted(outdir.parent.glob(f".{outdir.name}.old-*"))
    if not os.path.lexists(outdir):
        complete = [p for p in leftovers if (p / SYNTH_MARKER).is_file()]
        if complete:
            complete[-1].rename(outdir)
    for path in leftovers:  # staging folders (.new-*) may be a running synth's: left alone
        if os.path.lexists(outdir) and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2 RENAME_EXCHANGE); False if absent."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    status = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(status == 0)


def _swap_in(staging: Path, outdir: Path, retired: Path) -> None:
    """Put ``staging`` at ``outdir`` so that a complete output exists at every instant: one
    atomic exchange where the kernel has it; else two renames that :func:`recover_output` undoes
    (the old output stays complete under ``retired`` until the new one is in place).
    """
    if not os.path.lexists(outdir):
        staging.rename(outdir)
    elif _exchange(staging, outdir):
        staging.rename(retired)
    else:
        outdir.rename(retired)
        staging.rename(outdir)


def synth_to(
    outdir: Path,
    env_dir: Path,
    names: Sequence[str] | None = None,
    project_root: Path | None = None,
) -> list[str]:
    """Synthesize into ``outdir``: written beside it, swapped in only when everything succeeded."""
    outdir = Path(os.path.abspath(outdir))
    recover_output(outdir)
    check_replaceable(outdir)
    envs = load_environments(env_dir, names)
    root = (project_root or env_dir.resolve().parent).resolve()
    outdir = outdir.parent.resolve() / outdir.name
    outdir.parent.mkdir(parents=True, exist_ok=True)
    # A sibling folder: same depth, so the relative state paths are the same as in `outdir`.
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.new-", dir=outdir.parent))
    retired = outdir.parent / f".{outdir.name}.old-{staging.name.rsplit('-', 1)[-1]}"
    try:
        synth(envs, staging, root)
        (staging / SYNTH_MARKER).write_text("written by underlay synth; replaced whole by it\n")
        _swap_in(staging, outdir, retired)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    return [s for env in envs for s in stack_names(env.name)]
