"""Errors of the git layer: bad input exits 2, a failure at run time exits 1 (``bootstrap.cli``)."""

from __future__ import annotations

from stacks.errors import UnderlayError

__all__ = ["GitAuthError", "GitInputError", "GitRuntimeError", "GitTimeoutError"]


class GitInputError(UnderlayError):
    """Malformed repository URL, bad --ssh-key or --token-env: fix the command line."""

    exit_code = 2


class GitRuntimeError(UnderlayError):
    """git ran and failed: remote unreachable, refused, or a local git problem."""

    exit_code = 1


class GitAuthError(GitRuntimeError):
    """The remote refused our credentials (or we had none it accepts)."""


class GitTimeoutError(GitRuntimeError):
    """git made no progress within its bound (a stalling server) and was stopped."""
