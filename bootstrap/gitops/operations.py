"""The four operations, each one commit (or PR branch) on the manifest repo, or nothing.

Each builds a ``mutate`` step from the pure generators and hands it to
:meth:`GitClient.change`, which runs it on the current tip and redoes it on a newer tip when a
push loses a race. A step that raises :class:`GitOpsError` aborts before anything is pushed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bootstrap.git.auth import Auth
from bootstrap.git.urls import parse_repo_url
from bootstrap.gitops import safefs
from bootstrap.gitops.errors import GitOpsError
from bootstrap.gitops.git_client import GitClient, Outcome, Workspace
from bootstrap.gitops.images import (
    get_pin,
    image_references,
    set_pin,
    validate_image,
    validate_tag,
)
from bootstrap.gitops.layout import LayoutOptions, env_paths, generate_layout
from bootstrap.gitops.ownership import apply_layout, refresh_record
from stacks.config import Environment
from stacks.outputs import read_cluster_outputs

__all__ = [
    "Target",
    "bootstrap_env",
    "check_branch",
    "promote_image",
    "resolve_target",
    "rollback_env",
    "set_image",
]

_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//")


def check_branch(option: str, value: str) -> str:
    """``value`` as a branch name, by the rules of ``git check-ref-format --branch``."""
    bad = (
        not value
        or value.startswith(("-", "/"))
        or value.endswith(("/", "."))
        or value in ("@", "HEAD")
        or _REF_FORBIDDEN.search(value) is not None
        or any(part.startswith(".") or part.endswith(".lock") for part in value.split("/"))
    )
    if bad:
        raise GitOpsError(f"{option} {value!r} is not a valid branch name (git check-ref-format)")
    return value


@dataclass(frozen=True)
class Target:
    """Where a change goes: the remote, its branch, and whether via a PR branch or a dry run."""

    client: GitClient
    branch: str
    via_pr: str | None = None
    dry_run: bool = False

    def change(self, mutate: Callable[[Workspace], str | None]) -> Outcome:
        return self.client.change(self.branch, mutate, via_pr=self.via_pr, dry_run=self.dry_run)


def resolve_target(
    env: Environment,
    *,
    repo: str | None,
    branch: str | None,
    via_pr: str | None = None,
    dry_run: bool = False,
    auth: Auth | None = None,
) -> Target:
    """Flags over the environment's ``gitops:`` settings; all validated before any git runs."""
    raw = repo if repo is not None else env.gitops.repo
    if not raw:
        raise GitOpsError(f"environment {env.name!r} has no gitops.repo configured: pass --repo")
    remote = parse_repo_url(raw)
    chosen = branch or env.gitops.branch
    for name, value in (("--branch", chosen), ("--via-pr", via_pr)):
        if value is not None:
            check_branch(name, value)
    if via_pr is not None and via_pr == chosen:
        raise GitOpsError(f"--via-pr {via_pr!r} must differ from the target branch")
    return Target(GitClient(remote, auth), chosen, via_pr, dry_run)


def bootstrap_env(env: Environment, target: Target, outputs_file: Path | None = None) -> Outcome:
    """Write ``env``'s layout; one commit saying what changed, or none when nothing did."""
    outputs = read_cluster_outputs(outputs_file, env.name) if outputs_file else None
    options = LayoutOptions(env=env, outputs=outputs)
    manifests = generate_layout(options)

    def mutate(ws: Workspace) -> str | None:
        changes = apply_layout(ws.root, manifests, env.name)
        if not changes.any:
            return None
        facts = "cluster facts from the stack outputs" if outputs else "env facts only"
        return (
            f"underlay bootstrap {env.name}: {changes.summary()}\n\n"
            f"{changes.body()}\n\nLayout for {env.gitops_path} ({facts})."
        )

    return target.change(mutate)


def _overlay(ws: Workspace, env_name: str) -> str:
    rel = f"apps/{env_name}/kustomization.yaml"
    if not safefs.exists(ws.root, rel):
        raise GitOpsError(f"{rel} not on the branch: run `underlay bootstrap {env_name}` first")
    return rel


def _split_tag(tag: str) -> tuple[str | None, str | None]:
    """A TAG argument is a tag, or a digest ``sha256:...`` (then kustomize's ``digest:``)."""
    validate_tag(tag)
    return (None, tag) if tag.startswith("sha256:") else (tag, None)


def set_image(env: Environment, image: str, tag: str, target: Target) -> Outcome:
    """Pin ``image`` to ``tag`` in ``apps/<env>/``; the image must be used or pinned there."""
    validate_image(image)
    new_tag, digest = _split_tag(tag)

    def mutate(ws: Workspace) -> str | None:
        where = _overlay(ws, env.name)
        before = get_pin(ws.root, where, image)
        folders = ["apps/base", f"apps/{env.name}"]
        if before is None and image not in image_references(ws.root, folders):
            raise GitOpsError(
                f"image {image!r} not found: not pinned in {where} and no workload in "
                f"apps/base or apps/{env.name} uses it"
            )
        if not set_pin(ws.root, where, image, new_tag, digest):
            return None
        old = (before.new_tag or before.digest) if before else "unpinned"
        return f"set-image {env.name}: {image} {old} -> {tag}\n\nPinned in {where}."

    return target.change(mutate)


