"""``underlay drift`` and ``underlay status``: is an environment where Git says it should be?

Exit status: 0 all clean/green, 3 drift found (``drift``) or something red (``status``),
1 a check could not run, 2 bad input. Progress goes to stderr; the report or table to stdout.
"""

# lazy imports keep CLI start fast; click passes options as arguments

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bootstrap.cli.options import env_dir_option
from stacks.errors import UnderlayError

if TYPE_CHECKING:
    from bootstrap.monitor.status import Row
    from stacks.config.model import Environment

__all__ = ["DriftFound", "drift", "status"]


class DriftFound(UnderlayError):
    """Not a failure of underlay: the checks ran and found drift (or something red)."""

    exit_code = 3


def _progress(message: str) -> None:
    click.echo(f"… {message}", err=True)


@click.command()
@click.argument("envs", nargs=-1)
@env_dir_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(".underlay/drift"),
    show_default=True,
    help="Where drift.md and drift.json are written (status reads drift.json from here).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON report instead of Markdown.")
@click.option("--repo", help="Manifest repo URL (default: each env's gitops.repo).")
@click.option("--branch", help="Manifest repo branch (default: each env's gitops.branch).")
@click.option("--skip-infra", is_flag=True, help="Only the manifest repo.")
@click.option("--skip-repo", is_flag=True, help="Only the Terraform stacks.")
def drift(
    envs: tuple[str, ...],
    env_dir: Path,
    out_dir: Path,
    as_json: bool,
    repo: str | None,
    branch: str | None,
    skip_infra: bool,
    skip_repo: bool,
) -> None:
    """Report what changed outside underlay in ENVS (all environments when none are named):
    resources and attributes changed or deleted outside Terraform (a refresh-only plan with no
    lock and no state write), and manifest-repo files underlay owns that were edited, plus env
    layouts missing from the branch. Exit 0 clean, 3 drift, 1 a check failed, 2 bad input."""
    from bootstrap.monitor.drift import DriftOptions, run_drift
    from stacks.app import load_environments
    from stacks.terraform_runner import terraform_environment

    loaded = load_environments(env_dir, list(envs) or None)
    options = DriftOptions(
        env_dir=env_dir,
        synth_dir=out_dir / "cdktf.out",
        terraform_env=terraform_environment(),
        infra=not skip_infra,
        repo=not skip_repo,
        repo_url=repo,
        branch=branch,
    )
    report = run_drift(loaded, options, progress=_progress)
    json_path, md_path = report.write(out_dir)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, sort_keys=True))
    else:
        click.echo(report.to_markdown(), nl=False)
    _progress(f"report written to {md_path} and {json_path}")
    if report.failures:
        raise UnderlayError(f"{len(report.failures)} drift check(s) could not run: see {md_path}")
    if report.drifted:
        raise DriftFound(f"drift found in {len(report.findings)} place(s): see {md_path}")


@click.command()
@click.argument("env_name", metavar="ENV")
@env_dir_option
@click.option("--context", help="kubeconfig context (default: the current one).")
@click.option(
    "--kubeconfig",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    envvar="KUBECONFIG",
    help="kubeconfig file. Env: KUBECONFIG.",
)
@click.option(
    "--outputs",
    "outputs_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The cluster stack's outputs file: API endpoint, CA and exec auth when no kubeconfig "
    "is given, and the backup target.",
)
@click.option("--skip-cluster", is_flag=True, help="Only backup, drill and drift (no cluster).")
@click.option("--backup-target", help="s3://… or azblob://… (default: the outputs' backup_target).")
@click.option("--endpoint", envvar="UNDERLAY_S3_ENDPOINT", help="S3 endpoint URL (emulators).")
@click.option("--repo", help="Manifest repo URL for the branch tip (default: gitops.repo).")
@click.option("--branch", help="Manifest repo branch (default: gitops.branch).")
@click.option("--drift", "run_drift_now", is_flag=True, help="Run `underlay drift ENV` now.")
@click.option(
    "--drift-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(".underlay/drift"),
    show_default=True,
    help="Where the last drift report is (and --drift writes it).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of the table.")
