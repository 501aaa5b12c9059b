"""``underlay bootstrap | set-image | promote | rollback``: the manifest repo, by commits.

Every command: ``--repo`` (default: the environment's ``gitops.repo``), ``--branch`` (default:
its ``gitops.branch``), ``--via-pr BRANCH`` (push a branch for review instead), ``--dry-run``
(print the diff, push nothing), and the auth flags. Output never shows credentials.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bootstrap.cli.options import auth_from, env_dir_option, git_auth_options
from bootstrap.gitops.errors import GitOpsError
from bootstrap.gitops.git_client import Outcome
from bootstrap.gitops.operations import (
    Target,
    bootstrap_env,
    promote_image,
    resolve_target,
    rollback_env,
    set_image,
)
from stacks.config import Environment, load_environment

__all__ = ["bootstrap", "promote", "rollback", "set_image_cmd"]

F = TypeVar("F", bound=Callable[..., Any])


def _git_options(func: F) -> F:
    options = [
        click.option("--repo", help="Manifest repo URL. Default: the env's gitops.repo."),
        click.option("--branch", help="Target branch. Default: the env's gitops.branch."),
        click.option(
            "--via-pr", "via_pr", metavar="BRANCH", help="Push BRANCH for a pull request instead."
        ),
        click.option(
            "--dry-run", is_flag=True, help="Show the diff it would commit; push nothing."
        ),
        env_dir_option,
    ]
    for option in reversed(options):
        func = option(func)
    return git_auth_options(func)


def _target(env: Environment, flags: dict[str, Any]) -> Target:
    auth = auth_from(flags)
    return resolve_target(
        env,
        repo=flags["repo"],
        branch=flags["branch"],
        via_pr=flags["via_pr"],
        dry_run=flags["dry_run"],
        auth=auth,
    )


def _report(what: str, target: Target, outcome: Outcome) -> None:
    where = target.client.remote.shown
    if outcome.status == "unchanged":
        click.echo(f"{what}: nothing to change on {target.via_pr or target.branch} ({where})")
        return
    subject = outcome.message.splitlines()[0]
    if outcome.status == "dry-run":
        click.echo(target.client.redact(outcome.diff), nl=not outcome.diff.endswith("\n"))
        click.echo(f"dry run: would commit {subject!r} to {target.via_pr or target.branch}")
        click.echo("nothing was pushed")
        return
    commit = (outcome.commit or "")[:12]
    retried = f" after {outcome.attempts} attempts" if outcome.attempts > 1 else ""
    if target.via_pr:
        click.echo(f"{what}: pushed {commit} to branch {target.via_pr} on {where}{retried}")
        click.echo(f"open a pull request: base {target.branch} <- head {target.via_pr} ({subject})")
        click.echo(f"{target.branch} was not changed")
    else:
        click.echo(f"{what}: committed {commit} to {target.branch} on {where}{retried}: {subject}")


@click.command()
@click.argument("env")
@click.option(
    "--outputs",
    "outputs_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="cdktf --outputs-file JSON; its <env>-cluster outputs go into cluster-metadata.",
)
@_git_options
def bootstrap(env: str, outputs_file: Path | None, **flags: Any) -> None:
    """Lay out ENV in the manifest repo: clusters/ENV, infrastructure/, apps/ENV."""
    environment = load_environment(env, flags["env_dir"]).env
    target = _target(environment, flags)
    _report(f"bootstrap {env}", target, bootstrap_env(environment, target, outputs_file))


@click.command("set-image")
@click.argument("env")
@click.argument("image")
@click.argument("tag")
@_git_options
def set_image_cmd(env: str, image: str, tag: str, **flags: Any) -> None:
    """Pin IMAGE to TAG (or sha256:DIGEST) in apps/ENV: the build pipeline's bump."""
    environment = load_environment(env, flags["env_dir"]).env
    target = _target(environment, flags)
    _report(f"set-image {env}", target, set_image(environment, image, tag, target))


@click.command()
@click.argument("image")
@click.option("--from", "from_env", required=True, help="Environment whose pin is copied.")
@click.option("--to", "to_env", required=True, help="Environment that gets the pin.")
@_git_options
def promote(image: str, from_env: str, to_env: str, **flags: Any) -> None:
    """Pin in --to exactly the tag --from runs for IMAGE (repo and branch default to --to's)."""
    source = load_environment(from_env, flags["env_dir"]).env
    dest = load_environment(to_env, flags["env_dir"]).env
    target = _target(dest, flags)
    _report(f"promote {image}", target, promote_image(image, source, dest, target))


@click.command()
@click.argument("env")
@click.option("--last", is_flag=True, help="Undo the last commit that touched ENV's paths.")
@click.option("--to", "to_commit", metavar="COMMIT", help="Restore ENV's paths as at COMMIT.")
@_git_options
def rollback(env: str, last: bool, to_commit: str | None, **flags: Any) -> None:
    """Compensating commit limited to clusters/ENV and apps/ENV (git revert semantics)."""
    if last == (to_commit is not None):
        raise GitOpsError("give exactly one of --last or --to COMMIT")
    environment = load_environment(env, flags["env_dir"]).env
    target = _target(environment, flags)
    _report(f"rollback {env}", target, rollback_env(environment, target, to=to_commit))
