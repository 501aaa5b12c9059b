"""Revisions of this repository as folders, and their synthesized stacks, normalized.

A revision other than the working tree is checked out with ``git worktree add --detach`` into a
temporary folder, and synthesized there by *its own* code (``python -m bootstrap.cli synth`` with
that folder first on ``PYTHONPATH``), so a change to code, defaults or the versions table shows
up exactly as it changes the JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bootstrap.delivery.errors import DeliveryError
from bootstrap.git.errors import GitRuntimeError
from bootstrap.git.runner import GitRunner

__all__ = [
    "SYNTH_SUBDIR",
    "Tree",
    "checkout",
    "git",
    "head_commit",
    "normalized",
    "repo_root",
    "stack_hash",
    "synth_dir",
    "synth_tree",
    "synth_trees",
]

# Every synth of a revision goes to <tree>/.underlay/synth/<run>: one depth below each tree, so
# the relative paths in the JSON (state file, chart) have the same shape in every tree.
SYNTH_SUBDIR = Path(".underlay") / "synth"


def git(root: Path, *args: str) -> str:
    """git in this repository through the one git layer (bounded, redacted); its output,
    stripped. A failure is a DeliveryError naming the command and git's reason."""
    try:
        done = GitRunner().run(args, what=f"git {' '.join(args)} in {root}", cwd=root)
    except GitRuntimeError as exc:
        raise DeliveryError(str(exc)) from None
    return done.stdout.strip()


def head_commit(root: Path) -> str:
    return git(root, "rev-parse", "HEAD")


@dataclass(frozen=True)
class Tree:
    """One revision on disk: its root and its environments folder."""

    root: Path
    env_dir: Path
    label: str


def repo_root(env_dir: Path) -> Path:
    return Path(git(env_dir.resolve(), "rev-parse", "--show-toplevel")).resolve()


@contextmanager
def checkout(env_dir: Path, ref: str | None) -> Iterator[Tree]:
    """The working tree (``ref`` None) or ``ref`` checked out in a temporary worktree."""
    env_dir = env_dir.resolve()
    root = repo_root(env_dir)
    rel = env_dir.relative_to(root)
    if ref is None:
        yield Tree(root, env_dir, "working tree")
        return
    try:
        commit = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except DeliveryError:
        raise DeliveryError(f"{ref!r} is not a commit of {root}") from None
    parent = Path(tempfile.mkdtemp(prefix="underlay-rev-"))
    where = parent / "tree"
    git(root, "worktree", "add", "--detach", "--quiet", str(where), commit)
    try:
        yield Tree(where, where / rel, f"{ref} ({commit[:12]})")
    finally:
        GitRunner().run(
            ["worktree", "remove", "--force", str(where)],
            what=f"git worktree remove {where}",
            cwd=root,
            check=False,
        )
        shutil.rmtree(parent, ignore_errors=True)


@contextmanager
def synth_dir(
    tree: Tree, envs: list[str] | None = None, env: Mapping[str, str] | None = None
) -> Iterator[Path]:
    """Synthesize ``tree`` with its own code into a scratch ``cdktf.out``-like folder."""
    base = tree.root / SYNTH_SUBDIR
    base.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix="run-", dir=base))
    try:
        environ = dict(os.environ if env is None else env)
        environ["PYTHONPATH"] = os.pathsep.join(
            [str(tree.root), *filter(None, [environ.get("PYTHONPATH")])]
        )
        cmd = [sys.executable, "-m", "bootstrap.cli", "synth", "--env-dir", str(tree.env_dir)]
        result = subprocess.run(
            [*cmd, "--out", str(out), *(envs or [])],
            cwd=tree.root,
            env=environ,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["synth failed"])[-1]
            raise DeliveryError(f"synth of {tree.label} failed: {last}")
        yield out
    finally:
        shutil.rmtree(out, ignore_errors=True)


def synth_tree(
    tree: Tree, envs: list[str] | None = None, env: Mapping[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """Stack name -> normalized JSON of ``tree``; ``{}`` when it has no environments folder."""
    if not tree.env_dir.is_dir():
        return {}
    with synth_dir(tree, envs, env) as out:
        return {
            stack.name: normalized(stack / "cdk.tf.json", tree.root)
            for stack in sorted((out / "stacks").iterdir())
        }


def synth_trees(
    trees: list[Tree], envs: list[str] | None = None
) -> list[dict[str, dict[str, Any]]]:
    """Several revisions at once (each its own process)."""
    with ThreadPoolExecutor(max_workers=len(trees) or 1) as pool:
        return list(pool.map(lambda t: synth_tree(t, envs), trees))


def normalized(stack_file: Path, root: Path) -> dict[str, Any]:
    """The stack's JSON without what differs between identical configurations: the engine's
    version stamp, and the relative way up from the stack folder to the project root."""
    data: dict[str, Any] = json.loads(stack_file.read_text(encoding="utf-8"))
    data.get("//", {}).get("metadata", {}).pop("version", None)
    up = os.path.relpath(root, stack_file.parent)
    return _replace_prefix(data, up + "/", "<root>/")  # type: ignore[no-any-return]


def _replace_prefix(value: Any, prefix: str, token: str) -> Any:
    if isinstance(value, str):
        return value.replace(prefix, token)
    if isinstance(value, dict):
        return {k: _replace_prefix(v, prefix, token) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_prefix(v, prefix, token) for v in value]
    return value


def stack_hash(data: Mapping[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
