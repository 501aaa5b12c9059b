"""Busy remotes: lost races are redone on the new tip, and concurrent bootstraps all land."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bootstrap.git.urls import parse_repo_url
from bootstrap.gitops.errors import PushRejectedError
from bootstrap.gitops.git_client import GitClient, Workspace
from tests.support.git_daemon import GitDaemon, new_bare_repo
from tests.support.gitops import ENV_DIR, ROOT, commits, files, push_files, show


def test_lost_race_is_redone_on_the_new_tip(bare: Callable[..., Path]) -> None:
    repo = bare()
    push_files(repo, "main", {"a.txt": "a\n"}, "human: a")
    delays: list[float] = []
    client = GitClient(parse_repo_url(str(repo)), sleep=delays.append)
    calls = 0

    def mutate(ws: Workspace) -> str:
        nonlocal calls
        calls += 1
        if calls == 1:  # someone else pushes between our fetch and our push
            push_files(repo, "main", {"b.txt": "b\n"}, "human: b")
        (ws.root / "ours.txt").write_text(f"seen b: {(ws.root / 'b.txt').exists()}\n")
        return "ours"

    outcome = client.change("main", mutate)
    assert outcome.status == "committed"
    assert outcome.attempts == 2
    assert [c.split(" ", 1)[1] for c in commits(repo)] == ["ours", "human: b", "human: a"]
    assert show(repo, "main", "ours.txt") == "seen b: True\n"  # redone on the new tip
    assert len(delays) == 1


def test_retries_are_bounded(bare: Callable[..., Path]) -> None:
    repo = bare()
    push_files(repo, "main", {"a.txt": "a\n"}, "human: a")
    delays: list[float] = []
    client = GitClient(
        parse_repo_url(str(repo)),
        max_attempts=4,
        base_delay=0.1,
        max_delay=0.3,
        sleep=delays.append,
    )
    counter = iter(range(100))

    def mutate(ws: Workspace) -> str:
        push_files(repo, "main", {"busy.txt": f"{next(counter)}\n"}, "human: busy")
        (ws.root / "ours.txt").write_text("x\n")
        return "ours"

    with pytest.raises(PushRejectedError, match="after 4 attempts"):
        client.change("main", mutate)
    assert len(delays) == 3
    assert all(0 < d <= 0.3 for d in delays)
    assert "ours" not in [c.split(" ", 1)[1] for c in commits(repo)]


def env_dir_with(tmp_path: Path, extra: list[str]) -> Path:
    env_dir = tmp_path / "environments"
    shutil.copytree(ENV_DIR, env_dir)
    for name in extra:
        (env_dir / f"{name}.yaml").write_text(f"extends: dev\ndescription: {name}\n")
    return env_dir


@pytest.mark.parametrize(
    ("transport", "empty"), [("file", True), ("file", False), ("git-daemon", False)]
)
def test_concurrent_bootstraps_of_different_envs_all_land(
    tmp_path: Path, daemon: GitDaemon, transport: str, empty: bool
) -> None:
    """Busy (flux2 #634 / terraform-provider-flux #465): empty remote and one with history."""
    envs = ["dev", "staging", "prod", "qa1", "qa2", "qa3"]
    env_dir = env_dir_with(tmp_path, ["qa1", "qa2", "qa3"])
    if transport == "file":
        repo = new_bare_repo(tmp_path, "busy.git")
        url = str(repo)
    else:
        repo = new_bare_repo(daemon.root, f"busy-{tmp_path.name}.git")
        url = daemon.url(repo.name)
    if not empty:
        push_files(repo, "main", {"README.md": "shared repo\n"}, "human: start")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from bootstrap.cli import main; main()",
                "bootstrap",
                name,
                "--repo",
                url,
                "--env-dir",
                str(env_dir),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in envs
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert code == 0, (out, err)
    log = commits(repo)
    assert len(log) == len(envs) + (0 if empty else 1)  # one commit per env, none lost
    subjects = [c.split(" ", 1)[1] for c in log]
    for name in envs:
        assert sum(s.startswith(f"underlay bootstrap {name}: ") for s in subjects) == 1
    owned = json.loads(show(repo, "main", ".underlay/owned.json"))["files"]
    tree = set(files(repo))
    for name in envs:
        assert f"clusters/{name}/kustomization.yaml" in tree
        assert f"apps/{name}/kustomization.yaml" in tree
        assert owned[f"clusters/{name}/apps.yaml"]["env"] == name
    if not empty:
        assert show(repo, "main", "README.md") == "shared repo\n"
