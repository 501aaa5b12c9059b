"""The VPC: private node subnets and public load-balancer subnets over N zones, NAT from config."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

from constructs import Construct

from stacks.clouds.aws.account import Account
from stacks.clouds.aws.iam import policy_document
from stacks.l1 import Resource, ResourceGroup

__all__ = ["Network", "NetworkProps", "subnet_plan"]


@dataclass(frozen=True)
class NetworkProps:
    cidr: str
    zones: tuple[str, ...]
    nat_gateways: Literal["single", "per_az"]
    cluster_name: str
    account: Account
    kms_key_arn: str
    flow_log_retention_days: int


def subnet_plan(cidr: str, zones: int) -> tuple[list[str], list[str]]:
    """Split the VPC in eighths: the first ``zones`` eighths are private (nodes, pods), the
    last eighth is cut in eight again for the small public (load balancer) subnets."""
    network = ipaddress.IPv4Network(cidr)
    eighths = list(network.subnets(prefixlen_diff=3))
    public = list(eighths[-1].subnets(prefixlen_diff=3))
    return [str(n) for n in eighths[:zones]], [str(n) for n in public[:zones]]


class Network(ResourceGroup):
    def __init__(self, scope: Construct, id: str, props: NetworkProps) -> None:
        super().__init__(scope, id)
        name = props.cluster_name
        self.vpc = self.resource(
            "aws_vpc",
            "vpc",
            {
                "cidr_block": props.cidr,
                "enable_dns_hostnames": True,
                "enable_dns_support": True,
                "tags": {"Name": name},
            },
        )
        # Adopt the default security group and leave it without rules: nothing may use it.
        # Empty rule lists said outright (not left out): the same "no rules" to AWS, and an
        # attribute `underlay drift` compares, so a rule added by hand is reported.
        self.resource(
            "aws_default_security_group",
            "default",
            {"vpc_id": self.vpc.id, "ingress": [], "egress": []},
        )
        self._flow_logs(props)

        private_cidrs, public_cidrs = subnet_plan(props.cidr, len(props.zones))
        cluster_tag = f"kubernetes.io/cluster/{name}"
        self.private_subnets: list[Resource] = []
        self.public_subnets: list[Resource] = []
        for index, zone in enumerate(props.zones):
            self.private_subnets.append(
                self._subnet(
                    f"private_{index}",
                    zone,
                    private_cidrs[index],
                    {
                        "Name": f"{name}-private-{zone}",
                        cluster_tag: "shared",
                        "kubernetes.io/role/internal-elb": "1",
                    },
                )
            )
            self.public_subnets.append(
                self._subnet(
                    f"public_{index}",
                    zone,
                    public_cidrs[index],
                    {
                        "Name": f"{name}-public-{zone}",
                        cluster_tag: "shared",
                        "kubernetes.io/role/elb": "1",
                    },
                )
            )

        gateway = self.resource(
            "aws_internet_gateway", "igw", {"vpc_id": self.vpc.id, "tags": {"Name": name}}
        )
        public_table = self.resource(
            "aws_route_table", "public", {"vpc_id": self.vpc.id, "tags": {"Name": f"{name}-public"}}
        )
        self.resource(
            "aws_route",
            "public_default",
            {
                "route_table_id": public_table.id,
                "destination_cidr_block": "0.0.0.0/0",
                "gateway_id": gateway.id,
            },
        )
        for index, subnet in enumerate(self.public_subnets):
            self.resource(
                "aws_route_table_association",
                f"public_{index}",
                {"subnet_id": subnet.id, "route_table_id": public_table.id},
            )

        nat_count = len(props.zones) if props.nat_gateways == "per_az" else 1
        self.nat_gateways = []
        for index in range(nat_count):
            eip = self.resource(
                "aws_eip",
                f"nat_{index}",
                {"domain": "vpc", "tags": {"Name": f"{name}-nat-{index}"}},
                depends_on=[gateway],
            )
            self.nat_gateways.append(
                self.resource(
                    "aws_nat_gateway",
                    f"nat_{index}",
                    {
                        "allocation_id": eip.id,
                        "subnet_id": self.public_subnets[index].id,
                        "tags": {"Name": f"{name}-nat-{index}"},
                    },
                    depends_on=[gateway],
                )
            )
        for index, subnet in enumerate(self.private_subnets):
            table = self.resource(
                "aws_route_table",
                f"private_{index}",
                {"vpc_id": self.vpc.id, "tags": {"Name": f"{name}-private-{index}"}},
            )
            self.resource(
                "aws_route",
                f"private_{index}_default",
                {
                    "route_table_id": table.id,
                    "destination_cidr_block": "0.0.0.0/0",
                    "nat_gateway_id": self.nat_gateways[index % nat_count].id,
                },
            )
            self.resource(
                "aws_route_table_association",
                f"private_{index}",
                {"subnet_id": subnet.id, "route_table_id": table.id},
            )

    def _subnet(self, key: str, zone: str, cidr: str, tags: dict[str, str]) -> Resource:
        return self.resource(
            "aws_subnet",
            key,
            {
                "vpc_id": self.vpc.id,
                "availability_zone": zone,
                "cidr_block": cidr,
                "map_public_ip_on_launch": False,
                "tags": tags,
            },
        )

    def _flow_logs(self, props: NetworkProps) -> None:
        """VPC flow logs to an encrypted CloudWatch log group, through a role scoped to it."""
        group = self.resource(
            "aws_cloudwatch_log_group",
            "flow_logs",
            {
                "name": f"/underlay/{props.cluster_name}/vpc-flow-logs",
                "retention_in_days": props.flow_log_retention_days,
                "kms_key_id": props.kms_key_arn,
            },
        )
        trust = policy_document(
            self,
            "flow_logs_trust",
            [
                {
                    "effect": "Allow",
                    "actions": ["sts:AssumeRole"],
                    "principals": [
                        {"type": "Service", "identifiers": ["vpc-flow-logs.amazonaws.com"]}
                    ],
                }
            ],
        )
        role = self.resource(
            "aws_iam_role",
            "flow_logs",
            {
                "name": f"{props.cluster_name}-vpc-flow-logs",
                "assume_role_policy": trust.ref("json"),
            },
        )
        write = policy_document(
            self,
            "flow_logs_write",
            [
                {
                    "effect": "Allow",
                    "actions": [
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "logs:DescribeLogGroups",
                        "logs:DescribeLogStreams",
                    ],
                    "resources": [group.arn, f"{group.arn}:*"],
                }
            ],
        )
        self.resource(
            "aws_iam_role_policy",
            "flow_logs",
            {"name": "write-flow-logs", "role": role.id, "policy": write.ref("json")},
        )
        self.resource(
            "aws_flow_log",
            "vpc",
            {
                "vpc_id": self.vpc.id,
                "traffic_type": "ALL",
                "log_destination_type": "cloud-watch-logs",
                "log_destination": group.arn,
                "iam_role_arn": role.arn,
            },
        )
