"""The one git layer against real servers: sshd, smart HTTP, and a server that never answers.

Each test drives the ``underlay`` CLI (gitops and backup commands alike) and checks what a user
sees: exit code, one line, git's own reason, and no secret in output or in any git argv.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bootstrap.cli import main
from tests.e2e.git.conftest import Target, bare_with_commit
from tests.support.git_http import git_http_server
from tests.support.sshd import Sshd

ENV_DIR = Path(__file__).resolve().parents[3] / "environments"
PASSWORD = "ab/cd@ef+T0KEN-9"  # CodeCommit-like: unencoded "/" and "@"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    seconds: float


@pytest.fixture
def underlay(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    def run(*args: str) -> Run:
        capsys.readouterr()
        start = time.monotonic()
        with pytest.raises(SystemExit) as info:
            main(list(args))
        captured = capsys.readouterr()
        return Run(int(info.value.code or 0), captured.out, captured.err, time.monotonic() - start)

    return run


@pytest.fixture
def git_argv_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``git`` wrapper first on PATH that logs the argv of every git process, then runs git."""
    real = next(
        Path(d) / "git"
        for d in os.environ["PATH"].split(os.pathsep)
        if (Path(d) / "git").is_file() and os.access(Path(d) / "git", os.X_OK)
    )
    bin_dir = tmp_path / "wrap-bin"
    bin_dir.mkdir()
    log = tmp_path / "git-argv.log"
    wrapper = bin_dir / "git"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> {log}\nexec {real} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_backup_run_keeps_url_password_out_of_argv_and_output(
    underlay: Any,
    s3_target: Target,
    tmp_path: Path,
    git_argv_log: Path,
) -> None:
    root = tmp_path / "http"
    root.mkdir()
    bare_with_commit(root, "m.git")
    with git_http_server(root, "ci-bot", PASSWORD) as server:
        from urllib.parse import quote

        # the password as a user pastes it (unencoded) and percent-encoded: both work, neither leaks
        for shown_password in (PASSWORD, quote(PASSWORD, safe="")):
            url = f"http://ci-bot:{shown_password}@127.0.0.1:{server.port}/m.git"
            run = underlay(
                "backup", "run", "--repo", url, "--to", s3_target.url, *s3_target.cli_args
            )
            assert run.code == 0, run.err
            for text in (run.out, run.err, git_argv_log.read_text()):
                for part in ("ab/cd", "cd@ef", "T0KEN", quote(PASSWORD, safe="")):
                    assert part not in text
    assert "clone --mirror" in git_argv_log.read_text()  # the wrapper did see the git runs


