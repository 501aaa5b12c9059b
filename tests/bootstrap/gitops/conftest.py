"""Git-side unit tests: a known git identity for every test, the in-process CLI, bare repos."""

from __future__ import annotations

from tests.support.gitops import _git_identity, bare, cli

__all__ = ["_git_identity", "bare", "cli"]
