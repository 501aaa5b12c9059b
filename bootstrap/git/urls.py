"""Repository URLs: validate them, take credentials out of them, show them redacted.

A password or token never travels inside a URL that git is given, stores or prints: it is split
off here and handed to git through the credential helper of :mod:`.auth` instead.

The user info is split at the *last* ``@`` before the host, not at the first ``/``: CodeCommit
and other generated passwords contain unencoded ``/`` and ``@``, and a parser that stops at the
first ``/`` would take part of the password for the host (and print it in its error).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from bootstrap.git.errors import GitInputError
from bootstrap.git.redact import redact

__all__ = ["SCHEMES", "RepoUrl", "is_scp_like", "parse_repo_url"]

SCHEMES = ("https", "http", "ssh", "git", "file")
# git's own rule: a colon before the first slash (and no "://") means scp-like [user@]host:path.
_SCP_LIKE = re.compile(
    r"^(?:(?P<user>[^@/:\s]+)@)?(?P<host>[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):(?P<path>.*)$"
)
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$", re.DOTALL)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")


@dataclass(frozen=True)
class RepoUrl:
    """A remote git URL without any password, plus what was taken out of it."""

    url: str  # what git is given: no password, never a token
    scheme: str
    username: str | None = None
    password: str | None = None  # from the URL, if the user put one there; never printed
    host: str | None = None  # host[:port] exactly as git names it to a credential helper

    @property
    def shown(self) -> str:
        return redact(self.url, *([self.password] if self.password else []))

    @property
    def is_http(self) -> bool:
        return self.scheme in ("http", "https")

    @property
    def is_ssh(self) -> bool:
        return self.scheme == "ssh"


def is_scp_like(text: str) -> bool:
    """``[user@]host:path`` as git reads it: no ``://`` and a colon before the first slash."""
    return "://" not in text and bool(_SCP_LIKE.match(text))


def _bad(text: str, why: str, *secrets: str) -> GitInputError:
    return GitInputError(f"malformed repository URL {redact(text, *secrets)!r}: {why}")


def parse_repo_url(raw: str, *, base: Path | None = None) -> RepoUrl:  # noqa: PLR0912
    """Accept https/http/ssh/git/file URLs, scp-like ``[user@]host:path`` and local paths.

    A relative path is taken relative to ``base`` (default: the working directory) and must be
    an existing directory; an absolute path need not exist yet.
    """
    text = raw.strip()
    if not text:
        raise GitInputError("no repository URL: pass --repo or set gitops.repo for the environment")
    if any(c.isspace() or not c.isprintable() for c in text):  # C0, DEL, C1, format chars
        raise _bad(text, "contains whitespace or control characters")
    if text.startswith("-"):
        raise _bad(text, "must not start with '-'")
    if text.startswith("/"):
        return RepoUrl(Path(text).as_uri(), "file")
    scheme_match = _SCHEME.match(text)
    if scheme_match is None:
        scp = _SCP_LIKE.match(text)
        if scp:
            return RepoUrl(text, "ssh", scp.group("user"), None, scp.group("host"))
        local = (base or Path.cwd()) / text
        if local.is_dir():
            return RepoUrl(local.resolve().as_uri(), "file")
        raise _bad(
            text,
            f"expected one of {', '.join(s + '://' for s in SCHEMES)}, [user@]host:path, "
            "an absolute path or an existing directory",
        )
    scheme = scheme_match.group("scheme").lower()
    rest = scheme_match.group("rest")
    if scheme not in SCHEMES:
        raise _bad(text, f"scheme {scheme!r} is not one of {', '.join(SCHEMES)}")
    if scheme == "file":
        authority, slash, path = rest.partition("/")
        if authority not in ("", "localhost") or not slash:
            raise _bad(text, "expected file:///absolute/path")
        return RepoUrl(f"file:///{path}", "file")
    userinfo, at, hostpath = rest.rpartition("@")
    if not at:
        userinfo, hostpath = "", rest
    user_raw, colon, password_raw = userinfo.partition(":")
    password = unquote(password_raw) if colon else None
    secrets = (password_raw, password) if password else ()
    authority, slash, path = hostpath.partition("/")
    path, _, _fragment = path.partition("#")
    if not slash or not path.partition("?")[0].strip("/"):
        raise _bad(text, "needs a host and a path", *secrets)
    host, port = _split_host_port(authority, text, secrets)
    if password is not None and scheme not in ("http", "https"):
        raise _bad(text, f"{scheme}:// URLs take no password; use an SSH key", *secrets)
    username = unquote(user_raw) if user_raw else None
    netloc = host if port is None else f"{host}:{port}"
    user_part = f"{quote(username, safe='')}@" if username else ""
    clean = f"{scheme}://{user_part}{netloc}/{path}"
    return RepoUrl(clean, scheme, username, password, netloc)


def _split_host_port(authority: str, text: str, secrets: tuple[str, ...]) -> tuple[str, int | None]:
    if authority.startswith("["):
        inside, close, after = authority[1:].partition("]")
        if not close or (after and not after.startswith(":")):
            raise _bad(text, "unclosed or malformed [IPv6] host", *secrets)
        try:
            ipaddress.IPv6Address(inside)
        except ValueError:
            raise _bad(text, f"{inside!r} is not an IPv6 address", *secrets) from None
        host = f"[{inside.lower()}]"
        port_text = after[1:] if after else None
    else:
        host, colon, port_part = authority.partition(":")
        port_text = port_part if colon else None
        if not host or not _HOST.match(host):
            raise _bad(text, "needs a host and a path", *secrets)
        host = host.lower()
    if port_text is None:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _bad(text, "port must be a number from 1 to 65535", *secrets)
    return host, int(port_text)
