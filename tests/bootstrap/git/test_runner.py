"""The runner: bounds from the environment, one-line error mapping with git's reason, redacted."""

from __future__ import annotations

import io
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bootstrap.git.auth import Auth, git_environment
from bootstrap.git.errors import GitAuthError, GitRuntimeError, GitTimeoutError
from bootstrap.git.runner import AUTH_MARKERS, DEFAULT_TIMEOUT, GitRunner, failure, timeout_from_env
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
        (
            "fatal: Authentication failed for 'https://tok-9999@h/r/'",
            GitAuthError,
            "read x: authentication failed: fatal: Authentication failed for 'https://***@h/r/'",
        ),
        (
            "remote: tok-9999 is not valid\nfatal: Authentication failed",
            GitAuthError,
            "read x: authentication failed: remote: *** is not valid"
            " / fatal: Authentication failed",
        ),
        (  # nothing but git's boilerplate: shown rather than nothing
            "fatal: Could not read from remote repository.\n",
            GitRuntimeError,
            "read x: fatal: Could not read from remote repository.",
        ),
    ],
)
def test_failure_mapping(stderr: str, kind: type[GitRuntimeError], message: str) -> None:
    error = failure("read x", stderr, "tok-9999")
    assert type(error) is kind
    assert str(error) == message


@pytest.mark.parametrize("marker", AUTH_MARKERS)
def test_each_auth_marker_makes_an_auth_error(marker: str) -> None:
    error = failure("push", f"fatal: {marker.upper()} (x)", code=128)
    assert type(error) is GitAuthError
    assert str(error) == f"push: authentication failed: fatal: {marker.upper()} (x)"


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


@dataclass
class FakeSubprocess:
    """A fake of ``subprocess.run`` / ``subprocess.Popen``: records argv and keyword arguments,
    returns a canned ``CompletedProcess`` (no git runs)."""

    returncode: int = 0
    stderr: str = ""
    calls: list[tuple[list[str], dict[str, object]]] = field(default_factory=list)

    def run(self, argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        self.calls.append((argv, kwargs))
        return subprocess.CompletedProcess(argv, self.returncode, "out", self.stderr)

    def popen(self, argv: list[str], **kwargs: object) -> str:
        self.calls.append((argv, kwargs))
        return "a process"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeSubprocess:
    recorder = FakeSubprocess()
    monkeypatch.setattr(subprocess, "run", recorder.run)
    monkeypatch.setattr(subprocess, "Popen", recorder.popen)
    return recorder


BASE_OVERRIDES = {
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
    "GIT_HTTP_LOW_SPEED_LIMIT": "1000",
    "GIT_HTTP_LOW_SPEED_TIME": "30",
}


def test_run_passes_exact_argv_and_keywords(fake: FakeSubprocess, tmp_path: Path) -> None:
    runner = GitRunner(timeout=12.5, config=("a.b=c", "d.e=f"))
    done = runner.run(["fetch", "origin"], what="fetch", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "out")
    assert fake.calls == [
        (
            ["git", "-c", "a.b=c", "-c", "d.e=f", "fetch", "origin"],
            {
                "cwd": tmp_path,
                "env": {**os.environ, **BASE_OVERRIDES},
                "capture_output": True,
                "encoding": "utf-8",
                "errors": "replace",
                "check": False,
                "input": None,
                "stdin": subprocess.DEVNULL,
                "timeout": 12.5,
            },
        )
    ]


def test_popen_passes_exact_argv_and_keywords(fake: FakeSubprocess, tmp_path: Path) -> None:
    sink = io.BytesIO()
    runner = GitRunner(config=("x.y=z",))
    assert runner.popen(["bundle", "create", "-"], cwd=tmp_path, stderr=sink) == "a process"  # type: ignore[comparison-overlap]
    assert fake.calls == [
        (
            ["git", "-c", "x.y=z", "bundle", "create", "-"],
            {
                "cwd": tmp_path,
                "env": {**os.environ, **BASE_OVERRIDES},
                "stdout": subprocess.PIPE,
                "stderr": sink,
                "stdin": subprocess.DEVNULL,
                "start_new_session": True,
            },
        )
    ]


def test_a_failed_run_names_the_exit_code_and_redacts(
    fake: FakeSubprocess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNDERLAY_GIT_TOKEN", "tok-5678")
    runner = GitRunner(parse_repo_url("https://u:pw-1234@h/r"))
    fake.returncode = 128
    with pytest.raises(GitRuntimeError, match=r"^fetch: git exited 128$"):
        runner.run(["fetch"], what="fetch")
    fake.stderr = "fatal: pw-1234 and tok-5678 refused"
    with pytest.raises(GitRuntimeError, match=r"^fetch: fatal: \*\*\* and \*\*\* refused$"):
        runner.run(["fetch"], what="fetch")
    assert runner.run(["fetch"], what="fetch", check=False).returncode == 128
    fake.returncode = 0
    assert runner.run(["fetch"], what="fetch").stderr == "fatal: pw-1234 and tok-5678 refused"


def test_git_missing_from_path_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no git there: the real FileNotFoundError
    runner = GitRunner()
    with pytest.raises(GitRuntimeError, match=r"^git is not installed or not on PATH$"):
        runner.run(["--version"], what="v")
    with (
        (tmp_path / "err").open("wb") as err,
        pytest.raises(GitRuntimeError, match=r"^git is not installed or not on PATH$"),
    ):
        runner.popen(["--version"], cwd=None, stderr=err)


def test_timeout_message_is_redacted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    runner = GitRunner(
        parse_repo_url("https://u:pw-1234@h/r"), timeout=0.25, config=("alias.wait=!sleep 5",)
    )
    with pytest.raises(
        GitTimeoutError,
        match=r"^read \*\*\*: no answer within 0.25s; stopped git "
        r"\(set UNDERLAY_GIT_TIMEOUT to allow longer\)$",
    ):
        runner.run(["wait"], what="read pw-1234", cwd=tmp_path)


def test_overrides_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNDERLAY_GIT_TOKEN", "tok-abcd")
    assert GitRunner().overrides() == BASE_OVERRIDES
    remote = parse_repo_url("https://u:pw-1234@h/r")
    auth = Auth(username="ci")
    assert GitRunner(remote, auth).overrides() == {
        **BASE_OVERRIDES,
        **git_environment(remote, auth),
    }


def test_overrides_win_over_the_callers_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "fr_FR.UTF-8")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "1")
    monkeypatch.setenv("SOMETHING_ELSE", "kept")
    env = GitRunner().environment()
    assert env == {**os.environ, **BASE_OVERRIDES}
    assert (env["LC_ALL"], env["GIT_TERMINAL_PROMPT"], env["SOMETHING_ELSE"]) == ("C", "0", "kept")


def test_the_default_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNDERLAY_GIT_TIMEOUT", "42")
    assert GitRunner().timeout == 42.0
    monkeypatch.delenv("UNDERLAY_GIT_TIMEOUT")
    assert GitRunner().timeout == DEFAULT_TIMEOUT == 600.0
