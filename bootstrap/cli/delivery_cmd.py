"""``underlay affected|plan|apply``: the PR loop (docs/delivery.md). Flags in, options out."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bootstrap.cli.options import env_dir_option

__all__ = ["affected_cmd", "apply_cmd", "deliver_cmd", "plan_cmd"]


@click.command("affected")
@click.option("--base", required=True, help="Git revision to compare against (e.g. origin/main).")
@click.option("--head", default=None, help="Git revision to compare; default: the working tree.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {env: [changed stacks]}.")
@env_dir_option
def affected_cmd(base: str, head: str | None, as_json: bool, env_dir: Path) -> None:
    """The environments whose synthesized stacks differ between BASE and HEAD, one per line."""
    from bootstrap.delivery.affected import affected

    result = affected(env_dir, base, head)
    if as_json:
        click.echo(json.dumps({"affected": result.stacks, "removed": result.removed}, indent=2))
    else:
        for env in result.envs:
            click.echo(env)


@click.command("plan")
@click.argument("envs", nargs=-1)
@click.option("--base", default=None, help="Plan the environments affected since this revision.")
@click.option(
    "--out",
    "outdir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("plans"),
    show_default=True,
    help="Plan folder: <stack>.tfplan, <stack>.json, plan.json, summary.md.",
)
@env_dir_option
def plan_cmd(envs: tuple[str, ...], base: str | None, outdir: Path, env_dir: Path) -> None:
    """terraform plan for ENVS (or the affected ones with --base), saved for `underlay apply`."""
    from bootstrap.delivery.plan import plan

    result = plan(env_dir, list(envs), outdir, base)
    click.echo(f"planned {', '.join(result.envs) or 'nothing'} into {result.out}", err=True)
    click.echo(result.summary, nl=False)


@click.command("apply")
@click.argument("env")
@click.option(
    "--plan",
    "plan_dir",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="The folder `underlay plan` wrote.",
)
@click.option(
    "--push-record",
    "push_remote",
    default=None,
    metavar="REMOTE",
    help="After a successful apply, push the record (refs/notes/underlay-applied) to REMOTE.",
)
@env_dir_option
def apply_cmd(env: str, plan_dir: Path, push_remote: str | None, env_dir: Path) -> None:
    """Apply exactly ENV's saved plans (cluster, then platform); then update its manifest repo."""
    from bootstrap.delivery.apply import apply_plan
    from stacks.config import load_environment

    environment = load_environment(env, env_dir).env
    done = apply_plan(env_dir, env, plan_dir)
    for stack in done.applied:
        click.echo(f"applied {stack} (commit {done.commit[:12]})")
    from bootstrap.delivery.deliver import NOTES_REF, push_records, record_apply
    from bootstrap.delivery.trees import repo_root

    if done.applied:
        root = repo_root(env_dir)
        record_apply(root, done.commit, env)
        click.echo(f"recorded: {env} applied {done.commit[:12]} (refs/notes/{NOTES_REF})")
        if push_remote:
            push_records(root, push_remote)
    for stack in done.skipped:
        click.echo(f"not applied: {stack} (Terraform did not plan it)")
    outputs_file = plan_dir / "outputs.json"
    outputs_file.write_text(json.dumps(done.outputs, indent=2) + "\n", encoding="utf-8")
    if environment.gitops.repo and f"{env}-cluster" in done.outputs:
        from bootstrap.gitops.operations import bootstrap_env, resolve_target

        target = resolve_target(environment, repo=None, branch=None)
        outcome = bootstrap_env(environment, target, outputs_file)
        click.echo(f"manifest repo: {outcome.status}")


@click.command("deliver")
@click.option(
    "--event",
    type=click.Choice(["pull_request", "push", "tag"]),
    required=True,
    help="The CI event.",
)
@click.option("--ref", required=True, help="The event's git ref: branch, commit or tag name.")
@click.option("--base", default=None, help="pull_request: plan only what changed since BASE.")
@click.option("--json", "as_json", is_flag=True, help='Print {"plan": [...], "apply": [...]}.')
@click.option(
    "--fetch-records",
    "fetch_remote",
    default=None,
    metavar="REMOTE",
    help="First fetch the apply record (refs/notes/underlay-applied) from REMOTE.",
)
@env_dir_option
def deliver_cmd(
    event: str, ref: str, base: str | None, as_json: bool, fetch_remote: str | None, env_dir: Path
) -> None:
    """Which environments to plan and to apply for a CI event; refuses a tag whose commit the
    `after` environment has not applied."""
    from typing import cast

    from bootstrap.delivery.deliver import Event, deliver

    if fetch_remote:
        from bootstrap.delivery.deliver import fetch_records
        from bootstrap.delivery.trees import repo_root

        fetch_records(repo_root(env_dir), fetch_remote)
    decision = deliver(env_dir, cast(Event, event), ref, base)
    if as_json:
        payload = {"commit": decision.commit, "plan": decision.plan, "apply": decision.apply}
        click.echo(json.dumps(payload))
        return
    for env in decision.plan:
        click.echo(f"plan {env}")
    for env in decision.apply:
        click.echo(f"apply {env}")
