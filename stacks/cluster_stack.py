"""``<env>-cluster``: the environment's Kubernetes cluster and backup target, on its cloud."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from stacks.backend import configure_backend
from stacks.clouds import cloud_module
from stacks.clouds.contract import OUTPUT_NAMES
from stacks.config.model import Environment
from stacks.engine import engine

__all__ = ["ClusterStack", "ClusterStackProps"]

OUTPUT_DESCRIPTIONS = {
    "cluster_name": "Kubernetes cluster name",
    "cluster_endpoint": "API server URL",
    "cluster_ca_data": "API server CA certificate (base64 PEM; public)",
    "oidc_issuer_url": "OIDC issuer that workload identities trust",
    "backup_bucket": "Bucket holding manifest-repo backups",
    "backup_role_arn": "Role the backup job's service account assumes",
    "backup_target": "Backup target URL for `underlay backup run --to`",
}


@dataclass(frozen=True)
class ClusterStackProps:
    env: Environment
    project_root: str
    """The project folder, relative to the stack's synth folder (where local state goes)."""


class ClusterStack(engine.TerraformStack):
    def __init__(self, scope: Construct, id: str, props: ClusterStackProps) -> None:
        super().__init__(scope, id)
        env = props.env
        cloud = cloud_module(env.cloud.kind)
        configure_backend(self, env.state, id, props.project_root)
        cloud.configure_provider(self, env)
        facts = cloud.build_cluster(self, "cluster", env)
        for name in OUTPUT_NAMES:
            engine.TerraformOutput(
                self, name, value=getattr(facts, name), description=OUTPUT_DESCRIPTIONS[name]
            )
