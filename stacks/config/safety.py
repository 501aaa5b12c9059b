"""Rules on raw values that keep an env file from smuggling something past underlay.

* No string (key or value) may contain ``${`` or ``%{``: every env-file value ends up as a literal
  in Terraform JSON, where those start an expression or template directive that Terraform would
  evaluate (``${file("/etc/passwd")}``). Refusing them at load covers every value in one place,
  including free-form Helm values, without touching underlay's own ``${aws_vpc.x.id}`` references.
* ``gitops.repo`` carries no credentials: they would be copied into the FluxInstance, the backup
  CronJob's arguments, ``render`` and ``config show``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from stacks.config.yaml_source import KeyPath

__all__ = ["check_literals", "check_repo_credentials"]

EXPRESSION_STARTS = ("${", "%{")


def check_literals(data: Any, at: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Yield ``(key path, problem)`` for every key or string value Terraform would interpret."""
    if isinstance(data, dict):
        for key, value in data.items():
            path = (*at, key)
            if _interpolates(key):
                yield path, _literal_problem(key, "key")
            yield from check_literals(value, path)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from check_literals(value, (*at, index))
    elif _interpolates(data):
        yield at, _literal_problem(data, "value")


def _interpolates(value: object) -> bool:
    return isinstance(value, str) and any(s in value for s in EXPRESSION_STARTS)


def _literal_problem(value: str, what: str) -> str:
    return (
        f"{what} {value[:60]!r} contains '${{' or '%{{', which Terraform would evaluate as an "
        "expression; env files hold literal values only"
    )


def check_repo_credentials(repo: str) -> str | None:
    """The problem with ``repo`` if it carries credentials, else ``None``."""
    where = (
        "put credentials in the environment (UNDERLAY_GIT_TOKEN) or an SSH key, "
        "never in gitops.repo (see docs/gitops.md, 'Auth, redaction')"
    )
    if "://" in repo:
        parts = urlsplit(repo)
        # split at the last "@" of the whole rest, not of urlsplit's netloc: a password with an
        # unencoded "/" (CodeCommit) ends urlsplit's netloc early and would pass unseen
        userinfo, at, _ = repo.partition("://")[2].rpartition("@")
        web = parts.scheme.lower() in ("http", "https")
        if at and (web or ":" in userinfo):
            return f"the repo URL carries credentials ({_redacted(parts.scheme)}); {where}"
        if web and (parts.query or parts.fragment):
            return f"the repo URL has a query string or fragment (a token?); {where}"
        return None
    user_host, at, _ = repo.rpartition("@")
    if at and ":" in user_host:
        return f"the repo URL carries a password before its @; {where}"
    return None


def _redacted(scheme: str) -> str:
    return f"{scheme}://<userinfo>@..."
