"""The ``aws`` provider block, with emulator settings when the environment names an endpoint."""

from __future__ import annotations

from typing import Any

from stacks.clouds.aws.settings import AwsSettings
from stacks.config.model import Environment
from stacks.l1 import Provider

__all__ = ["AWS_PROVIDER_VERSION", "EMULATED_SERVICES", "aws_provider"]

# The offline mirror on our machines holds 5.100.0; `~>` admits later 5.x patch/minor releases.
AWS_PROVIDER_VERSION = "~> 5.100"
EMULATED_SERVICES = ("ec2", "eks", "iam", "kms", "s3", "sts", "logs")


def aws_provider(env: Environment) -> Provider:
    """``provider "aws"`` without the 21-second prebuilt binding: plain data."""
    cloud = env.cloud
    assert isinstance(cloud, AwsSettings)
    attributes: dict[str, Any] = {
        "region": cloud.region,
        "default_tags": [{"tags": {"underlay:environment": env.name, **env.tags}}],
    }
    endpoint = cloud.effective_endpoint()
    if endpoint is not None:
        # An emulator: no real account, no metadata service, path-style S3 addressing.
        attributes |= {
            "endpoints": [{s: endpoint for s in EMULATED_SERVICES}],
            "s3_use_path_style": True,
            "skip_credentials_validation": True,
            "skip_metadata_api_check": "true",
            "skip_requesting_account_id": True,
        }
    return Provider("aws", "hashicorp/aws", AWS_PROVIDER_VERSION, attributes)
