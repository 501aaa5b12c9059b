"""AWS behind the cloud contract.

The constructs load only when a stack is built: ``underlay render`` and ``underlay versions``
need this module's facts (exec auth, workload identity) without starting the jsii runtime.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from stacks.clouds.aws.settings import AwsSettings
from stacks.clouds.contract import ClusterFacts, ExecAuth, WorkloadIdentity
from stacks.config.model import Environment
from stacks.config.yaml_source import KeyPath

if TYPE_CHECKING:
    from constructs import Construct

__all__ = ["MODULE", "AwsCloud"]


class AwsCloud:
    def check(self, env: Environment) -> Iterator[tuple[KeyPath, str]]:
        from stacks.clouds.aws.rules import check

        return check(env)

    def metadata(self, env: Environment) -> Mapping[str, str]:
        assert isinstance(env.cloud, AwsSettings)
        return {"cloud": "aws", "cloud_region": env.cloud.region}

    def configure_provider(self, scope: Construct, env: Environment) -> None:
        from stacks.clouds.aws.provider import aws_provider
        from stacks.l1 import blocks_of

        blocks_of(scope).add_provider(aws_provider(env))

    def build_cluster(self, scope: Construct, id: str, env: Environment) -> ClusterFacts:
        from stacks.clouds.aws.cluster import build_cluster

        return build_cluster(scope, id, env)

    def exec_auth(self, env: Environment, cluster_name: str) -> ExecAuth:
        # The AWS CLI's token for EKS; credentials come from the usual AWS chain at apply time.
        return ExecAuth(
            api_version="client.authentication.k8s.io/v1beta1",
            command="aws",
            args=("eks", "get-token", "--cluster-name", cluster_name, "--region", _region(env)),
        )

    def workload_identity(self, identity: str) -> WorkloadIdentity:
        # IRSA: the EKS pod identity webhook reads this annotation on the service account.
        return WorkloadIdentity(annotations={"eks.amazonaws.com/role-arn": identity})


def _region(env: Environment) -> str:
    assert isinstance(env.cloud, AwsSettings)
    return env.cloud.region


MODULE = AwsCloud()
