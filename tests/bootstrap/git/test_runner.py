"""The runner: bounds from the environment, one-line error mapping with git's reason, redacted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bootstrap.git.auth import Auth
from bootstrap.git.errors import GitAuthError, GitRuntimeError, GitTimeoutError
from bootstrap.git.runner import DEFAULT_TIMEOUT, GitRunner, failure, timeout_from_env
from bootstrap.git.urls import parse_repo_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", DEFAULT_TIMEOUT),
        ("3", 3.0),
        ("0.5", 0.5),
        ("0", DEFAULT_TIMEOUT),
        ("-1", DEFAULT_TIMEOUT),
        ("abc", DEFAULT_TIMEOUT),
        ("1e308", DEFAULT_TIMEOUT),
        ("86399", 86399.0),
        ("86400", DEFAULT_TIMEOUT),
    ],
)
def test_timeout_from_env(raw: str, expected: float, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNDERLAY_GIT_TIMEOUT", raw)
    assert timeout_from_env() == expected


@pytest.mark.parametrize(
    ("stderr", "kind", "message"),
    [
        (
            "Host key verification failed.\nfatal: Could not read from remote repository.\n\n"
            "Please make sure you have the correct access rights\nand the repository exists.",
            GitAuthError,
            "read x: authentication failed: Host key verification failed.",
        ),
        (
            "fatal: Authentication failed for 'https://h/r/'",
            GitAuthError,
            "read x: authentication failed: fatal: Authentication failed for 'https://h/r/'",
        ),
        (
            "git@h: Permission denied (publickey).",
            GitAuthError,
            "read x: authentication failed: git@h: Permission denied (publickey).",
        ),
        (
            "a\nb\nc\nfatal: repository 'https://h/r/' not found",
            GitRuntimeError,
            "read x: c / fatal: repository 'https://h/r/' not found",
        ),
        ("", GitRuntimeError, "read x: git failed"),
        (
            "fatal: unable to access 'https://u:ab/cd@h/r/': 502",
            GitRuntimeError,
            "read x: fatal: unable to access 'https://***@h/r/': 502",
        ),
        ("leaked tok-9999 here", GitRuntimeError, "read x: leaked *** here"),
    ],
)
def test_failure_mapping(stderr: str, kind: type[GitRuntimeError], message: str) -> None:
    error = failure("read x", stderr, "tok-9999")
    assert type(error) is kind
    assert str(error) == message


def test_failure_with_exit_code_and_hint() -> None:
    assert str(failure("w", "", code=128)) == "w: git exited 128"
    assert str(failure("w", "HTTP Basic: Access denied", auth_hint=" (hint)")) == (
        "w: authentication failed (hint): HTTP Basic: Access denied"
    )


def test_run_ok_and_failure(tmp_path: Path) -> None:
    runner = GitRunner()
    assert runner.run(["--version"], what="v").stdout.startswith("git version")
    with pytest.raises(GitRuntimeError, match=r"^status: fatal: not a git repository"):
        runner.run(["status"], what="status", cwd=tmp_path)
    assert runner.run(["status"], what="s", cwd=tmp_path, check=False).returncode == 128


def test_input_goes_to_stdin_and_no_input_is_an_empty_stdin(tmp_path: Path) -> None:
    runner = GitRunner()
    done = runner.run(["hash-object", "--stdin"], what="hash", input="hello\n")
    assert done.stdout.strip() == "ce013625030ba8dba906f756967f9e9ca394464a"  # the blob "hello\n"
    empty = runner.run(["hash-object", "--stdin"], what="hash")  # never waits for a terminal
    assert empty.stdout.strip() == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"  # the empty blob


def test_a_missing_work_dir_is_named_not_taken_for_a_missing_git(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    with pytest.raises(
        GitRuntimeError, match=rf"^status: no such directory {re.escape(str(gone))}$"
    ):
        GitRunner().run(["status"], what="status", cwd=gone)
    with (
        (tmp_path / "err").open("wb") as err,
        pytest.raises(GitRuntimeError, match=r"^git: no such"),
    ):
        GitRunner().popen(["status"], cwd=gone, stderr=err)


def test_undecodable_output_is_replaced_not_a_crash(tmp_path: Path) -> None:
    runner = GitRunner()
    runner.run(["init", "--quiet", str(tmp_path)], what="init")
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9\n")
    blob = runner.run(["hash-object", "-w", "latin1.txt"], what="hash", cwd=tmp_path).stdout
    shown = runner.run(["cat-file", "-p", blob.strip()], what="show", cwd=tmp_path).stdout
    assert shown == "caf\ufffd\n"


def test_timeout_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    runner = GitRunner(timeout=0.5, config=("alias.wait=!sleep 5",))
    with pytest.raises(GitTimeoutError, match=r"^wait: no answer within 0.5s; stopped git"):
        runner.run(["wait"], what="wait", cwd=tmp_path)


def test_environment_bounds_and_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNDERLAY_GIT_TOKEN", "tok-abcd")
    runner = GitRunner(parse_repo_url("https://u:pw-1234@h/r"), Auth())
    env = runner.overrides()
    assert (env["GIT_HTTP_LOW_SPEED_LIMIT"], env["GIT_HTTP_LOW_SPEED_TIME"]) == ("1000", "30")
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert runner.secrets() == ("pw-1234", "tok-abcd")
    assert runner.redact("pw-1234 tok-abcd") == "*** ***"
    assert runner.environment()["PATH"]
    assert GitRunner().secrets() == ()
    assert GitRunner(config=("a.b=c",)).argv(["x"]) == ["git", "-c", "a.b=c", "x"]
