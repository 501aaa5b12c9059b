"""The ``aws`` provider block, with emulator settings when the environment names an endpoint."""

from __future__ import annotations

from constructs import Construct

from stacks.clouds.aws.settings import AwsSettings
from stacks.config.model import Environment
from stacks.engine import engine

__all__ = ["AWS_PROVIDER_VERSION", "EMULATED_SERVICES", "AwsProvider"]

# The offline mirror on our machines holds 5.100.0; `~>` admits later 5.x patch/minor releases.
AWS_PROVIDER_VERSION = "~> 5.100"
EMULATED_SERVICES = ("ec2", "eks", "iam", "kms", "s3", "sts", "logs")


class AwsProvider(engine.TerraformProvider):
    """``provider "aws"`` without the 21-second prebuilt binding: a handful of overrides."""

    def __init__(self, scope: Construct, id: str, env: Environment) -> None:
        super().__init__(
            scope,
            id,
            terraform_resource_type="aws",
            terraform_provider_source="hashicorp/aws",
            terraform_generator_metadata=engine.TerraformProviderGeneratorMetadata(
                provider_name="aws", provider_version_constraint=AWS_PROVIDER_VERSION
            ),
        )
        cloud = env.cloud
        assert isinstance(cloud, AwsSettings)
        self.add_override("region", cloud.region)
        tags = {"underlay:environment": env.name, **env.tags}
        self.add_override("default_tags", [{"tags": tags}])
        endpoint = cloud.effective_endpoint()
        if endpoint is not None:
            # An emulator: no real account, no metadata service, path-style S3 addressing.
            self.add_override("endpoints", [{s: endpoint for s in EMULATED_SERVICES}])
            self.add_override("s3_use_path_style", True)
            self.add_override("skip_credentials_validation", True)
            self.add_override("skip_metadata_api_check", "true")
            self.add_override("skip_requesting_account_id", True)
