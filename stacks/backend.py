"""Where a stack keeps its Terraform state, from the environment's ``state`` settings.

One function, :func:`backend_config`, says what a stack's backend is; the stack's own backend
and the platform stack's ``terraform_remote_state`` of ``<env>-cluster`` are both built from it,
so they cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from constructs import Construct

from stacks.clouds.aws.settings import emulator_endpoint
from stacks.config.model import LocalState, S3State, StateSettings
from stacks.engine import engine

__all__ = ["backend_config", "configure_backend"]


def backend_config(
    state: StateSettings, stack_name: str, project_root: str
) -> tuple[str, dict[str, Any]]:
    """``(backend type, settings)`` for ``stack_name``. ``project_root`` is relative to the
    stack's synth folder, so the JSON carries no machine-specific path."""
    if isinstance(state, LocalState):
        return "local", {"path": f"{project_root}/{state.directory}/{stack_name}.tfstate"}
    assert isinstance(state, S3State)
    config: dict[str, Any] = {
        "bucket": state.bucket,
        "key": f"{state.key_prefix}/{stack_name}.tfstate",
        "region": state.region,
        "encrypt": state.encrypt,
        # S3-native locking (Terraform >= 1.10), no DynamoDB table.
        "use_lockfile": True,
    }
    endpoint = emulator_endpoint(state.endpoint)
    if endpoint:
        config.update(
            endpoints={"s3": endpoint},
            use_path_style=True,
            skip_credentials_validation=True,
            skip_requesting_account_id=True,
            skip_metadata_api_check=True,
            skip_region_validation=True,
        )
    return "s3", config


def configure_backend(
    stack: Construct, state: StateSettings, stack_name: str, project_root: str
) -> None:
    kind, config = backend_config(state, stack_name, project_root)
    if kind == "local":
        engine.LocalBackend(stack, path=config.pop("path"))
        return
    backend = engine.S3Backend(
        stack,
        bucket=config.pop("bucket"),
        key=config.pop("key"),
        region=config.pop("region"),
        encrypt=config.pop("encrypt"),
    )
    # cdktf 0.21's S3Backend has no field for use_lockfile or the emulator settings.
    for key, value in config.items():
        backend.add_override(key, value)
