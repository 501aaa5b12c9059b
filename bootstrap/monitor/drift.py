"""``underlay drift``: infrastructure and manifest-repo drift of some environments, one report."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bootstrap.git.redact import redact
from bootstrap.gitops.operations import resolve_target
from bootstrap.monitor.drift_infra import stack_drift
from bootstrap.monitor.drift_repo import repo_drift
from bootstrap.monitor.report import Checked, DriftReport
from stacks.config.model import Environment
from stacks.errors import UnderlayError

__all__ = ["DriftOptions", "run_drift"]


@dataclass(frozen=True)
class DriftOptions:
    env_dir: Path
    synth_dir: Path
    """Scratch folder the stacks are synthesized into (replaced whole each run)."""
    terraform_env: Mapping[str, str]
    infra: bool = True
    repo: bool = True
    repo_url: str | None = None
    branch: str | None = None


def run_drift(
    envs: list[Environment],
    options: DriftOptions,
    progress: Callable[[str], None] = lambda _: None,
) -> DriftReport:
    """Every check that can run runs; one that fails is recorded and the others still run."""
    report = DriftReport()
    project_root = options.env_dir.resolve().parent
    if options.infra:
        from stacks.app import stack_names, synth_to

        progress(f"synthesizing {', '.join(e.name for e in envs)}")
        synth_to(options.synth_dir, options.env_dir, [e.name for e in envs])
        for env in envs:
            for stack in stack_names(env.name):
                progress(f"refresh-only plan of {stack}")
                try:
                    stack_drift(
                        env,
                        stack,
                        options.synth_dir / "stacks" / stack,
                        project_root,
                        options.terraform_env,
                        report,
                    )
                except UnderlayError as exc:
                    _failed(report, "infra", env.name, stack, exc)
    if options.repo:
        for env in envs:
            if not (options.repo_url or env.gitops.repo):
                report.checked.append(Checked("repo", env.name, "-", "no manifest repo configured"))
                continue
            progress(f"manifest repo of {env.name}")
            try:
                target = resolve_target(env, repo=options.repo_url, branch=options.branch)
                repo_drift([env], target, report)
            except UnderlayError as exc:
                if exc.exit_code == 2:
                    raise
                _failed(report, "repo", env.name, options.repo_url or env.gitops.repo, exc)
    return report


def _failed(report: DriftReport, source: str, env: str, where: str, exc: UnderlayError) -> None:
    message = redact(str(exc))
    report.failures.append(f"{source} {env} {where}: {message}")
    report.checked.append(Checked(source, env, where, "check failed"))  # type: ignore[arg-type]
