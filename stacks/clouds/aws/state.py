"""Terraform state in S3 (``state: {backend: s3, ...}``), locked by S3-native lock files."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from stacks.clouds.aws.settings import emulator_endpoint
from stacks.config.types import Frozen

__all__ = ["S3State"]


class S3State(Frozen):
    backend: Literal["s3"]
    bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    key_prefix: str = "underlay"
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    encrypt: bool = True
    endpoint: str | None = Field(
        None,
        pattern=r"^https?://",
        description="An S3 emulator for the state (tests); UNDERLAY_AWS_ENDPOINT overrides it.",
    )

    def backend_config(self, stack_name: str, project_root: str) -> dict[str, Any]:
        """The ``s3`` backend's settings for ``stack_name`` (``project_root`` is unused: the
        state lives in the bucket)."""
        config: dict[str, Any] = {
            "bucket": self.bucket,
            "key": f"{self.key_prefix}/{stack_name}.tfstate",
            "region": self.region,
            "encrypt": self.encrypt,
            # S3-native locking (Terraform >= 1.10), no DynamoDB table.
            "use_lockfile": True,
        }
        endpoint = emulator_endpoint(self.endpoint)
        if endpoint:
            config.update(
                endpoints={"s3": endpoint},
                use_path_style=True,
                skip_credentials_validation=True,
                skip_requesting_account_id=True,
                skip_metadata_api_check=True,
                skip_region_validation=True,
            )
        return config
