"""EKS: the control plane, its managed node groups and the OIDC provider IRSA trusts."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from stacks.clouds.aws.account import Account
from stacks.clouds.aws.emulator import NODE_GROUP_IGNORED_ON_EMULATOR
from stacks.clouds.aws.iam import assume_role_policy, managed_policy_arn
from stacks.config.model import NodeGroup
from stacks.l1 import Resource, ResourceGroup

__all__ = ["CONTROL_PLANE_LOG_TYPES", "EksCluster", "EksClusterProps"]

CONTROL_PLANE_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
OIDC_AUDIENCE = "sts.amazonaws.com"
CLUSTER_POLICIES = ("AmazonEKSClusterPolicy",)
NODE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
)


@dataclass(frozen=True)
class EksClusterProps:
    name: str
    kubernetes_version: str
    account: Account
    node_subnets: tuple[Resource, ...]
    kms_key_arn: str
    log_retention_days: int
    node_groups: dict[str, NodeGroup]
    endpoint_public_access: bool = False
    """Left out: the API server answers inside the VPC only."""
    public_access_cidrs: tuple[str, ...] = ()
    oidc_thumbprints: tuple[str, ...] = ()
    emulated: bool = False
    """True on an AWS API emulator: tolerate its known read-back gaps (see ``emulator.py``)."""


class EksCluster(ResourceGroup):
    def __init__(self, scope: Construct, id: str, props: EksClusterProps) -> None:
        super().__init__(scope, id)
        partition = props.account.partition
        cluster_role, cluster_grants = self._role(
            "cluster", f"{props.name}-cluster", "eks.amazonaws.com", CLUSTER_POLICIES, partition
        )
        logs = self.resource(
            "aws_cloudwatch_log_group",
            "control_plane_logs",
            # EKS writes to exactly this name; creating it first sets retention and encryption.
            {
                "name": f"/aws/eks/{props.name}/cluster",
                "retention_in_days": props.log_retention_days,
                "kms_key_id": props.kms_key_arn,
            },
        )
        subnet_ids = [s.id for s in props.node_subnets]
        self.cluster = self.resource(
            "aws_eks_cluster",
            "cluster",
            {
                "name": props.name,
                "role_arn": cluster_role.arn,
                "version": props.kubernetes_version,
                "enabled_cluster_log_types": list(CONTROL_PLANE_LOG_TYPES),
                "vpc_config": {
                    "subnet_ids": subnet_ids,
                    "endpoint_private_access": True,
                    "endpoint_public_access": props.endpoint_public_access,
                    "public_access_cidrs": list(props.public_access_cidrs) or None,
                },
                "encryption_config": {
                    "resources": ["secrets"],
                    "provider": {"key_arn": props.kms_key_arn},
                },
            },
            depends_on=[*cluster_grants, logs],
        )
        node_role, node_grants = self._role(
            "node", f"{props.name}-node", "ec2.amazonaws.com", NODE_POLICIES, partition
        )
        self.node_groups = {
            name: self._node_group(name, group, node_role, subnet_ids, node_grants, props.emulated)
            for name, group in props.node_groups.items()
        }
        self.oidc_issuer_url = self.cluster.ref("identity[0].oidc[0].issuer")
        self.oidc_provider = self.resource(
            "aws_iam_openid_connect_provider",
            "oidc",
            {
                "url": self.oidc_issuer_url,
                "client_id_list": [OIDC_AUDIENCE],
                "thumbprint_list": list(props.oidc_thumbprints),
            },
        )

    def _role(
        self, key: str, name: str, service: str, policies: tuple[str, ...], partition: str
    ) -> tuple[Resource, list[Resource]]:
        trust = assume_role_policy(self, f"{key}_trust", service)
        role = self.resource(
            "aws_iam_role", key, {"name": name, "assume_role_policy": trust.ref("json")}
        )
        grants = [
            self.resource(
                "aws_iam_role_policy_attachment",
                f"{key}_{policy}",
                {"role": role.ref("name"), "policy_arn": managed_policy_arn(partition, policy)},
            )
            for policy in policies
        ]
        return role, grants

    def _node_group(
        self,
        name: str,
        group: NodeGroup,
        role: Resource,
        subnet_ids: list[str],
        grants: list[Resource],
        emulated: bool,
    ) -> Resource:
        # The cluster autoscaler owns the current size once the group exists.
        ignored = ["scaling_config[0].desired_size"]
        if emulated:
            ignored += NODE_GROUP_IGNORED_ON_EMULATOR
        return self.resource(
            "aws_eks_node_group",
            f"nodes_{name}",
            {
                "cluster_name": self.cluster.ref("name"),
                "node_group_name": name,
                "node_role_arn": role.arn,
                "subnet_ids": subnet_ids,
                "instance_types": list(group.instance_types),
                "capacity_type": group.capacity_type,
                "disk_size": group.disk_size_gb,
                "labels": dict(group.labels) or None,
                "scaling_config": {
                    "min_size": group.min_size,
                    "max_size": group.max_size,
                    "desired_size": group.desired_size,
                },
                "update_config": {"max_unavailable": 1},
                "taint": [
                    {"key": t.key, "value": t.value, "effect": t.effect} for t in group.taints
                ]
                or None,
            },
            depends_on=grants,
            lifecycle={"ignore_changes": ignored},
        )
