"""What ``<env>-platform`` will create, without synthesizing: the plan with the cloud's
identity settings, and values from the cluster stack's outputs file when one is given."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from stacks.clouds import cloud_module
from stacks.config.model import Environment
from stacks.outputs import read_cluster_outputs
from stacks.platform.gen.objects import ClusterRefs, terraform_refs
from stacks.platform.gen.plan import PlatformPlan, platform_plan

__all__ = ["CLUSTER_OUTPUTS", "environment_plan", "refs_from_outputs"]

CLUSTER_OUTPUTS = "data.terraform_remote_state.cluster_outputs"
"""The address the stack reads the cluster outputs from (stacks/platform/providers.py)."""


def refs_from_outputs(env: Environment, outputs_file: Path) -> ClusterRefs:
    """Real values from a ``cdktf deploy --outputs-file`` JSON, for ``<env>-cluster``."""
    outputs = read_cluster_outputs(outputs_file, env.name, complete=False)
    refs = terraform_refs(CLUSTER_OUTPUTS)
    return replace(refs, **{k: outputs[k] for k in refs.__dataclass_fields__ if k in outputs})


def environment_plan(env: Environment, outputs_file: Path | None = None) -> PlatformPlan:
    """The stack's plan; cluster facts are the stack's own Terraform expressions unless an
    outputs file supplies the values."""
    refs = refs_from_outputs(env, outputs_file) if outputs_file else terraform_refs(CLUSTER_OUTPUTS)
    identity = cloud_module(env.cloud.kind).workload_identity(refs.backup_identity)
    return platform_plan(env, refs, identity.annotations, identity.pod_labels)
