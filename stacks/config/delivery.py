"""An environment's delivery policy (``delivery:``): what event rolls it out (docs/delivery.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from stacks.config.types import Frozen, Name

__all__ = ["DeliverySettings"]


class DeliverySettings(Frozen):
    """``trigger: merge`` applies on a push to the main branch; ``trigger: tag`` applies on a
    pushed tag matching ``tag_pattern``, once the ``after`` environment applied that commit."""

    trigger: Literal["merge", "tag"] = "merge"
    tag_pattern: str | None = Field(
        None, min_length=1, description="fnmatch pattern of the tags that deliver (e.g. prod-*)."
    )
    after: Name | None = Field(
        None, description="Environment that must have applied the same commit successfully first."
    )
