"""Auth: the environment every git process gets, and the credential helper's host scope.

The helper is exercised through real ``git credential fill``, as git itself would call it.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from bootstrap.git.auth import DEFAULT_TOKEN_ENV, Auth, git_environment, secrets_of
from bootstrap.git.errors import GitInputError
from bootstrap.git.urls import RepoUrl, parse_repo_url

# What every SSH remote's GIT_SSH_COMMAND starts with, and every git process's no-prompt setup.
BATCH_SSH = [
    "ssh",
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "ConnectTimeout=30",
    "-o",
    "ServerAliveInterval=10",
    "-o",
    "ServerAliveCountMax=3",
]
NO_PROMPTS = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "true",
    "SSH_ASKPASS": "true",
    "LC_ALL": "C",
}


def _fill(env: dict[str, str], request: str) -> dict[str, str]:
    """What git's credential machinery answers for ``request`` (protocol/host lines)."""
    full = {**os.environ, **env, "HOME": "/nonexistent", "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(
        ["git", "credential", "fill"],
        input=request + "\n",
        env=full,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    return dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)


def test_token_goes_only_to_the_repo_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEFAULT_TOKEN_ENV, "tok-123/@x")
    env = git_environment(parse_repo_url("https://git.example.com/acme/m.git"), Auth())
    assert _fill(env, "protocol=https\nhost=git.example.com") == {
        "protocol": "https",
        "host": "git.example.com",
        "username": "x-access-token",
        "password": "tok-123/@x",
    }
    # a redirect to another host (or the same name on another port) gets nothing
    for other in ("evil.example.com", "git.example.com:8443", "git.example.com.evil", ""):
        assert _fill(env, f"protocol=https\nhost={other}").get("password", "") == ""


def test_password_from_the_url_wins_and_username_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEFAULT_TOKEN_ENV, "not-this")
    remote = parse_repo_url("https://bob:ab/cd@h:8443/r")
    env = git_environment(remote, Auth())
    got = _fill(env, "protocol=https\nhost=h:8443")
    assert (got["username"], got["password"]) == ("bob", "ab/cd")
    assert "ab/cd" not in remote.url
    assert "ab/cd" not in " ".join(v for k, v in env.items() if k != "UNDERLAY_GIT_URL_PASSWORD")


def test_custom_token_env_and_username(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_TOKEN", "t0k3n")
    env = git_environment(parse_repo_url("https://h/r"), Auth(token_env="MY_TOKEN", username="ci"))
    assert _fill(env, "protocol=https\nhost=h") == {
        "protocol": "https",
        "host": "h",
        "username": "ci",
        "password": "t0k3n",
    }


def test_token_never_in_the_environment_values_git_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEFAULT_TOKEN_ENV, "tok-secret-9")
    env = git_environment(parse_repo_url("https://h/r"), Auth())
    assert all("tok-secret-9" not in v for v in env.values())
    assert env["GIT_CONFIG_KEY_0"] == "credential.helper"
    assert env["GIT_CONFIG_VALUE_0"] == ""
    assert env["GIT_CONFIG_COUNT"] == "2"


def test_ssh_remote_gets_no_helper_and_a_bounded_batch_ssh(tmp_path: Path) -> None:
    key = tmp_path / "id"
    key.write_text("k")
    env = git_environment(parse_repo_url("ssh://git@h/r"), Auth(ssh_key=key))
    assert "GIT_CONFIG_COUNT" not in env  # no credential helper for SSH remotes
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert shlex.split(env["GIT_SSH_COMMAND"]) == [
        *BATCH_SSH,
        "-i",
        str(key.resolve()),
        "-o",
        "IdentitiesOnly=yes",
    ]


def test_known_hosts_option(tmp_path: Path) -> None:
    known = tmp_path / "kh"
    known.write_text("")
    env = git_environment(parse_repo_url("ssh://h/r"), Auth(known_hosts=known))
    assert f"UserKnownHostsFile={known.resolve()}" in shlex.split(env["GIT_SSH_COMMAND"])
    assert "-i" not in shlex.split(env["GIT_SSH_COMMAND"])


