"""The backup fixtures (one fresh bucket/container per test on moto S3 and Azurite), shared."""

from __future__ import annotations

from tests.backup.conftest import aws_env, azblob_target, repo, s3_target, target

__all__ = ["aws_env", "azblob_target", "repo", "s3_target", "target"]
