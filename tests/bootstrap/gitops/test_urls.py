"""URLs and auth: parsing, redaction, and that credentials reach git only the intended way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bootstrap.gitops.errors import GitOpsError
from bootstrap.gitops.git_client import Auth, GitClient
from bootstrap.gitops.urls import parse_repo_url, redact
from tests.support.gitops import Run

Cli = Callable[..., Run]


def test_redaction() -> None:
    assert redact("push https://user:tok@h/x failed") == "push https://***@h/x failed"
    assert redact("ssh://git@h/x and http://u@h:8/y") == "ssh://***@h/x and http://***@h:8/y"
    assert redact("token abcd1234 leaked", "abcd1234") == "token *** leaked"


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("https://git.example.com/o/r.git", "https://git.example.com/o/r.git"),
        ("https://bot:secret@git.example.com/o/r.git", "https://bot@git.example.com/o/r.git"),
        ("git@github.com:o/r.git", "git@github.com:o/r.git"),
        ("ssh://git@h:2222/o/r.git", "ssh://git@h:2222/o/r.git"),
        ("git://127.0.0.1:9418/r.git", "git://127.0.0.1:9418/r.git"),
        ("/srv/git/r.git", "file:///srv/git/r.git"),
    ],
)
def test_parse(raw: str, url: str) -> None:
    parsed = parse_repo_url(raw)
    assert parsed.url == url
    assert "secret" not in parsed.url + parsed.shown


def test_password_split_off() -> None:
    parsed = parse_repo_url("https://bot:s%40cret@h/o/r.git")
    assert parsed.password == "s@cret"
    assert parsed.username == "bot"
    assert parsed.shown == "https://***@h/o/r.git"


@pytest.mark.parametrize(
    "raw", ["", "ftp://h/x", "https://h", "https:///x", "not a url", "http://h:99999/x"]
)
def test_malformed(raw: str) -> None:
    with pytest.raises(GitOpsError):
        parse_repo_url(raw)


def test_token_stays_out_of_argv_and_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOK", "very-secret-token")
    client = GitClient(parse_repo_url("https://h/o/r.git"), Auth(token_env="TOK"))
    env = client.environment()
    assert "very-secret-token" not in "".join(env.values())  # git reads it from $TOK at run time
    assert "${TOK}" in env["GIT_CONFIG_VALUE_1"]
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert client.redact("x very-secret-token y") == "x *** y"


def test_bad_auth_flags() -> None:
    with pytest.raises(GitOpsError, match="not an environment variable name"):
        Auth(token_env="NOT-A-VAR")
    with pytest.raises(GitOpsError, match="no such file"):
        Auth(ssh_key=Path("/nonexistent/key"))


def test_ssh_agent_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GIT_SSH_COMMAND", raising=False)
    env = GitClient(parse_repo_url("git@github.com:o/r.git")).environment()
    assert env["GIT_SSH_COMMAND"].startswith("ssh -o BatchMode=yes")
    assert " -i " not in env["GIT_SSH_COMMAND"]  # no -i: keys come from the agent
    assert "GIT_CONFIG_COUNT" not in env  # no HTTP credential helper for ssh remotes
    monkeypatch.setenv("GIT_SSH_COMMAND", "ssh -F /my/config")
    assert "GIT_SSH_COMMAND" not in GitClient(parse_repo_url("git@h:o/r.git")).environment()
