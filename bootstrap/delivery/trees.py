"""Revisions of this repository as folders, and their synthesized stacks, normalized.

A revision other than the working tree is checked out with ``git worktree add --detach`` into a
temporary folder, and synthesized there by *its own* code (``python -m bootstrap.cli synth`` with
that folder first on ``PYTHONPATH``), so a change to code, defaults or the versions table shows
up exactly as it changes the JSON.

A commit's normalized synth is cached in ``<repo>/.underlay/cache/synth/``, keyed by the commit
and everything else that decides the output: the interpreter, every installed distribution and
its version (the ``*.dist-info`` names on ``sys.path``), the ``node`` on ``PATH``, and the
``UNDERLAY_*`` / ``CDKTF_*`` variables (the AWS endpoint, for one, is synthesized into the
JSON). The working tree is never cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
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
    "read_stacks",
    "repo_root",
    "stack_hash",
    "synth_dir",
    "synth_revision",
    "synth_tree",
    "synth_trees",
]

# Every synth of a revision goes to <tree>/.underlay/synth/<run>: one depth below each tree, so
# the relative paths in the JSON (state file, chart) have the same shape in every tree.
SYNTH_SUBDIR = Path(".underlay") / "synth"
CACHE_SUBDIR = Path(".underlay") / "cache" / "synth"
CACHE_KEEP = 8  # newest cached synths kept; older ones are deleted when a new one is stored


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
        return read_stacks(out, tree.root)


def read_stacks(out: Path, root: Path) -> dict[str, dict[str, Any]]:
    """Stack name -> normalized JSON of a synth folder made from the tree at ``root``."""
    return {
        stack.name: normalized(stack / "cdk.tf.json", root)
        for stack in sorted((out / "stacks").iterdir())
    }


def synth_revision(env_dir: Path, ref: str | None) -> dict[str, dict[str, Any]]:
    """Every stack of ``ref`` (None: the working tree), normalized; a commit's from the cache
    when the same commit was synthesized before with the same tools."""
    if ref is None:
        with checkout(env_dir, None) as tree:
            return synth_tree(tree)
    root = repo_root(env_dir)
    try:
        commit = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except DeliveryError:
        raise DeliveryError(f"{ref!r} is not a commit of {root}") from None
    rel = env_dir.resolve().relative_to(root).as_posix()
    cache = root / CACHE_SUBDIR / f"{_cache_key(commit, rel)}.json"
    try:
        cached: dict[str, dict[str, Any]] = json.loads(cache.read_text(encoding="utf-8"))
        if isinstance(cached, dict):
            return cached
    except (OSError, ValueError):
        pass  # no cache entry, or a broken one: synthesize again
    with checkout(env_dir, commit) as tree:
        stacks = synth_tree(tree)
    _store(cache, stacks)
    return stacks


def _cache_key(commit: str, env_rel: str) -> str:
    # Installed distributions by their metadata folder names (``name-version.dist-info``):
    # the same facts as importlib.metadata, read from the folder listings alone.
    tools = sorted(
        entry.name
        for folder in map(Path, sys.path)
        if folder.is_dir()
        for entry in os.scandir(folder)
        if entry.name.endswith((".dist-info", ".egg-info"))
    )
    node = shutil.which("node")
    variables = sorted(
        f"{k}={v}" for k, v in os.environ.items() if k.startswith(("UNDERLAY_", "CDKTF_"))
    )
    parts = [commit, env_rel, sys.version, os.path.realpath(node or "-"), *tools, *variables]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _store(cache: Path, stacks: dict[str, dict[str, Any]]) -> None:
    """Write atomically (a reader never sees half a file), then keep the newest few."""
    cache.parent.mkdir(parents=True, exist_ok=True)
    scratch = cache.with_name(f".{cache.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    scratch.write_text(json.dumps(stacks, separators=(",", ":")), encoding="utf-8")
    scratch.replace(cache)
    aged = []
    for entry in cache.parent.glob("*.json"):
        try:
            aged.append((entry.stat().st_mtime, entry))
        except FileNotFoundError:
            continue  # pruned by a concurrent run
    for _mtime, old in sorted(aged, reverse=True)[CACHE_KEEP:]:
        old.unlink(missing_ok=True)


def synth_trees(
    trees: list[Tree], envs: list[str] | None = None
) -> list[dict[str, dict[str, Any]]]:
    """Several revisions at once (each its own process)."""
    with ThreadPoolExecutor(max_workers=len(trees) or 1) as pool:
        return list(pool.map(lambda t: synth_tree(t, envs), trees))


def normalized(stack_file: Path, root: Path) -> dict[str, Any]:
    """The stack's JSON without what differs between identical configurations: the engine's
    version stamp, and the relative way up from the stack folder to the project root.

    The way up is replaced in the text before parsing (one pass, ~15x faster than walking the
    parsed tree); it can only occur inside strings, as no key of a stack holds a path."""
    text = stack_file.read_text(encoding="utf-8")
    up = json.dumps(os.path.relpath(root, stack_file.parent) + "/")[1:-1]
    data: dict[str, Any] = json.loads(text.replace(up, "<root>/"))
    data.get("//", {}).get("metadata", {}).pop("version", None)
    return data


def stack_hash(data: Mapping[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