def status(
    env_name: str,
    env_dir: Path,
    context: str | None,
    kubeconfig: Path | None,
    outputs_file: Path | None,
    skip_cluster: bool,
    backup_target: str | None,
    endpoint: str | None,
    repo: str | None,
    branch: str | None,
    run_drift_now: bool,
    drift_dir: Path,
    as_json: bool,
) -> None:
    """Is ENV where Git says it should be? Cluster, Flux, backup, restore drill, drift: one row
    each, green or RED; exit 3 when anything is red. Every request has a timeout."""
    from bootstrap.monitor import status as st
    from stacks.config.loader import load_environment

    env = load_environment(env_name, env_dir).env
    outputs = None
    if outputs_file is not None:
        from stacks.outputs import read_cluster_outputs

        outputs = read_cluster_outputs(outputs_file, env.name, complete=False)
    report = st.StatusReport(env.name)
    if skip_cluster:
        report.rows.append(
            st.Row(
                "cluster",
                "skipped",
                "not checked: the Kubernetes part needs a cluster "
                "(KUBECONFIG, --context or --outputs)",
            )
        )
    else:
        st.timed(lambda: _cluster_rows(env, context, kubeconfig, outputs, repo, branch), report)
    target = backup_target or (outputs or {}).get("backup_target")
    if target:
        _progress(f"reading backups at {target}")
        st.timed(lambda: _backup_rows(env, target, endpoint), report)
    else:
        report.rows.append(
            st.Row("backup", "red", "no backup target: pass --backup-target or --outputs")
        )
    st.timed(lambda: _drift_rows(env, env_dir, drift_dir, run_drift_now, repo, branch), report)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, sort_keys=True))
    else:
        click.echo(
            f"{env.name}: {'RED' if report.red else 'green'} ({report.elapsed_seconds:.1f}s)"
        )
        click.echo(report.table())
    if report.red:
        raise DriftFound(f"{env.name} has red checks (see docs/monitoring.md)")


def _cluster_rows(
    env: Environment,
    context: str | None,
    kubeconfig: Path | None,
    outputs: dict[str, str] | None,
    repo: str | None,
    branch: str | None,
) -> list[Row]:
    from bootstrap.gitops.operations import resolve_target
    from bootstrap.monitor import status as st

    tip: str | None = None
    if repo or env.gitops.repo:
        _progress("git ls-remote of the manifest repo")
        try:
            target = resolve_target(env, repo=repo, branch=branch)
            with target.client.scratch() as scratch:
                tip = target.client.remote_heads(scratch, [target.branch]).get(target.branch)
        except UnderlayError as exc:
            if exc.exit_code == 2:
                raise
            return [st.Row("manifest repo", "red", str(exc)[:160])]
    _progress("connecting to the Kubernetes API")
    use_outputs = outputs if (context is None and kubeconfig is None) else None
    try:
        api = st.api_client(context=context, kubeconfig=kubeconfig, outputs=use_outputs, env=env)
    except Exception as exc:
        return [st.Row("cluster", "red", f"no usable kubeconfig: {str(exc).splitlines()[0][:120]}")]
    with api:
        return list(st.flux_rows(api, env, tip, _progress))


def _backup_rows(env: Environment, target: str, endpoint: str | None) -> list[Row]:
    from bootstrap.backup.targets import open_target
    from bootstrap.monitor import status as st

    return list(st.backup_rows(open_target(target, endpoint=endpoint), env))


def _drift_rows(
    env: Environment,
    env_dir: Path,
    drift_dir: Path,
    run_now: bool,
    repo: str | None,
    branch: str | None,
) -> list[Row]:
    from bootstrap.monitor import status as st
    from bootstrap.monitor.report import REPORT_JSON, read_report

    if run_now:
        from bootstrap.monitor.drift import DriftOptions, run_drift
        from stacks.terraform_runner import terraform_environment

        options = DriftOptions(
            env_dir=env_dir,
            synth_dir=drift_dir / "cdktf.out",
            terraform_env=terraform_environment(),
            repo_url=repo,
            branch=branch,
        )
        fresh = run_drift([env], options, progress=_progress)
        fresh.write(drift_dir)
        return list(st.drift_rows(fresh.to_json(), env.name))
    try:
        data = read_report(drift_dir / REPORT_JSON)
    except UnderlayError as exc:
        return [st.Row("drift", "red", str(exc))]
    return list(st.drift_rows(data, env.name))
