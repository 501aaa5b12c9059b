"""The git side's errors: bad input exits 2, a run-time failure exits 1 (``bootstrap.cli``)."""

from __future__ import annotations

from stacks.errors import UnderlayError

__all__ = ["GitOpsError", "GitOpsRuntimeError", "PushRejectedError", "RemoteAuthError"]


class GitOpsError(UnderlayError):
    """Bad input: unknown image, malformed URL, a history that does not allow a clean rollback."""

    exit_code = 2


class GitOpsRuntimeError(UnderlayError):
    """The operation was fine but the world was not: remote unreachable, push kept failing."""

    exit_code = 1


class RemoteAuthError(GitOpsRuntimeError):
    """The remote refused our credentials (or we had none it accepts)."""


class PushRejectedError(GitOpsRuntimeError):
    """The remote rejected the push for a reason retrying cannot fix, or retries ran out."""
