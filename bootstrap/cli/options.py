"""Flags shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bootstrap.git.auth import DEFAULT_TOKEN_ENV, Auth
from stacks.config.paths import DEFAULT_ENV_DIR, ENV_DIR_VARIABLE

__all__ = ["auth_from", "env_dir_option", "git_auth_options"]

F = TypeVar("F", bound=Callable[..., Any])

env_dir_option = click.option(
    "--env-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_ENV_DIR,
    show_default=True,
    envvar=ENV_DIR_VARIABLE,
    help="Folder holding one YAML file per environment.",
)


def git_auth_options(func: F) -> F:
    """``--ssh-key``, ``--known-hosts``, ``--token-env``, ``--username``: one set for every command
    that talks to a git remote (gitops and backups alike)."""
    options = [
        click.option(
            "--ssh-key",
            type=click.Path(path_type=Path, dir_okay=False),
            envvar="UNDERLAY_GIT_SSH_KEY",
            help="SSH private key for ssh:// and host:path remotes. Default: the ssh agent.",
        ),
        click.option(
            "--known-hosts",
            type=click.Path(path_type=Path, dir_okay=False),
            envvar="UNDERLAY_GIT_KNOWN_HOSTS",
            help="known_hosts for SSH remotes (default: the user's); unknown hosts are refused.",
        ),
        click.option(
            "--token-env",
            default=DEFAULT_TOKEN_ENV,
            show_default=True,
            metavar="VAR",
            help="Environment variable holding the HTTPS token (never pass it as a flag).",
        ),
        click.option("--username", help="HTTPS user name for the token (default x-access-token)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def auth_from(flags: dict[str, Any]) -> Auth:
    """The :class:`bootstrap.git.auth.Auth` those options describe."""
    return Auth(
        flags.get("ssh_key"),
        flags.get("token_env") or DEFAULT_TOKEN_ENV,
        flags.get("username"),
        flags.get("known_hosts"),
    )
