"""Repository URLs: validate them, take credentials out of them, and redact them for output.

A password or token never travels inside a URL that git would store or print: it is split off
here and handed to git through a credential helper instead (see :mod:`.git_client`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

from bootstrap.gitops.errors import GitOpsError

__all__ = ["RepoUrl", "parse_repo_url", "redact"]

SCHEMES = ("https", "http", "ssh", "git", "file")
_SCP_LIKE = re.compile(r"^(?P<user>[A-Za-z0-9._-]+@)?(?P<host>[A-Za-z0-9.-]+):(?P<path>[^/].*)$")
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")


def redact(text: str, *secrets: str) -> str:
    """Replace the user info of every URL in ``text`` (and each known secret) with ``***``."""
    out = _USERINFO.sub(r"\g<scheme>***@", text)
    for secret in secrets:
        if secret:
            out = out.replace(secret, "***")
    return out


@dataclass(frozen=True)
class RepoUrl:
    """A remote git URL without any password, plus what was taken out of it."""

    url: str  # what git is given: no password, never a token
    scheme: str
    username: str | None = None
    password: str | None = None  # from the URL, if the user put one there; never printed

    @property
    def shown(self) -> str:
        return redact(self.url)

    @property
    def is_http(self) -> bool:
        return self.scheme in ("http", "https")


def parse_repo_url(raw: str) -> RepoUrl:
    """Accept https/http/ssh/git/file URLs, scp-like ``user@host:path`` and local paths."""
    text = raw.strip()
    if not text:
        raise GitOpsError("no repository URL: pass --repo or set gitops.repo for the environment")
    if any(c.isspace() for c in text):
        raise GitOpsError(f"malformed repository URL {redact(text)!r}: contains whitespace")
    if text.startswith("/"):
        return RepoUrl(Path(text).as_uri(), "file")
    scp = _SCP_LIKE.match(text)
    if "://" not in text and not scp and Path(text).is_dir():
        return RepoUrl(Path(text).resolve().as_uri(), "file")
    if "://" not in text and scp:
        return RepoUrl(text, "ssh", (scp.group("user") or "").rstrip("@") or None)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise GitOpsError(f"malformed repository URL {redact(text)!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise GitOpsError(
            f"malformed repository URL {redact(text)!r}: expected one of "
            f"{', '.join(s + '://' for s in SCHEMES)}, user@host:path or an absolute path"
        )
    if scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise GitOpsError(f"malformed repository URL {text!r}: expected file:///absolute/path")
        return RepoUrl(text, "file")
    if not parts.hostname or not parts.path.strip("/"):
        raise GitOpsError(f"malformed repository URL {redact(text)!r}: needs a host and a path")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if port is not None:
        netloc = f"{netloc}:{port}"
    if username:
        netloc = f"{quote(username, safe='')}@{netloc}"
    clean = urlunsplit(SplitResult(scheme, netloc, parts.path, parts.query, ""))
    return RepoUrl(clean, scheme, username, password)
