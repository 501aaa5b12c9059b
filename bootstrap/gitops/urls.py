"""Repository URLs for the gitops commands: the one parser and redactor of :mod:`bootstrap.git`."""

from __future__ import annotations

from bootstrap.git.redact import redact
from bootstrap.git.urls import RepoUrl, parse_repo_url

__all__ = ["RepoUrl", "parse_repo_url", "redact"]
