"""``<env>-cluster``: the environment's Kubernetes cluster and backup target, on its cloud."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from stacks.backend import configure_backend
from stacks.clouds import cloud_module
from stacks.clouds.contract import OUTPUT_ALIASES, OUTPUT_DESCRIPTIONS, OUTPUT_NAMES
from stacks.config.model import Environment
from stacks.l1 import UnderlayStack

__all__ = ["ClusterStack", "ClusterStackProps"]


@dataclass(frozen=True)
class ClusterStackProps:
    env: Environment
    project_root: str
    """The project folder, relative to the stack's synth folder (where local state goes)."""


class ClusterStack(UnderlayStack):
    def __init__(self, scope: Construct, id: str, props: ClusterStackProps) -> None:
        super().__init__(scope, id)
        env = props.env
        cloud = cloud_module(env.cloud.kind)
        configure_backend(self, env.state, id, props.project_root)
        cloud.configure_provider(self, env)
        facts = cloud.build_cluster(self, "cluster", env)
        values = {name: getattr(facts, name) for name in OUTPUT_NAMES}
        values |= {old: values[new] for old, new in OUTPUT_ALIASES.items()}
        for name, value in values.items():
            self.blocks.add_output(name, value, OUTPUT_DESCRIPTIONS[name])
