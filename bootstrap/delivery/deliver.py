"""``underlay deliver``: for a CI event, which environments to plan and which to apply.

* ``pull_request``: plan the environments affected since ``--base`` (all without it); apply none.
* ``push`` of the main branch: plan and apply every ``trigger: merge`` environment, ``after``
  ones after the environment they follow.
* ``tag``: the ``trigger: tag`` environments whose ``tag_pattern`` matches; refused (exit 2) when
  the ``after`` environment has no recorded successful apply of the tag's commit.

The record of successful applies is a git note on the applied commit, under
``refs/notes/underlay-applied`` in this repository (docs/delivery.md says why).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from bootstrap.delivery.errors import DeliveryError
from bootstrap.delivery.trees import git, repo_root
from bootstrap.git.runner import GitRunner

__all__ = [
    "NOTES_REF",
    "Decision",
    "applied_envs",
    "deliver",
    "fetch_records",
    "push_records",
    "record_apply",
]

NOTES_REF = "underlay-applied"
Event = Literal["pull_request", "push", "tag"]


@dataclass(frozen=True)
class Decision:
    event: str
    ref: str
    commit: str
    plan: list[str]
    apply: list[str]


def record_apply(root: Path, commit: str, env: str) -> None:
    """Append ``applied <env> <time>`` to the commit's note (push the notes ref from CI)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    who = GitRunner().run(
        ["config", "--get", "user.email"], what="git config --get user.email", cwd=root, check=False
    )
    # A CI checkout often has no identity; the note then says underlay wrote it.
    ident = (
        []
        if who.returncode == 0
        else ["-c", "user.name=underlay", "-c", "user.email=underlay@localhost"]
    )
    git(
        root,
        *ident,
        "notes",
        f"--ref={NOTES_REF}",
        "append",
        "-m",
        f"applied {env} {stamp}",
        commit,
    )


def push_records(root: Path, remote: str) -> None:
    """Share the record: push the notes ref (CI does this right after a successful apply)."""
    ref = f"refs/notes/{NOTES_REF}"
    git(root, "push", "--quiet", remote, f"{ref}:{ref}")


def fetch_records(root: Path, remote: str) -> None:
    """Bring the remote's record in (forced: the remote is the record); none yet is fine."""
    ref = f"refs/notes/{NOTES_REF}"
    listed = git(root, "ls-remote", remote, ref)
    if listed:
        git(root, "fetch", "--quiet", "--force", remote, f"{ref}:{ref}")


def applied_envs(root: Path, commit: str) -> set[str]:
    """Environments with a recorded successful apply of ``commit``."""
    result = GitRunner().run(
        ["notes", f"--ref={NOTES_REF}", "show", commit],
        what=f"git notes show {commit}",
        cwd=root,
        check=False,
    )
    if result.returncode != 0:
        return set()
    envs = set()
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "applied":
            envs.add(parts[1])
    return envs


def _ordered(names: list[str], after: dict[str, str | None]) -> list[str]:
    """``names`` so that each comes after the environment it follows (when both are here)."""
    done: list[str] = []
    pending = sorted(names)
    while pending:
        ready = [n for n in pending if after.get(n) not in pending]
        if not ready:
            raise DeliveryError(f"delivery.after forms a cycle among {', '.join(pending)}")
        done += ready
        pending = [n for n in pending if n not in ready]
    return done


def deliver(env_dir: Path, event: Event, ref: str, base: str | None = None) -> Decision:
    from stacks.config import environment_names, load_environment

    root = repo_root(env_dir)
    names = environment_names(env_dir)
    envs = {n: load_environment(n, env_dir).env for n in names}
    for name, env in envs.items():
        if env.delivery.after and env.delivery.after not in envs:
            raise DeliveryError(
                f"{env_dir / (name + '.yaml')}: delivery.after: no environment "
                f"{env.delivery.after!r}"
            )
    after = {n: e.delivery.after for n, e in envs.items()}
    try:
        commit = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except DeliveryError:
        raise DeliveryError(f"--ref {ref!r} is not a commit of {root}") from None
    if event == "pull_request":
        if base:
            from bootstrap.delivery.affected import affected

            chosen = affected(env_dir, base).envs
        else:
            chosen = names
        return Decision(event, ref, commit, chosen, [])
    if event == "push":
        merged = [n for n, e in envs.items() if e.delivery.trigger == "merge"]
        order = _ordered(merged, after)
        return Decision(event, ref, commit, order, order)
    tag = ref.removeprefix("refs/tags/")
    matched = [
        n
        for n, e in envs.items()
        if e.delivery.trigger == "tag" and fnmatch.fnmatchcase(tag, e.delivery.tag_pattern or "")
    ]
    if not matched:
        raise DeliveryError(f"tag {tag!r} matches no environment's delivery.tag_pattern")
    done = applied_envs(root, commit)
    for name in matched:
        first = after[name]
        if first and first not in done and first not in matched:
            raise DeliveryError(
                f"tag {tag!r}: {name} comes after {first}, which has not applied commit "
                f"{commit[:12]} (no record in refs/notes/{NOTES_REF})"
            )
    order = _ordered(matched, after)
    return Decision(event, ref, commit, order, order)
