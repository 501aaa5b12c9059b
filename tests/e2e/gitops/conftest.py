"""The git-side fixtures (identity, in-process CLI, bare repos) of tests/gitops, shared here."""

from __future__ import annotations

from tests.gitops.conftest import _git_identity, bare, cli

__all__ = ["_git_identity", "bare", "cli"]
