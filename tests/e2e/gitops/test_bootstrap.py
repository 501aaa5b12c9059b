"""``underlay bootstrap`` against real remotes: file://, git://, smart HTTP with basic auth."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.git_daemon import GitDaemon, new_bare_repo
from tests.support.git_http import GitHttpServer
from tests.support.gitops import (
    HTTP_PASSWORD,
    HTTP_USER,
    OUTPUTS,
    Run,
    commits,
    files,
    git,
    has_branch,
    push_files,
    show,
)
from tests.support.ports import free_port

DEV_LAYOUT = {
    ".underlay/owned.json",
    "README.md",
    "apps/base/example-app.yaml",
    "apps/base/kustomization.yaml",
    "apps/dev/kustomization.yaml",
    "clusters/dev/apps.yaml",
    "clusters/dev/cluster-metadata.yaml",
    "clusters/dev/infrastructure.yaml",
    "clusters/dev/kustomization.yaml",
    "infrastructure/configs/kustomization.yaml",
    "infrastructure/controllers/kustomization.yaml",
}

Cli = Callable[..., Run]


def test_empty_remote_then_idempotent_rerun(cli: Cli, bare: Callable[..., Path]) -> None:
    repo = bare()
    first = cli("bootstrap", "dev", "--repo", str(repo))
    assert first.code == 0, first.err
    assert "committed" in first.out
    assert set(files(repo)) == DEV_LAYOUT
    assert len(commits(repo)) == 1
    again = cli("bootstrap", "dev", "--repo", str(repo))
    assert again.code == 0, again.err
    assert "nothing to change" in again.out
    assert len(commits(repo)) == 1


def test_change_makes_one_commit_saying_what_changed(
    cli: Cli, bare: Callable[..., Path], tmp_path: Path
) -> None:
    repo = bare()
    assert cli("bootstrap", "local", "--repo", str(repo)).code == 0
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"local-cluster": OUTPUTS}))
    run = cli("bootstrap", "local", "--repo", str(repo), "--outputs", str(outputs))
    assert run.code == 0, run.err
    log = commits(repo)
    assert len(log) == 2
    assert log[0].endswith("underlay bootstrap local: update 1 file")
    body = git(repo, "log", "-1", "--format=%b")
    assert "M clusters/local/cluster-metadata.yaml" in body
    assert "s3://ul-local-backup/manifest-repo" in show(
        repo, "main", "clusters/local/cluster-metadata.yaml"
    )


def test_unrelated_history_is_kept_untouched(cli: Cli, bare: Callable[..., Path]) -> None:
    repo = bare()
    theirs = {
        "README.md": "# Our platform repo\n",
        "apps/base/kustomization.yaml": "resources: [web.yaml]\n",
        "apps/base/web.yaml": "kind: Deployment\n",
        "docs/notes.md": "notes\n",
    }
    push_files(repo, "main", theirs, "human: initial content")
    run = cli("bootstrap", "dev", "--repo", str(repo))
    assert run.code == 0, run.err
    for path, text in theirs.items():
        assert show(repo, "main", path) == text
    assert set(files(repo)) >= DEV_LAYOUT - {"apps/base/example-app.yaml"}
    owned = json.loads(show(repo, "main", ".underlay/owned.json"))["files"]
    assert "README.md" not in owned
    assert "apps/base/kustomization.yaml" not in owned
    # Their apps/base/kustomization.yaml would not list the example app: it is not added.
    assert "apps/base/example-app.yaml" not in files(repo)
    assert commits(repo)[1].endswith("human: initial content")


def test_the_example_app_is_the_users_to_edit_or_delete(
    cli: Cli, bare: Callable[..., Path], tmp_path: Path
) -> None:
    repo = bare()
    assert cli("bootstrap", "dev", "--repo", str(repo)).code == 0
    app = "apps/base/example-app.yaml"
    edited = show(repo, "main", app).replace("replicas: 1", "replicas: 3")
    push_files(repo, "main", {app: edited}, "human: scale the example")
    for env in ("dev", "staging"):  # the env that wrote it and one that shares apps/base
        run = cli("bootstrap", env, "--repo", str(repo))
        assert run.code == 0, run.err
    assert show(repo, "main", app) == edited
    base = show(repo, "main", "apps/base/kustomization.yaml")
    push_files(
        repo,
        "main",
        {"apps/base/kustomization.yaml": base.replace("resources:\n- example-app.yaml", "[]")},
        "human: drop the example",
    )
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(repo), str(work)], check=True)
    subprocess.run(["git", "-C", str(work), "rm", "-q", app], check=True)
    subprocess.run(
        ["git", "-C", str(work), "-c", "user.name=H", "-c", "user.email=h@example.com",
         "commit", "-qm", "human: delete the example"],
        check=True,
    )  # fmt: skip
    subprocess.run(["git", "-C", str(work), "push", "-q", "origin", "HEAD:main"], check=True)
    again = cli("bootstrap", "dev", "--repo", str(repo))
    assert "nothing to change" in again.out, again.err
    assert app not in files(repo)


def test_refuses_to_overwrite_what_it_did_not_create(cli: Cli, bare: Callable[..., Path]) -> None:
    repo = bare()
    push_files(repo, "main", {"clusters/dev/apps.yaml": "# mine\n"}, "human: hand-written flux")
    before = commits(repo)
    run = cli("bootstrap", "dev", "--repo", str(repo))
    assert run.code == 2
    assert "clusters/dev/apps.yaml exists but underlay did not create it" in run.err
    assert "Traceback" not in run.err
    assert commits(repo) == before


def test_refuses_to_clobber_a_hand_edit_of_a_managed_file(
    cli: Cli, bare: Callable[..., Path], tmp_path: Path
) -> None:
    repo = bare()
    assert cli("bootstrap", "dev", "--repo", str(repo)).code == 0
    edited = show(repo, "main", "clusters/dev/apps.yaml").replace("wait: true", "wait: false")
    push_files(repo, "main", {"clusters/dev/apps.yaml": edited}, "human: edit")
    outputs = tmp_path / "o.json"
    outputs.write_text(json.dumps({"dev-cluster": OUTPUTS}))
    run = cli("bootstrap", "dev", "--repo", str(repo), "--outputs", str(outputs))
    assert run.code == 2
    assert "changed outside underlay" in run.err
    assert len(commits(repo)) == 2


def test_via_pr_never_touches_the_target_branch(cli: Cli, bare: Callable[..., Path]) -> None:
    repo = bare()
    push_files(repo, "main", {"README.md": "hello\n"}, "human: start")
    main_before = commits(repo)
    run = cli("bootstrap", "dev", "--repo", str(repo), "--via-pr", "underlay/bootstrap-dev")
    assert run.code == 0, run.err
    assert "open a pull request: base main <- head underlay/bootstrap-dev" in run.out
    assert commits(repo) == main_before
    assert DEV_LAYOUT - {"README.md"} <= set(files(repo, "underlay/bootstrap-dev"))
    again = cli("bootstrap", "dev", "--repo", str(repo), "--via-pr", "underlay/bootstrap-dev")
    assert "nothing to change" in again.out
    assert commits(repo) == main_before


def test_via_pr_on_an_empty_remote_creates_only_the_pr_branch(
    cli: Cli, bare: Callable[..., Path]
) -> None:
    repo = bare()
    assert cli("bootstrap", "dev", "--repo", str(repo), "--via-pr", "pr-1").code == 0
    assert not has_branch(repo, "main")
    assert has_branch(repo, "pr-1")


def test_dry_run_shows_the_diff_and_pushes_nothing(cli: Cli, bare: Callable[..., Path]) -> None:
    repo = bare()
    run = cli("bootstrap", "dev", "--repo", str(repo), "--dry-run")
    assert run.code == 0, run.err
    assert "+++ b/clusters/dev/apps.yaml" in run.out
    assert "nothing was pushed" in run.out
    assert not has_branch(repo, "main")


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["bootstrap", "nope", "--repo", "/tmp"], "unknown environment 'nope'"),
        (["bootstrap", "dev", "--repo", "ftp://h/x"], "malformed repository URL"),
        (["bootstrap", "dev", "--repo", "https://h"], "needs a host and a path"),
        (["bootstrap", "local"], "no gitops.repo configured: pass --repo"),
        (["bootstrap", "dev", "--repo", "/tmp", "--branch", "a..b"], "not a valid branch name"),
        (["bootstrap", "dev", "--repo", "/tmp", "--via-pr", "main"], "must differ"),
        (["bootstrap", "dev", "--repo", "/tmp", "--outputs", "/nonexistent.json"], "not found"),
    ],
)
def test_bad_input_exits_2_with_one_line(cli: Cli, args: list[str], reason: str) -> None:
    run = cli(*args)
    assert run.code == 2
    assert reason in run.err
    assert len(run.err.strip().splitlines()) == 1


def test_outputs_without_the_stack_is_bad_input(
    cli: Cli, bare: Callable[..., Path], tmp_path: Path
) -> None:
    repo = bare()
    outputs = tmp_path / "o.json"
    outputs.write_text(json.dumps({"prod-cluster": OUTPUTS}))
    run = cli("bootstrap", "dev", "--repo", str(repo), "--outputs", str(outputs))
    assert run.code == 2
    assert "no outputs for stack 'dev-cluster'" in run.err
    assert not has_branch(repo, "main")


def test_unreachable_remote_is_a_clear_runtime_error(cli: Cli, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    run = cli("bootstrap", "dev", "--repo", f"git://127.0.0.1:{port}/x.git")
    assert run.code == 1
    assert run.err.startswith("underlay: error: cannot read git://127.0.0.1")
    assert "Traceback" not in run.err
    missing = cli("bootstrap", "dev", "--repo", f"file://{tmp_path}/missing.git")
    assert missing.code == 1


def test_git_daemon_remote(cli: Cli, daemon: GitDaemon) -> None:
    repo = new_bare_repo(daemon.root, "daemon-bootstrap.git")
    run = cli("bootstrap", "dev", "--repo", daemon.url("daemon-bootstrap.git"))
    assert run.code == 0, run.err
    assert set(files(repo)) == DEV_LAYOUT
    assert (
        "nothing to change"
        in cli("bootstrap", "dev", "--repo", daemon.url("daemon-bootstrap.git")).out
    )


def test_https_token_from_env_var_never_shown(
    cli: Cli, http_git: GitHttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = new_bare_repo(http_git.root, "http-ok.git")
    monkeypatch.setenv("MY_GIT_TOKEN", HTTP_PASSWORD)
    url = http_git.url("http-ok.git", user=HTTP_USER)
    run = cli("bootstrap", "dev", "--repo", url, "--token-env", "MY_GIT_TOKEN")
    assert run.code == 0, run.err
    assert set(files(repo)) == DEV_LAYOUT
    assert HTTP_PASSWORD not in run.out + run.err
    assert HTTP_USER not in run.out + run.err  # user info redacted too
    assert "http://***@127.0.0.1" in run.out
    everything = git(repo, "log", "-p", "--all")
    assert HTTP_PASSWORD not in everything
    assert HTTP_USER not in everything


def test_https_password_in_url_is_redacted(cli: Cli, http_git: GitHttpServer) -> None:
    repo = new_bare_repo(http_git.root, "http-inline.git")
    url = f"http://{HTTP_USER}:{HTTP_PASSWORD}@127.0.0.1:{http_git.port}/http-inline.git"
    run = cli("bootstrap", "dev", "--repo", url)
    assert run.code == 0, run.err
    assert HTTP_PASSWORD not in run.out + run.err
    assert set(files(repo)) == DEV_LAYOUT


def test_wrong_password_is_a_clean_auth_error(
    cli: Cli, http_git: GitHttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = new_bare_repo(http_git.root, "http-denied.git")
    monkeypatch.setenv("UNDERLAY_GIT_TOKEN", "wrong-password-123")
    run = cli("bootstrap", "dev", "--repo", http_git.url("http-denied.git", user=HTTP_USER))
    assert run.code == 1
    assert "authentication failed" in run.err
    assert "wrong-password-123" not in run.out + run.err
    assert "Traceback" not in run.err
    assert len(run.err.strip().splitlines()) == 1
    assert not has_branch(repo, "main")
    no_token = cli("bootstrap", "dev", "--repo", http_git.url("http-denied.git"))
    assert no_token.code == 1
    assert "authentication failed" in no_token.err