def test_users_git_ssh_command_is_kept_without_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_SSH_COMMAND", "my-ssh")
    assert "GIT_SSH_COMMAND" not in git_environment(parse_repo_url("ssh://h/r"), Auth())
    monkeypatch.delenv("GIT_SSH_COMMAND")
    assert (
        "BatchMode=yes" in git_environment(parse_repo_url("ssh://h/r"), Auth())["GIT_SSH_COMMAND"]
    )


def test_relative_ssh_key_is_resolved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "id").write_text("k")
    monkeypatch.chdir(tmp_path)
    auth = Auth(ssh_key=Path("keys/id"))
    assert auth.ssh_key == tmp_path.resolve() / "keys" / "id"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"token_env": "1BAD"}, r"^--token-env '1BAD' is not an environment variable name$"),
        ({"token_env": "A-B"}, r"^--token-env 'A-B' is not an environment variable name$"),
        ({"token_env": ""}, r"^--token-env '' is not an environment variable name$"),
        ({"ssh_key": Path("/no/such/key")}, r"^--ssh-key /no/such/key: no such file$"),
        ({"known_hosts": Path("/no/kh")}, r"^--known-hosts /no/kh: no such file$"),
    ],
)
def test_bad_auth_input(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(GitInputError, match=match):
        Auth(**kwargs)  # type: ignore[arg-type]


def test_secrets_of(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEFAULT_TOKEN_ENV, "tokA")
    assert secrets_of(parse_repo_url("https://u:pw@h/r"), Auth()) == ("pw", "tokA")
    assert secrets_of(parse_repo_url("https://h/r"), Auth()) == ("tokA",)
    assert secrets_of(RepoUrl("ssh://h/r", "ssh"), Auth()) == ()
    monkeypatch.delenv(DEFAULT_TOKEN_ENV)
    assert secrets_of(parse_repo_url("https://h/r"), Auth()) == ()


def test_whole_environment_for_an_https_remote(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GIT_SSH_COMMAND", raising=False)
    env = git_environment(parse_repo_url("https://h:8443/r"), Auth(username="ci"))
    helper = env.pop("GIT_CONFIG_VALUE_1")
    assert env == {
        **NO_PROMPTS,
        "GIT_SSH_COMMAND": shlex.join(BATCH_SSH),
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": "credential.helper",
        "GIT_CONFIG_VALUE_0": "",
        "GIT_CONFIG_KEY_1": "credential.helper",
        "UNDERLAY_GIT_HELPER_USERNAME": "ci",
        "UNDERLAY_GIT_HELPER_HOST": "h:8443",
    }
    assert helper.startswith("!f() {")
    assert "${UNDERLAY_GIT_TOKEN}" in helper


def test_the_credential_helper_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_TOKEN", "t")
    env = git_environment(parse_repo_url("https://h/r"), Auth(token_env="MY_TOKEN"))
    assert env["GIT_CONFIG_VALUE_1"] == (
        '!f() { test "$1" = get || exit 0; h=; '
        'while IFS= read -r l; do case "$l" in host=*) h="${l#host=}";; esac; done; '
        'test -n "$h" && test "$h" = "$UNDERLAY_GIT_HELPER_HOST" || exit 0; '
        'echo "username=$UNDERLAY_GIT_HELPER_USERNAME"; echo "password=${MY_TOKEN}"; }; f'
    )
    remote = parse_repo_url("https://u:pw@h/r")
    assert git_environment(remote, Auth())["GIT_CONFIG_VALUE_1"].endswith(
        'echo "password=${UNDERLAY_GIT_URL_PASSWORD}"; }; f'
    )


def test_the_helper_answers_only_get(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEFAULT_TOKEN_ENV, "tok-1")
    env = git_environment(parse_repo_url("https://h/r"), Auth())
    helper = env["GIT_CONFIG_VALUE_1"].removeprefix("!")
    full = {**os.environ, **env}
    for action, answer in (("get", "username=x-access-token\npassword=tok-1\n"), ("store", "")):
        done = subprocess.run(
            ["sh", "-c", f"{helper} {action}"],
            input="protocol=https\nhost=h\n",
            env=full,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        assert done.stdout == answer


def test_whole_environment_for_an_ssh_remote_with_key_and_known_hosts(tmp_path: Path) -> None:
    (tmp_path / "id").write_text("k")
    (tmp_path / "kh").write_text("")
    auth = Auth(ssh_key=tmp_path / "id", known_hosts=tmp_path / "kh")
    env = git_environment(parse_repo_url("ssh://git@h:2222/r"), auth)
    ssh = shlex.split(env.pop("GIT_SSH_COMMAND"))
    assert env == NO_PROMPTS
    assert ssh == [
        *BATCH_SSH,
        "-o",
        f"UserKnownHostsFile={(tmp_path / 'kh').resolve()}",
        "-i",
        str((tmp_path / "id").resolve()),
        "-o",
        "IdentitiesOnly=yes",
    ]


@pytest.mark.parametrize("key", [False, True])
@pytest.mark.parametrize("known", [False, True])
@pytest.mark.parametrize("users", [False, True])
def test_when_git_ssh_command_is_set(
    key: bool, known: bool, users: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ours whenever we pass a key or known_hosts; else the user's own GIT_SSH_COMMAND stays."""
    (tmp_path / "id").write_text("k")
    (tmp_path / "kh").write_text("")
    if users:
        monkeypatch.setenv("GIT_SSH_COMMAND", "my-ssh")
    else:
        monkeypatch.delenv("GIT_SSH_COMMAND", raising=False)
    auth = Auth(
        ssh_key=tmp_path / "id" if key else None, known_hosts=tmp_path / "kh" if known else None
    )
    env = git_environment(parse_repo_url("ssh://h/r"), auth)
    assert ("GIT_SSH_COMMAND" in env) is (key or known or not users)
    if "GIT_SSH_COMMAND" in env:
        assert shlex.split(env["GIT_SSH_COMMAND"])[:11] == BATCH_SSH


def test_relative_known_hosts_is_resolved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "kh").write_text("")
    monkeypatch.chdir(tmp_path)
    auth = Auth(known_hosts=Path("kh"))
    assert auth == Auth(known_hosts=tmp_path.resolve() / "kh")
    assert auth.known_hosts == tmp_path.resolve() / "kh"
    assert auth.ssh_key is None


@pytest.mark.parametrize(
    ("url", "username", "expected"),
    [
        ("https://h/r", None, "x-access-token"),
        ("https://bob@h/r", None, "bob"),
        ("https://bob@h/r", "ci", "ci"),
        ("https://h/r", "ci", "ci"),
    ],
)
def test_helper_username(url: str, username: str | None, expected: str) -> None:
    env = git_environment(parse_repo_url(url), Auth(username=username))
    assert env["UNDERLAY_GIT_HELPER_USERNAME"] == expected


@pytest.mark.parametrize(
    "remote",
    [
        parse_repo_url("ssh://git@h/r"),
        parse_repo_url("git://h/r"),
        parse_repo_url("/srv/r.git"),
        parse_repo_url("git@h:r.git"),
        RepoUrl("https://x", "https"),  # no host: nothing to scope a helper to
    ],
)
def test_no_helper_without_an_http_host(remote: RepoUrl, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GIT_SSH_COMMAND", raising=False)
    env = git_environment(remote, Auth())
    assert env == {**NO_PROMPTS, "GIT_SSH_COMMAND": shlex.join(BATCH_SSH)}


def test_token_reads_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MY_TOKEN", raising=False)
    assert Auth(token_env="MY_TOKEN").token() == ""
    monkeypatch.setenv("MY_TOKEN", "t-1")
    assert Auth(token_env="MY_TOKEN").token() == "t-1"


def test_secrets_of_never_names_the_token_for_a_non_http_remote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(DEFAULT_TOKEN_ENV, "tokA")
    assert secrets_of(parse_repo_url("ssh://git@h/r"), Auth()) == ()
    assert secrets_of(parse_repo_url("https://:pw@h/r"), Auth(token_env="UNSET_X")) == ("pw",)