def promote_image(image: str, source: Environment, dest: Environment, target: Target) -> Outcome:
    """Pin in ``dest`` exactly what ``source`` pins for ``image``; refuse if it pins nothing."""
    validate_image(image)
    if source.name == dest.name:
        raise GitOpsError("--from and --to name the same environment")

    def mutate(ws: Workspace) -> str | None:
        pin = get_pin(ws.root, _overlay(ws, source.name), image)
        if pin is None or (pin.new_tag is None and pin.digest is None):
            raise GitOpsError(
                f"{source.name} has no pin for image {image!r} in "
                f"apps/{source.name}/kustomization.yaml: nothing to promote"
            )
        where = _overlay(ws, dest.name)
        if not set_pin(ws.root, where, image, pin.new_tag, pin.digest):
            return None
        shown = " ".join(p for p in (pin.new_tag, pin.digest) if p)
        return (
            f"promote {image} {shown} from {source.name} to {dest.name}\n\n"
            f"Copied the pin of apps/{source.name} into {where}."
        )

    return target.change(mutate)


def rollback_env(env: Environment, target: Target, *, to: str | None = None) -> Outcome:
    """A compensating commit for ``env``'s paths only: undo the last commit that touched them
    (``to`` None), or bring them back to how they were at commit ``to``.
    """
    paths = list(env_paths(env))
    entry = f"{env.gitops_path.strip('/')}/kustomization.yaml"
    chosen: dict[str, str] = {}  # pinned on the first attempt, so a retry reverts the same commit

    def mutate(ws: Workspace) -> str | None:
        if ws.tip is None:
            raise GitOpsError(f"branch {target.via_pr or target.branch!r} has no commits")
        if to is None:
            commit = chosen.get("last") or ws.git("log", "-1", "--format=%H", "--", *paths)
            if not commit:
                raise GitOpsError(f"no commit on the branch touches {' '.join(paths)}")
            chosen["last"] = commit
            parent = _parent_or_empty(ws, commit)
            _apply(
                ws, ["diff", "--binary", parent, commit, "--", *paths], reverse=True, what=commit
            )
            subject = ws.git("log", "-1", "--format=%s", commit)
            message = (
                f'Revert "{subject}" in {env.name}\n\n'
                f"This reverts commit {commit}, limited to {', '.join(paths)}."
            )
        else:
            commit = _resolve(ws, to)
            _apply(ws, ["diff", "--binary", "HEAD", commit, "--", *paths], reverse=False, what=to)
            message = (
                f"rollback {env.name} to {commit[:12]}\n\n"
                f"Restores {', '.join(paths)} as they were at {commit}."
            )
        if not safefs.is_file(ws.root, entry):
            raise GitOpsError(
                f"refusing: the rollback would remove {entry}, the Flux entry point of "
                f"{env.name} (Flux would prune the whole cluster)"
            )
        changed = ws.git("diff", "--cached", "--name-only").splitlines()
        if not changed:
            return None
        refresh_record(ws.root, changed)
        return message

    return target.change(mutate)


def _parent_or_empty(ws: Workspace, commit: str) -> str:
    status, out, _ = ws.try_git("rev-parse", "--verify", "--quiet", f"{commit}^")
    if status == 0:
        return out.strip()
    return ws.git("hash-object", "-t", "tree", "/dev/null")


def _resolve(ws: Workspace, ref: str) -> str:
    if not re.fullmatch(r"[0-9A-Za-z._/^~-]+", ref) or ref.startswith("-"):
        raise GitOpsError(f"--to {ref!r} is not a commit")
    status, out, _ = ws.try_git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if status != 0:
        raise GitOpsError(f"--to {ref!r}: no such commit on the branch")
    commit = out.strip()
    status, _, _ = ws.try_git("merge-base", "--is-ancestor", commit, "HEAD")
    if status != 0:
        raise GitOpsError(f"--to {ref!r} is not in the history of the branch")
    return commit


def _apply(ws: Workspace, diff_args: list[str], *, reverse: bool, what: str) -> None:
    patch = ws.git(*diff_args)
    if not patch.strip():
        return
    args = ["apply", "--index", *(["-R"] if reverse else []), "-"]
    status, _, err = ws.try_git(*args, input=patch + "\n")
    if status != 0:
        first = next((ln for ln in err.splitlines() if ln.strip()), "conflict")
        raise GitOpsError(
            f"refusing: {what[:12]} does not revert cleanly; later commits changed the same "
            f"lines ({first.strip()}); use --to COMMIT or fix forward"
        )
