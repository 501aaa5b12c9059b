"""How git authenticates: an SSH key (else the agent), or a token for one HTTPS host.

Nothing secret is ever put in argv, a URL, git config on disk, or output:

- SSH: ``GIT_SSH_COMMAND`` names the key file (resolved to an absolute path first, since git runs
  ssh inside a scratch clone), ``BatchMode`` so nothing prompts, and strict host-key checking
  against the user's known_hosts (or ``--known-hosts``).
- HTTPS: a one-line credential helper, configured through ``GIT_CONFIG_*`` environment variables,
  prints the token from an environment variable — and only when git asks for the ``--repo`` host
  itself, so a redirect to another host gets nothing.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from bootstrap.git.errors import GitInputError
from bootstrap.git.urls import RepoUrl

__all__ = ["DEFAULT_TOKEN_ENV", "Auth", "git_environment", "secrets_of"]

DEFAULT_TOKEN_ENV = "UNDERLAY_GIT_TOKEN"
_URL_PASSWORD_ENV = "UNDERLAY_GIT_URL_PASSWORD"  # internal: a password given inside --repo
_USERNAME_ENV = "UNDERLAY_GIT_HELPER_USERNAME"  # internal: what the helper answers as username
_HOST_ENV = "UNDERLAY_GIT_HELPER_HOST"  # internal: the only host the helper answers
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Auth:
    """An SSH key file (else the agent), or a token in an environment variable."""

    ssh_key: Path | None = None
    token_env: str = DEFAULT_TOKEN_ENV
    username: str | None = None
    known_hosts: Path | None = None
    _resolved: bool = field(default=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.token_env):
            raise GitInputError(
                f"--token-env {self.token_env!r} is not an environment variable name"
            )
        for flag, path in (("--ssh-key", self.ssh_key), ("--known-hosts", self.known_hosts)):
            if path is None:
                continue
            if not path.is_file():
                raise GitInputError(f"{flag} {path}: no such file")
            # ssh runs with the scratch clone as its working directory: a relative path would
            # name a file there, so resolve it against where the user typed it.
            object.__setattr__(self, flag.lstrip("-").replace("-", "_"), path.resolve())

    def token(self) -> str:
        return os.environ.get(self.token_env, "")


def _helper() -> str:
    # git passes "get"/"store"/"erase" and the request (protocol=, host=, ...) on stdin.
    return (
        '!f() { test "$1" = get || exit 0; h=; '
        'while IFS= read -r l; do case "$l" in host=*) h="${l#host=}";; esac; done; '
        f'test -n "$h" && test "$h" = "${_HOST_ENV}" || exit 0; '
        f'echo "username=${_USERNAME_ENV}"; echo "password=${{P}}"; }}; f'
    )


def git_environment(remote: RepoUrl, auth: Auth) -> dict[str, str]:
    """Variables for every git process talking to ``remote``: no prompts, auth, no helpers."""
    env = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "SSH_ASKPASS": "true", "LC_ALL": "C"}
    ssh = ["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"]
    # a stalled SSH server: fail to connect within 30 s, or drop after 3 unanswered keep-alives
    ssh += [
        "-o",
        "ConnectTimeout=30",
        "-o",
        "ServerAliveInterval=10",
        "-o",
        "ServerAliveCountMax=3",
    ]
    if auth.known_hosts is not None:
        ssh += ["-o", f"UserKnownHostsFile={auth.known_hosts}"]
    if auth.ssh_key is not None:
        ssh += ["-i", str(auth.ssh_key), "-o", "IdentitiesOnly=yes"]
    if (
        auth.ssh_key is not None
        or auth.known_hosts is not None
        or "GIT_SSH_COMMAND" not in os.environ
    ):
        env["GIT_SSH_COMMAND"] = shlex.join(ssh)
    if remote.is_http and remote.host:
        password_var = _URL_PASSWORD_ENV if remote.password is not None else auth.token_env
        helper = _helper().replace("${P}", "${" + password_var + "}")
        env |= {
            "GIT_CONFIG_COUNT": "2",
            "GIT_CONFIG_KEY_0": "credential.helper",
            "GIT_CONFIG_VALUE_0": "",  # forget the user's helpers
            "GIT_CONFIG_KEY_1": "credential.helper",
            "GIT_CONFIG_VALUE_1": helper,
            _USERNAME_ENV: auth.username or remote.username or "x-access-token",
            _HOST_ENV: remote.host,
        }
        if remote.password is not None:
            env[_URL_PASSWORD_ENV] = remote.password
    return env


def secrets_of(remote: RepoUrl, auth: Auth) -> tuple[str, ...]:
    """Every secret a git run for ``remote`` could echo, for the redactor."""
    token = auth.token() if remote.is_http else ""
    return tuple(s for s in (remote.password or "", token) if s)
