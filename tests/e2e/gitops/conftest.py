"""Git-side end-to-end tests: the unit fixtures plus a git daemon and a smart-HTTP server."""

from __future__ import annotations

from tests.support.gitops import _git_identity, bare, cli, daemon, http_git, remotes_root

__all__ = ["_git_identity", "bare", "cli", "daemon", "http_git", "remotes_root"]
