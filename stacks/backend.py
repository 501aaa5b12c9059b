"""Where a stack keeps its Terraform state, from the environment's ``state`` settings.

One function, :func:`backend_config`, says what a stack's backend is; the stack's own backend
and the platform stack's ``terraform_remote_state`` of ``<env>-cluster`` are both built from it,
so they cannot drift apart. The backend is written like every other block (``stacks/l1.py``):
plain data, no jsii construct, so a backend costs nothing per stack at synth.
"""

from __future__ import annotations

from typing import Any

from stacks.config.model import StateSettings
from stacks.l1 import UnderlayStack

__all__ = ["backend_config", "configure_backend"]


def backend_config(
    state: StateSettings, stack_name: str, project_root: str
) -> tuple[str, dict[str, Any]]:
    """``(backend type, settings)`` for ``stack_name``. ``project_root`` is relative to the
    stack's synth folder, so the JSON carries no machine-specific path. Each state model says
    its own settings (``LocalState`` here, ``S3State`` and ``AzurermState`` in their cloud's
    module), so this module holds no backend's or cloud's knowledge."""
    return state.backend, state.backend_config(stack_name, project_root)


def configure_backend(
    stack: UnderlayStack, state: StateSettings, stack_name: str, project_root: str
) -> None:
    stack.blocks.set_backend(*backend_config(state, stack_name, project_root))
