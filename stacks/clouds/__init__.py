"""One module per cloud behind :class:`~stacks.clouds.contract.CloudModule`.

This registry is the only place that maps a config's ``cloud.kind`` to code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stacks.clouds.contract import CloudModule

__all__ = ["cloud_module"]


def cloud_module(kind: str) -> CloudModule:
    """The module for ``kind``, imported lazily: one cloud's code is loaded, not every cloud's."""
    module = importlib.import_module(f"stacks.clouds.{kind}.module")
    cloud: CloudModule = module.MODULE
    return cloud