def test_backup_run_token_from_env_reaches_only_the_helper(
    underlay: Any,
    s3_target: Target,
    tmp_path: Path,
    git_argv_log: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path / "http"
    root.mkdir()
    bare_with_commit(root, "m.git")
    monkeypatch.setenv("MY_TOKEN", PASSWORD)
    with git_http_server(root, "ci-bot", PASSWORD) as server:
        url = f"http://127.0.0.1:{server.port}/m.git"
        args = ["--to", s3_target.url, *s3_target.cli_args, "--username", "ci-bot"]
        run = underlay("backup", "run", "--repo", url, *args, "--token-env", "MY_TOKEN")
        assert run.code == 0, run.err
        monkeypatch.setenv("MY_TOKEN", "wrong-token-1234")
        denied = underlay("backup", "run", "--repo", url, *args, "--token-env", "MY_TOKEN")
    assert denied.code == 1
    assert "authentication failed" in denied.err.lower()
    assert "wrong-token-1234" not in denied.out + denied.err
    assert "T0KEN" not in git_argv_log.read_text()


@pytest.mark.parametrize("command", ["backup", "bootstrap", "restore"])
def test_stalling_server_is_cut_off_within_its_bound(
    underlay: Any,
    s3_target: Target,
    stall_port: int,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    command: str,
) -> None:
    monkeypatch.setenv("UNDERLAY_GIT_TIMEOUT", "3")
    url = f"http://127.0.0.1:{stall_port}/m.git"
    if command == "backup":
        run = underlay("backup", "run", "--repo", url, "--to", s3_target.url, *s3_target.cli_args)
    elif command == "restore":
        run = underlay("restore", "--from", s3_target.url, *s3_target.cli_args, "--to", url)
    else:
        run = underlay("bootstrap", "dev", "--repo", url, "--env-dir", str(ENV_DIR))
    assert run.code == 1, run.err
    assert run.seconds < 20
    line = _one_line(run.err.splitlines()[-1] if command != "bootstrap" else run.err)
    assert "no answer within 3s" in line, line  # the runner's bound, for gitops too


def test_ssh_key_auth_with_relative_key_for_backup_and_restore(
    underlay: Any,
    s3_target: Target,
    sshd: Sshd,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repos = tmp_path / "repos"
    repos.mkdir()
    source = bare_with_commit(repos, "m.git")
    empty = repos / "restored.git"
    os.system(f"git init -q --bare {empty}")
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "id").write_bytes(sshd.client_key.read_bytes())
    (tmp_path / "keys" / "id").chmod(0o600)
    monkeypatch.chdir(tmp_path)
    auth = ["--ssh-key", "keys/id", "--known-hosts", str(sshd.known_hosts)]
    run = underlay(
        "backup",
        "run",
        "--repo",
        sshd.url(source),
        "--to",
        s3_target.url,
        *s3_target.cli_args,
        *auth,
    )
    assert run.code == 0, run.err
    back = underlay(
        "restore", "--from", s3_target.url, *s3_target.cli_args, "--to", sshd.url(empty), *auth
    )
    assert back.code == 0, back.err
    assert (empty / "refs").exists()
    import subprocess

    heads = [
        subprocess.run(
            ["git", "--git-dir", str(r), "rev-parse", "main"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for r in (source, empty)
    ]
    assert heads[0] == heads[1]


@pytest.mark.parametrize("command", ["backup", "bootstrap"])
def test_unknown_host_key_is_refused_with_gits_reason(
    underlay: Any,
    s3_target: Target,
    sshd: Sshd,
    tmp_path: Path,
    command: str,
) -> None:
    source = bare_with_commit(tmp_path, "m.git")
    empty_known = tmp_path / "known_hosts"
    empty_known.write_text("")
    auth = ["--ssh-key", str(sshd.client_key), "--known-hosts", str(empty_known)]
    if command == "backup":
        run = underlay(
            "backup",
            "run",
            "--repo",
            sshd.url(source),
            "--to",
            s3_target.url,
            *s3_target.cli_args,
            *auth,
        )
        line = run.err.strip().splitlines()[-1]
    else:
        run = underlay(
            "bootstrap", "dev", "--repo", sshd.url(source), *auth, "--env-dir", str(ENV_DIR)
        )
        line = _one_line(run.err)
    assert run.code == 1, run.err
    assert "Host key verification failed" in line


def test_gitops_bootstrap_over_real_sshd_with_relative_key(
    underlay: Any,
    sshd: Sshd,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = bare_with_commit(tmp_path, "m.git")
    (tmp_path / "id").write_bytes(sshd.client_key.read_bytes())
    (tmp_path / "id").chmod(0o600)
    monkeypatch.chdir(tmp_path)
    auth = ["--ssh-key", "id", "--known-hosts", str(sshd.known_hosts)]
    run = underlay("bootstrap", "dev", "--repo", sshd.url(repo), *auth, "--env-dir", str(ENV_DIR))
    assert run.code == 0, run.err
    import subprocess

    tree = subprocess.run(
        ["git", "--git-dir", str(repo), "ls-tree", "-r", "--name-only", "main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "clusters/dev/kustomization.yaml" in tree
    # a valid key the server does not authorise: refused, with ssh's reason
    (tmp_path / "other").write_bytes(sshd.other_key.read_bytes())
    (tmp_path / "other").chmod(0o600)
    auth = ["--ssh-key", "other", "--known-hosts", str(sshd.known_hosts)]
    denied = underlay(
        "bootstrap", "dev", "--repo", sshd.url(repo), *auth, "--env-dir", str(ENV_DIR)
    )
    assert denied.code == 1
    assert "Permission denied (publickey" in _one_line(denied.err)
