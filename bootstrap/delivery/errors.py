"""Delivery's errors: bad input (exit 2) from the one family in :mod:`stacks.errors`."""

from __future__ import annotations

from stacks.errors import UnderlayError

__all__ = ["DeliveryError", "PlanRefused"]


class DeliveryError(UnderlayError):
    """A ref, a plan folder or a synth of one revision is unusable."""

    exit_code = 2


class PlanRefused(DeliveryError):
    """A saved plan is stale, from another commit or synth, or missing: nothing was applied."""
