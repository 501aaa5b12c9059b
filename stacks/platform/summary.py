"""A short, plain summary of what ``<env>-platform`` would apply (for ``nox -s demo``)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from stacks.config import DEFAULT_ENV_DIR, load_environment
from stacks.platform.gen.convert import resource_type
from stacks.platform.render import environment_plan

__all__ = ["platform_summary"]


def platform_summary(
    env_name: str, env_dir: Path = DEFAULT_ENV_DIR, synth_dir: Path | None = None
) -> str:
    """What ``<env>-platform`` would create, as text. With ``synth_dir`` (a ``cdktf.out``),
    the resource counts are read from the synthesized stack JSON itself. Applying it needs a
    Kubernetes cluster: the kubernetes and helm providers talk to ``<env>-cluster``'s API."""
    env = load_environment(env_name, env_dir).env
    plan = environment_plan(env)
    if synth_dir is not None:
        stack_file = synth_dir / "stacks" / f"{env_name}-platform" / "cdk.tf.json"
        resources = json.loads(stack_file.read_text(encoding="utf-8"))["resource"]
        kinds = Counter({type_: len(blocks) for type_, blocks in resources.items()})
        source = f"from {stack_file}"
    else:
        kinds = Counter(resource_type(o) for o in plan.objects)
        kinds["helm_release"] = len(plan.releases)
        source = "from the generators the stack uses"
    lines = [
        f"{env_name}-platform would apply {sum(kinds.values())} resources ({source}; "
        "nothing was applied):",
        *(f"  {count:>3} {kind}" for kind, count in sorted(kinds.items())),
        f"  namespaces: {', '.join(plan.namespaces)}",
        "  helm releases:",
        *(
            f"    {r.namespace}/{r.name}: {r.chart.rsplit('/', 1)[-1]} {r.version}"
            for r in plan.releases
        ),
        f"  flux: {env.versions.flux}, "
        + (
            f"syncing {env.gitops.repo} ({env.gitops.branch}) path {env.gitops_path} "
            f"every {env.gitops.interval}"
            if env.gitops.repo
            else "no sync (gitops.repo is empty)"
        ),
        f"  backup: CronJob '{env.backup.job.schedule}' ({env.backup.job.time_zone})"
        + (" - suspended until gitops.repo is set" if not env.gitops.repo else ""),
        "Applying it needs a real Kubernetes cluster (the API server of "
        f"{env_name}-cluster); the AWS emulator has no Kubernetes API, so "
        f"`cdktf deploy {env_name}-platform` cannot run here.",
    ]
    return "\n".join(lines)
