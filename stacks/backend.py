"""Where a stack keeps its Terraform state, from the environment's ``state`` settings."""

from __future__ import annotations

from constructs import Construct

from stacks.clouds.aws.settings import emulator_endpoint
from stacks.config.model import LocalState, S3State, StateSettings
from stacks.engine import engine

__all__ = ["configure_backend"]


def configure_backend(
    stack: Construct, state: StateSettings, stack_name: str, project_root: str
) -> None:
    """``project_root`` is relative to the stack's synth folder, so that the JSON carries no
    machine-specific path; local state lands in ``<root>/<directory>/<stack>.tfstate``."""
    if isinstance(state, LocalState):
        engine.LocalBackend(stack, path=f"{project_root}/{state.directory}/{stack_name}.tfstate")
    elif isinstance(state, S3State):
        _s3(stack, state, stack_name)


def _s3(stack: Construct, state: S3State, stack_name: str) -> None:
    backend = engine.S3Backend(
        stack,
        bucket=state.bucket,
        key=f"{state.key_prefix}/{stack_name}.tfstate",
        region=state.region,
        encrypt=state.encrypt,
    )
    # S3-native locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no field for it.
    backend.add_override("use_lockfile", True)
    endpoint = emulator_endpoint(state.endpoint)
    if endpoint:
        backend.add_override("endpoints", {"s3": endpoint})
        backend.add_override("use_path_style", True)
        backend.add_override("skip_credentials_validation", True)
        backend.add_override("skip_requesting_account_id", True)
        backend.add_override("skip_metadata_api_check", True)
        backend.add_override("skip_region_validation", True)
