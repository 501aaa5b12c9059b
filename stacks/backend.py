"""Where a stack keeps its Terraform state, from the environment's ``state`` settings.

One function, :func:`backend_config`, says what a stack's backend is; the stack's own backend
and the platform stack's ``terraform_remote_state`` of ``<env>-cluster`` are both built from it,
so they cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from constructs import Construct

from stacks.config.model import StateSettings
from stacks.engine import engine

__all__ = ["backend_config", "configure_backend"]


def backend_config(
    state: StateSettings, stack_name: str, project_root: str
) -> tuple[str, dict[str, Any]]:
    """``(backend type, settings)`` for ``stack_name``. ``project_root`` is relative to the
    stack's synth folder, so the JSON carries no machine-specific path. Each state model says
    its own settings (``LocalState`` here, ``S3State`` in the AWS module), so this module holds
    no backend's or cloud's knowledge."""
    return state.backend, state.backend_config(stack_name, project_root)


# The cdktf backend construct of each remote kind and the settings its constructor requires;
# the rest of ``backend_config`` goes in as overrides (cdktf 0.21's classes lack newer fields
# such as ``use_lockfile``).
_REMOTE = {
    "s3": ("S3Backend", ("bucket", "key")),
    "azurerm": ("AzurermBackend", ("container_name", "key", "storage_account_name")),
}


def configure_backend(
    stack: Construct, state: StateSettings, stack_name: str, project_root: str
) -> None:
    kind, config = backend_config(state, stack_name, project_root)
    if kind == "local":
        engine.LocalBackend(stack, path=config.pop("path"))
        return
    class_name, required = _REMOTE[kind]
    backend = getattr(engine, class_name)(stack, **{k: config.pop(k) for k in required})
    for key, value in config.items():
        backend.add_override(key, value)
