"""Small validated value types shared by the config models."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = ["Cidr", "Duration", "Frozen", "Name"]


class Frozen(BaseModel):
    """Base of every config model: unknown keys are errors, values are immutable, no coercion.

    ``strict`` keeps YAML honest: ``min_size: "3"`` is a string and is rejected, not converted.
    Sequence fields relax it (``Field(strict=False)``) only so that YAML lists become tuples.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(
            f"expected an IP network in CIDR notation such as 10.0.0.0/16 ({exc})"
        ) from None
    return str(network)


def _duration(value: str) -> str:
    if not re.fullmatch(r"(\d+h)?(\d+m)?(\d+s)?", value) or not value:
        raise ValueError("expected a duration such as 30s, 10m or 1h30m")
    return value


Cidr = Annotated[str, AfterValidator(_cidr)]
Duration = Annotated[str, AfterValidator(_duration)]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,30}$")]
