"""The gitops client: its git runs through the one runner (auth, bounds, one-line errors)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bootstrap.git.auth import Auth
from bootstrap.git.errors import GitRuntimeError, GitTimeoutError
from bootstrap.git.urls import parse_repo_url
from bootstrap.gitops.git_client import GitClient, Workspace
from tests.support.gitops import commits, push_files, show


def test_token_stays_out_of_argv_and_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOK", "very-secret-token")
    client = GitClient(parse_repo_url("https://h/o/r.git"), Auth(token_env="TOK"))
    env = client.environment()
    assert "very-secret-token" not in "".join(env.values())  # git reads it from $TOK at run time
    assert "${TOK}" in env["GIT_CONFIG_VALUE_1"]
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert client.redact("x very-secret-token y") == "x *** y"


def test_ssh_agent_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GIT_SSH_COMMAND", raising=False)
    env = GitClient(parse_repo_url("git@github.com:o/r.git")).environment()
    assert env["GIT_SSH_COMMAND"].startswith("ssh -o BatchMode=yes")
    assert " -i " not in env["GIT_SSH_COMMAND"]  # no -i: keys come from the agent
    assert "GIT_CONFIG_COUNT" not in env  # no HTTP credential helper for ssh remotes
    monkeypatch.setenv("GIT_SSH_COMMAND", "ssh -F /my/config")
    assert "GIT_SSH_COMMAND" not in GitClient(parse_repo_url("git@h:o/r.git")).environment()


def test_scratch_has_an_identity_no_signing_and_is_removed(bare: Callable[..., Path]) -> None:
    client = GitClient(parse_repo_url(str(bare())))
    with client.scratch() as path:
        ws = Workspace(path, None, client.runner())
        assert ws.git("config", "--local", "user.email") == "underlay@localhost"
        assert ws.git("config", "--local", "commit.gpgsign") == "false"
        kept = path
    assert not kept.exists()


def test_the_users_identity_is_kept(bare: Callable[..., Path], tmp_path: Path) -> None:
    home = Path(str(tmp_path / "home"))
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = Ann\n\temail = ann@example.com\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        client = GitClient(parse_repo_url(str(bare())))
        with client.scratch() as path:
            ws = Workspace(path, None, client.runner())
            assert ws.try_git("config", "--local", "user.email")[0] == 1  # not overridden
            assert ws.git("config", "user.email") == "ann@example.com"


def test_heads_and_checkout_of_a_branch_and_of_none(bare: Callable[..., Path]) -> None:
    repo = bare()
    push_files(repo, "main", {"a.txt": "a\n"}, "human: a")
    client = GitClient(parse_repo_url(str(repo)))
    with client.scratch() as path:
        heads = client.remote_heads(path, ["main", "absent"])
        assert list(heads) == ["main"]
        assert heads["main"] == commits(repo)[0].split()[0]
        _, ws = client.checkout(path, ["absent", "main"])
        assert ws.tip == heads["main"]
        assert (ws.root / "a.txt").read_text() == "a\n"
        _, empty = client.checkout(path, ["absent"])
        assert empty.tip is None
        assert not (empty.root / "a.txt").exists()


def test_workspace_output_keeps_all_but_one_trailing_newline(bare: Callable[..., Path]) -> None:
    client = GitClient(parse_repo_url(str(bare())))
    with client.scratch() as path:
        ws = Workspace(path, None, client.runner())
        (path / "f.txt").write_text("x\n\n")
        ws.git("add", "f.txt")
        assert ws.git("show", ":f.txt") == "x\n"
        status, out, err = ws.try_git("cat-file", "-e", "no-such-object")
        assert (status, out) == (128, "")
        assert err.startswith("fatal: ")
        assert not err.endswith("\n")


def test_a_failed_local_git_is_one_redacted_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, bare: Callable[..., Path]
) -> None:
    monkeypatch.setenv("UNDERLAY_GIT_TOKEN", "tok-5678-secret")
    client = GitClient(parse_repo_url("https://h.example/o/r.git"))
    with client.scratch() as path:
        ws = Workspace(path, None, client.runner())
        with pytest.raises(GitRuntimeError) as caught:
            ws.git("rev-parse", "--verify", "tok-5678-secret")
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("git rev-parse: ")
    assert "tok-5678-secret" not in str(caught.value)


def test_input_is_fed_on_stdin(bare: Callable[..., Path]) -> None:
    client = GitClient(parse_repo_url(str(bare())))
    with client.scratch() as path:
        ws = Workspace(path, None, client.runner())
        status, sha, _ = ws.try_git("hash-object", "--stdin", input="hello\n")
    assert status == 0
    assert sha == "ce013625030ba8dba906f756967f9e9ca394464a"  # git's id of the blob "hello\n"


def test_local_git_in_the_workspace_is_bounded(
    monkeypatch: pytest.MonkeyPatch, bare: Callable[..., Path]
) -> None:
    client = GitClient(parse_repo_url(str(bare())))
    with client.scratch() as path:
        Workspace(path, None, client.runner()).git("config", "alias.wait", "!sleep 5")
        monkeypatch.setenv("UNDERLAY_GIT_TIMEOUT", "0.5")
        ws = Workspace(path, None, client.runner())
        with pytest.raises(GitTimeoutError, match=r"^git wait: no answer within 0.5s"):
            ws.git("wait")


def test_change_commits_once_and_reports_nothing_to_do(bare: Callable[..., Path]) -> None:
    repo = bare()
    client = GitClient(parse_repo_url(str(repo)))

    def write(ws: Workspace) -> str:
        (ws.root / "x.txt").write_text("x\n")
        return "add x"

    first = client.change("main", write)
    assert (first.status, first.pushed_to) == ("committed", "main")
    assert first.commit == commits(repo)[0].split()[0]
    assert show(repo, "main", "x.txt") == "x\n"
    assert client.change("main", write).status == "unchanged"

    def write_y(ws: Workspace) -> str:
        (ws.root / "y.txt").write_text("y\n")
        return "add y"

    dry = client.change("main", write_y, dry_run=True)
    assert dry.status == "dry-run"
    assert "+y" in dry.diff
    assert len(commits(repo)) == 1
