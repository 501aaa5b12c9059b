"""Git-side test support: bare repos, a git daemon and a smart-HTTP server on loopback, the
in-process CLI runner and helpers that read a bare repo. Fixtures are re-exported by the
conftest.py of the folders that use them."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bootstrap.cli import main
from tests.support.git_daemon import GitDaemon, git_daemon, new_bare_repo
from tests.support.git_http import GitHttpServer, git_http_server

ROOT = Path(__file__).resolve().parents[2]
ENV_DIR = ROOT / "environments"
HTTP_USER = "ci-bot"
HTTP_PASSWORD = "s3cret-T0ken-for-tests"

OUTPUTS = {
    "cluster_name": "ul-local",
    "cluster_endpoint": "https://ABC.gr7.us-east-1.eks.amazonaws.com",
    "cluster_ca_data": "LS0tLS1CRUdJTi" * 200,
    "oidc_issuer_url": "https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
    "backup_bucket": "ul-local-backup",
    "backup_identity": "arn:aws:iam::123456789012:role/ul-local-backup",
    "backup_target": "s3://ul-local-backup/manifest-repo",
}


def kubectl() -> str:
    found = shutil.which("kubectl")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("kubectl is required in CI (it provides `kubectl kustomize`)")
        pytest.skip("kubectl not installed")
    return found


def kustomized_images(checkout: Path, env: str) -> list[str]:
    """The images that ``kubectl kustomize apps/<env>`` of a manifest repo checkout names."""
    out = subprocess.run(
        [kubectl(), "kustomize", str(checkout / "apps" / env)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line.split("image: ")[1] for line in out.splitlines() if "image: " in line]


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def _git_identity(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A known identity and no user config, so tests behave the same on every machine."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("UNDERLAY_GIT_TOKEN", raising=False)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run ``underlay`` in-process; returns exit code and captured output."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main([*args, "--env-dir", str(ENV_DIR)] if "--env-dir" not in args else list(args))
        captured = capsys.readouterr()
        return Run(int(exit_info.value.code or 0), captured.out, captured.err)

    return run


@pytest.fixture
def bare(tmp_path: Path) -> Callable[..., Path]:
    """Factory for empty bare repos under this test's tmp dir."""

    def make(name: str = "manifests.git", branch: str = "main") -> Path:
        return new_bare_repo(tmp_path, name, branch)

    return make


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def show(repo: Path, branch: str, path: str) -> str:
    return git(repo, "show", f"{branch}:{path}")


def files(repo: Path, branch: str = "main") -> list[str]:
    return git(repo, "ls-tree", "-r", "--name-only", branch).splitlines()


def commits(repo: Path, branch: str = "main") -> list[str]:
    return git(repo, "log", "--format=%H %s", branch).splitlines()


def push_files(repo: Path, branch: str, contents: dict[str, str], message: str) -> None:
    """Commit ``contents`` on top of ``branch`` (or as its first commit) like a human would."""
    work = (
        repo.parent
        / f"work-{os.getpid()}-{len(commits(repo, branch)) if has_branch(repo, branch) else 0}"
    )
    shutil.rmtree(work, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", str(repo), str(work)], check=True, capture_output=True)
    subprocess.run(["git", "-C", str(work), "checkout", "-q", "-B", branch], check=True)
    for path, text in contents.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(text)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Human",
        "GIT_AUTHOR_EMAIL": "h@example.com",
        "GIT_COMMITTER_NAME": "Human",
        "GIT_COMMITTER_EMAIL": "h@example.com",
    }
    subprocess.run(["git", "-C", str(work), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(work), "commit", "-qm", message], check=True, env=env)
    subprocess.run(
        ["git", "-C", str(work), "push", "-q", "origin", f"HEAD:{branch}"],
        check=True,
        capture_output=True,
    )
    shutil.rmtree(work)


def has_branch(repo: Path, branch: str) -> bool:
    return (
        subprocess.run(
            [
                "git",
                "--git-dir",
                str(repo),
                "rev-parse",
                "--verify",
                "--quiet",
                f"refs/heads/{branch}",
            ],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )


@pytest.fixture(scope="session")
def remotes_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("remotes")


@pytest.fixture(scope="session")
def daemon(remotes_root: Path) -> Iterator[GitDaemon]:
    with git_daemon(remotes_root) as server:
        yield server


@pytest.fixture(scope="session")
def http_git(remotes_root: Path) -> Iterator[GitHttpServer]:
    with git_http_server(remotes_root, HTTP_USER, HTTP_PASSWORD) as server:
        yield server
